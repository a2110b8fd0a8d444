"""Every answer reaches the person (issue 11 §1): whatever a form's request
gets — a refused CSRF token (400), 403, 404, a conflict (409), a body too
large (413), too many attempts (429), a server error (500), no answer at
all, no answer in time — the person sees in French, in place, what happened
and what to do; with JavaScript the message is focused and announced and
what was typed is still in the form; without, the browser shows the
portal's page for that case. A form being sent says it is busy."""

import re

import pytest
from playwright.sync_api import expect

from app.domain import memberships
from app.domain.base import SYSTEM, OperationContext
from app.domain.demandes import drafts, transmission
from app.extensions import db
from app.models import Demande, Membership
from tests.support.browser import log_in
from tests.support.wizard import make_filed_demande, teacher_draft, teacher_lycee

TYPED = "Un intitulé tapé avant l'incident"


def _on_dossier(page, server, demande_id):
    """The teacher on « Votre dossier », the intitulé typed."""
    log_in(page, server.url, "prof")
    page.goto(f"{server.url}/demandes/{demande_id}/etapes/dossier")
    page.get_by_label("Intitulé du projet", exact=False).first.fill(TYPED)


def _save(page):
    page.locator("#main-content").get_by_role("button", name="Enregistrer", exact=True).first.click()


def _assert_explained(page, title, text=None):
    """JavaScript: the explanation above the form, focused, announced
    (role=alert), and what was typed still there."""
    box = page.locator(".app-request-error")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "alert")
    expect(box).to_contain_text(title)
    if text:
        expect(box).to_contain_text(text)
    expect(box).to_be_focused()
    expect(box).to_contain_text("Ce que vous avez saisi est toujours dans le formulaire.")


def _assert_typed_kept(page):
    expect(page.get_by_label("Intitulé du projet", exact=False).first).to_have_value(TYPED)


def _assert_page(page, title, status_text):
    """Without JavaScript: the portal's own page for the case."""
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#main-content")).to_contain_text(status_text)


def test_a_refused_csrf_token_is_renewed_and_nothing_typed_is_lost(page, portal, a11y, js_enabled):
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    # The session's token is no longer the page's (the session ended in another tab).
    page.evaluate(
        """() => {
          document.querySelectorAll('input[name=csrf_token]').forEach((input) => { input.value = 'perime' })
          document.body.setAttribute('data-hx-headers', JSON.stringify({'X-CSRFToken': 'perime'}))
        }"""
    )
    _save(page)
    if not js_enabled:
        _assert_page(page, "Requête incorrecte", "Le formulaire a expiré")
        return
    _assert_explained(page, "Le formulaire a été renouvelé", "Envoyez-le à nouveau")
    _assert_typed_kept(page)
    page.errors.clear()  # htmx logs the refused request
    a11y("the CSRF explanation")
    _save(page)  # with the renewed token
    expect(page.locator(".app-draft-status")).to_contain_text("Brouillon enregistré")
    with server.app.app_context():
        assert db.session.get(Demande, demande_id).step_answers("dossier")["intitule"] == TYPED


def test_a_detached_author_is_told_why(page, portal, a11y, js_enabled):
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    with server.app.app_context():
        membership = db.session.scalar(db.select(Membership).where(Membership.role == "membre"))
        memberships.detach(SYSTEM, membership)
    _save(page)
    if not js_enabled:
        _assert_page(page, "Vous n'êtes plus rattaché(e) à cette structure", "ne vous sont plus accessibles")
        a11y("the detached member's 404")
        return
    _assert_explained(page, "Vous n'êtes plus rattaché(e) à cette structure", "ne vous sont plus accessibles")
    _assert_typed_kept(page)


def test_a_forbidden_action_is_explained(page, portal, js_enabled):
    """The référent's « Transmettre » while the demande went back to its author (403)."""
    server = portal()
    with server.app.app_context():
        teacher = db.session.scalar(db.select(Membership).where(Membership.role == "membre")).account
        demande = make_filed_demande(teacher, teacher_lycee(teacher))
        demande_id = demande.id
    log_in(page, server.url, "ref")
    page.goto(f"{server.url}/demandes/{demande_id}/transmettre")
    page.get_by_label("Date du Conseil d'Administration", exact=False).fill("10/11/2026")
    with server.app.app_context():  # sent back to its author meanwhile, from another tab
        referent = db.session.scalar(db.select(Membership).where(Membership.role == "referent")).account
        transmission.send_back(OperationContext(actor=referent), db.session.get(Demande, demande_id), "À revoir.")
    page.locator("#main-content").get_by_role("button", name=re.compile("Transmettre")).click()
    if not js_enabled:
        _assert_page(page, "Accès refusé", "Code de l'erreur : 403")
        return
    _assert_explained(page, "Accès refusé")
    expect(page.get_by_label("Date du Conseil d'Administration", exact=False)).to_have_value("10/11/2026")


