"""Driving the wizard in tests: open téléservices, a lycée privé with its
référent and a teacher, and the answers of each page."""

import io
import re

from sqlalchemy import select

from app.domain import memberships
from app.domain.base import OperationContext
from app.domain.demandes import drafts
from app.domain.teleservices import teleservice_by_code
from app.extensions import db
from app.models import Demande, Membership
from tests.support.accounts import make_account
from tests.support.files import PDF, upload
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.teleservices import load_teleservices, open_window, write_definitions

DOSSIER = {
    "intitule": "Découvrir les métiers de la mer",
    "description": "Visites d'entreprises et rencontres avec des professionnels.",
    "objectifs": "Construire son parcours d'orientation.",
    "niveaux": ["seconde", "premiere"],
    "nombre_eleves": "48",
    "date_debut": "15/01/2027",
    "date_fin": "30/05/2027",
    "enseignant": "Aïcha Martin",
    "budget-depenses-0-nature": "Transport",
    "budget-depenses-0-montant": "1 200,00",
    "budget-depenses-1-nature": "Intervenants",
    "budget-depenses-1-montant": "800",
    "budget-recettes-0-origine": "Fonds propres",
    "budget-recettes-0-montant": "500",
    "montant": "1 234,50",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
}


def open_teleservices(tmp_path):
    """The three shipped téléservices, open today."""
    window = open_window()
    load_teleservices(write_definitions(tmp_path / "teleservices", {code: window for code in ("TRAJ", "SPRO", "PVILLE")}))


def lycee_with_people():
    """A lycée privé (with its OGEC), its référent « ref » and teacher « prof »."""
    ogec = make_structure(**ASSOCIATION)
    lycee = make_structure(organisme_gestion=ogec)
    referent = make_account(identifiant="ref", email="ref@exemple.fr", nom="Bernard", prenom="Paul")
    teacher = make_account(identifiant="prof", email="prof@exemple.fr", nom="Martin", prenom="Aïcha")
    attach(referent, lycee)
    attach(teacher, lycee, role="membre")
    return lycee, referent, teacher


def teacher_lycee(teacher):
    """The lycée the teacher of ``lycee_with_people`` belongs to."""
    return memberships.active_memberships(teacher)[0].structure


def teacher_draft(app) -> int:
    """A Trajectoires draft of the teacher « prof », started through the domain."""
    with app.app_context():
        teacher = db.session.scalar(select(Membership).where(Membership.role == "membre")).account
        demande = drafts.start_demande(OperationContext(actor=teacher), teleservice_by_code("TRAJ"), teacher_lycee(teacher))
        return demande.id


def latest_demande() -> Demande:
    return db.session.scalar(select(Demande).order_by(Demande.id.desc()))



def page_form(client, url) -> dict:
    """What a browser sends of a wizard page besides the answers: the version
    it shows and the questions it shows (``affiche``)."""
    body = client.get(url).get_data(as_text=True)
    return {
        "version": re.search(r'name="version" value="(\d+)"', body).group(1),
        "affiche": re.findall(r'name="affiche" value="([^"]+)"', body),
    }


def post_page(client, demande_id, page, data, action="suivant", headers=None, files=None):
    """Post a wizard page with the version and the questions the page shows, like a browser."""
    url = f"/demandes/{demande_id}/etapes/{page}"
    payload = {**page_form(client, url), "action": action, **data}
    if files:
        payload.update(files)
        return client.post(url, data=payload, headers=headers or {}, content_type="multipart/form-data")
    return client.post(url, data=payload, headers=headers or {})


def devis(name="devis.pdf", content=PDF):
    return (io.BytesIO(content), name)


def valid_answer(field):
    """A valid answer for any field of a definition (budgets apart)."""
    return {
        "text": "Texte", "textarea": "Un texte.", "integer": str(int(field.min or 1)), "amount": "100",
        "date": "20/01/2027" if field.after else "15/01/2027", "select": field.choices[0][0] if field.choices else "",
        "checkboxes": [field.choices[0][0]] if field.choices else [], "iban": "FR76 3000 6000 0112 3456 7890 189",
        "email": "contact@exemple.fr", "telephone": "05 61 00 00 00",
        "budget": {"depenses": [{"nature": "Dépense", "montant": "1000"}], "recettes": []},
    }[field.type]


def make_filed_demande(author, structure, code="TRAJ", intitule="Projet déposé", beneficiaire=None):
    """A demande filed through the real domain operations (« déposée », or
    « transmise » for a téléservice without CA approval); ``beneficiaire``:
    the answers of that step (default « Oui », the structure itself)."""
    from app.domain.base import OperationContext
    from app.domain.demandes import drafts, filing
    from app.domain.teleservices import teleservice_by_code

    ctx = OperationContext(actor=author)
    demande = drafts.start_demande(ctx, teleservice_by_code(code), structure)
    definition = demande.definition
    steps = {
        "preambule": {"lu": ["oui"]},
        "criteres": {c.code: "oui" for c in definition.criteres},
        "etablissement": {"contact_email": author.email, "verifie": ["oui"]},
        "beneficiaire": beneficiaire or {"est_beneficiaire": "oui"},
        "dossier": {**{f.code: valid_answer(f) for f in definition.dossier}, "intitule": intitule},
        "recapitulatif": {"certifie": ["oui"]},
    }
    for step, answers in steps.items():
        drafts.save_step(ctx, demande, step, answers, demande.version)
    for document in definition.documents:
        if document.required:
            drafts.add_document(ctx, demande, document.code, upload(f"{document.code}.pdf"))
    return filing.file_demande(ctx, demande)


def transmit_demande(referent, demande):
    """The référent transmits a « déposée » demande after the CA, through the domain."""
    from datetime import date

    from app.domain.base import OperationContext
    from app.domain.demandes import transmission

    return transmission.transmit(OperationContext(actor=referent), demande, ca_date=date(2026, 11, 10), pv=upload("pv.pdf"))
