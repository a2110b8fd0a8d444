"""What slows an attacker without locking out the owner (issue 12): the
agents' identifiant namespace, the common-password check, the limits on
account creation, activation emails and recovery, and a recovery that does
the same work for any address."""

import html
import statistics
import time

from sqlalchemy import func, select

from app.domain import accounts
from app.domain.passwords import COMMON_PASSWORD
from app.extensions import db
from app.models import Account, AgentRole, AuditEvent
from tests.support.accounts import PASSWORD, make_account, make_agent, registration
from tests.support.mail import outbox
from tests.support.web import error_messages


def test_registration_refuses_the_agents_form_whether_or_not_an_agent_has_it(client, mode):
    make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    answers = []
    for identifiant in ("instructeur.region", "personne.inconnue"):
        body = html.unescape(mode.assert_invalid(mode.post(client, "/creer-un-compte", registration(identifiant=identifiant))))
        answers.append(error_messages(body))
    # the same answer for an agent's identifiant and for one nobody has: nothing is confirmed
    assert answers[0] == answers[1]
    assert any(accounts.RESERVED_FOR_AGENTS in message for message in answers[0])
    assert "déjà utilisé" not in " ".join(answers[0])
    assert db.session.scalar(select(func.count()).select_from(Account).where(Account.agent_role.is_(None))) == 0


def test_a_common_password_is_refused_next_to_its_field(client, mode):
    data = registration(password="Azerty123456!", password_confirmation="Azerty123456!")
    body = html.unescape(mode.assert_invalid(mode.post(client, "/creer-un-compte", data)))
    assert COMMON_PASSWORD in error_messages(body)
    assert 'value="jeanne.dupont@exemple.fr"' in body  # what was typed is kept (but the password)


def test_account_creation_is_limited_per_email(make_app, mode):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT_PER_EMAIL="1 per day")
    client = app.test_client()
    mode.assert_redirect(mode.post(client, "/creer-un-compte", registration()), "/creer-un-compte/courriel-envoye")
    again = registration(identifiant="jdupont2")
    body = html.unescape(mode.assert_invalid(mode.post(client, "/creer-un-compte", again)))
    assert "Trop de comptes ont été créés avec cette adresse électronique" in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Account)) == 1
        assert len(outbox("jeanne.dupont@exemple.fr")) == 1
    # another address, from the same client, is not held up
    other = registration(identifiant="mmartin", email="m.martin@exemple.fr", email_confirmation="m.martin@exemple.fr")
    mode.assert_redirect(mode.post(client, "/creer-un-compte", other), "/creer-un-compte/courriel-envoye")


def test_account_creation_is_limited_per_address(make_app, mode):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT_PER_IP="1 per hour")
    client = app.test_client()
    mode.assert_redirect(mode.post(client, "/creer-un-compte", registration()), "/creer-un-compte/courriel-envoye")
    other = registration(identifiant="mmartin", email="m.martin@exemple.fr", email_confirmation="m.martin@exemple.fr")
    body = html.unescape(mode.assert_invalid(mode.post(client, "/creer-un-compte", other)))
    assert "Trop de comptes ont été créés depuis votre connexion : réessayez dans 60 minutes" in body
    # from another address, the same registration goes through
    elsewhere = app.test_client()
    response = elsewhere.post("/creer-un-compte", data=other, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 303


def test_activation_emails_are_limited_per_account(make_app):
    app = make_app(RATELIMIT_ENABLED=True, ACTIVATION_RESEND_RATE_LIMIT_PER_ACCOUNT="1 per hour")
    client = app.test_client()
    with app.app_context():
        make_account(active=False)
    assert client.post("/connexion", data={"identifiant": "jdupont", "password": PASSWORD}).status_code == 422
    assert client.post("/activation/renvoyer").status_code == 303
    client.post("/connexion", data={"identifiant": "jdupont", "password": PASSWORD})
    refused = client.post("/activation/renvoyer")
    assert refused.status_code == 429
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    body = html.unescape(refused.get_data(as_text=True))
    assert "Plusieurs courriels d'activation vous ont déjà été envoyés" in body
    assert "Vous pourrez en demander un nouveau dans 60 minutes" in body
    with app.app_context():
        assert len(outbox("jeanne.dupont@exemple.fr")) == 2  # registration + one resend


def test_recovery_for_an_unknown_address_answers_and_works_as_for_a_known_one(client, mode):
    make_account()
    before = len(outbox("jeanne.dupont@exemple.fr"))  # the activation email
    for email in ("jeanne.dupont@exemple.fr", "inconnue@exemple.fr"):
        mode.assert_redirect(mode.post(client, "/recuperer-mes-informations", {"email": email}), "/recuperer-mes-informations/courriel-envoye")
    assert len(outbox("jeanne.dupont@exemple.fr")) == before + 1
    assert outbox("inconnue@exemple.fr") == []
    unknown = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.recovery_unknown_address")).all()
    assert len(unknown) == 1
    assert "inconnue" not in str(unknown[0].details)  # the address typed is not kept


def test_recovery_takes_as_long_for_an_unknown_address(client):
    """Timing tells nothing (issue 12): over interleaved requests, the median
    time for an unknown address is close to that for a known one (a loose
    bound: the machine is shared)."""
    make_account()
    times = {"jeanne.dupont@exemple.fr": [], "inconnue@exemple.fr": []}
    for _ in range(25):
        for email, measured in times.items():
            started = time.perf_counter()
            assert client.post("/recuperer-mes-informations", data={"email": email}).status_code == 303
            measured.append(time.perf_counter() - started)
    known, unknown = (statistics.median(measured) for measured in times.values())
    # Within a factor 5/3 either way: without the decoy work an unknown address answered in half the time.
    assert 0.6 < unknown / known < 1 / 0.6, (known, unknown)