def test_a_conflict_shows_both_versions_with_or_without_javascript(page, portal, a11y, js_enabled):
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    with server.app.app_context():  # saved meanwhile in another tab
        demande = db.session.get(Demande, demande_id)
        drafts.save_step(OperationContext(actor=demande.author), demande, "dossier", {"intitule": "Saisi dans l'autre onglet"}, demande.version)
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cette demande a été modifiée entre-temps")
    expect(page.locator("#main-content")).to_contain_text(TYPED)
    expect(page.locator("#main-content")).to_contain_text("Saisi dans l'autre onglet")
    if js_enabled:
        expect(page.get_by_role("heading", level=1)).to_be_focused()
    a11y("the conflict page")


def test_a_body_too_large_is_explained(page, portal, js_enabled, tmp_path):
    server = portal(MAX_CONTENT_LENGTH=100_000, ATTACHMENT_MAX_BYTES=1_000_000)
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    big = tmp_path / "devis-lourd.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 200_000)
    page.locator("input[type=file]").first.set_input_files(str(big))
    _save(page)
    if not js_enabled:
        _assert_page(page, "Envoi trop volumineux", "Code de l'erreur : 413")
        return
    _assert_explained(page, "Envoi trop volumineux")
    _assert_typed_kept(page)


def test_too_many_attempts_are_explained(page, portal, js_enabled):
    server = portal(RATELIMIT_ENABLED=True, LOGIN_THROTTLE_PER_ADDRESS_AND_IDENTIFIANT="1 per hour")
    page.goto(server.url + "/connexion")
    for _ in range(2):
        page.get_by_label("Identifiant", exact=True).fill("prof")
        page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon")
        with page.expect_response(lambda response: response.request.method == "POST"):
            page.locator("#main-content").get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
    if not js_enabled:
        _assert_page(page, "Trop de tentatives", "Code de l'erreur : 429")
        return
    box = page.locator(".app-request-error")
    expect(box).to_contain_text("Trop de tentatives")
    expect(box).to_be_focused()
    expect(page.get_by_label("Identifiant", exact=True)).to_have_value("prof")


def test_a_server_error_is_explained(page, portal, js_enabled, monkeypatch):
    server = portal(PROPAGATE_EXCEPTIONS=False)
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)

    def broken(demande):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("app.domain.demandes.drafts._denormalise", broken)
    _save(page)
    if not js_enabled:
        _assert_page(page, "Une erreur est survenue", "Code de l'erreur : 500")
        return
    _assert_explained(page, "Une erreur est survenue")
    _assert_typed_kept(page)
    page.errors.clear()  # the browser logs the failed request


def test_no_answer_at_all_is_explained(page, portal, js_enabled):
    if not js_enabled:
        pytest.skip("without JavaScript the browser itself says the site cannot be reached")
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    page.route(re.compile(r".*/etapes/dossier$"), lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    _save(page)
    _assert_explained(page, "Le portail ne répond pas", "connexion à Internet")
    _assert_typed_kept(page)
    page.errors.clear()


def test_a_request_in_flight_is_busy_then_times_out(page, portal, js_enabled):
    if not js_enabled:
        pytest.skip("the busy state and the timeout are the page script's")
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    page.evaluate("() => { htmx.config.timeout = 1500 }")
    page.route(re.compile(r".*/etapes/dossier$"), lambda route: None if route.request.method == "POST" else route.continue_())
    _save(page)
    form = page.locator("#main-content form").last
    expect(form).to_have_attribute("aria-busy", "true")
    expect(page.locator(".app-busy")).to_have_text("Envoi en cours, veuillez patienter…")
    expect(page.locator("#main-content").get_by_role("button", name="Enregistrer", exact=True).first).to_be_disabled()
    _assert_explained(page, "Le portail ne répond pas", "trop de temps")
    expect(page.locator("#main-content").get_by_role("button", name="Enregistrer", exact=True).first).to_be_enabled()
    expect(page.locator(".app-busy")).to_have_count(0)
    _assert_typed_kept(page)
    page.errors.clear()


def test_an_htmx_request_after_logout_says_to_log_in_again(page, portal, js_enabled):
    """A session ended (logged out in another tab): the form is not replaced
    by the login page; the person is told to log in again, in another tab."""
    if not js_enabled:
        pytest.skip("without JavaScript the login page opens, as for any page needing a login")
    server = portal()
    demande_id = teacher_draft(server.app)
    _on_dossier(page, server, demande_id)
    other = page.context.new_page()
    other.goto(server.url + "/compte")
    other.locator("button", has_text="Se déconnecter").click()
    other.close()
    page.evaluate(
        """async () => {
          const token = (await (await fetch('/session/jeton-csrf')).text()).trim()
          document.querySelectorAll('input[name=csrf_token]').forEach((input) => { input.value = token })
          document.body.setAttribute('data-hx-headers', JSON.stringify({'X-CSRFToken': token}))
        }"""
    )
    _save(page)
    _assert_explained(page, "Votre session a pris fin", "connectez-vous à nouveau")
    expect(page.locator(".app-request-error a")).to_have_attribute("target", "_blank")
    _assert_typed_kept(page)
    page.errors.clear()


def test_the_csrf_token_endpoint_is_not_cached(portal):
    import urllib.request

    server = portal()
    with urllib.request.urlopen(server.url + "/session/jeton-csrf") as response:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers.get_content_type() == "text/plain"
        assert len(response.read()) > 20
