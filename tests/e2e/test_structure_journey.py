"""Issue 3's journey in Chromium, with and without JavaScript, axe on every
page: an agent creates a lycée privé → the invitation arrives over SMTP →
the référent creates its account from the link, activates it, logs in
through « Espace Acteurs publics », sees « Ma structure » → invites a
teacher → the teacher joins → the référent sees the teacher → detaches the
teacher → the teacher's next page no longer shows the structure."""

import re

from playwright.sync_api import expect

from app.models import AgentRole
from tests.support.accounts import PASSWORD, make_agent
from tests.support.smtp import SmtpServer

LINK = re.compile(r"http://\S+")


def _link(smtp_server, to, subject, path):
    text = SmtpServer.text_of(smtp_server.wait_for(to, subject))
    return next(url for url in LINK.findall(text) if path in url)


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _create_account(page, a11y, link, identifiant, label):
    page.goto(link)
    a11y(f"invitation {label}", page)
    page.locator("#main-content").get_by_role("link", name="Créer un compte").click()
    expect(page.get_by_label("Adresse électronique *", exact=True)).to_have_attribute("readonly", "readonly")
    a11y(f"créer un compte depuis l'invitation ({label})", page)
    page.get_by_label("Identifiant *", exact=True).fill(identifiant)
    page.get_by_label("Mot de passe *", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe *").fill(PASSWORD)
    page.get_by_label("Madame").check()
    if not page.get_by_label("Prénom *").input_value():  # what the inviter did not know
        page.get_by_label("Prénom *").fill("Paul")
    _submit(page, "Créer mon compte")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre demande de création de compte est enregistrée")


def _login(page, live_server, espace_label, identifiant):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=espace_label).click()
    page.get_by_label("Identifiant", exact=True).fill(identifiant)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    _submit(page, "Se connecter")


def test_structure_journey(page, open_page, a11y, live_server, smtp_server, js_enabled):
    with live_server.app.app_context():
        make_agent("agent.region", AgentRole.INSTRUCTEUR)

    # The agent creates the lycée privé from its fiche renseignements.
    agent = page
    _login(agent, live_server, "Espace Acteurs publics", "agent.region")
    expect(agent.get_by_role("heading", level=1)).to_have_text("Instruction")
    a11y("instruction")
    agent.get_by_role("link", name="Structures").first.click()
    a11y("liste des structures")
    agent.get_by_role("link", name="Créer une structure").click()
    a11y("créer une structure")
    details = agent.locator("#organisation-details")  # the fiche, below the look-up block
    details.get_by_label("Famille de tiers *").select_option(label="Lycée privé")
    details.get_by_label("Raison sociale *").fill("Lycée Saint-Exupéry")
    details.get_by_label("SIRET", exact=True).fill("418 166 096 00069")
    details.locator("#uai").fill("0750654E")  # wrong check letter first
    details.get_by_label("Adresse *", exact=True).fill("12 rue des Écoles")
    details.get_by_label("Code postal *").fill("31000")
    details.get_by_label("Commune *").fill("Toulouse")
    details.get_by_label("Adresse électronique de contact *").fill("direction@lycee.example")
    details.get_by_label("Nom", exact=True).fill("Bernard")
    if js_enabled:
        agent.get_by_role("button", name="Créer la structure et envoyer l'invitation").click()
        expect(agent.locator(".govuk-error-summary")).to_be_focused()
    else:
        _submit(agent, "Créer la structure et envoyer l'invitation")
    expect(agent.locator(".govuk-error-summary")).to_contain_text("Ce numéro UAI n'est pas valide")
    expect(details.get_by_label("Raison sociale *")).to_have_value("Lycée Saint-Exupéry")
    a11y("créer une structure, erreurs")
    details.locator("#uai").fill("0750654D")
    _submit(agent, "Créer la structure et envoyer l'invitation")
    expect(agent.get_by_role("heading", level=1)).to_have_text("Lycée Saint-Exupéry")
    expect(agent.get_by_text("La structure est créée.")).to_be_visible()
    a11y("fiche structure")

    # The référent follows the invitation, creates and activates its account.
    referent = open_page()
    invitation = _link(smtp_server, "direction@lycee.example", "Invitation", "/invitation/")
    _create_account(referent, a11y, invitation, "pbernard", "référent")
    referent.goto(_link(smtp_server, "direction@lycee.example", "Activez", "/activation/"))
    expect(referent.get_by_text("Votre compte est rattaché à Lycée Saint-Exupéry")).to_be_visible()
    a11y("activation du référent", referent)

    _login(referent, live_server, "Espace Acteurs publics", "pbernard")
    expect(referent.get_by_role("heading", level=1)).to_have_text("Espace personnel")
    a11y("espace personnel du référent", referent)
    referent.get_by_role("link", name="Lycée Saint-Exupéry").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Lycée Saint-Exupéry")
    a11y("ma structure", referent)

    # It invites a teacher, who joins.
    referent.get_by_role("link", name="Inviter un membre de la communauté éducative").click()
    a11y("inviter un membre", referent)
    referent.get_by_label("Adresse électronique *").fill("prof@lycee.example")
    referent.get_by_label("Nom *", exact=True).fill("Martin")
    referent.get_by_label("Prénom *").fill("Aïcha")
    _submit(referent, "Envoyer l'invitation")
    expect(referent.get_by_text("L'invitation a été envoyée à prof@lycee.example")).to_be_visible()
    a11y("ma structure, invitation envoyée", referent)

    teacher = open_page()
    _create_account(teacher, a11y, _link(smtp_server, "prof@lycee.example", "Invitation", "/invitation/"), "amartin", "enseignante")
    teacher.goto(_link(smtp_server, "prof@lycee.example", "Activez", "/activation/"))
    _login(teacher, live_server, "Espace Acteurs publics", "amartin")
    teacher.get_by_role("link", name="Ma structure").first.click()
    expect(teacher.get_by_text("Votre rôle", exact=True)).to_be_visible()
    a11y("ma structure de l'enseignante", teacher)

    # The référent sees her, then detaches her.
    referent.reload()
    members = referent.get_by_role("table").filter(has_text="Membres")
    expect(members).to_contain_text("Martin")
    referent.get_by_role("link", name="Détacher Aïcha Martin").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Détacher Aïcha Martin de la structure ?")
    a11y("confirmation du détachement", referent)
    _submit(referent, "Détacher Aïcha Martin")
    expect(referent.get_by_text("Aïcha Martin est détaché(e) de la structure.")).to_be_visible()
    expect(referent.get_by_role("table").filter(has_text="Membres")).not_to_contain_text("Martin")

    teacher.reload()
    expect(teacher.get_by_text("Votre compte n'est rattaché à aucune structure.")).to_be_visible()
    expect(teacher.get_by_text("Lycée Saint-Exupéry")).to_have_count(0)
    a11y("l'enseignante détachée", teacher)
