"""Demo data for the development portal (``flask demo load``), idempotent:
the téléservices, agents, a lycée privé with its organisme de gestion, its référent
(USAGER-OCCITANIE, as in the council's guide), a teacher, and demandes in every status."""


from app.demo_demandes import load_demo_demandes
from app.domain import accounts, structures
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import Account, AccountStatus, AgentRole, Membership, MembershipRole
from app.models.types import utcnow
from app.security.passwords import hash_password
from app.teleservices.loader import load_definitions

DEMO_AGENTS = [
    ("admin.region", "admin@region.example", AgentRole.ADMIN, "Martin", "Claire"),
    ("instructeur.region", "instructeur@region.example", AgentRole.INSTRUCTEUR, "Durand", "Hugo"),
]

# identifiant, email, civilité, nom, prénom
DEMO_USAGERS = [
    ("USAGER-OCCITANIE", "occitanie@laregion.example", "madame", "TEST", "Usager"),
    ("PROF-DEMO", "prof.demo@lycee.example", "monsieur", "Lefèvre", "Julien"),
]

OGEC = {
    "famille": "association",
    "raison_sociale": "OGEC Saint-Exupéry (démonstration)",
    "sigle": "OGEC",
    "siret": "21310555400017",
    "rna": "W313000001",
    "adresse": "3 place du Marché",
    "code_postal": "31000",
    "commune": "Toulouse",
    "email": "ogec@lycee.example",
    "naf_code": "94.99Z",
    "forme_juridique_code": "9220",
}

LYCEE = {
    "famille": "lycee_prive",
    "raison_sociale": "Lycée privé Saint-Exupéry (démonstration)",
    "siret": "41816609600069",
    "uai": "0750654D",
    "adresse": "12 rue des Écoles",
    "code_postal": "31000",
    "commune": "Toulouse",
    "email": "occitanie@laregion.example",
    "telephone": "05 61 00 00 00",
    "naf_code": "85.31Z",
    "representant_civilite": "madame",
    "representant_nom": "TEST",
    "representant_prenom": "Usager",
    "representant_fonction": "Cheffe d'établissement",
}


def _usager(identifiant, email, civilite, nom, prenom, password) -> tuple[Account, bool]:
    account = accounts.find_by_identifiant(identifiant)
    if account is not None:
        return account, False
    account = Account(
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
    db.session.add(account)
    db.session.commit()
    return account, True


def _attach(account, structure, role) -> None:
    if structures.active_membership(account, structure.id) is None:
        db.session.add(Membership(account_id=account.id, structure_id=structure.id, role=role))
        db.session.commit()


def load_demo_data(password: str) -> list[str]:
    """Create what does not exist yet; returns what was done."""
    done = load_definitions()
    for identifiant, email, role, nom, prenom in DEMO_AGENTS:
        if accounts.identifiant_is_taken(identifiant):
            continue
        accounts.create_agent(
            SYSTEM, identifiant=identifiant, email=email, role=role, password=password, nom=nom, prenom=prenom
        )
        done.append(f"Agent créé : {identifiant} ({role.label})")
    people = {}
    for identifiant, *fields in DEMO_USAGERS:
        people[identifiant], created = _usager(identifiant, *fields, password)
        if created:
            done.append(f"Usager créé : {identifiant}")
    ogec = structures.find_by_siret(OGEC["siret"]) or structures.create_structure(SYSTEM, OGEC)
    lycee = structures.find_by_siret(LYCEE["siret"])
    if lycee is None:
        lycee = structures.create_structure(SYSTEM, LYCEE, organisme_gestion=ogec)
        done.append(f"Structures créées : {lycee.raison_sociale}, {ogec.raison_sociale}")
    _attach(people["USAGER-OCCITANIE"], lycee, MembershipRole.REFERENT)
    _attach(people["PROF-DEMO"], lycee, MembershipRole.MEMBRE)
    instructeur = accounts.find_by_identifiant("instructeur.region")
    done += load_demo_demandes(people["PROF-DEMO"], people["USAGER-OCCITANIE"], instructeur, lycee)
    return done
