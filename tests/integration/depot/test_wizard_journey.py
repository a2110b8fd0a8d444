"""The wizard end to end with the test client: case 2 (the lycée is the
beneficiary) and case 1 (the organisme de gestion, found in the bac à sable)."""

import pytest

from app.domain.wizard.steps import BENEFICIAIRE_FRANCE_FIELDS
from app.models import DemandeStatus
from tests.support.accounts import login
from tests.support.mail import outbox
from tests.support.web import page_text
from tests.support.wizard import DOSSIER, devis, latest_demande, lycee_with_people, open_teleservices, post_page


@pytest.fixture
def teacher_client(make_app, tmp_path):
    app = make_app(PORTAIL_ENV="development", ATTACHMENTS_DIR=str(tmp_path / "pj"))
    client = app.test_client()
    with app.app_context():
        open_teleservices(tmp_path)
        lycee_with_people()
        login(client, "prof")
        yield client


def _through_to_beneficiary(client):
    response = client.post("/demandes/nouvelle/TRAJ")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    demande = latest_demande()
    assert response.headers["Location"] == f"/demandes/{demande.id}/etapes/preambule"
    assert post_page(client, demande.id, "preambule", {"lu": ["", "oui"]}).headers["Location"].endswith("/etapes/criteres")
    criteria = {c.code: "oui" for c in demande.definition.criteres}
    assert post_page(client, demande.id, "criteres", criteria).headers["Location"].endswith("/etapes/etablissement")
    response = post_page(client, demande.id, "etablissement", {"contact_email": "prof@exemple.fr", "contact_telephone": "", "verifie": ["", "oui"]})
    assert response.headers["Location"].endswith("/etapes/beneficiaire"), page_text(response.get_data(as_text=True))[:800]
    return demande


def _dossier_and_file(client, demande):
    response = post_page(client, demande.id, "dossier", DOSSIER, files={"document-devis": devis()})
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:3000]
    assert response.headers["Location"].endswith("/etapes/recapitulatif")
    recap = page_text(client.get(f"/demandes/{demande.id}/etapes/recapitulatif").get_data(as_text=True))
    for text in ["Découvrir les métiers de la mer", "Seconde", "1 234,50", "devis.pdf", "Total des dépenses"]:
        assert text in recap, text
    response = post_page(client, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="deposer")
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:3000]
    assert response.headers["Location"] == f"/demandes/{demande.id}/confirmation"
    return latest_demande()


def test_case_2_the_lycee_is_the_beneficiary(teacher_client):
    demande = _through_to_beneficiary(teacher_client)
    response = post_page(teacher_client, demande.id, "beneficiaire", {"est_beneficiaire": "oui"})
    assert response.headers["Location"].endswith("/etapes/dossier")
    filed = _dossier_and_file(teacher_client, demande)
    assert filed.status == DemandeStatus.DEPOSEE and filed.reference.startswith("TRAJ-")
    assert filed.intitule == "Découvrir les métiers de la mer" and str(filed.montant_demande) == "1234.50"
    confirmation = page_text(teacher_client.get(f"/demandes/{demande.id}/confirmation").get_data(as_text=True))
    assert filed.reference in confirmation
    (mail,) = outbox("ref@exemple.fr", "Nouvelle demande déposée")
    assert filed.reference in mail.body_text


def test_case_1_the_organisme_de_gestion_found_by_siret(teacher_client):
    demande = _through_to_beneficiary(teacher_client)
    page = post_page(teacher_client, demande.id, "beneficiaire", {"est_beneficiaire": "non"})
    assert page.status_code == 200 and "Choix de la famille du bénéficiaire" in page_text(page.get_data(as_text=True))
    response = post_page(teacher_client, demande.id, "beneficiaire", {"est_beneficiaire": "non", "famille": "association", "domicile": "france"})
    assert response.headers["Location"].endswith("/etapes/beneficiaire-details")
    details = page_text(teacher_client.get(f"/demandes/{demande.id}/etapes/beneficiaire-details").get_data(as_text=True))
    assert "API Entreprise" in details and "Rechercher" in details
    found = teacher_client.post(f"/demandes/{demande.id}/etapes/beneficiaire-details", data={"lookup-kind": "siret", "lookup-siret": "77567227221138"})
    assert "Utiliser ces informations" in page_text(found.get_data(as_text=True))
    used = teacher_client.post(f"/demandes/{demande.id}/etapes/beneficiaire-details", data={"organisation-choisie": "siret:77567227221138"})
    assert 'value="77567227221138"' in used.get_data(as_text=True)
    answers = latest_demande().step_answers("beneficiaire")
    assert answers["siret"] == "77567227221138" and answers["raison_sociale"]
    form = {field.code: answers.get(field.code, "") for field in BENEFICIAIRE_FRANCE_FIELDS}  # what a browser sends
    response = post_page(teacher_client, demande.id, "beneficiaire-details", {**form, "email": "contact@ogec.example"})
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:3000]
    assert response.headers["Location"].endswith("/etapes/dossier")
    filed = _dossier_and_file(teacher_client, demande)
    assert filed.status == DemandeStatus.DEPOSEE


