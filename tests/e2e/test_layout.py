"""Phones, zoom and reflow (issue 11 §4; RGAA 10.4 and 10.11, WCAG 1.4.4 and
1.4.10) in Chromium: every page the journeys visit — the applicant's
(home, catalogue, each page of the wizard with budget lines, récapitulatif,
« Suivre mes demandes d'aide », a demande, « Ma structure » with its
members and invitations, the fils de discussion), the council's (home,
the list of demandes with rows, a demande, the structures and one of them,
the administration) and the development mail viewer — at 320, 375 and
1280 px and at 200 % zoom and 200 % text size: the page never scrolls
sideways (``document.documentElement.scrollWidth`` within the window), no
two visible form controls overlap, no button, tag, step label or select is
cut or breaks inside a word (``tests.support.layout``; how each window is
made, and why it stands for the zoom it names, is said there).

The data is built once for the module through the real domain operations,
each person logs in once (their session is reused in every window) and each
window opens one context per person, JavaScript on. Every ``<details>`` of
a page is opened and the service navigation's « Menu » expanded before
measuring, so that what they hide is measured too."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import create_app
from app.domain import invitations, messages, organisations
from app.domain.base import OperationContext
from app.domain.demandes import drafts, instruction
from app.domain.teleservices import teleservice_by_code
from app.extensions import db
from app.integrations.mail_sender import wait_for_background_sends
from app.models import AgentRole, MembershipRole, OutgoingMail
from tests.support.accounts import make_account, make_agent
from tests.support.browser import LiveServer, log_in
from tests.support.database import _base_config, _empty_tables
from tests.support.layout import WINDOWS, layout_problems
from tests.support.smtp import free_port
from tests.support.structures import attach
from tests.support.wizard import lycee_with_people, make_filed_demande, open_teleservices, transmit_demande

pytestmark = pytest.mark.e2e

LONG_EMAIL = "christophe.lefebvre-montgomery@lycee-saint-exupery.example"


def _draft(author, structure, beneficiaire: dict, dossier: dict | None = None):
    """A Trajectoires draft with its first steps answered (and « Votre dossier » when given)."""
    ctx = OperationContext(actor=author)
    demande = drafts.start_demande(ctx, teleservice_by_code("TRAJ"), structure)
    steps = {
        "preambule": {"lu": ["oui"]},
        "criteres": {c.code: "oui" for c in demande.definition.criteres},
        "etablissement": {"contact_email": author.email, "verifie": ["oui"]},
        "beneficiaire": beneficiaire,
        **({"dossier": dossier} if dossier else {}),
    }
    for step, answers in steps.items():
        drafts.save_step(ctx, demande, step, answers, demande.version)
    return demande


def _build():
    """The people and demandes of the pages below; returns the ids the paths need."""
    lycee, referent, teacher = lycee_with_people()
    colleague = make_account(identifiant="c.lefebvre-montgomery", email=LONG_EMAIL, nom="Lefebvre-Montgomery", prenom="Christophe")
    attach(colleague, lycee, role=MembershipRole.MEMBRE)
    invitations.invite(OperationContext(actor=referent), lycee, email="lea.durand-villeneuve@lycee-saint-exupery.example",
                       role=MembershipRole.MEMBRE, nom="Durand-Villeneuve", prenom="Léa")
    admin = make_agent("admin.region", AgentRole.ADMIN)
    council = OperationContext(actor=admin)

    budget = {
        "depenses": [{"nature": "Transport en autocar jusqu'au port de commerce", "montant": "1200"},
                     {"nature": "Intervenants professionnels", "montant": "800"}],
        "recettes": [{"origine": "Fonds propres de l'établissement", "montant": "500"}],
    }
    dossier = {"intitule": "Découvrir les métiers de la mer", "description": "Visites d'entreprises.", "objectifs": "S'orienter.",
               "niveaux": ["seconde"], "nombre_eleves": "48", "date_debut": "15/01/2027", "date_fin": "30/05/2027", "budget": budget}
    draft = _draft(teacher, lycee, {"est_beneficiaire": "oui"}, dossier)
    other_beneficiary = _draft(teacher, lycee, {"est_beneficiaire": "non", "famille": "association", "domicile": "france"})

    make_filed_demande(teacher, lycee, intitule="Forum des métiers")  # déposée: waiting for the CA
    followed = make_filed_demande(teacher, lycee, intitule="Les métiers de la mer et du littoral atlantique")
    transmit_demande(referent, followed)
    instruction.start_instruction(council, followed)
    instruction.assign(council, followed, admin)
    messages.post_message(OperationContext(actor=teacher), followed, "Bonjour,\nvoici le programme des visites.")
    messages.post_as_agent(council, followed, "Merci, nous étudions votre projet.")
    instruction.request_complements(council, followed, "Merci de joindre un second devis.", ["dossier"])
    accepted = make_filed_demande(teacher, lycee, intitule="Atelier orientation")
    transmit_demande(referent, accepted)
    instruction.start_instruction(council, accepted)
    instruction.accept(council, accepted, montant=Decimal("100.00"), decision_date=date(2026, 12, 15), instance="Commission permanente")
    mail = db.session.scalar(select(OutgoingMail.id).where(OutgoingMail.recipient.like("lea.durand%")))
    return {"draft": draft.id, "other": other_beneficiary.id, "followed": followed.id, "lycee": lycee.id, "admin": admin.id,
            "colleague": colleague.id, "mail": mail}


def _pages(ids):
    """(who, path) of every page measured: who is the identifiant logged in, or None."""
    wizard = [f"/demandes/{ids['draft']}/etapes/{step}" for step in ("preambule", "criteres", "etablissement", "beneficiaire", "dossier", "recapitulatif")]
    wizard += [f"/demandes/{ids['other']}/etapes/beneficiaire", f"/demandes/{ids['other']}/etapes/beneficiaire-details"]
    followed = ids["followed"]
    return [
        (None, "/"), (None, "/connexion"), (None, "/creer-un-compte"),
        *[("prof", path) for path in ["/espace", "/demandes/teleservices", *wizard, "/demandes", f"/demandes/{followed}",
                                      "/fils-de-discussion", f"/demandes/{followed}/fil-de-discussion", "/structure", "/compte"]],
        ("ref", "/demandes"), ("ref", "/structure"), ("ref", "/espace"),
        *[("admin.region", path) for path in [
            "/instruction/", "/instruction/demandes", f"/instruction/demandes/{followed}", f"/instruction/demandes/{followed}/fil-de-discussion",
            f"/instruction/demandes/{followed}/accepter", "/instruction/structures", f"/instruction/structures/{ids['lycee']}",
            "/instruction/structures/nouvelle", "/administration", "/administration/agents", f"/administration/agents/{ids['admin']}",
            "/administration/agents/nouveau", "/administration/teleservices", "/administration/teleservices/TRAJ",
            "/administration/teleservices/TRAJ/modifier"]],
        (None, "/dev/courriels"), (None, f"/dev/courriels/{ids['mail']}"),
    ]


@pytest.fixture(scope="module")
def layout_portal(browser, database_url, tmp_path_factory):
    """A live portal in development mode (no SMTP: the emails stay in the
    outbox that /dev/courriels shows) with the module's data, and the
    session of each person, logged in once."""
    folder = tmp_path_factory.mktemp("layout")
    port = free_port()
    app = create_app({**_base_config(database_url), "PORTAIL_ENV": "development", "PUBLIC_URL": f"http://127.0.0.1:{port}",
                      "WTF_CSRF_ENABLED": True, "ATTACHMENTS_DIR": str(folder / "pj")})
    with app.app_context():
        open_teleservices(folder)
        ids = _build()
    server = LiveServer(app, port)
    server.start()
    sessions = {}
    for identifiant in ("prof", "ref", "admin.region"):
        context = browser.new_context(locale="fr-FR")
        log_in(context.new_page(), server.url, identifiant)
        sessions[identifiant] = context.storage_state()
        context.close()
    yield server, _pages(ids), sessions
    server.stop()
    wait_for_background_sends()
    organisations.close_service(app)
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _measure(page, url) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response.status if response else 'no answer'}"
    page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    return layout_problems(page)


# On a laptop screen, no table needs its own sideways scrolling: every column is seen.
_TABLES_THAT_SCROLL = """() => [...document.querySelectorAll('.app-table-region')]
  .filter((region) => region.scrollWidth > region.clientWidth + 1)
  .map((region) => `${document.getElementById(region.getAttribute('aria-labelledby'))?.innerText} (${region.scrollWidth} > ${region.clientWidth})`)"""


def _each_page(browser, layout_portal, window):
    """Every page of the journeys in ``window``, one browser context per
    person (its session reused): yields (label, page, url), closes them after."""
    server, pages, sessions = layout_portal
    contexts = {}
    try:
        for who, path in pages:
            if who not in contexts:
                contexts[who] = window.new_context(browser, storage_state=sessions.get(who))
                contexts[who].page = window.new_page(contexts[who])
            yield f"{path} ({who or 'anonyme'})", contexts[who].page, server.url + path
    finally:
        for context in contexts.values():
            context.close()


def test_every_table_fits_a_laptop_screen(browser, layout_portal):
    window = next(w for w in WINDOWS if w.name == "1280")
    problems = []
    for label, page, url in _each_page(browser, layout_portal, window):
        assert page.goto(url).ok
        problems += [f"{label}: the table « {table} » scrolls" for table in page.evaluate(_TABLES_THAT_SCROLL)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("window", WINDOWS, ids=[w.name for w in WINDOWS])
def test_no_page_scrolls_sideways_or_overlaps(browser, layout_portal, window):
    problems = []
    for label, page, url in _each_page(browser, layout_portal, window):
        problems += [f"{label}: {problem}" for problem in _measure(page, url)]
    assert not problems, f"{len(problems)} problems at {window.name}:\n" + "\n".join(problems)


def test_the_stepper_is_one_line_on_a_phone_and_the_whole_list_on_a_screen(browser, layout_portal):
    """The stepper on a phone: « Étape 5 sur 6 » and a control that shows
    the six steps (the current one marked aria-current); on a laptop screen
    the six steps side by side."""
    server, pages, sessions = layout_portal
    dossier = server.url + next(path for _, path in pages if path.endswith("/etapes/dossier"))
    for window, compact in ((WINDOWS[0], True), (WINDOWS[2], False)):
        context = window.new_context(browser, storage_state=sessions["prof"])
        try:
            page = window.new_page(context)
            page.goto(dossier)
            nav = page.get_by_role("navigation", name="Étapes de la demande")
            current = nav.locator("[aria-current=step]")
            expect(current).to_have_count(1)
            expect(current).to_contain_text("5. Votre dossier")
            if compact:
                toggle = nav.locator("summary")
                expect(toggle).to_have_text(re.compile(r"Étape 5 sur 6"))
                expect(current).to_be_hidden()
                box = nav.bounding_box()
                assert box["height"] < 80, box  # one line, not the phone's first screen
                toggle.press("Enter")  # the keyboard opens the list
                expect(current).to_be_visible()
                expect(nav.get_by_role("link", name=re.compile("1. Préambule"))).to_be_visible()
            else:
                expect(nav.locator("summary")).to_be_hidden()
                expect(nav.get_by_role("link", name=re.compile("1. Préambule"))).to_be_visible()
                boxes = [item.bounding_box() for item in nav.get_by_role("listitem").all() if item.is_visible()]
                assert len(boxes) == 6 and len({round(b["y"]) for b in boxes}) == 1, boxes  # side by side
        finally:
            context.close()
