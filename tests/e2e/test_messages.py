"""The fil de discussion in Chromium, with JavaScript (htmx posts and swaps
the thread in place) and without (a plain multipart form), axe on every
page: on a transmitted demande the teacher writes (an empty message first,
then one with an attachment) → the council is told over SMTP without the
content → the référent sees the unread count in the espace personnel and
on the list, opens the thread, the count goes to zero → an agent answers
(through the domain) → the référent is told by email and reads « La Région »."""

import re

import pytest
from playwright.sync_api import expect

from app.domain import messages
from app.domain.base import OperationContext
from app.extensions import db
from app.models import Account, Demande
from tests.support.accounts import make_agent
from tests.support.browser import LiveServer, log_in
from tests.support.smtp import SmtpServer, free_port
from tests.support.wizard import PDF, lycee_with_people, make_filed_demande, open_teleservices, transmit_demande

COUNCIL = "instruction@region.example"


@pytest.fixture
def messages_server(make_app, smtp_server, tmp_path):
    """A live server with a Trajectoires demande of the teacher, transmitted
    by the référent after the CA (the real operation)."""
    port = free_port()
    app = make_app(
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        WTF_CSRF_ENABLED=True,
        ATTACHMENTS_DIR=str(tmp_path / "pj"),
        MESSAGES_COUNCIL_EMAIL=COUNCIL,
        **smtp_server.app_config(),
    )
    with app.app_context():
        open_teleservices(tmp_path)
        lycee, referent, teacher = lycee_with_people()
        demande = make_filed_demande(teacher, lycee, intitule="Les métiers de la mer")
        transmit_demande(referent, demande)
        make_agent("agent.region")
        demande_id, reference = demande.id, demande.reference
    server = LiveServer(app, port)
    server.start()
    yield server, demande_id, reference
    server.stop()


def _login(page, server, identifiant):
    log_in(page, server.url, identifiant)
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace personnel")


def _send(page, js_enabled):
    """« Envoyer le message »: htmx swaps the thread in place, or the page loads."""
    button = page.locator("#fil-de-discussion").get_by_role("button", name="Envoyer le message")
    if js_enabled:
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/messages")):
            button.click()
        page.wait_for_timeout(150)  # let htmx settle the swap
    else:
        with page.expect_navigation():
            button.click()


def test_teacher_writes_referent_reads_agent_answers(page, open_page, a11y, messages_server, smtp_server, js_enabled, tmp_path):
    server, demande_id, reference = messages_server
    demande_url = f"{server.url}/demandes/{demande_id}"

    # The teacher opens her demande: the thread is empty, the form below.
    teacher = page
    _login(teacher, server, "prof")
    teacher.goto(demande_url)
    thread = teacher.locator("#fil-de-discussion")
    expect(thread.get_by_role("heading", name="Fil de discussion")).to_be_visible()
    expect(thread).to_contain_text("Aucun message pour l'instant.")
    a11y("page de la demande avec son fil de discussion")

    # An empty message is refused at its field.
    _send(teacher, js_enabled)
    expect(teacher.locator(".govuk-error-summary")).to_contain_text("Saisissez votre message")
    expect(teacher).to_have_title(re.compile(r"^Erreur : "))
    if js_enabled:  # the thread was re-rendered in place on the demande page
        expect(teacher.locator(".govuk-error-summary")).to_be_focused()
        expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")
    else:  # the thread's own page, with the errors
        expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Fil de discussion de la demande {reference}")
    a11y("nouveau message, erreur")

    # A message with an attachment.
    form = teacher.locator("#fil-de-discussion")
    form.get_by_label("Votre message *").fill("Bonjour,\nvoici le planning des visites.")
    planning = tmp_path / "planning.pdf"
    planning.write_bytes(PDF)
    teacher.locator("input[type=file][name=piece_jointe]").set_input_files(str(planning))
    _send(teacher, js_enabled)
    sent = teacher.locator("#fil-de-discussion article").last
    expect(sent).to_contain_text("Vous")
    expect(sent).to_contain_text("voici le planning des visites.")
    expect(sent.get_by_role("link", name="planning.pdf")).to_be_visible()
    if js_enabled:
        expect(sent).to_be_focused()
        expect(teacher.locator("#app-live-status")).to_have_text("Votre message est envoyé.")
        expect(teacher.locator("#fil-de-discussion").get_by_label("Votre message *")).to_have_value("")
    else:
        expect(teacher.get_by_text("Votre message est envoyé.")).to_be_visible()
    expect(teacher.locator(".govuk-error-summary")).to_have_count(0)
    a11y("message envoyé")

    council_mail = SmtpServer.text_of(smtp_server.wait_for(COUNCIL, f"Nouveau message sur la demande {reference}"))
    assert "planning" not in council_mail and reference in council_mail

    # The référent sees the unread count, opens the thread, the count goes to zero.
    referent = open_page()
    _login(referent, server, "ref")
    expect(referent.locator("#main-content")).to_contain_text("Consulter vos fils de discussion : 1 message non lu")
    a11y("espace personnel, un message non lu", referent)
    referent.get_by_role("link", name="Suivre mes demandes d'aide").click()
    link = referent.get_by_role("link", name=f"1 message non lu sur la demande {reference}")
    expect(link).to_be_visible()
    a11y("suivre mes demandes, un message non lu", referent)
    link.click()
    expect(referent.get_by_role("heading", level=1)).to_have_text(f"Fil de discussion de la demande {reference}")
    message = referent.locator("article").filter(has_text="voici le planning des visites.")
    expect(message.get_by_role("heading")).to_contain_text("Aïcha Martin")
    expect(message).to_contain_text("Nouveau")
    a11y("fil de discussion du référent", referent)
    referent.goto(server.url + "/espace")
    expect(referent.locator("#main-content")).to_contain_text("Consulter vos fils de discussion : aucun message non lu")
    referent.goto(server.url + "/demandes")
    expect(referent.locator("#main-content")).not_to_contain_text("non lu")

    # An agent answers (the back office's way in): both are told by email.
    with server.app.app_context():
        agent = db.session.scalar(db.select(Account).where(Account.identifiant == "agent.region"))
        messages.post_as_agent(OperationContext(actor=agent), db.session.get(Demande, demande_id), "Merci, c'est bien reçu.\nÀ bientôt.")
    for email in ("ref@exemple.fr", "prof@exemple.fr"):
        text = SmtpServer.text_of(smtp_server.wait_for(email, f"Nouveau message sur votre demande {reference}"))
        assert "bien reçu" not in text and f"/demandes/{demande_id}#fil-de-discussion" in text
    referent.goto(server.url + "/espace")
    expect(referent.locator("#main-content")).to_contain_text("1 message non lu")
    referent.goto(f"{demande_url}/fil-de-discussion")
    answer = referent.locator("article").last
    expect(answer.get_by_role("heading")).to_contain_text("La Région")
    expect(answer).to_contain_text("Merci, c'est bien reçu.")
    a11y("réponse de la Région", referent)

    teacher.goto(demande_url)
    expect(teacher.locator("#fil-de-discussion article").last).to_contain_text("La Région")
    expect(teacher.locator("#fil-de-discussion")).to_contain_text("1 nouveau message")
    a11y("page de la demande, réponse de la Région")
