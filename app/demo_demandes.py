"""Demo demandes in every status (``flask demo load``), built through the
real domain operations from ``demo_data/demandes.yaml``."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, select

from app import attachments
from app.domain import demandes, instruction, messages, suivi
from app.domain.base import OperationContext
from app.extensions import db
from app.models import Demande

DATA = Path(__file__).parent / "demo_data" / "demandes.yaml"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What happens after filing, in order, to reach each status.
AFTER_FILING = {
    "transmise": ["transmit"],
    "en_instruction": ["transmit", "instruct", "message"],
    "complements_demandes": ["transmit", "instruct", "complements"],
    "acceptee": ["transmit", "instruct", "accept"],
    "refusee": ["transmit", "instruct", "refuse"],
    "classee_sans_suite": ["transmit", "instruct", "close"],
}


def _stored_pdf():
    return attachments.store_bytes(PDF, attachments.attachments_directory(current_app))


def load_demo_demandes(teacher, referent, agent, structure) -> list[str]:
    """Create the demo demandes once (nothing when the structure has some)."""
    if db.session.scalar(select(func.count(Demande.id)).where(Demande.structure_id == structure.id)):
        return []
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    teleservice = demandes.teleservice_by_code("TRAJ")
    done = []
    for entry in data["demandes"]:
        author = OperationContext(actor=teacher)
        demande = demandes.start_demande(author, teleservice, structure)
        for step, answers in data["answers"].items():
            if entry["status"] == "brouillon" and step in ("dossier", "recapitulatif"):
                answers = {"intitule": entry["intitule"]} if step == "dossier" else {}
            elif step == "dossier":
                answers = {**answers, "intitule": entry["intitule"]}
            demandes.save_step(author, demande, step, answers, demande.version)
        if entry["status"] != "brouillon":
            demandes.add_attachment(author, demande, "devis", "devis.pdf", _stored_pdf(), "application/pdf")
            demandes.file_demande(author, demande)
        _advance(demande, AFTER_FILING.get(entry["status"], []), referent, agent)
        done.append(f"Demande de démonstration : {entry['intitule']} ({demande.status_label})")
    return done


def _advance(demande, steps, referent, agent) -> None:
    council = OperationContext(actor=agent)
    for step in steps:
        if step == "transmit":
            suivi.transmit(OperationContext(actor=referent), demande, ca_date=date(2026, 11, 10), pv=("pv-ca.pdf", _stored_pdf(), "application/pdf"))
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
