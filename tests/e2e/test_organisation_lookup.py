"""The organisation look-up in Chromium, with JavaScript (htmx swaps the
card in place) and without (plain form posts), against a fake API Entreprise
on loopback; axe-core on every page and state visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.fakes.api_entreprise import Fault
from tests.support.accounts import PASSWORD, make_agent
from tests.support.browser import LiveServer
from tests.support.organisations import SNCF, UNAVAILABLE_MESSAGE, UNKNOWN_SIRET, lookup_config
from tests.support.smtp import free_port


@pytest.fixture
def lookup_server(make_app, smtp_server, fake):
    port = free_port()
    app = make_app(
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        WTF_CSRF_ENABLED=True,
        **smtp_server.app_config(),
        **lookup_config(fake),
    )
    with app.app_context():
        make_agent()
    server = LiveServer(app, port)
    server.start()
    yield server
    server.stop()


def _click(page, js_enabled, button_name):
    """Press a button: htmx swaps in place with JavaScript, a page loads without."""
    button = page.get_by_role("button", name=button_name).first
    if js_enabled:
        button.click()
    else:
        with page.expect_navigation():
            button.click()


def _search(page, js_enabled, kind, number):
    page.locator(f"#lookup-{kind}").fill(number)
    _click(page, js_enabled, "Rechercher")


def _open_search_page(page, server, a11y):
    page.goto(server.url + "/connexion")
    page.get_by_label("Identifiant", exact=True).fill("agent.region")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto(server.url + "/organisations/recherche")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher une organisation")
    a11y("rechercher une organisation")


def test_a_lookup_fills_the_form(page, a11y, lookup_server, fake, js_enabled):
    _open_search_page(page, lookup_server, a11y)
    _search(page, js_enabled, "siret", "552 049 447 76279")
    card_title = page.locator("#organisation-lookup-result-title")
    expect(card_title).to_have_text("SOCIETE NATIONALE SNCF")
    card = page.locator("#organisation-lookup-result")
    expect(card).to_contain_text("49.10Z – Transport ferroviaire interurbain de voyageurs")
    expect(card).to_contain_text("API Entreprise, consultée le")
    if js_enabled:
        expect(card_title).to_be_focused()
    a11y("résultat")

    _click(page, js_enabled, "Utiliser ces informations")
    expect(page.locator("#raison_sociale")).to_have_value("SOCIETE NATIONALE SNCF")
    expect(page.locator("#siret")).to_have_value(SNCF)
    expect(page.locator("#adresse")).to_have_value("2 PLACE AUX ETOILES")
    expect(page.locator("#code_postal")).to_have_value("93210")
    expect(page.locator("#naf_code")).to_have_value("49.10Z")
    expect(page.locator("#organisation-details")).to_contain_text("Source : API Entreprise")
    if js_enabled:
        expect(page.get_by_role("heading", name="Informations de l'organisation")).to_be_focused()
    a11y("formulaire pré-rempli")

    _click(page, js_enabled, "Valider les informations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informations retenues")
    expect(page.get_by_text("Vérifié", exact=True)).to_be_visible()
    a11y("informations retenues")
    assert fake.call_count() == 1  # « Utiliser ces informations » read the cache


def test_not_found_and_invalid_numbers(page, a11y, lookup_server, fake, js_enabled):
    _open_search_page(page, lookup_server, a11y)
    _search(page, js_enabled, "siret", "1234")
    summary = page.locator("#organisation-lookup .govuk-error-summary")
    expect(summary).to_contain_text("Le numéro SIRET doit comporter 14 chiffres.")
    expect(page.locator("#lookup-siret")).to_have_value("1234")
    if js_enabled:
        expect(summary).to_be_focused()
    else:
        expect(page).to_have_title(re.compile("^Erreur : Rechercher une organisation"))
    a11y("numéro non valide")
    assert fake.call_count() == 0

    _search(page, js_enabled, "siret", UNKNOWN_SIRET)
    expect(page.locator("#organisation-lookup-result-title")).to_have_text("Aucun résultat")
    expect(page.locator("#organisation-lookup-result")).to_contain_text("Aucun établissement ne correspond à ce numéro SIRET.")
    a11y("aucun résultat (SIRET)")

    page.get_by_label("RNA", exact=True).check()
    expect(page.get_by_label("N° RNA *")).to_be_visible()
    if js_enabled:  # htmx re-rendered the block for RNA; focus stayed on the radio
        expect(page.locator("#lookup-siret")).to_be_hidden()
        expect(page.get_by_label("RNA", exact=True)).to_be_focused()
    _search(page, js_enabled, "rna", "W000000000")
    expect(page.locator("#organisation-lookup-result")).to_contain_text("Aucune association ne correspond à ce numéro RNA.")
    if js_enabled:
        expect(page.locator("#organisation-lookup-result-title")).to_be_focused()
    a11y("aucun résultat (RNA)")


def test_provider_down_leads_to_manual_entry(page, a11y, lookup_server, fake, js_enabled):
    _open_search_page(page, lookup_server, a11y)
    fake.inject(Fault.http(502))
    _search(page, js_enabled, "siret", SNCF)
    expect(page.locator("#organisation-lookup-result-title")).to_have_text("Recherche indisponible")
    expect(page.locator("#organisation-lookup-result")).to_contain_text(UNAVAILABLE_MESSAGE)
    a11y("service indisponible")

    page.get_by_role("link", name="Saisir les informations vous-même").click()
    expect(page.locator("#organisation-details")).to_contain_text("Non vérifié")
    page.locator("#raison_sociale").fill("Association des parents d'élèves")
    page.locator("#siret").fill("5520494477627")
    _click(page, js_enabled, "Valider les informations")
    summary = page.locator(".govuk-error-summary").first
    expect(summary).to_contain_text("Le numéro SIRET doit comporter 14 chiffres.")
    expect(summary).to_contain_text("Saisissez l'adresse")
    expect(page).to_have_title(re.compile("^Erreur : Rechercher une organisation"))
    expect(page.locator("#raison_sociale")).to_have_value("Association des parents d'élèves")
    if js_enabled:
        expect(summary).to_be_focused()
    a11y("saisie manuelle, erreurs")

    page.locator("#siret").fill(SNCF)
    page.locator("#adresse").fill("1 rue de la Paix")
    page.locator("#code_postal").fill("31000")
    page.locator("#commune").fill("Toulouse")
    page.locator("#naf_code").select_option("94.99Z")
    _click(page, js_enabled, "Valider les informations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informations retenues")
    expect(page.get_by_text("Non vérifié", exact=True)).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Association des parents d'élèves")
    a11y("informations retenues, non vérifiées")
