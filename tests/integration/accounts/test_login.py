"""Connexion: per espace, generic error, safe ``next``, new session, logout,
agents, rate limits."""

import html

import pytest

from app.models import AgentRole
from tests.support.accounts import PASSWORD, login, make_account, make_agent


def test_login_page_as_in_the_guide(client, mode):
    body = html.unescape(mode.assert_page(mode.get(client, "/connexion/lycees-publics")))
    for text in [
        "Espace Lycées publics",
        "Connectez-vous à votre espace personnel.",
        "Je dépose et je suis mes demandes d'aides en ligne",
        "Identifiant",
        "Mot de passe",
        "Se connecter",
        "Récupérer mes informations de connexion",
        "Créer un compte",
    ]:
        assert text in body


def test_login_leads_to_the_espace_personnel(client, mode):
    make_account()
    response = mode.post(client, "/connexion/associations", {"identifiant": "JDUPONT", "password": PASSWORD})
    mode.assert_redirect(response, "/espace")
    body = html.unescape(client.get("/espace").get_data(as_text=True))
    assert "Votre espace personnel : un accès rapide à votre structure, vos demandes d'aide par thématique, vos fils de discussion" in body
    assert "Mes services" in body and "Mes demandes d'aide" in body
    assert "Déposer une demande d'aide" in body and "Suivre mes demandes d'aide" in body
    assert 'href="/demandes/teleservices"' in body and 'href="/demandes"' in body


@pytest.mark.parametrize(("identifiant", "password"), [("jdupont", "Mauvais-2026!"), ("inconnu", PASSWORD)])
def test_one_generic_message_for_unknown_identifiant_and_wrong_password(client, mode, identifiant, password):
    make_account()
    body = html.unescape(mode.assert_invalid(mode.post(client, "/connexion", {"identifiant": identifiant, "password": password})))
    assert "Identifiant ou mot de passe incorrect" in body
    assert 'value="' + identifiant + '"' in body  # the identifiant typed is kept


def test_empty_fields(client, mode):
    body = mode.assert_invalid(mode.post(client, "/connexion", {}))
    assert "Saisissez votre identifiant" in body and "Saisissez votre mot de passe" in body


def test_disabled_account_cannot_log_in(client):
    from app.extensions import db
    from app.models import AccountStatus

    account = make_account()
    account.status = AccountStatus.DISABLED
    db.session.commit()
    response = client.post("/connexion", data={"identifiant": "jdupont", "password": PASSWORD})
    assert response.status_code == 422
    assert "Identifiant ou mot de passe incorrect" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/compte", "/compte"),
        ("https://evil.example/", "/espace"),
        ("//evil.example/", "/espace"),
        ("/\\evil.example", "/espace"),
        ("javascript:alert(1)", "/espace"),
    ],
)
def test_next_only_redirects_on_this_site(client, next_url, expected):
    make_account()
    response = client.post("/connexion", query_string={"next": next_url}, data={"identifiant": "jdupont", "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/compte")
    assert response.status_code == 302 and response.headers["Location"] == "/connexion?next=%2Fcompte"


def test_session_is_renewed_at_login(client):
    make_account()
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    login(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "_user_id" in sess


def test_logout_needs_post_and_ends_the_session(client, mode):
    make_account()
    login(client)
    mode.assert_redirect(mode.post(client, "/deconnexion"), "/")
    assert client.get("/espace").status_code == 302


def test_agents_land_on_instruction_and_usagers_cannot(client):
    make_agent(role=AgentRole.ADMIN)
    response = client.post("/connexion", data={"identifiant": "agent.region", "password": PASSWORD})
    assert response.headers["Location"] == "/instruction/"
    assert "Instruction" in client.get("/instruction/").get_data(as_text=True)
    assert client.get("/espace").status_code == 403


def test_usager_gets_a_french_403_on_the_back_office(client, mode):
    make_account()
    login(client)
    body = html.unescape(mode.assert_page(mode.get(client, "/instruction/"), status=403))
    assert "Accès refusé" in body


def test_wrong_passwords_throttle_the_address_and_identifiant_pair(make_app, mode):
    """The old rule locked the identifiant for everyone; now the pair (client
    address, identifiant) waits, told for how long, and its password is not
    even checked."""
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_THROTTLE_PER_ADDRESS_AND_IDENTIFIANT="3 per 10 minutes")
    client = app.test_client()
    with app.app_context():
        make_account()
    for _ in range(3):
        assert mode.post(client, "/connexion", {"identifiant": "jdupont", "password": "faux"}).status_code == 422
    blocked = mode.post(client, "/connexion", {"identifiant": "JDupont", "password": PASSWORD})
    body = html.unescape(mode.assert_page(blocked, status=429))
    assert "Trop de tentatives : réessayez dans 10 minutes" in body
    assert 590 <= int(blocked.headers["Retry-After"]) <= 600
    # another identifiant from the same address is not blocked by this throttle
    assert client.post("/connexion", data={"identifiant": "autre", "password": "x"}).status_code == 422
    # the owner, from another address, logs in with the right password
    owner = app.test_client()
    response = owner.post("/connexion", data={"identifiant": "jdupont", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert response.status_code == 303


def test_rate_limit_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT_PER_IP="4 per 10 minutes")
    client = app.test_client()
    for number in range(4):
        assert client.post("/connexion", data={"identifiant": f"user{number}", "password": "x"}).status_code == 422
    assert client.post("/connexion", data={"identifiant": "user9", "password": "x"}).status_code == 429
    # reading the login page stays possible
    assert client.get("/connexion").status_code == 200


def test_successful_logins_do_not_count_towards_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_THROTTLE_PER_ADDRESS_AND_IDENTIFIANT="2 per 10 minutes")
    client = app.test_client()
    with app.app_context():
        make_account()
    for _ in range(4):
        login(client)
        client.post("/deconnexion")  # login() asserted each success
