"""« Vérifier un accusé de réception » in Chromium, with JavaScript (htmx
posts the upload) and without (a plain multipart form), axe on every state:
nothing chosen, the genuine PDF (« Conforme »), a modified copy (« Non
conforme »)."""

import pytest
from playwright.sync_api import expect

from tests.support.accounts import login
from tests.support.receipts import file_through_wizard, pdf_bytes, transmit
from tests.support.wizard import lycee_with_people, open_teleservices


@pytest.fixture
def genuine_pdf(make_app, live_server, tmp_path):
    """A demande filed through the wizard and transmitted in a second
    application on the live server's database; its reference and PDF."""
    filer = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"), PUBLIC_URL=live_server.url)
    with filer.app_context():
        open_teleservices(tmp_path)
        _, referent, _ = lycee_with_people()
        client = filer.test_client()
        login(client, "prof")
        demande = file_through_wizard(client)
        receipt = transmit(demande, referent)
        return demande.reference, pdf_bytes(filer, receipt)


def _submit(page, js_enabled):
    button = page.locator("#main-content").get_by_role("button", name="Vérifier le document")
    if js_enabled:  # htmx posts and swaps the content; the page stays
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/verification")):
            button.click()
        page.wait_for_timeout(150)  # let htmx settle the swap
    else:
        with page.expect_navigation():
            button.click()


def test_a_genuine_receipt_is_conforme_and_a_modified_copy_is_not(page, a11y, live_server, js_enabled, genuine_pdf, tmp_path):
    reference, data = genuine_pdf
    genuine = tmp_path / f"accuse-de-reception-{reference}.pdf"
    genuine.write_bytes(data)
    modified = tmp_path / "copie-modifiee.pdf"
    modified.write_bytes(data[:-200] + bytes([data[-200] ^ 1]) + data[-199:])

    page.goto(live_server.url + "/verification")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier un accusé de réception")
    a11y("vérification")

    _submit(page, js_enabled)  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choisissez l'accusé de réception à vérifier")
    expect(page).to_have_title("Erreur : Vérifier un accusé de réception – Portail des aides")
    if js_enabled:
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    a11y("vérification, erreur")

    page.locator("input[type=file][name=fichier]").set_input_files(str(genuine))
    _submit(page, js_enabled)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Conforme : ce document est l'accusé de réception de la demande {reference}, transmise le "
    )
    expect(page).to_have_title("Conforme – Vérifier un accusé de réception – Portail des aides")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    if js_enabled:
        expect(page.locator("#resultat-titre")).to_be_focused()
    a11y("vérification, conforme")

    page.locator("input[type=file][name=fichier]").set_input_files(str(modified))
    _submit(page, js_enabled)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Non conforme : ce document n'est pas identique à un accusé de réception délivré par le portail."
    )
    expect(page.locator(".govuk-notification-banner")).not_to_contain_text(reference)
    a11y("vérification, non conforme")
