"""Demo data for the development portal: one account per role, idempotent."""

from app.domain import accounts
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import Account, AccountStatus, AgentRole
from app.models.types import utcnow
from app.security.passwords import hash_password

DEMO_AGENTS = [
    ("admin.region", "admin@region.example", AgentRole.ADMIN, "Martin", "Claire"),
    ("instructeur.region", "instructeur@region.example", AgentRole.INSTRUCTEUR, "Durand", "Hugo"),
]

DEMO_USAGERS = [
    ("USAGER-OCCITANIE", "occitanie@laregion.example", "madame", "TEST", "Usager"),
]


def load_demo_data(password: str) -> list[str]:
    """Create the demo accounts that do not exist yet; returns what was done."""
    done = []
    for identifiant, email, role, nom, prenom in DEMO_AGENTS:
        if accounts.identifiant_is_taken(identifiant):
            continue
        accounts.create_agent(
            SYSTEM, identifiant=identifiant, email=email, role=role, password=password, nom=nom, prenom=prenom
        )
        done.append(f"Agent créé : {identifiant} ({role.label})")
    for identifiant, email, civilite, nom, prenom in DEMO_USAGERS:
        if accounts.identifiant_is_taken(identifiant):
            continue
        db.session.add(
            Account(
                identifiant=identifiant,
                identifiant_key=identifiant.casefold(),
                password_hash=hash_password(password),
                civilite=civilite,
                nom=nom,
                prenom=prenom,
                email=email,
                status=AccountStatus.ACTIVE,
                activated_at=utcnow(),
            )
        )
        db.session.commit()
        done.append(f"Usager créé : {identifiant}")
    return done
