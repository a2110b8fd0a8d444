"""The foundation journey in a real browser, with and without JavaScript:
home → espace → Créer un compte → activation email (loopback SMTP) →
activation → login → espace personnel → Mon compte → logout; axe on every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.smtp import SmtpServer

PASSWORD = "Motdepasse-2026!"


def _submit(page, button_name):
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


def test_account_journey(page, a11y, live_server, smtp_server, js_enabled):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue")
    a11y("accueil")

    page.get_by_role("link", name="Espace Lycées publics").click()
    expect(page).to_have_title(re.compile("Connexion – Espace Lycées publics"))
    a11y("connexion")

    page.get_by_role("link", name="Créer un compte").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    a11y("créer un compte")

    # Bad input first: every error at once, nothing typed is lost.
    page.get_by_label("Identifiant *", exact=True).fill("ab")
    page.get_by_label("Nom *", exact=True).fill("N'Diaye")
    if js_enabled:
        page.get_by_role("button", name="Créer mon compte").click()
    else:
        _submit(page, "Créer mon compte")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Il y a un problème")
    expect(summary).to_contain_text("L'identifiant doit contenir entre 3 et 50 caractères")
    expect(page).to_have_title(re.compile("^Erreur : Créer un compte"))
    expect(page.get_by_label("Nom *", exact=True)).to_have_value("N'Diaye")
    if js_enabled:  # htmx swapped the form in place and moved focus to the summary
        expect(summary).to_be_focused()
    a11y("créer un compte, erreurs")

    identifiant = "profmartin" if js_enabled else "profdurand"
    email = f"{identifiant}@lycee.example"
    page.get_by_label("Identifiant *", exact=True).fill(identifiant)
    page.get_by_label("Mot de passe *", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe *").fill(PASSWORD)
    page.get_by_label("Madame").check()
    page.get_by_label("Prénom *").fill("Aïcha")
    page.get_by_label("Adresse électronique *", exact=True).fill(email)
    page.get_by_label("Confirmation de l'adresse électronique *").fill(email)
    _submit(page, "Créer mon compte")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre demande de création de compte est enregistrée")
    a11y("courriel envoyé")

    message = smtp_server.wait_for(email, "Activez votre compte")
    link = re.search(r"http://\S+/activation/\S+", SmtpServer.text_of(message)).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue")
    expect(page.get_by_text("Confirmation de création de compte")).to_be_visible()
    a11y("activation")

    page.get_by_role("link", name="Écran de connexion").click()
    expect(page.get_by_text("CONNEXION A VOS ESPACES DÉDIÉS")).to_be_visible()  # as in the seed
    page.get_by_role("link", name="Espace Lycées publics").click()
    page.get_by_label("Identifiant", exact=True).fill(identifiant.upper())
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    _submit(page, "Se connecter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace personnel")
    expect(page.get_by_text("Votre espace personnel : un accès rapide à votre structure")).to_be_visible()
    a11y("espace personnel")

    page.get_by_role("link", name="Mon compte").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    a11y("mon compte")

    page.get_by_role("link", name="Modifier le nom").click()
    a11y("modifier mes informations")
    page.get_by_label("Nom *", exact=True).fill("Martin-Diaye")
    _submit(page, "Enregistrer")
    expect(page.get_by_text("Vos informations personnelles sont enregistrées.")).to_be_visible()
    expect(page.locator(".govuk-summary-list").nth(1)).to_contain_text("Martin-Diaye")
    a11y("mon compte après modification")

    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_text("Vous êtes déconnecté(e).")).to_be_visible()
    a11y("déconnexion")
    page.goto(live_server.url + "/compte")
    expect(page).to_have_url(re.compile("/connexion\\?next="))


@pytest.mark.parametrize("path", ["/accessibilite", "/mentions-legales", "/donnees-personnelles", "/assistance", "/recuperer-mes-informations", "/page-inexistante"])
def test_other_public_pages_are_accessible(page, a11y, live_server, path):
    page.goto(live_server.url + path)
    a11y(path)
