"""Fuzzing every POST route (issue 12): the ``world`` each fuzz test works
in, built lazily from the suite's factories (``tests/support``) — the three
téléservices open, the lycée with its référent « ref » and teacher « prof »,
an instructeur and an admin, demandes in any status, drafts at any step —
and the marker ``fuzz`` (``pytest -m fuzz``; the fuzz tests also run by
default). The organisation look-up goes to a fake API Entreprise on
loopback, never outside."""

import itertools
import json
import tempfile
from functools import cached_property

import pytest
from flask import g
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import select

from app.domain.base import OperationContext
from app.domain.demandes import drafts
from app.domain.teleservices import teleservice_by_code
from app.domain.wizard.pages import DETAILS, PAGES, step_of
from app.domain.wizard.steps import STEP_SLUGS
from app.extensions import db
from app.models import AgentRole, Demande, DemandeStatus
from tests.support.accounts import PASSWORD, login, make_account, make_agent
from tests.support.files import upload
from tests.support.organisations import lookup_config
from tests.support.shapes import assert_well_formed
from tests.support.wizard import valid_answer

# Hypothesis keeps a cache of its own; not in the work tree.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="hypothesis-"))


def pytest_configure(config):
    config.addinivalue_line("markers", "fuzz: property-based fuzzing of the POST routes (Hypothesis; FUZZ_EXAMPLES examples per test)")


@pytest.fixture
def app_config(fake) -> dict:
    return lookup_config(fake)


def csrf_token(client) -> str:
    """The CSRF token of the client's session (as the page script fetches it).
    Flask-WTF keeps the token of the request in ``g``, which here outlives
    requests (the test's application context): forget it first, or another
    session's token would come back."""
    g.pop("csrf_token", None)
    return client.get("/session/jeton-csrf").get_data(as_text=True)


def valid_steps(definition, author_email: str, other_beneficiary=False) -> dict:
    """Valid answers of every step, as a careful author gives them."""
    return {
        "preambule": {"lu": ["oui"]},
        "criteres": {c.code: "oui" for c in definition.criteres},
        "etablissement": {"contact_email": author_email, "verifie": ["oui"]},
        "beneficiaire": (
            {"est_beneficiaire": "non", "famille": "association", "domicile": "france"}
            if other_beneficiary
            else {"est_beneficiaire": "oui"}
        ),
        "dossier": {f.code: valid_answer(f) for f in definition.dossier},
        "recapitulatif": {"certifie": ["oui"]},
    }


def demande_state(demande) -> str:
    """What a post may change of a demande (its pages are opened again when it did)."""
    return json.dumps(
        [demande.answers, demande.status, demande.version, demande.reopened_steps, demande.author_id], sort_keys=True, default=str
    )


class World:
    """What the fuzz tests need, built on first use through the real operations."""

    def __init__(self, app, request):
        self.app = app
        self._request = request
        self._numbers = itertools.count(1)
        self._cache = {}
        self.memo = {}  # per test: strategies built once

    def number(self) -> int:
        return next(self._numbers)

    # --- people ----------------------------------------------------------------------------

    @cached_property
    def teleservices(self):
        self._request.getfixturevalue("teleservices_open")
        return teleservice_by_code("TRAJ")

    @cached_property
    def lycee(self):
        return self._request.getfixturevalue("lycee")

    @cached_property
    def instructeur(self):
        return make_agent("fz.instructeur", AgentRole.INSTRUCTEUR)

    @cached_property
    def admin(self):
        return make_agent("fz.admin", AgentRole.ADMIN)

    def usager(self, active=True, **fields):
        n = self.number()
        return make_account(identifiant=f"fz.usager{n}", email=fields.pop("email", f"fz.usager{n}@exemple.fr"), active=active, **fields)

    def agent(self, role=AgentRole.INSTRUCTEUR):
        return make_agent(f"fz.agent{self.number()}", role)

    def client(self, identifiant: str | None = None, password: str = PASSWORD):
        """A new client (a new session), logged in as ``identifiant`` if given."""
        client = self.app.test_client()
        if identifiant is None:
            return client
        if not self.app.config["WTF_CSRF_ENABLED"]:
            login(client, identifiant, password)
            return client
        data = {"identifiant": identifiant, "password": password, "csrf_token": csrf_token(client)}
        response = client.post("/connexion", data=data)
        assert response.status_code == 303, response.status_code
        return client

    # --- demandes --------------------------------------------------------------------------

    def kept(self, key, build, still_good):
        """An object built once and kept while ``still_good(object)`` (built
        again when a post moved it on, e.g. a demande decided)."""
        current = self._cache.get(key)
        if current is not None:
            db.session.expire_all()
            current = db.session.get(type(current), current.id)
        if current is None or not still_good(current):
            current = build()
            self._cache[key] = current
        return current

    def demande_in(self, status: str, **kwargs) -> Demande:
        self.teleservices
        return self._request.getfixturevalue("demande_in")(status, **kwargs)

    def demande_kept_in(self, status: str) -> Demande:
        return self.kept(("demande", status), lambda: self.demande_in(status), lambda d: d.status == status)

    def draft_at(self, page: str) -> Demande:
        """A new draft of the teacher whose steps before ``page`` are answered
        (all of them, with the required documents, for the récapitulatif)."""
        teleservice, lycee = self.teleservices, self.lycee
        ctx = OperationContext(actor=lycee.teacher)
        demande = drafts.start_demande(ctx, teleservice, lycee.structure)
        answers = valid_steps(demande.definition, lycee.teacher.email, other_beneficiary=page == DETAILS)
        for step in STEP_SLUGS[: STEP_SLUGS.index(step_of(page)) + (1 if page == DETAILS else 0)]:
            drafts.save_step(ctx, demande, step, answers[step], demande.version)
        if page == PAGES[-1]:
            for document in demande.definition.documents:
                if document.required:
                    drafts.add_document(ctx, demande, document.code, upload(f"{document.code}.pdf"))
        return demande

    def demande(self, demande_id: int) -> Demande:
        db.session.expire_all()
        return db.session.get(Demande, demande_id)

    def latest_demande(self) -> Demande:
        return db.session.scalar(select(Demande).order_by(Demande.id.desc()))

    # --- after each example ----------------------------------------------------------------

    def check_demandes(self, states: dict[int, str]) -> None:
        """Each demande touched is well-formed; when the post changed it, its
        pages still open (every wizard page, the récapitulatif and the suivi
        page for its author; the back-office page for an agent once transmitted)."""
        for demande_id, before in states.items():
            demande = self.demande(demande_id)
            assert demande is not None
            assert_well_formed(demande)
            if demande_state(demande) == before:
                continue
            author = demande.author.identifiant if demande.author is not None else None
            if author is not None:
                client = self.client(author)
                for url in [*(f"/demandes/{demande_id}/etapes/{page}" for page in PAGES), f"/demandes/{demande_id}"]:
                    response = client.get(url)
                    assert response.status_code < 500, (url, response.status_code)
            if demande.status not in (DemandeStatus.BROUILLON, DemandeStatus.DEPOSEE):
                response = self.client(self.instructeur.identifiant).get(f"/instruction/demandes/{demande_id}")
                assert response.status_code < 500, response.status_code


@pytest.fixture
def world(app, request) -> World:
    return World(app, request)
