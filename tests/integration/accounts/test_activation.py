"""The activation link: 72 hours, once; expired, used and tampered links;
pending accounts at login; purging accounts never activated."""

import html

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Account, AccountStatus
from tests.support.accounts import PASSWORD, make_account
from tests.support.mail import link_in, outbox


def _activation_path(email="jeanne.dupont@exemple.fr", index=-1):
    mail = outbox(email)[index]
    return link_in(mail.body_text, "/activation/").removeprefix("http://localhost")


def test_the_link_activates_once(client, mode):
    make_account(active=False)
    path = _activation_path()
    body = html.unescape(mode.assert_page(mode.get(client, path)))
    assert "Bienvenue" in body and "Confirmation de création de compte" in body
    assert '<a class="govuk-button" href="/">Écran de connexion</a>' in body  # the seed: « CONNEXION A VOS ESPACES DÉDIÉS »
    account = db.session.scalar(select(Account))
    db.session.refresh(account)
    assert account.status == AccountStatus.ACTIVE and account.activated_at is not None

    again = html.unescape(mode.assert_page(mode.get(client, path), status=410))
    assert "Ce compte est déjà activé" in again


def test_an_expired_link_offers_a_new_one(client, mode):
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as traveller:
        make_account(active=False)
        path = _activation_path()
        traveller.shift(72 * 3600 + 1)
        body = html.unescape(mode.assert_page(mode.get(client, path), status=410))
        assert "Ce lien d'activation a expiré" in body
        response = mode.post(client, path + "/nouveau-lien")
        mode.assert_redirect(response, "/activation/courriel-renvoye")
        assert len(outbox("jeanne.dupont@exemple.fr")) == 2
        new_path = _activation_path()
        assert "Bienvenue" in client.get(new_path).get_data(as_text=True)


def test_a_tampered_link_is_refused(client, mode):
    make_account(active=False)
    path = _activation_path()
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    body = html.unescape(mode.assert_page(mode.get(client, tampered), status=404))
    assert "Ce lien d'activation n'est pas valide" in body
    assert db.session.scalar(select(Account.status)) == AccountStatus.PENDING


def test_a_pending_account_cannot_log_in_and_can_ask_for_a_new_link(client, mode):
    make_account(active=False)
    response = mode.post(client, "/connexion", {"identifiant": "jdupont", "password": PASSWORD})
    body = html.unescape(mode.assert_page(response, status=422))
    assert "Votre compte n'est pas encore activé" in body
    assert client.get("/espace").status_code == 302  # not logged in
    response = mode.post(client, "/activation/renvoyer")
    mode.assert_redirect(response, "/activation/courriel-renvoye")
    assert len(outbox("jeanne.dupont@exemple.fr")) == 2


def test_a_pending_account_with_a_wrong_password_gets_the_generic_message(client, mode):
    make_account(active=False)
    body = html.unescape(mode.assert_invalid(mode.post(client, "/connexion", {"identifiant": "jdupont", "password": "faux"})))
    assert "pas encore activé" not in body
    assert "Identifiant ou mot de passe incorrect" in body


def test_resend_without_a_checked_password_sends_nothing(client):
    make_account(active=False)
    client.post("/activation/renvoyer")
    assert len(outbox("jeanne.dupont@exemple.fr")) == 1


def test_purge_pending_frees_the_identifiant(app):
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as traveller:
        make_account(identifiant="ancien", email="a@exemple.fr", active=False)
        make_account(identifiant="actif", email="b@exemple.fr", active=True)
        traveller.shift(3 * 86400)
        make_account(identifiant="recent", email="c@exemple.fr", active=False)
        traveller.shift(5 * 86400)
        result = app.test_cli_runner().invoke(args=["accounts", "purge-pending"])
    assert "1 compte(s)" in result.output, result.output
    assert sorted(db.session.scalars(select(Account.identifiant))) == ["actif", "recent"]
    make_account(identifiant="ancien", email="d@exemple.fr")
