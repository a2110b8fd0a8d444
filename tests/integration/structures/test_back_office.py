"""Back office « Structures »: create from the fiche renseignements (with the
seed's invitation email), validation, edit, list, invitations, history."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Invitation, Structure
from tests.support.accounts import login, make_agent
from tests.support.mail import link_in, outbox
from tests.support.structures import ASSOCIATION, make_structure, structure_form
from tests.support.web import error_messages, page_text

# The seed's invitation, in device-neutral words (« en suivant le lien », not « en cliquant »).
SEED_INVITATION = """Bonjour,

Afin de suivre vos dossiers en cours d'instruction ou de déposer de nouvelles demandes sur le portail des aides de La Région Occitanie, nous vous invitons à créer un compte en suivant le lien ci-dessous (ou en copiant cette adresse dans votre navigateur) :

{link}

Une fois votre demande de création de compte enregistrée, vous recevrez un courriel afin d'activer votre compte.

En vous remerciant pour votre confiance."""


@pytest.fixture
def agent_client(make_app):
    app = make_app(REGION_NAME="La Région Occitanie")
    client = app.test_client()
    with app.app_context():
        make_agent()
        login(client, "agent.region")
        yield client


def test_create_structure_sends_the_seed_invitation_word_for_word(agent_client, mode):
    response = mode.post(agent_client, "/instruction/structures/nouvelle", structure_form())
    structure = db.session.scalar(select(Structure))
    mode.assert_redirect(response, f"/instruction/structures/{structure.id}")
    assert structure.siret == "41816609600069" and structure.uai == "0750654D" and structure.naf_code == "85.31Z"
    (mail,) = outbox("direction@lycee-saint-exupery.example")
    link = link_in(mail.body_text, "/invitation/")
    assert SEED_INVITATION.format(link=link) in mail.body_text
    invitation = db.session.scalar(select(Invitation))
    assert invitation.role == "referent" and invitation.status == "envoyee"
    page = html.unescape(agent_client.get(f"/instruction/structures/{structure.id}").get_data(as_text=True))
    assert "Lycée Saint-Exupéry" in page and "envoyée" in page and "Structure créée" in page
    text = page_text(page)  # what was typed is shown, with what it means
    assert "Activité principale (NAF) 85.31Z – Enseignement secondaire général" in text
    assert f"Forme juridique {structure.forme_juridique_code} –" in text


def test_the_uai_is_marked_required_for_a_lycee(agent_client, mode):
    body = mode.assert_invalid(mode.post(agent_client, "/instruction/structures/nouvelle", structure_form(uai="", email="")))
    assert re.search(r'<label class="govuk-label" for="uai">\s*UAI \*', body)
    body = mode.assert_invalid(mode.post(agent_client, "/instruction/structures/nouvelle", structure_form(famille="association", uai="", email="")))
    assert re.search(r'<label class="govuk-label" for="uai">\s*UAI\s*</label>', body)


CASES = [
    ({"famille": ""}, "famille", "Choisissez la famille de tiers"),
    ({"raison_sociale": ""}, "raison_sociale", "Saisissez la raison sociale"),
    ({"siret": ""}, "siret", "Saisissez le SIRET"),
    ({"siret": "41816609600068"}, "siret", "n'est pas valide"),
    ({"siret": "4181660960006"}, "siret", "14 chiffres"),
    ({"rna": "X123"}, "rna", "W suivie de 9"),
    ({"uai": "0750654E"}, "uai", "Ce numéro UAI n'est pas valide"),
    ({"uai": "75065D"}, "uai", "7 chiffres suivis d'une lettre"),
    ({"uai": ""}, "uai", "Saisissez le numéro UAI"),
    ({"adresse": ""}, "adresse", "Saisissez l'adresse"),
    ({"code_postal": "3100"}, "code_postal", "5 chiffres"),
    ({"commune": ""}, "commune", "Saisissez la commune"),
    ({"email": "pas-une-adresse"}, "email", "adresse électronique valide"),
    ({"telephone": "12"}, "telephone", "numéro de téléphone valide"),
    ({"naf_code": "99.99Z"}, "naf_code", "Ce code NAF n'existe pas"),
    ({"forme_juridique_code": "1234"}, "forme_juridique_code", "forme juridique n'existe pas"),
    ({"organisme_gestion": "Inconnu"}, "organisme_gestion", "Aucune structure du portail"),
    ({"famille": "association", "uai": "", "organisme_gestion": "77567227221138"}, "organisme_gestion", "Seul un lycée privé"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), CASES)
def test_bad_input_is_explained_at_the_field_and_kept(agent_client, mode, overrides, field, message):
    data = structure_form(**overrides)
    body = html.unescape(mode.assert_invalid(mode.post(agent_client, "/instruction/structures/nouvelle", data)))
    assert any(message in m for m in error_messages(body)), error_messages(body)
    assert f'href="#{field}"' in body
    assert 'value="Lycée Saint-Exupéry"' in body or field == "raison_sociale"
    assert db.session.scalar(select(Structure)) is None
    assert outbox() == []


def test_rna_and_uai_are_normalised(agent_client):
    agent_client.post("/instruction/structures/nouvelle", data=structure_form(rna="w 313 000 001", uai="0750654d"))
    structure = db.session.scalar(select(Structure))
    assert (structure.rna, structure.uai) == ("W313000001", "0750654D")


def test_la_poste_siret_is_valid(agent_client):
    response = agent_client.post(
        "/instruction/structures/nouvelle", data=structure_form(famille="entreprise", uai="", siret="356 000 000 49837")
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Structure.siret)) == "35600000049837"


def test_duplicate_siret_links_to_the_existing_structure(agent_client, mode):
    existing = make_structure()
    body = html.unescape(mode.assert_invalid(mode.post(agent_client, "/instruction/structures/nouvelle", structure_form(raison_sociale="Autre"))))
    assert "Une structure avec ce SIRET existe déjà : Lycée Saint-Exupéry." in error_messages(body)
    assert f'href="/instruction/structures/{existing.id}"' in body


def test_organisme_de_gestion_chosen_by_siret_or_name(agent_client):
    ogec = make_structure(**ASSOCIATION)
    agent_client.post("/instruction/structures/nouvelle", data=structure_form(organisme_gestion="775 672 272 21138"))
    lycee = db.session.scalar(select(Structure).where(Structure.famille == "lycee_prive"))
    assert lycee.organisme_gestion_id == ogec.id
    agent_client.post(
        "/instruction/structures/nouvelle",
        data=structure_form(siret="21310555400017", raison_sociale="Lycée Bis", email="bis@exemple.fr", organisme_gestion="ogec saint-exupéry"),
    )
    bis = db.session.scalar(select(Structure).where(Structure.raison_sociale == "Lycée Bis"))
    assert bis.organisme_gestion_id == ogec.id


def test_edit_structure_is_recorded_in_its_history(agent_client, mode):
    structure = make_structure()
    response = mode.post(agent_client, f"/instruction/structures/{structure.id}/modifier", structure_form(commune="Albi", code_postal="81000"))
    mode.assert_redirect(response, f"/instruction/structures/{structure.id}")
    db.session.refresh(structure)
    assert structure.commune == "Albi"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "structure.updated"))
    assert set(event.details["fields"]) == {"commune", "code_postal"} and event.structure_id == structure.id
    assert "Structure modifiée" in agent_client.get(f"/instruction/structures/{structure.id}").get_data(as_text=True)


def test_list_search_filter_and_pagination(agent_client, mode):
    for number in range(23):
        make_structure(siret=None, famille="autre", uai="", raison_sociale=f"Association {number:02d}", commune="Albi" if number % 2 else "Rodez")
    make_structure()
    body = mode.assert_page(mode.get(agent_client, "/instruction/structures"))
    assert "24 structures" in body and "govuk-pagination" in body
    assert "Association 19" in body and "Association 20" not in body  # 20 a page, sorted by name
    body = mode.get(agent_client, "/instruction/structures?page=2").get_data(as_text=True)
    assert "Association 20" in body
    body = mode.get(agent_client, "/instruction/structures?q=rodez").get_data(as_text=True)
    assert "12 structures correspondant à la recherche" in body
    body = mode.get(agent_client, "/instruction/structures?q=41816609600069").get_data(as_text=True)
    assert "1 structure correspondant" in body and "Saint-Exupéry" in body
    body = mode.get(agent_client, "/instruction/structures?famille=lycee_prive").get_data(as_text=True)
    assert "1 structure correspondant" in body
    body = mode.get(agent_client, "/instruction/structures?q=0750654d").get_data(as_text=True)
    assert "1 structure correspondant" in body


def test_resend_gives_a_new_link_and_the_old_one_stops_working(agent_client, mode):
    structure = make_structure()
    invitation = structure.invitations[0]
    old_link = link_in(outbox()[0].body_text, "/invitation/").removeprefix("http://localhost")
    response = mode.post(agent_client, f"/instruction/structures/{structure.id}/invitations/{invitation.id}/renvoyer")
    mode.assert_redirect(response, f"/instruction/structures/{structure.id}")
    new_link = link_in(outbox()[-1].body_text, "/invitation/").removeprefix("http://localhost")
    assert new_link != old_link
    agent_client.post("/deconnexion")
    assert "a été remplacé" in html.unescape(agent_client.get(old_link).get_data(as_text=True))
    assert agent_client.get(new_link).status_code == 200


def test_cancel_invitation(agent_client, mode):
    structure = make_structure()
    invitation = structure.invitations[0]
    link = link_in(outbox()[0].body_text, "/invitation/").removeprefix("http://localhost")
    mode.post(agent_client, f"/instruction/structures/{structure.id}/invitations/{invitation.id}/annuler")
    db.session.refresh(invitation)
    assert invitation.status == "annulee"
    page = html.unescape(agent_client.get(f"/instruction/structures/{structure.id}").get_data(as_text=True))
    assert "annulée" in page and "Invitation annulée" in page
    response = agent_client.get(link)
    assert response.status_code == 410 and "Cette invitation a été annulée" in html.unescape(response.get_data(as_text=True))


def test_invitation_of_another_structure_in_the_url_is_404(agent_client):
    first = make_structure()
    second = make_structure(siret="21310555400017", raison_sociale="Autre lycée", email="autre@exemple.fr")
    response = agent_client.post(f"/instruction/structures/{first.id}/invitations/{second.invitations[0].id}/annuler")
    assert response.status_code == 404
    assert second.invitations[0].status == "envoyee"


def test_agent_invites_a_new_referent(agent_client, mode):
    structure = make_structure()
    response = mode.post(agent_client, f"/instruction/structures/{structure.id}/inviter", {"email": "nouveau@exemple.fr", "nom": "Roux", "prenom": "Léa"})
    mode.assert_redirect(response, f"/instruction/structures/{structure.id}")
    assert outbox("nouveau@exemple.fr")
    body = mode.assert_invalid(mode.post(agent_client, f"/instruction/structures/{structure.id}/inviter", {"email": "nouveau@exemple.fr", "nom": "Roux", "prenom": "Léa"}))
    assert "Une invitation est déjà en attente" in html.unescape(body)


def test_unknown_structure_is_404(agent_client):
    assert agent_client.get("/instruction/structures/999999").status_code == 404


@pytest.fixture
def sandbox_agent_client(make_app):
    """An agent on a portal whose look-up uses the bac à sable (development)."""
    app = make_app(PORTAIL_ENV="development")
    client = app.test_client()
    with app.app_context():
        make_agent()
        login(client, "agent.region")
        yield client


def test_agent_prefills_a_structure_from_a_siret_and_keeps_the_source(sandbox_agent_client, mode):
    client = sandbox_agent_client
    found = mode.post(client, "/instruction/structures/nouvelle", {"lookup-kind": "siret", "lookup-siret": "775 672 272 21138"})
    text = page_text(found.get_data(as_text=True))
    assert "bac à sable" in text and "Utiliser ces informations" in text
    filled = client.post("/instruction/structures/nouvelle", data={"organisation-choisie": "siret:77567227221138"})
    body = filled.get_data(as_text=True)
    assert 'value="77567227221138"' in body and 'value="siret:77567227221138"' in body
    raison_sociale = re.search(r'name="raison_sociale"[^>]*value="([^"]+)"', body).group(1)
    data = structure_form(
        famille="association", uai="", siret="77567227221138", raison_sociale=html.unescape(raison_sociale),
        lookup_key="siret:77567227221138",
        **{name: html.unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', body).group(1)) for name in ["rna", "naf_code", "forme_juridique_code", "code_postal", "commune", "sigle"]},
        adresse=html.unescape(re.search(r'name="adresse"[^>]*>([^<]*)</textarea>', body).group(1)).strip(),
    )
    response = mode.post(client, "/instruction/structures/nouvelle", data)
    structure = db.session.scalar(select(Structure))
    mode.assert_redirect(response, f"/instruction/structures/{structure.id}")
    assert structure.lookup_snapshot["verified"] is True and structure.lookup_snapshot["source"] == "bac_a_sable"
    assert "Vérifié : bac à sable (données de démonstration)" in page_text(client.get(f"/instruction/structures/{structure.id}").get_data(as_text=True))


def test_the_look_up_survives_an_error_of_the_form(sandbox_agent_client):
    """The sandbox's only record found by RNA is closed (cannot be chosen): the
    SIRET case shows the same rule — the kind, the number and the card stay."""
    client = sandbox_agent_client
    client.post("/instruction/structures/nouvelle", data={"organisation-choisie": "siret:77567227221138"})
    refused = client.post("/instruction/structures/nouvelle", data={"lookup_key": "siret:77567227221138", "raison_sociale": ""})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(r'<input[^>]*name="lookup-kind"[^>]*value="siret"[^>]*checked', body)
    assert re.search(r'name="lookup-siret"[^>]*value="77567227221138"', body)
    assert "organisation-lookup-result" in body  # the card of the record chosen


def test_a_structure_typed_by_hand_is_unverified(agent_client):
    agent_client.post("/instruction/structures/nouvelle", data=structure_form())
    structure = db.session.scalar(select(Structure))
    assert structure.lookup_snapshot["verified"] is False
    assert "Non vérifié" in page_text(agent_client.get(f"/instruction/structures/{structure.id}").get_data(as_text=True))
