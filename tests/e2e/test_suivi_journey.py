"""Issue 6's journey in Chromium, with and without JavaScript, axe on every
page: a teacher's demande is filed → the référent sees it in « Suivre mes
demandes d'aide » → sends it back with a message → the teacher corrects and
files again → the référent transmits it with the CA date and the PV → both
receive the accusé de réception over SMTP and download the PDF."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import LiveServer, log_in, submit
from tests.support.smtp import SmtpServer, free_port
from tests.support.wizard import PDF, lycee_with_people, make_filed_demande, open_teleservices


@pytest.fixture
def suivi_server(make_app, smtp_server, tmp_path):
    port = free_port()
    app = make_app(
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        WTF_CSRF_ENABLED=True,
        ATTACHMENTS_DIR=str(tmp_path / "pj"),
        **smtp_server.app_config(),
    )
    with app.app_context():
        open_teleservices(tmp_path)
        lycee, referent, teacher = lycee_with_people()
        reference = make_filed_demande(teacher, lycee, intitule="Les métiers de la mer").reference
    server = LiveServer(app, port)
    server.start()
    server.reference = reference
    yield server
    server.stop()


def test_suivi_journey(page, open_page, a11y, suivi_server, smtp_server, js_enabled):
    reference = suivi_server.reference
    referent = page
    log_in(referent, suivi_server.url, path="/connexion/acteurs-publics", identifiant="ref")
    referent.get_by_role("link", name="Suivre mes demandes d'aide").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Suivre mes demandes d'aide")
    expect(referent.locator("#main-content table")).to_contain_text("Les métiers de la mer")
    a11y("suivre mes demandes (référent)")
    referent.get_by_role("link", name=re.compile(reference)).click()
    expect(referent.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")
    a11y("page de la demande")

    # Sent back with a message.
    referent.get_by_role("link", name="Renvoyer à l'auteur pour modification").click()
    a11y("renvoyer à l'auteur")
    referent.get_by_label("Message à l'auteur *").fill("Précisez le budget des transports.")
    submit(referent, "Renvoyer à l'auteur")
    expect(referent.get_by_text("La demande est renvoyée à son auteur")).to_be_visible()
    smtp_server.wait_for("prof@exemple.fr", "renvoyée pour modification")

    # The teacher corrects and files again.
    teacher = open_page()
    log_in(teacher, suivi_server.url, path="/connexion/acteurs-publics", identifiant="prof")
    teacher.goto(suivi_server.url + "/demandes")
    teacher.get_by_role("link", name=re.compile(reference)).click()
    expect(teacher.locator("#main-content")).to_contain_text("Précisez le budget des transports.")
    a11y("la demande renvoyée (enseignante)", teacher)
    teacher.get_by_role("link", name="Continuer la saisie").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Étape 6 sur 6 : Récapitulatif")
    teacher.get_by_label("Je certifie sur l'honneur l'exactitude des informations").check()
    submit(teacher, "Déposer ma demande")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Demande déposée")
    expect(teacher.locator("#main-content")).to_contain_text(reference)  # the same reference

    # The référent transmits with the CA date and the PV.
    referent.reload()
    referent.get_by_role("link", name="Transmettre à la Région").click()
    a11y("transmettre à la Région")
    referent.get_by_label("Date du Conseil d'Administration *").fill("10/11/2026")
    referent.locator("input[type=file][name=pv]").set_input_files(files=[{"name": "pv-ca.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    if js_enabled:  # the confirmation is missing: errors swapped in place, nothing lost
        referent.locator("#main-content").get_by_role("button", name="Transmettre à la Région").click()
        expect(referent.locator(".govuk-error-summary")).to_be_focused()
    else:
        submit(referent, "Transmettre à la Région")
    expect(referent.locator(".govuk-error-summary")).to_contain_text("Confirmez la transmission")
    expect(referent.get_by_label("Date du Conseil d'Administration *")).to_have_value("10/11/2026")
    a11y("transmettre, erreur")
    referent.locator("input[type=file][name=pv]").set_input_files(files=[{"name": "pv-ca.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    referent.get_by_label(re.compile("Je confirme que le Conseil")).check()
    submit(referent, "Transmettre à la Région")
    expect(referent.get_by_text(f"La demande {reference} est transmise à la Région")).to_be_visible()
    a11y("demande transmise")

    for email in ("ref@exemple.fr", "prof@exemple.fr"):
        message = smtp_server.wait_for(email, "Accusé de réception")
        assert reference in SmtpServer.text_of(message)
    for person in (referent, teacher):
        person.goto(suivi_server.url + "/demandes")
        person.get_by_role("link", name=re.compile(reference)).click()
        with person.expect_download() as download:
            person.get_by_role("link", name=re.compile("Télécharger l'accusé de réception")).click()
        content = Path(download.value.path()).read_bytes()
        assert content.startswith(b"%PDF")
