"""Focus follows what changed (issue 11 §5, RGAA 7.1 / 12.8): after an htmx
save the keyboard focus goes to the new budget line, to the list a line
left, to « Brouillon enregistré », or to the question that just appeared —
never back to the h1 — and the live region says what happened. Without
JavaScript the page reloads at the new line (its address ends in #id)."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in, press
from tests.support.wizard import teacher_draft


def _live_status(page):
    return page.locator("#app-live-status")


@pytest.fixture
def on_dossier(page, portal):
    server = portal()
    demande_id = teacher_draft(server.app)
    log_in(page, server.url, "prof")
    page.goto(f"{server.url}/demandes/{demande_id}/etapes/dossier")
    return page


def test_a_new_budget_line_gets_the_focus(on_dossier, js_enabled, a11y):
    page = on_dossier
    press(page, "Ajouter une ligne de dépense", js_enabled)
    expect(page.get_by_label("Nature de la dépense, ligne 1")).to_be_visible()
    press(page, "Ajouter une ligne de dépense", js_enabled)
    second = page.get_by_label("Nature de la dépense, ligne 2")
    if js_enabled:
        expect(second).to_be_focused()
        expect(_live_status(page)).to_contain_text("Ligne 2 ajoutée aux dépenses.")
        expect(_live_status(page)).to_contain_text("Brouillon enregistré")
    else:
        assert page.url.endswith("#budget-depenses-1-nature")
    a11y("votre dossier, ligne ajoutée")

    press(page, "Supprimer la ligne 1 des dépenses", js_enabled)
    expect(page.get_by_label("Nature de la dépense, ligne 2")).to_have_count(0)
    if js_enabled:
        expect(page.get_by_role("heading", name="Dépenses", exact=True)).to_be_focused()
        expect(_live_status(page)).to_contain_text("Ligne 1 supprimée des dépenses.")
    else:
        assert page.url.endswith("#budget-depenses-titre")


def test_saving_focuses_the_saved_message(on_dossier, js_enabled):
    page = on_dossier
    page.get_by_label("Intitulé du projet", exact=False).first.fill("Un projet")
    press(page, "Enregistrer", js_enabled)
    message = page.locator("#app-draft-status-message")
    expect(message).to_contain_text("Brouillon enregistré à")
    if js_enabled:
        expect(message).to_be_focused()
    expect(page.get_by_label("Intitulé du projet", exact=False).first).to_have_value("Un projet")


def test_questions_that_appear_are_focused_and_announced(page, portal, js_enabled):
    server = portal()
    demande_id = teacher_draft(server.app)
    log_in(page, server.url, "prof")
    page.goto(f"{server.url}/demandes/{demande_id}/etapes/beneficiaire")
    page.get_by_label("Non", exact=True).check()
    press(page, "Suivant", js_enabled)
    famille = page.get_by_role("radiogroup", name="Le bénéficiaire est un(e) *")
    expect(famille).to_be_visible()
    expect(famille).to_have_attribute("aria-required", "true")
    if js_enabled:
        expect(famille.get_by_role("radio").first).to_be_focused()
        expect(_live_status(page)).to_contain_text("Nouvelles questions : Le bénéficiaire est un(e), Domicilié(e).")