def _valid(field):
    """A valid answer for any field of a definition."""
    if field.type == "budget":
        return None
    return {
        "text": "Texte", "textarea": "Un texte.", "integer": str(int(field.min or 1)), "amount": "100",
        "date": "20/01/2027" if field.after else "15/01/2027", "select": field.choices[0][0] if field.choices else "",
        "checkboxes": ["", field.choices[0][0]] if field.choices else [], "iban": "FR76 3000 6000 0112 3456 7890 189",
        "email": "contact@exemple.fr", "telephone": "05 61 00 00 00",
    }[field.type]


STRUCTURES = {
    "TRAJ": {},
    "SPRO": {"famille": "association", "uai": "", "siret": "77567227221138", "raison_sociale": "Association Orientation", "email": "a@exemple.fr"},
    "PVILLE": {"famille": "association", "uai": "", "siret": "77567227221138", "raison_sociale": "Association Quartiers", "email": "a@exemple.fr"},
}


@pytest.mark.parametrize("code", ["TRAJ", "SPRO", "PVILLE"])
def test_each_teleservice_is_fileable_by_the_famille_it_serves(make_app, tmp_path, code):
    """One engine for the three definitions: each is filed end to end; a
    téléservice without CA approval shows « Transmettre à la Région » and
    goes straight to « transmise »."""
    from tests.support.accounts import make_account
    from tests.support.structures import attach, make_structure

    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"))
    client = app.test_client()
    with app.app_context():
        open_teleservices(tmp_path)
        structure = make_structure(**STRUCTURES[code])
        attach(make_account(identifiant="auteur", email="auteur@exemple.fr"), structure)
        login(client, "auteur")
        assert client.post(f"/demandes/nouvelle/{code}").status_code == 303
        demande = latest_demande()
        definition = demande.definition
        post_page(client, demande.id, "preambule", {"lu": ["", "oui"]})
        post_page(client, demande.id, "criteres", {c.code: "oui" for c in definition.criteres})
        post_page(client, demande.id, "etablissement", {"contact_email": "auteur@exemple.fr", "contact_telephone": "", "verifie": ["", "oui"]})
        post_page(client, demande.id, "beneficiaire", {"est_beneficiaire": "oui"})
        dossier = {f.code: _valid(f) for f in definition.dossier if f.type != "budget"}
        budgets = {f"{f.code}-depenses-0-nature": "Dépense" for f in definition.dossier if f.type == "budget"}
        budgets.update({f"{f.code}-depenses-0-montant": "1000" for f in definition.dossier if f.type == "budget"})
        files = {f"document-{d.code}": devis(name=f"{d.code}.pdf") for d in definition.documents if d.required}
        response = post_page(client, demande.id, "dossier", {**dossier, **budgets}, files=files)
        assert response.status_code == 303, page_text(response.get_data(as_text=True))[:3000]
        recap = page_text(client.get(f"/demandes/{demande.id}/etapes/recapitulatif").get_data(as_text=True))
        button = "Déposer ma demande" if definition.approbation_ca else "Transmettre à la Région"
        assert button in recap
        response = post_page(client, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="deposer")
        assert response.status_code == 303, page_text(response.get_data(as_text=True))[:3000]
        filed = latest_demande()
        expected = DemandeStatus.DEPOSEE if definition.approbation_ca else DemandeStatus.TRANSMISE
        assert filed.status == expected and filed.reference.startswith(f"{code}-")
