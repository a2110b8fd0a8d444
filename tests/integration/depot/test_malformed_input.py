"""No post can break a draft (issue 12): a version that is not one, answers
of the wrong shape (the conflict page's hidden copy, an older code's rows),
NUL bytes and non-characters, ids no row can have — each gets a clear
answer, never a 500, and every page of the draft still opens; rows stored
before the rule are repaired by ``flask demandes repair``."""

import json

import pytest
from sqlalchemy import select

from app.domain.wizard.pages import PAGES
from app.domain.wizard.shapes import normalise
from app.extensions import db
from app.models import AuditEvent, Demande
from tests.support.accounts import login
from tests.support.wizard import latest_demande, lycee_with_people, open_teleservices, post_page

WRONG_SHAPES = {
    "lu": 5, "verifie": {"oui": True}, "certifie": [["oui"]], "contact_email": ["a@b.fr", 3],
    "est_beneficiaire": {"x": 1}, "budget": "1 000", "niveaux": "seconde", "intitule": 12, "montant": None,
    "inconnu": [1, {"deux": 2}], "description": "texte\x00nul\ufffe",
}


@pytest.fixture
def app_with_people(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"))
    with app.app_context():
        open_teleservices(tmp_path)
        lycee_with_people()
        yield app


@pytest.fixture
def teacher(app_with_people):
    client = app_with_people.test_client()
    login(client, "prof")
    client.post("/demandes/nouvelle/TRAJ")
    return client


@pytest.fixture
def demande(teacher):
    return latest_demande()


def _assert_well_formed(demande):
    db.session.refresh(demande)
    for step, answers in (demande.answers or {}).items():
        assert answers == normalise(demande.definition, step, answers), step


def _assert_every_page_opens(client, demande):
    for page in PAGES:
        response = client.get(f"/demandes/{demande.id}/etapes/{page}")
        assert response.status_code in (200, 303), (page, response.status_code)
    assert client.get(f"/demandes/{demande.id}").status_code == 200


@pytest.mark.parametrize("version", ["{}", " ", "", "²", "-1", "9" * 5000, "1" * 25])
def test_a_version_that_is_not_one_gets_the_conflict_page(teacher, demande, mode, version):
    url = f"/demandes/{demande.id}/etapes/dossier"
    response = teacher.post(url, data={"version": version, "intitule": "Gardé", "action": "enregistrer"}, headers=mode.headers)
    assert response.status_code == 409
    assert "Gardé" in response.get_data(as_text=True)  # what was typed is offered back


@pytest.mark.parametrize("step", ["preambule", "beneficiaire", "dossier"])
@pytest.mark.parametrize("kept", [json.dumps(WRONG_SHAPES), "[1, 2]", "not json", "{" * 1000, "[" * 5000])
def test_the_conflict_copy_of_any_shape_keeps_the_draft_sound(teacher, demande, step, kept):
    response = teacher.post(f"/demandes/{demande.id}/etapes/{step}",
                            data={"conflict_answers": kept, "version": demande.version, "action": "enregistrer"})
    assert response.status_code < 500
    _assert_well_formed(demande)
    _assert_every_page_opens(teacher, demande)


def test_rows_stored_in_a_wrong_shape_still_open_and_are_repaired(app_with_people, teacher, demande):
    """What the old code stored as posted: every page opens; the command repairs it."""
    demande.answers = {"preambule": 5, "etablissement": ["x"], "beneficiaire": {"est_beneficiaire": ["non"], "domicile": 3},
                       "dossier": {"budget": "cent", "niveaux": {"a": 1}, "intitule": ["Projet"]}, "recapitulatif": "oui", "autre": 1}
    db.session.commit()
    _assert_every_page_opens(teacher, demande)
    assert teacher.get(f"/demandes/{demande.id}/etapes/recapitulatif").status_code == 200

    result = app_with_people.test_cli_runner().invoke(args=["demandes", "repair"])
    assert result.exit_code == 0, result.output
    assert "1 réparée(s)" in result.output
    _assert_well_formed(demande)
    assert "autre" not in demande.answers and demande.answers["dossier"]["budget"] == {"depenses": [], "recettes": []}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demande.reponses_reparees"))
    assert event is not None and event.object_id == demande.id
    again = app_with_people.test_cli_runner().invoke(args=["demandes", "repair"])
    assert "0 réparée(s)" in again.output  # a sound base is left as it is


@pytest.mark.parametrize("text", ["nul\x00", "non-caractère \ufffe", "fin de plan \U0010ffff"])
def test_unreadable_characters_are_refused_with_a_french_message(app_with_people, teacher, demande, mode, text):
    response = post_page(teacher, demande.id, "dossier", {"intitule": text}, action="enregistrer", headers=mode.headers)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Caractère non autorisé" in body and "« intitule »" in body
    _assert_well_formed(demande)
    anonymous = app_with_people.test_client()
    login_attempt = anonymous.post("/connexion", data={"identifiant": "prof" + text, "password": "x"}, headers=mode.headers)
    assert login_attempt.status_code == 422
    assert teacher.get("/instruction/demandes", query_string={"q": text}).status_code in (403, 422)


def test_ids_no_row_can_have_are_not_found(teacher, demande):
    # 2³¹ and 18 digits: above the SQL INTEGER of the ids (« integer out of range » on PostgreSQL before).
    for url in (f"/demandes/{'9' * 25}", f"/demandes/{'1' * 19}/etapes/dossier", f"/demandes/{demande.id}/messages/{'7' * 30}",
                f"/demandes/{2**31}", f"/demandes/{'9' * 18}/etapes/criteres", f"/demandes/{demande.id}/documents/{2**31}"):
        assert teacher.get(url).status_code == 404, url
    assert teacher.post(f"/demandes/{'9' * 18}/etapes/criteres", data={}).status_code == 404
    assert teacher.get(f"/demandes/{2**31 - 1}").status_code == 404  # the largest id: a row could have it, this one does not


def test_a_budget_line_number_that_is_not_one_changes_nothing(teacher, demande):
    for action in ("remove-budget-depenses-²", "remove-budget-depenses-" + "9" * 5000, "add-budget-depenses-1"):
        response = post_page(teacher, demande.id, "dossier", {}, action=action)
        assert response.status_code < 500, action
    _assert_well_formed(demande)
    assert db.session.get(Demande, demande.id) is not None
