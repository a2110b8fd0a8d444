"""Issue 7's journey in Chromium, with and without JavaScript, axe on every
page: an agent filters the list, takes a transmitted demande, asks for
compléments, the applicant completes them, the agent accepts with an
amount, the applicant sees « Acceptée » and receives the decision email."""

import re

import pytest
from playwright.sync_api import expect

from app.models import AgentRole
from tests.support.accounts import make_agent
from tests.support.browser import LiveServer, log_in, submit
from tests.support.smtp import SmtpServer, free_port
from tests.support.wizard import PDF, lycee_with_people, make_filed_demande, open_teleservices, transmit_demande


@pytest.fixture
def instruction_server(make_app, smtp_server, tmp_path):
    port = free_port()
    app = make_app(
        PUBLIC_URL=f"http://127.0.0.1:{port}", WTF_CSRF_ENABLED=True, ATTACHMENTS_DIR=str(tmp_path / "pj"), **smtp_server.app_config()
    )
    with app.app_context():
        open_teleservices(tmp_path)
        lycee, referent, teacher = lycee_with_people()
        make_agent("instructeur", AgentRole.INSTRUCTEUR)
        for intitule in ("Forum des métiers", "Les métiers de la mer"):
            demande = make_filed_demande(teacher, lycee, intitule=intitule)
            transmit_demande(referent, demande)
        reference = demande.reference
    server = LiveServer(app, port)
    server.start()
    server.reference = reference
    yield server
    server.stop()


def test_instruction_journey(page, open_page, a11y, instruction_server, smtp_server, js_enabled):
    server, reference = instruction_server, instruction_server.reference
    agent = page
    log_in(agent, server.url, "instructeur")
    agent.goto(server.url + "/instruction/demandes")
    a11y("liste des demandes")
    agent.get_by_label("Rechercher", exact=True).fill(reference)
    if js_enabled:
        expect(agent.locator("#main-content table")).not_to_contain_text("Forum des métiers")
    else:
        with agent.expect_navigation():
            agent.get_by_label("Rechercher", exact=True).press("Enter")
    expect(agent.locator("#main-content table")).to_contain_text("Les métiers de la mer")
    expect(agent.locator("#main-content table")).not_to_contain_text("Forum des métiers")
    a11y("liste filtrée")
    agent.get_by_role("link", name=re.compile(reference)).first.click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")
    a11y("demande (agent)")
    submit(agent, "Passer en instruction")
    expect(agent.get_by_text("La demande est en instruction")).to_be_visible()

    # The fil de discussion with the applicant, from the back office.
    agent.get_by_label("Votre message *").fill("Bonjour, nous étudions votre projet.\nÀ bientôt.")
    if js_enabled:  # htmx swaps the thread in place and focuses the new message
        agent.locator("#fil-de-discussion").get_by_role("button", name="Envoyer le message").click()
        expect(agent.locator("#fil-de-discussion article").first).to_be_focused()
    else:
        submit(agent, "Envoyer le message")
        expect(agent.get_by_text("Votre message est envoyé. Le demandeur en est informé par courriel.")).to_be_visible()
    expect(agent.locator("#fil-de-discussion")).to_contain_text("Bonjour, nous étudions votre projet.")
    a11y("demande (agent), message envoyé")
    agent.get_by_role("link", name=f"Voir le fil de discussion de la demande {reference}").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(f"Fil de discussion de la demande {reference}")
    a11y("fil de discussion (agent)")
    agent.get_by_role("link", name=f"Retour à la demande {reference}").click()
    smtp_server.wait_for("prof@exemple.fr", "Nouveau message")

    agent.get_by_role("link", name="Demander des compléments").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("compléments")
    a11y("demander des compléments")
    agent.get_by_label("Compléments attendus *").fill("Joignez un second devis pour le transport.")
    agent.get_by_label("Votre dossier").check()
    submit(agent, "Demander les compléments")
    expect(agent.get_by_text("Les compléments sont demandés")).to_be_visible()
    smtp_server.wait_for("prof@exemple.fr", "compléments")

    applicant = open_page()
    log_in(applicant, server.url, "prof")
    applicant.goto(server.url + "/demandes")
    applicant.get_by_role("link", name=re.compile(reference)).first.click()
    expect(applicant.locator("#main-content")).to_contain_text("Joignez un second devis pour le transport.")
    expect(applicant.locator("#fil-de-discussion")).to_contain_text("Bonjour, nous étudions votre projet.")
    a11y("demande en compléments (demandeur)", applicant)
    applicant.get_by_role("link", name="Compléter la demande").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Étape 5 sur 6 : Votre dossier")
    applicant.locator("input[type=file][name=document-devis]").set_input_files(files=[{"name": "second-devis.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    applicant.get_by_label("Intitulé du projet *").fill("Les métiers de la mer et du littoral")
    submit(applicant, "Suivant")
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Étape 6 sur 6 : Récapitulatif")
    a11y("récapitulatif des compléments", applicant)
    submit(applicant, "Renvoyer les compléments à la Région")
    expect(applicant.get_by_text("Vos compléments sont transmis à la Région")).to_be_visible()

    agent.reload()
    expect(agent.locator("#main-content")).to_contain_text("Compléments renvoyés")
    expect(agent.locator("#main-content")).to_contain_text("second-devis.pdf")
    agent.get_by_role("link", name="Accepter").click()
    a11y("accepter")
    agent.get_by_label("Montant accordé (en euros) *", exact=True).fill("99 999")
    agent.get_by_label("Date de la décision *").fill("15/12/2026")
    agent.get_by_label("Instance de décision *").fill("Commission permanente")
    if js_enabled:
        agent.locator("#main-content").get_by_role("button", name="Accepter la demande").click()
        expect(agent.locator(".govuk-error-summary")).to_be_focused()
    else:
        submit(agent, "Accepter la demande")
    expect(agent.locator(".govuk-error-summary")).to_contain_text("ne peut pas dépasser le montant demandé")
    a11y("accepter, erreur")
    agent.get_by_label("Montant accordé (en euros) *", exact=True).fill("80,00")
    submit(agent, "Accepter la demande")
    expect(agent.get_by_text("La demande est acceptée")).to_be_visible()

    decision = smtp_server.wait_for("prof@exemple.fr", "Décision")
    assert "Acceptée" in SmtpServer.text_of(decision)
    applicant.reload()
    expect(applicant.locator("#main-content")).to_contain_text("Acceptée")
    a11y("demande acceptée (demandeur)", applicant)
