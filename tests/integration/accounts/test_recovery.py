"""« Récupérer mes informations de connexion » and the reset link."""

import html

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Account
from tests.support.accounts import login, make_account
from tests.support.mail import link_in, outbox
from tests.support.web import error_messages

NEW_PASSWORD = "Nouveau-Secret-2027?"


def _reset_path(email):
    return link_in(outbox(email, "informations de connexion")[-1].body_text, "/nouveau-mot-de-passe/").removeprefix("http://localhost")


def test_known_address_gets_every_identifiant_and_a_link_each(client, mode):
    make_account(identifiant="compte.un", email="partage@exemple.fr")
    make_account(identifiant="compte.deux", email="partage@exemple.fr")
    response = mode.post(client, "/recuperer-mes-informations", {"email": "Partage@Exemple.fr"})
    mode.assert_redirect(response, "/recuperer-mes-informations/courriel-envoye")
    (mail,) = outbox("partage@exemple.fr", "informations de connexion")
    assert "compte.un" in mail.body_text and "compte.deux" in mail.body_text
    assert mail.body_text.count("/nouveau-mot-de-passe/") == 2
    assert "60 minutes" in mail.body_text


def test_unknown_address_gets_the_same_answer_and_no_mail(client, mode):
    make_account()
    response = mode.post(client, "/recuperer-mes-informations", {"email": "inconnu@exemple.fr"})
    mode.assert_redirect(response, "/recuperer-mes-informations/courriel-envoye")
    assert outbox(subject="informations de connexion") == []
    page = html.unescape(client.get("/recuperer-mes-informations/courriel-envoye").get_data(as_text=True))
    assert "Si un compte du portail utilise l'adresse" in page


def test_invalid_address(client, mode):
    body = mode.assert_invalid(mode.post(client, "/recuperer-mes-informations", {"email": "pas une adresse"}))
    assert any("adresse électronique valide" in m for m in error_messages(body))


def test_reset_applies_the_policy_then_works_once(client, mode):
    make_account()
    client.post("/recuperer-mes-informations", data={"email": "jeanne.dupont@exemple.fr"})
    path = _reset_path("jeanne.dupont@exemple.fr")
    assert "jdupont" in mode.assert_page(mode.get(client, path))

    body = mode.assert_invalid(mode.post(client, path, {"password": "jdupont-Long-2026", "password_confirmation": "jdupont-Long-2026"}))
    assert "Le mot de passe ne doit pas contenir votre identifiant" in html.unescape(body)
    body = mode.assert_invalid(mode.post(client, path, {"password": NEW_PASSWORD, "password_confirmation": "autre"}))
    assert "Les deux mots de passe ne sont pas identiques" in body

    mode.assert_redirect(mode.post(client, path, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}), "/connexion")
    login(client, password=NEW_PASSWORD)
    client.post("/deconnexion")
    again = html.unescape(mode.assert_page(mode.get(client, path), status=410))
    assert "Ce lien a déjà été utilisé" in again


def test_reset_link_expires_after_one_hour(client):
    with time_machine.travel("2026-05-01 08:00:00+00:00", tick=False) as traveller:
        make_account()
        client.post("/recuperer-mes-informations", data={"email": "jeanne.dupont@exemple.fr"})
        path = _reset_path("jeanne.dupont@exemple.fr")
        traveller.shift(3601)
        response = client.post(path, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert response.status_code == 410
    assert "Ce lien a expiré" in html.unescape(response.get_data(as_text=True))
    login(client)  # the old password still works


def test_tampered_reset_link(client):
    response = client.get("/nouveau-mot-de-passe/abc.def.ghi")
    assert response.status_code == 410
    assert "Ce lien n'est pas valide" in html.unescape(response.get_data(as_text=True))


def test_reset_ends_other_sessions(make_app):
    app = make_app()
    first, second = app.test_client(), app.test_client()
    with app.app_context():
        make_account()
        login(first)
        second.post("/recuperer-mes-informations", data={"email": "jeanne.dupont@exemple.fr"})
        path = _reset_path("jeanne.dupont@exemple.fr")
    second.post(path, data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert first.get("/espace").status_code == 302


def test_recovery_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RECOVERY_RATE_LIMIT_PER_EMAIL="2 per hour")
    client = app.test_client()
    for _ in range(2):
        assert client.post("/recuperer-mes-informations", data={"email": "x@exemple.fr"}).status_code == 303
    response = client.post("/recuperer-mes-informations", data={"email": "X@exemple.fr "})
    # The form again, the reason next to the field (the same for any address).
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert "Plusieurs demandes ont déjà été faites pour cette adresse électronique" in body
    assert "Vous pourrez faire une nouvelle demande dans 60 minutes" in body
    # another address from the same client is not held up by this limit
    assert client.post("/recuperer-mes-informations", data={"email": "y@exemple.fr"}).status_code == 303


def test_reset_activates_a_pending_account(client):
    make_account(active=False)
    client.post("/recuperer-mes-informations", data={"email": "jeanne.dupont@exemple.fr"})
    client.post(_reset_path("jeanne.dupont@exemple.fr"), data={"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert db.session.scalar(select(Account.status)) == "active"
