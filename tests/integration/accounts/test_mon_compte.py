"""« Mon compte »: civilité, nom, prénom; email confirmed by link; password."""

import html

from sqlalchemy import select

from app.extensions import db
from app.models import Account, AuditEvent
from tests.support.accounts import PASSWORD, login, make_account
from tests.support.mail import link_in, outbox
from tests.support.web import error_messages

NEW_PASSWORD = "Nouveau-Secret-2027?"


def _account():
    account = db.session.scalar(select(Account).where(Account.identifiant == "jdupont"))
    db.session.refresh(account)
    return account


def test_mon_compte_shows_the_account(client, mode):
    make_account()
    login(client)
    body = html.unescape(mode.assert_page(mode.get(client, "/compte")))
    for text in ["Mon compte", "jdupont", "Madame", "Dupont", "Jeanne", "jeanne.dupont@exemple.fr", "Modifier"]:
        assert text in body


def test_edit_profile(client, mode):
    make_account()
    login(client)
    mode.assert_redirect(mode.post(client, "/compte/informations", {"civilite": "monsieur", "nom": "Le Bihan", "prenom": "Jean-Éric"}), "/compte")
    account = _account()
    assert (account.civilite, account.nom, account.prenom) == ("monsieur", "Le Bihan", "Jean-Éric")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "account.profile_updated"))


def test_edit_profile_errors_keep_input(client, mode):
    make_account()
    login(client)
    body = mode.assert_invalid(mode.post(client, "/compte/informations", {"civilite": "madame", "nom": "", "prenom": "Zoé"}))
    assert "Saisissez votre nom" in error_messages(body)
    assert 'value="Zoé"' in body
    assert _account().nom == "Dupont"


def test_email_change_is_confirmed_by_a_link_sent_to_the_new_address(client, mode):
    make_account()
    login(client)
    response = mode.post(client, "/compte/adresse-electronique", {"email": "nouvelle@exemple.fr", "email_confirmation": "nouvelle@exemple.fr"})
    mode.assert_redirect(response, "/compte")
    assert _account().email == "jeanne.dupont@exemple.fr"  # not before confirmation
    (notice,) = [m for m in outbox("jeanne.dupont@exemple.fr") if "Changement" in m.subject]
    assert "nouvelle@exemple.fr" in notice.body_text
    path = link_in(outbox("nouvelle@exemple.fr")[0].body_text, "/confirmer/").removeprefix("http://localhost")
    mode.assert_redirect(mode.get(client, path), "/compte")
    assert _account().email == "nouvelle@exemple.fr"
    assert client.get(path).status_code == 410  # used


def test_email_change_link_only_works_for_its_account(make_app):
    app = make_app()
    owner, other = app.test_client(), app.test_client()
    with app.app_context():
        make_account()
        make_account(identifiant="autre", email="autre@exemple.fr")
        login(owner)
        owner.post("/compte/adresse-electronique", data={"email": "n@exemple.fr", "email_confirmation": "n@exemple.fr"})
        path = link_in(outbox("n@exemple.fr")[0].body_text, "/confirmer/").removeprefix("http://localhost")
        login(other, identifiant="autre")
        response = other.get(path)
        assert response.status_code == 410
        assert "pas valide" in html.unescape(response.get_data(as_text=True))
        assert _account().email == "jeanne.dupont@exemple.fr"


def test_email_change_needs_matching_confirmation(client, mode):
    make_account()
    login(client)
    body = mode.assert_invalid(mode.post(client, "/compte/adresse-electronique", {"email": "a@exemple.fr", "email_confirmation": "b@exemple.fr"}))
    assert "Les deux adresses électroniques ne sont pas identiques" in error_messages(body)


def test_change_password_asks_the_current_one(client, mode):
    make_account()
    login(client)
    body = mode.assert_invalid(mode.post(client, "/compte/mot-de-passe", {"current_password": "faux", "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}))
    assert "Le mot de passe actuel est incorrect." in error_messages(body)
    body = mode.assert_invalid(mode.post(client, "/compte/mot-de-passe", {"current_password": PASSWORD, "password": "faible", "password_confirmation": "faible"}))
    assert any("au moins 12 caractères" in m for m in error_messages(body))
    response = mode.post(client, "/compte/mot-de-passe", {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    mode.assert_redirect(response, "/compte")
    assert client.get("/compte").status_code == 200  # this session goes on


def test_change_password_ends_other_sessions(make_app):
    app = make_app()
    first, second = app.test_client(), app.test_client()
    with app.app_context():
        make_account()
        login(first)
        login(second)
    first.post("/compte/mot-de-passe", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert first.get("/compte").status_code == 200
    assert second.get("/compte").status_code == 302
