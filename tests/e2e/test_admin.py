"""Administration in Chromium, with and without JavaScript, axe on every
page: an admin sees the dashboard (and changes its waiting delay), creates
an instructeur — who chooses its password from the emailed link and logs
in —, disables it (its session ends) and enables it again, then closes a
téléservice by editing its closing date."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.domain.values import format_date
from app.models import AgentRole
from tests.support.accounts import make_account, make_agent
from tests.support.browser import log_in, submit
from tests.support.smtp import SmtpServer
from tests.support.structures import attach
from tests.support.wizard import lycee_with_people, make_filed_demande, open_teleservices

NEW_PASSWORD = "Instruction-2026!"


@pytest.fixture
def admin_server(live_server, tmp_path):
    """The live server with an admin, the three téléservices open and a
    SPRO demande transmitted today."""
    app = live_server.app
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "pj")
    with app.app_context():
        open_teleservices(tmp_path)
        make_agent("admin.region", AgentRole.ADMIN)
        lycee, referent, teacher = lycee_with_people()
        author = make_account(identifiant="asso", email="asso@exemple.fr")
        attach(author, lycee.organisme_gestion)
        make_filed_demande(author, lycee.organisme_gestion, code="SPRO")  # no CA: transmise at once
    return live_server


def _submit_invalid(page, name, js_enabled):
    """A form that comes back with errors: swapped in place with JavaScript
    (focus on the error summary), a new page without."""
    if js_enabled:
        page.locator("#main-content").get_by_role("button", name=name, exact=True).click()
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    else:
        submit(page, name)


def test_admin_journey(page, open_page, a11y, admin_server, smtp_server, js_enabled):
    admin = page
    log_in(admin, admin_server.url, "admin.region")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Instruction")
    admin.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Administration").click()

    # The dashboard: the SPRO demande transmitted today.
    expect(admin.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    row = admin.get_by_role("row").filter(has_text="(SPRO)")
    expect(row).to_contain_text("1 demande « Transmise à la Région »")
    expect(admin.get_by_role("link", name=re.compile("1 demande « Transmise à la Région », Service Public"))).to_have_attribute(
        "href", re.compile(r"/instruction/demandes\?statut=transmise&teleservice=SPRO")
    )
    expect(admin.locator("#en-attente")).to_have_text("Demandes en attente depuis plus de 30 jours")
    a11y("tableau de bord")
    admin.get_by_label("Demandes sans changement depuis plus de (jours)").fill("abc")
    if js_enabled:
        admin.get_by_role("button", name="Actualiser").click()
        expect(admin.locator(".govuk-error-summary")).to_contain_text("Saisissez un nombre de jours")
    else:
        submit(admin, "Actualiser")
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Saisissez un nombre de jours entre 1 et 3 650")
    a11y("tableau de bord, délai invalide")
    admin.get_by_label("Demandes sans changement depuis plus de (jours)").fill("1")
    if js_enabled:
        admin.get_by_role("button", name="Actualiser").click()
    else:
        submit(admin, "Actualiser")
    expect(admin.locator("#en-attente")).to_have_text("Demandes en attente depuis plus de 1 jour")
    expect(admin).to_have_url(re.compile(r"/administration\?jours=1$"))

    # An instructeur is created; the admin never knows its password.
    admin.get_by_role("link", name="Agents", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Agents")
    a11y("liste des agents")
    admin.get_by_role("link", name="Créer un agent").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Créer un agent")
    a11y("créer un agent")
    form = admin.locator("#main-content")
    form.get_by_label("Identifiant *").fill("Admin.Region")  # already taken, whatever the case
    form.get_by_label("Madame").check()
    form.get_by_label("Nom *", exact=True).fill("Martin")
    form.get_by_label("Prénom *").fill("Claire")
    form.get_by_label("Adresse électronique *").fill("c.martin@region.example")
    form.get_by_label("Agent instructeur").check()
    _submit_invalid(admin, "Créer l'agent et envoyer le lien", js_enabled)
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Cet identifiant est déjà utilisé")
    expect(form.get_by_label("Nom *", exact=True)).to_have_value("Martin")
    a11y("créer un agent, erreurs")
    form.get_by_label("Identifiant *").fill("c.martin")
    submit(admin, "Créer l'agent et envoyer le lien")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Claire Martin")
    expect(admin.get_by_text("Le compte de Claire Martin est créé")).to_be_visible()
    a11y("fiche de l'agent")

    text = SmtpServer.text_of(smtp_server.wait_for("c.martin@region.example", "Votre compte d'agent"))
    link = next(url for url in re.findall(r"http://\S+", text) if "/nouveau-mot-de-passe/" in url)
    newcomer = open_page()
    newcomer.goto(link)
    a11y("choisir son mot de passe", newcomer)
    newcomer.get_by_label("Nouveau mot de passe *", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Confirmation du mot de passe *").fill(NEW_PASSWORD)
    submit(newcomer, "Enregistrer le nouveau mot de passe")
    log_in(newcomer, admin_server.url, "c.martin", NEW_PASSWORD)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Instruction")
    expect(newcomer.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Administration")).to_have_count(0)
    a11y("l'instructeur connecté", newcomer)

    # Disabled, the instructeur is logged out at once; re-enabled, it logs in again.
    admin.get_by_role("link", name="Désactiver le compte").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Désactiver le compte de Claire Martin ?")
    a11y("désactiver un agent")
    submit(admin, "Désactiver le compte")
    expect(admin.get_by_text("Le compte de Claire Martin est désactivé")).to_be_visible()
    expect(admin.locator(".govuk-summary-list")).to_contain_text("Désactivé")
    a11y("agent désactivé")
    newcomer.reload()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Bienvenue")
    submit(admin, "Réactiver le compte")
    expect(admin.get_by_text("Le compte de Claire Martin est réactivé")).to_be_visible()
    log_in(newcomer, admin_server.url, "c.martin", NEW_PASSWORD)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Instruction")

    # The admin closes « Trajectoires » by moving its closing date to yesterday.
    admin.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Administration").click()
    admin.get_by_role("link", name="Téléservices", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Téléservices")
    expect(admin.get_by_role("row").filter(has_text="TRAJ")).to_contain_text("Ouvert")
    a11y("liste des téléservices")
    admin.get_by_role("link", name="Lycée-Projets « Trajectoires »").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Lycée-Projets « Trajectoires »")
    a11y("fiche du téléservice")
    admin.get_by_role("link", name="Modifier les dates et les textes").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Modifier le téléservice")
    a11y("modifier le téléservice")
    ouverture = admin.get_by_label("Date d'ouverture *").input_value()
    admin.get_by_label("Date de clôture *").fill("01/01/2000")
    _submit_invalid(admin, "Enregistrer une nouvelle version", js_enabled)
    expect(admin.locator(".govuk-error-summary")).to_contain_text("La date de clôture ne peut pas précéder la date d'ouverture")
    expect(admin.get_by_label("Date d'ouverture *")).to_have_value(ouverture)
    a11y("modifier le téléservice, erreurs")
    yesterday = format_date(date.today() - timedelta(days=1))
    admin.get_by_label("Date de clôture *").fill(yesterday)
    submit(admin, "Enregistrer une nouvelle version")
    expect(admin.get_by_text("La version 2 du téléservice est enregistrée")).to_be_visible()
    summary = admin.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Clôturé")
    expect(summary).to_contain_text(yesterday)
    expect(admin.get_by_role("table").filter(has_text="Version")).to_contain_text("Région Agent")
    a11y("téléservice clôturé")
    admin.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Téléservices").click()
    expect(admin.get_by_role("row").filter(has_text="TRAJ")).to_contain_text("Clôturé")
