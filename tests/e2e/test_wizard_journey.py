"""Issue 5's journey in Chromium, with and without JavaScript, axe on every
page: a teacher of a lycée privé files a Trajectoires demande through case 1
(« Non »: the association found by SIRET on a fake API Entreprise) and
another through case 2 (« Oui »), adds and removes budget lines, attaches a
devis, changes an answer from the récapitulatif, files; the référent
receives the email over SMTP."""

import re

import pytest
from playwright.sync_api import expect

from tests.fakes.api_entreprise import FakeApiEntreprise
from tests.support.accounts import PASSWORD
from tests.support.browser import LiveServer
from tests.support.organisations import lookup_config
from tests.support.smtp import free_port
from tests.support.wizard import PDF, lycee_with_people, open_teleservices

ASSOCIATION_SIRET = "77567227221138"  # an association of the staging payloads


@pytest.fixture
def wizard_server(make_app, smtp_server, tmp_path):
    with FakeApiEntreprise() as fake:
        port = free_port()
        app = make_app(
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            WTF_CSRF_ENABLED=True,
            ATTACHMENTS_DIR=str(tmp_path / "pj"),
            **smtp_server.app_config(),
            **lookup_config(fake),
        )
        with app.app_context():
            open_teleservices(tmp_path)
            lycee_with_people()
        server = LiveServer(app, port)
        server.start()
        yield server
        server.stop()


def _press(page, js_enabled, name, navigates=True):
    """Press a button: a page loads, or (JavaScript, same page) htmx swaps it."""
    button = page.locator("#main-content").get_by_role("button", name=name, exact=True).first
    if js_enabled and not navigates:
        with page.expect_response(lambda r: r.request.method == "POST"):
            button.click()
        page.wait_for_timeout(150)  # let htmx settle the swap
    else:
        with page.expect_navigation():
            button.click()


def _heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _first_steps(page, a11y, js_enabled, server):
    page.goto(server.url + "/connexion/acteurs-publics")
    page.get_by_label("Identifiant", exact=True).fill("prof")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    _press(page, js_enabled, "Se connecter")
    page.get_by_role("link", name="Déposer une demande d'aide").first.click()
    a11y("catalogue")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Commencer ma demande : Lycée-Projets")).click()
    _heading(page, "Étape 1 sur 6 : Préambule")
    expect(page).to_have_title(re.compile("^Étape 1 sur 6 : Préambule – Lycée-Projets « Trajectoires » – Portail des aides"))
    a11y("préambule")
    _press(page, js_enabled, "Suivant", navigates=not js_enabled)  # not checked: errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    a11y("préambule, erreur")
    page.get_by_label("J'ai pris connaissance du préambule").check()
    _press(page, js_enabled, "Suivant")
    _heading(page, "Étape 2 sur 6 : Critères d'éligibilité")
    a11y("critères")
    for group in page.locator("#main-content fieldset").all():
        group.get_by_label("Oui", exact=True).check()
    _press(page, js_enabled, "Suivant")
    _heading(page, "Étape 3 sur 6 : Votre établissement")
    a11y("votre établissement")
    page.get_by_label("J'ai vérifié les informations de mon établissement").check()
    _press(page, js_enabled, "Suivant")
    _heading(page, "Étape 4 sur 6 : Bénéficiaire")
    a11y("bénéficiaire")


