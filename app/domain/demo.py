"""Demo data for the development portal (``flask demo load``), idempotent,
built through the real operations like a person would: the téléservices,
the agents, a lycée privé with its organisme de gestion, its référent
(USAGER-OCCITANIE, as in the council's guide) and a teacher who joined by
their invitations, and demandes in every status (``demo_data/demandes.yaml``).
One operation: it loads whole or not at all."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import yaml
from sqlalchemy import func, select

from app.domain import accounts, agents, invitations, memberships, messages, structures, teleservices
from app.domain.base import OperationContext, operation
from app.domain.demandes import drafts, filing, instruction, transmission
from app.extensions import db
from app.models import AgentRole, Demande, MembershipRole

DATA = Path(__file__).parent / "demo_data" / "demandes.yaml"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

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

# What happens after filing, in order, to reach each status.
AFTER_FILING = {
    "transmise": ["transmit"],
    "en_instruction": ["transmit", "instruct", "message"],
    "complements_demandes": ["transmit", "instruct", "complements"],
    "acceptee": ["transmit", "instruct", "accept"],
    "refusee": ["transmit", "instruct", "refuse"],
    "classee_sans_suite": ["transmit", "instruct", "close"],
}


def _pdf(name: str):
    """A small PDF, as a browser would send it."""
    return SimpleNamespace(filename=name, stream=io.BytesIO(PDF))


@operation
def load_demo_data(ctx: OperationContext, password: str) -> list[str]:
    """Create what does not exist yet; returns what was done."""
    done = teleservices.load_definitions()
    for identifiant, email, role, nom, prenom in DEMO_AGENTS:
        if not accounts.identifiant_is_taken(identifiant):
            agents.create_agent(ctx, identifiant=identifiant, email=email, role=role, password=password, nom=nom, prenom=prenom)
            done.append(f"Agent créé : {identifiant} ({role.label})")
    people = {}
    for identifiant, email, civilite, nom, prenom in DEMO_USAGERS:
        people[identifiant] = accounts.find_by_identifiant(identifiant)
        if people[identifiant] is None:
            people[identifiant] = accounts.create_active_account(
                ctx, identifiant=identifiant, password=password, civilite=civilite, nom=nom, prenom=prenom, email=email
            )
            done.append(f"Usager créé : {identifiant}")
    ogec = structures.find_by_siret(OGEC["siret"]) or structures.create_structure(ctx, OGEC)
    lycee = structures.find_by_siret(LYCEE["siret"])
    if lycee is None:
        lycee = structures.create_structure(ctx, LYCEE, organisme_gestion=ogec)
        done.append(f"Structures créées : {lycee.raison_sociale}, {ogec.raison_sociale}")
    _join(ctx, people["USAGER-OCCITANIE"], lycee, MembershipRole.REFERENT)
    _join(ctx, people["PROF-DEMO"], lycee, MembershipRole.MEMBRE)
    instructeur = accounts.find_by_identifiant("instructeur.region")
    done += _demandes(people["PROF-DEMO"], people["USAGER-OCCITANIE"], instructeur, lycee)
    return done


def _join(ctx: OperationContext, account, structure, role: MembershipRole) -> None:
    """The account joins the structure the way people do: it accepts the
    invitation sent to its address (the référent's was sent when the
    structure was created)."""
    if any(m.structure_id == structure.id for m in memberships.active_memberships(account)):
        return
    invitation = next((i for i in structure.invitations if i.is_pending and i.email == account.email), None)
    if invitation is None:
        invitation = invitations.invite(ctx, structure, email=account.email, role=role, nom=account.nom, prenom=account.prenom)
    invitations.accept(OperationContext(actor=account, ip=ctx.ip), invitations.invitation_token(invitation), account)


def _demandes(teacher, referent, agent, structure) -> list[str]:
    """The demo demandes, once (nothing when the structure has some)."""
    if db.session.scalar(select(func.count(Demande.id)).where(Demande.structure_id == structure.id)):
        return []
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    teleservice = teleservices.teleservice_by_code("TRAJ")
    author = OperationContext(actor=teacher)
    done = []
    for entry in data["demandes"]:
        demande = drafts.start_demande(author, teleservice, structure)
        for step, answers in data["answers"].items():
            if entry["status"] == "brouillon" and step in ("dossier", "recapitulatif"):
                answers = {"intitule": entry["intitule"]} if step == "dossier" else {}
            elif step == "dossier":
                answers = {**answers, "intitule": entry["intitule"]}
            drafts.save_step(author, demande, step, answers, demande.version)
        if entry["status"] != "brouillon":
            drafts.add_document(author, demande, "devis", _pdf("devis.pdf"))
            filing.file_demande(author, demande)
        _advance(demande, AFTER_FILING.get(entry["status"], []), referent, agent)
        done.append(f"Demande de démonstration : {entry['intitule']} ({demande.status_label})")
    return done


def _advance(demande, steps, referent, agent) -> None:
    council = OperationContext(actor=agent)
    for step in steps:
        if step == "transmit":
            transmission.transmit(OperationContext(actor=referent), demande, ca_date=date(2026, 11, 10), pv=_pdf("pv-ca.pdf"))
        elif step == "instruct":
            instruction.start_instruction(council, demande)
        elif step == "message":  # a fil de discussion to read and answer
            messages.post_as_agent(council, demande, "Bonjour, combien d'élèves participeront aux rencontres ? Merci de votre réponse.")
        elif step == "complements":
            instruction.request_complements(council, demande, "Merci de joindre un second devis pour le transport.", ["dossier"])
        elif step == "accept":
            instruction.accept(council, demande, montant=Decimal("1200.00"), decision_date=date(2026, 12, 15), instance="Commission permanente")
        elif step == "refuse":
            instruction.refuse(council, demande, motif="Le projet ne relève pas du dispositif.")
        elif step == "close":
            instruction.close_without_follow_up(council, demande, motif="Projet abandonné par l'établissement.")
