"""The plan du site and the déclaration d'accessibilité in a real browser,
JavaScript on and off: axe finds nothing, the footer leads to both, and the
plan's links lead where they say."""

import re

from playwright.sync_api import expect


def test_the_footer_leads_to_the_plan_du_site_and_its_links_work(page, a11y, live_server, js_enabled):
    page.goto(live_server.url + "/assistance")
    page.get_by_role("contentinfo").get_by_role("link", name="Plan du site").click()
    expect(page).to_have_title(re.compile("^Plan du site – "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan du site")
    a11y("plan du site")

    page.get_by_role("main").get_by_role("link", name="Vérifier un accusé de réception").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier un accusé de réception")
    page.go_back()
    page.get_by_role("main").get_by_role("link", name="Espace personnel").click()
    expect(page).to_have_url(re.compile("/connexion\\?next="))  # « connexion requise »


def test_the_declaration_states_the_configured_status(page, a11y, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibilité : non conforme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    expect(page.get_by_role("main")).to_contain_text("est non conforme avec le référentiel général d'amélioration de l'accessibilité")
    a11y("déclaration d'accessibilité")
