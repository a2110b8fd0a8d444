"""Every wizard page with and without htmx: missing and malformed values,
a « Non » to a criterion, stale versions, files, drafts kept, access."""

import html
import re

import pytest

from app.extensions import db
from tests.support.accounts import login, make_account
from tests.support.web import error_messages, input_value, page_text
from tests.support.wizard import DOSSIER, PDF, devis, latest_demande, lycee_with_people, open_teleservices, post_page


@pytest.fixture
def app_with_people(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"), ATTACHMENT_MAX_BYTES=2000)
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


def test_page_title_stepper_and_buttons(teacher, demande, mode):
    body = mode.assert_page(mode.get(teacher, f"/demandes/{demande.id}/etapes/beneficiaire"))
    assert "<title>Étape 4 sur 6 : Bénéficiaire – Lycée-Projets « Trajectoires » – Portail des aides</title>" in html.unescape(body)
    text = page_text(body)
    assert "1. Préambule à compléter" in text and "4. Bénéficiaire étape en cours" in text
    for button in ["Précédent", "Enregistrer", "Suivant"]:
        assert f">{button}" in body or f"{button}\n" in body
    assert 'aria-current="step"' in body


def test_preambule_must_be_read(teacher, demande, mode):
    body = mode.assert_invalid(post_page(teacher, demande.id, "preambule", {"lu": ""}, headers=mode.headers))
    assert error_messages(body) == ["Cochez la case « J'ai pris connaissance du préambule »"]


def test_every_unanswered_criterion_is_an_error_at_its_question(teacher, demande, mode):
    """An unanswered radio group sends nothing: the page says it asked it (``affiche``)."""
    body = mode.assert_invalid(post_page(teacher, demande.id, "criteres", {}, headers=mode.headers))
    expected = [f"Choisissez une réponse pour « {c.question} »" for c in demande.definition.criteres]
    assert error_messages(body) == expected
    summary = re.search(r'class="govuk-error-summary.*?</ul>', body, re.S).group(0)
    assert [html.unescape(m) for m in re.findall(r'<a href="#[^"]+">(.*?)</a>', summary)] == expected  # summary order = form order


def test_the_beneficiary_questions_are_checked_one_screen_after_the_other(teacher, demande, mode):
    question = "Choisissez une réponse pour « Êtes-vous le bénéficiaire de l'aide ? »"
    assert error_messages(mode.assert_invalid(post_page(teacher, demande.id, "beneficiaire", {}, headers=mode.headers))) == [question]
    # « Non »: the famille and the domicile appear, without an error (they were not asked yet)…
    shown = mode.assert_page(post_page(teacher, demande.id, "beneficiaire", {"est_beneficiaire": "non"}, headers=mode.headers))
    assert error_messages(shown) == [] and 'name="famille"' in shown and 'name="domicile"' in shown
    # … and left unanswered once asked, each is an error at its question.
    body = mode.assert_invalid(post_page(teacher, demande.id, "beneficiaire", {"est_beneficiaire": "non"}, headers=mode.headers))
    assert error_messages(body) == [
        "Choisissez une réponse pour « Le bénéficiaire est un(e) »", "Choisissez une réponse pour « Domicilié(e) »",
    ]


def test_a_non_to_a_criterion_stops_the_demande_and_says_why(teacher, demande, mode):
    criteria = {c.code: "oui" for c in demande.definition.criteres}
    first = demande.definition.criteres[0]
    criteria[first.code] = "non"
    body = page_text(mode.assert_invalid(post_page(teacher, demande.id, "criteres", criteria, headers=mode.headers)))
    assert "Votre demande ne peut pas aller plus loin" in body and first.refus in body
    assert "2. Critères d'éligibilité étape en cours" in body
    db.session.refresh(demande)
    assert demande.step_answers("criteres")[first.code] == "non"  # kept, to be corrected


def test_etablissement_errors_keep_what_was_typed(teacher, demande, mode):
    body = mode.assert_invalid(
        post_page(teacher, demande.id, "etablissement", {"contact_email": "pas-une-adresse", "contact_telephone": "12", "verifie": ""}, headers=mode.headers)
    )
    messages = error_messages(body)
    assert any("adresse électronique valide" in m for m in messages)
    assert any("téléphone" in m for m in messages)
    assert input_value(body, "contact_email") == "pas-une-adresse" and input_value(body, "contact_telephone") == "12"


def test_enregistrer_saves_an_invalid_draft_without_blocking(teacher, demande, mode):
    response = post_page(teacher, demande.id, "dossier", {**DOSSIER, "nombre_eleves": "beaucoup"}, action="enregistrer", headers=mode.headers)
    assert response.status_code in (200, 303)
    db.session.refresh(demande)
    assert demande.step_answers("dossier")["nombre_eleves"] == "beaucoup"
    page = page_text(teacher.get(f"/demandes/{demande.id}/etapes/dossier?enregistre=1").get_data(as_text=True))
    assert "Brouillon enregistré" in page
    other = page_text(teacher.get(f"/demandes/{demande.id}/etapes/preambule").get_data(as_text=True))
    assert "5. Votre dossier à corriger" in other


def test_suivant_shows_every_error_of_the_dossier_at_once(teacher, demande, mode):
    data = {**DOSSIER, "intitule": "", "nombre_eleves": "0", "date_fin": "01/01/2027", "montant": "99 999", "iban": "FR76 1234", "niveaux": [""]}
    body = html.unescape(mode.assert_invalid(post_page(teacher, demande.id, "dossier", data, headers=mode.headers)))
    messages = " | ".join(error_messages(body))
    for expected in ["Intitulé du projet", "nombre", "ne peut pas précéder", "ne peut pas dépasser le total des dépenses moins les autres recettes", "IBAN", "Cochez au moins une case", "Joignez le document « Devis »"]:
        assert expected in messages, (expected, messages)
    assert input_value(body, "montant") == "99 999" and input_value(body, "budget-depenses-0-nature") == "Transport"


def test_french_amounts_are_accepted(teacher, demande):
    post_page(teacher, demande.id, "dossier", {**DOSSIER, "montant": "1 234,50"}, action="enregistrer")
    db.session.refresh(demande)
    assert str(demande.montant_demande) == "1234.50"


def test_budget_lines_are_added_and_removed_without_javascript(teacher, demande, mode):
    post_page(teacher, demande.id, "dossier", DOSSIER, action="add-budget-depenses", headers=mode.headers)
    db.session.refresh(demande)
    assert len(demande.step_answers("dossier")["budget"]["depenses"]) == 3
    post_page(teacher, demande.id, "dossier", DOSSIER, action="remove-budget-depenses-0", headers=mode.headers)
    db.session.refresh(demande)
    lines = demande.step_answers("dossier")["budget"]["depenses"]
    assert [line["nature"] for line in lines] == ["Intervenants"]
    page = page_text(teacher.get(f"/demandes/{demande.id}/etapes/dossier").get_data(as_text=True))
    assert "Total des dépenses 800,00" in page.replace("\u202f", " ").replace("\u00a0", " ")


def test_an_oversized_file_is_refused_at_its_field_and_the_rest_kept(teacher, demande, mode):
    response = post_page(teacher, demande.id, "dossier", DOSSIER, files={"document-devis": devis(content=PDF + b"0" * 5000)}, headers=mode.headers)
    body = html.unescape(mode.assert_invalid(response))
    assert any("dépasse la taille maximale" in m for m in error_messages(body))
    db.session.refresh(demande)
    assert demande.step_answers("dossier")["intitule"] == DOSSIER["intitule"] and demande.attachments == []


def test_a_file_whose_content_does_not_match_its_name_is_refused(teacher, demande, mode):
    response = post_page(teacher, demande.id, "dossier", DOSSIER, files={"document-devis": devis(name="devis.pdf", content=b"just some text")}, headers=mode.headers)
    body = html.unescape(mode.assert_invalid(response))
    assert any("devis.pdf" in m for m in error_messages(body))
    assert latest_demande().attachments == []


def test_documents_are_downloadable_only_by_those_who_may_see_the_demande(app_with_people, teacher, demande):
    post_page(teacher, demande.id, "dossier", DOSSIER, action="enregistrer", files={"document-devis": devis()})
    attachment = latest_demande().attachments[0]
    response = teacher.get(f"/demandes/{demande.id}/documents/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]
    stranger = app_with_people.test_client()
    make_account(identifiant="autre", email="autre@exemple.fr")
    login(stranger, "autre")
    assert stranger.get(f"/demandes/{demande.id}/documents/{attachment.id}").status_code == 404


def test_a_stale_version_gets_the_conflict_page_and_nothing_is_lost(teacher, demande, mode):
    url = f"/demandes/{demande.id}/etapes/dossier"
    old_version = re.search(r'name="version" value="(\d+)"', teacher.get(url).get_data(as_text=True)).group(1)
    post_page(teacher, demande.id, "dossier", {**DOSSIER, "intitule": "Version de l'onglet 1"}, action="enregistrer")
    response = mode.post(teacher, url, {**DOSSIER, "intitule": "Version de l'onglet 2", "version": old_version, "action": "enregistrer"})
    assert response.status_code == 409
    text = page_text(response.get_data(as_text=True))
    assert "Cette demande a été modifiée entre-temps" in text
    assert "Version de l'onglet 1" in text and "Version de l'onglet 2" in text
    db.session.refresh(demande)
    assert demande.step_answers("dossier")["intitule"] == "Version de l'onglet 1"
    typed = html.unescape(re.search(r'name="conflict_answers" value="([^"]+)"', response.get_data(as_text=True)).group(1))
    version = re.search(r'name="version" value="(\d+)"', response.get_data(as_text=True)).group(1)
    teacher.post(url, data={"conflict_answers": typed, "version": version, "action": "enregistrer"})
    db.session.refresh(demande)
    assert demande.step_answers("dossier")["intitule"] == "Version de l'onglet 2"


def _stale_post_with_files(teacher, demande, files):
    url = f"/demandes/{demande.id}/etapes/dossier"
    old_version = re.search(r'name="version" value="(\d+)"', teacher.get(url).get_data(as_text=True)).group(1)
    post_page(teacher, demande.id, "dossier", {**DOSSIER, "intitule": "Version de l'onglet 1"}, action="enregistrer")
    data = {**DOSSIER, "intitule": "Version de l'onglet 2", "version": old_version, "action": "enregistrer", **files}
    return teacher.post(url, data=data, content_type="multipart/form-data")


def test_files_sent_with_a_stale_version_are_kept(teacher, demande):
    """Files never conflict (each one is one more document): the conflict page
    says they are joined, and only the typed answers wait for the choice."""
    before = {a.id for a in demande.attachments}
    response = _stale_post_with_files(teacher, demande, {"document-programme": devis("programme de l'onglet 2.pdf")})
    assert response.status_code == 409
    text = page_text(response.get_data(as_text=True))
    assert "Version de l'onglet 2" in text and "Les fichiers que vous aviez choisis sont joints à la demande" in text
    db.session.refresh(demande)
    (added,) = [a for a in demande.attachments if a.id not in before]
    assert added.slot == "programme" and added.original_name == "programme de l'onglet 2.pdf"
    assert demande.step_answers("dossier")["intitule"] == "Version de l'onglet 1"  # answers wait for the choice


def test_a_refused_file_with_a_stale_version_is_explained(teacher, demande):
    before = {a.id for a in demande.attachments}
    response = _stale_post_with_files(teacher, demande, {"document-programme": devis("programme.pdf", b"pas un PDF")})
    assert response.status_code == 409
    text = html.unescape(page_text(response.get_data(as_text=True)))
    assert "Certains fichiers n'ont pas été joints" in text and "n'est pas un PDF" in text
    db.session.refresh(demande)
    assert {a.id for a in demande.attachments} == before


def test_a_draft_survives_logout(app_with_people, teacher, demande):
    post_page(teacher, demande.id, "dossier", {**DOSSIER, "intitule": "Mon brouillon"}, action="enregistrer")
    teacher.post("/deconnexion")
    login(teacher, "prof")
    mine = page_text(teacher.get("/demandes").get_data(as_text=True))
    assert "Mon brouillon" in mine and "Continuer" in mine
    assert input_value(teacher.get(f"/demandes/{demande.id}/etapes/dossier").get_data(as_text=True), "intitule") == "Mon brouillon"


def test_another_accounts_demande_is_refused(app_with_people, demande):
    stranger = app_with_people.test_client()
    make_account(identifiant="autre", email="autre@exemple.fr")
    login(stranger, "autre")
    assert stranger.get(f"/demandes/{demande.id}/etapes/preambule").status_code == 404
    assert stranger.post(f"/demandes/{demande.id}/etapes/preambule", data={"lu": "oui", "version": "1"}).status_code == 404
    assert stranger.get(f"/demandes/{demande.id}").status_code == 404


def test_the_referent_sees_a_teachers_draft_read_only(app_with_people, demande):
    referent = app_with_people.test_client()
    login(referent, "ref")
    response = referent.get(f"/demandes/{demande.id}/etapes/preambule")
    assert response.status_code == 303 and response.headers["Location"] == f"/demandes/{demande.id}"
    assert "Brouillon de demande" in page_text(referent.get(f"/demandes/{demande.id}").get_data(as_text=True))


def test_filing_an_incomplete_demande_is_refused(teacher, demande, mode):
    body = page_text(mode.assert_invalid(post_page(teacher, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="deposer", headers=mode.headers)))
    assert "à compléter" in body
    assert latest_demande().reference is None


def test_modifier_from_the_recapitulatif_comes_back_to_it(teacher, demande):
    url = f"/demandes/{demande.id}/etapes/preambule?retour=recapitulatif"
    version = re.search(r'name="version" value="(\d+)"', teacher.get(url).get_data(as_text=True)).group(1)
    response = teacher.post(url, data={"lu": ["", "oui"], "version": version, "action": "suivant"})
    assert response.headers["Location"] == f"/demandes/{demande.id}/etapes/recapitulatif"


def test_htmx_enregistrer_announces_the_draft_in_the_live_region(teacher, demande):
    response = post_page(teacher, demande.id, "preambule", {"lu": ""}, action="enregistrer", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and '<div id="app-live-status" data-hx-swap-oob="innerHTML">Brouillon enregistré à' in body


def test_a_demande_keeps_the_version_it_started_with(app_with_people, teacher, demande, tmp_path):
    from tests.support.teleservices import load_teleservices, open_window, write_definitions

    load_teleservices(write_definitions(tmp_path / "v2", {"TRAJ": {**open_window(), "description": "Nouvelle description."}}))
    teacher.post("/demandes/nouvelle/TRAJ")
    newer = latest_demande()
    db.session.refresh(demande)
    assert demande.teleservice_version.number == 1 and newer.teleservice_version.number == 2
    assert newer.definition.description == "Nouvelle description."


def test_a_refused_file_comes_with_the_dossiers_other_errors(teacher, demande, mode):
    """« Suivant » on « Votre dossier » with a file that is not a PDF and a wrong number: both errors."""
    data = {**DOSSIER, "nombre_eleves": "beaucoup"}
    body = mode.assert_invalid(post_page(teacher, demande.id, "dossier", data, headers=mode.headers, files={"document-devis": devis("devis.pdf", b"pas un pdf")}))
    messages = error_messages(body)
    assert any("nombre entier" in m for m in messages)
    assert any("n'est pas un PDF" in m for m in messages)
    assert not any("Joignez le document" in m for m in messages)  # the refusal says more than « missing »


def test_a_budget_amount_that_is_not_a_number_is_an_error_not_a_zero_total(teacher, demande, mode):
    data = {**DOSSIER, "budget-depenses-0-montant": "mille euros"}
    saved = post_page(teacher, demande.id, "dossier", data, action="enregistrer", headers=mode.headers)
    page = teacher.get(f"/demandes/{demande.id}/etapes/dossier").get_data(as_text=True)
    assert saved.status_code in (200, 303)
    assert "Saisissez un montant en euros" in page_text(page)
    assert 'id="budget-depenses-0-montant-error"' in page and 'aria-invalid="true"' in page
    assert "À calculer : corrigez d'abord les lignes signalées" in page_text(page)
    body = mode.assert_invalid(post_page(teacher, demande.id, "dossier", data, headers=mode.headers))
    assert 'href="#budget-depenses-0-montant"' in body  # the summary links to the line


def test_the_certification_has_its_own_message(teacher, demande, mode):
    body = mode.assert_invalid(post_page(teacher, demande.id, "recapitulatif", {"certifie": [""]}, action="deposer", headers=mode.headers))
    messages = error_messages(body)
    assert "Cochez la case « Je certifie sur l'honneur l'exactitude des informations » pour déposer votre demande" in messages
    text = page_text(body)
    assert "La demande est incomplète : complétez les étapes signalées" in text  # the other steps are not done either
