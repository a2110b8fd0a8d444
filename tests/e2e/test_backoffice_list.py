"""The back office's « Demandes » list in Chromium, with and without
JavaScript, axe on every page: an agent filters the list (a wrong date first,
explained at its field), finds a transmitted demande, checks it and passes
it « en instruction » in bulk after the confirmation of what it touches."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.support.accounts import PASSWORD, make_account, make_agent
from tests.support.backoffice_list import add_demande, association
from tests.support.structures import attach
from tests.support.wizard import open_teleservices


@pytest.fixture
def references(live_server, tmp_path):
    """A transmitted demande (of an author attached to its structure, who
    gets the emails) and an accepted one."""
    with live_server.app.app_context():
        open_teleservices(tmp_path)
        make_agent("agent.region")
        asso = association()
        author = make_account(identifiant="auteur", email="auteur@exemple.fr", nom="Martin", prenom="Aïcha")
        attach(author, asso)
        filed = add_demande(asso, code="SPRO", author=author, intitule="Les métiers de la mer", transmitted_at=datetime.now(UTC))
        other = add_demande(asso, code="PVILLE", status="acceptee", intitule="Fête du quartier",
                            transmitted_at=datetime(2026, 9, 1, 8, tzinfo=UTC))
        return {"filed": filed.reference, "other": other.reference}


def _navigate(page, click):
    with page.expect_navigation():
        click()


def test_agent_filters_the_list_and_passes_a_demande_en_instruction(page, a11y, live_server, references, smtp_server, js_enabled):
    filed, other = references["filed"], references["other"]
    page.goto(live_server.url + "/connexion/acteurs-publics")
    page.get_by_label("Identifiant", exact=True).fill("agent.region")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    _navigate(page, lambda: page.get_by_role("button", name="Se connecter").click())
    _navigate(page, lambda: page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Demandes", exact=True).click())
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes")
    expect(page.locator("#demande-count")).to_have_text("2 demandes.")
    results = page.locator("#demande-results")
    expect(results.get_by_role("link", name=filed)).to_be_visible()
    expect(results.get_by_role("link", name=other)).to_be_visible()
    a11y("liste des demandes")

    # A date that does not exist: explained at the field, the other filters kept.
    page.get_by_label("Statut").select_option(label="Transmise à la Région")
    page.get_by_label("Transmise à partir du").fill("31/02/2026")
    if js_enabled:
        page.get_by_label("Transmise à partir du").press("Tab")  # change → the list is asked again, in place
        expect(page.locator("#demande-errors .govuk-error-summary")).to_contain_text("Cette date n'existe pas")
        expect(page.locator("#demande-count")).to_have_text(re.compile("Corrigez les filtres"))
        # RGAA 7.4: the error does not take focus from the person tabbing through the filters.
        expect(page.get_by_label("Transmise jusqu'au")).to_be_focused()
    else:
        _navigate(page, lambda: page.get_by_role("button", name="Filtrer").click())
        expect(page.locator(".govuk-error-summary")).to_contain_text("Cette date n'existe pas")
        expect(page).to_have_title(re.compile("^Erreur : Demandes"))
    expect(page.locator("#du-error")).to_contain_text("Cette date n'existe pas")
    expect(page.get_by_label("Statut")).to_have_value("transmise")
    a11y("liste des demandes, date fausse")

    # The right date: only the transmitted demande is left.
    page.get_by_label("Transmise à partir du").fill(datetime.now().strftime("01/%m/%Y"))
    if js_enabled:
        page.get_by_label("Transmise à partir du").press("Tab")
        expect(page.locator("#demande-count")).to_have_text("1 demande correspondant aux filtres.")
        expect(page.locator("#demande-errors .govuk-error-summary")).to_have_count(0)
        expect(page).to_have_url(re.compile(r"statut=transmise"))  # the filters are in the address (back button)
    else:
        _navigate(page, lambda: page.get_by_role("button", name="Filtrer").click())
        expect(page.locator("#demande-count")).to_have_text("1 demande correspondant aux filtres.")
    expect(results.get_by_role("link", name=filed)).to_be_visible()
    expect(results.get_by_role("link", name=other)).to_have_count(0)
    a11y("liste filtrée")

    # Select it and pass it « en instruction » after the confirmation.
    page.get_by_label(f"Sélectionner {filed}").check()
    if js_enabled:  # the confirmation replaces the page's content
        page.get_by_role("button", name="Passer en instruction").click()
    else:
        _navigate(page, lambda: page.get_by_role("button", name="Passer en instruction").click())
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer : Passer en instruction")
    expect(page.locator("#main-content")).to_contain_text("Cette action concerne 1 demande sur 1 sélectionnée.")
    a11y("confirmation de l'action groupée")
    _navigate(page, lambda: page.get_by_role("button", name="Passer 1 demande en instruction").click())
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"1 demande est passée en instruction : {filed}.")
    expect(page).to_have_url(re.compile(r"/instruction/demandes\?.*statut=transmise"))
    expect(page.locator("#demande-count")).to_have_text("0 demande correspondant aux filtres.")
    a11y("après l'action groupée")

    page.get_by_label("Statut").select_option(label="En cours d'instruction")
    if not js_enabled:
        _navigate(page, lambda: page.get_by_role("button", name="Filtrer").click())
    expect(results.get_by_role("link", name=filed)).to_be_visible()
    expect(results.locator("tr", has_text=filed)).to_contain_text("Région Agent")
    smtp_server.wait_for("auteur@exemple.fr", "en cours d'instruction")
    if js_enabled:  # the back button goes back to the previous filters
        page.go_back()
        expect(page.get_by_label("Statut")).to_have_value("transmise")
        expect(page.locator("#demande-count")).to_have_text("0 demande correspondant aux filtres.")