def _dossier(page, a11y, js_enabled, intitule):
    _heading(page, "Étape 5 sur 6 : Votre dossier")
    a11y("votre dossier")
    page.get_by_label("Intitulé du projet *").fill(intitule)
    page.get_by_label("Description du projet *", exact=False).first.fill("Visites et rencontres avec des professionnels.")
    page.get_by_label("Objectifs pédagogiques *", exact=False).first.fill("Construire son parcours.")
    page.get_by_label("Seconde").check()
    page.get_by_label("Nombre d'élèves *", exact=False).first.fill("48")
    page.get_by_label("Date de début *", exact=False).first.fill("15/01/2027")
    page.get_by_label("Date de fin *", exact=False).first.fill("30/05/2027")
    # Budget: add two dépense lines and one recette, remove one dépense.
    _press(page, js_enabled, "Ajouter une ligne de dépense", navigates=not js_enabled)
    _press(page, js_enabled, "Ajouter une ligne de dépense", navigates=not js_enabled)
    page.get_by_label("Nature de la dépense, ligne 1").fill("Transport")
    page.get_by_label("Montant, ligne 1").first.fill("1 200")
    page.get_by_label("Nature de la dépense, ligne 2").fill("Erreur de saisie")
    page.get_by_label("Montant, ligne 2").first.fill("5")
    _press(page, js_enabled, "Ajouter une ligne de recette", navigates=not js_enabled)
    page.locator("#budget-recettes-0-origine").fill("Fonds propres")
    page.locator("#budget-recettes-0-montant").fill("200")
    _press(page, js_enabled, "Supprimer la ligne 2 des dépenses", navigates=not js_enabled)
    expect(page.get_by_label("Nature de la dépense, ligne 2")).to_have_count(0)
    expect(page.get_by_label("Nature de la dépense, ligne 1")).to_have_value("Transport")
    expect(page.locator("#main-content")).to_contain_text("Brouillon enregistré")
    a11y("votre dossier, budget")
    page.locator("#montant").fill("1 000,00")
    page.locator("input[type=file][name=document-devis]").set_input_files(files=[{"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    _press(page, js_enabled, "Suivant")
    _heading(page, "Étape 6 sur 6 : Récapitulatif")
    a11y("récapitulatif")


def _change_from_recap_and_file(page, a11y, js_enabled, new_intitule):
    page.get_by_role("link", name=re.compile("Modifier.*Votre dossier")).click()
    page.get_by_label("Intitulé du projet *").fill(new_intitule)
    _press(page, js_enabled, "Suivant")
    _heading(page, "Étape 6 sur 6 : Récapitulatif")
    expect(page.locator("#main-content")).to_contain_text(new_intitule)
    expect(page.locator("#main-content")).to_contain_text("devis.pdf")
    page.get_by_label("Je certifie sur l'honneur l'exactitude des informations").check()
    _press(page, js_enabled, "Déposer ma demande")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Demande déposée")
    a11y("confirmation")
    return re.search(r"TRAJ-\d{4}-\d{6}", page.locator("#main-content").inner_text()).group(0)


def test_case_1_organisme_de_gestion_found_by_siret(page, a11y, wizard_server, smtp_server, js_enabled):
    _first_steps(page, a11y, js_enabled, wizard_server)
    page.get_by_label("Non", exact=True).check()
    _press(page, js_enabled, "Suivant", navigates=not js_enabled)
    expect(page.get_by_role("heading", name="Choix de la famille du bénéficiaire")).to_be_visible()
    a11y("choix de la famille du bénéficiaire")
    page.get_by_label("Association").check()
    page.get_by_label("En France").check()
    _press(page, js_enabled, "Suivant")
    expect(page.get_by_role("heading", name="Le bénéficiaire")).to_be_visible()
    a11y("le bénéficiaire")
    page.locator("#lookup-siret").fill(ASSOCIATION_SIRET)
    _press(page, js_enabled, "Rechercher", navigates=not js_enabled)
    expect(page.locator("#main-content")).to_contain_text("API Entreprise")
    a11y("résultat de la recherche")
    _press(page, js_enabled, "Utiliser ces informations", navigates=not js_enabled)
    expect(page.locator("#siret")).to_have_value(ASSOCIATION_SIRET)
    expect(page.locator("#raison_sociale")).not_to_have_value("")
    a11y("bénéficiaire rempli")
    _press(page, js_enabled, "Suivant")
    _dossier(page, a11y, js_enabled, "Découvrir les métiers de la mer")
    reference = _change_from_recap_and_file(page, a11y, js_enabled, "Les métiers de la mer")
    message = smtp_server.wait_for("ref@exemple.fr", "Nouvelle demande déposée")
    assert reference in message["Subject"]


def test_case_2_the_lycee_is_the_beneficiary(page, a11y, wizard_server, smtp_server, js_enabled):
    _first_steps(page, a11y, js_enabled, wizard_server)
    page.get_by_label("Oui", exact=True).check()
    _press(page, js_enabled, "Suivant")
    _dossier(page, a11y, js_enabled, "Atelier orientation")
    reference = _change_from_recap_and_file(page, a11y, js_enabled, "Atelier orientation et métiers")
    smtp_server.wait_for("ref@exemple.fr", reference)
