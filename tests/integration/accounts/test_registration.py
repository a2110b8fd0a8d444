"""« Créer un compte »: the form, each rule, and nothing typed is lost."""

import html

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Account, AccountStatus
from tests.support.accounts import make_account, registration
from tests.support.mail import link_in, outbox
from tests.support.web import error_messages, input_value, page_text


def test_form_as_in_the_guide(client, mode):
    body = html.unescape(mode.assert_page(mode.get(client, "/creer-un-compte")))
    for text in [
        "Vos informations de connexion",
        "Identifiant *",
        "Mot de passe *",
        "Confirmation du mot de passe *",
        "Vos informations personnelles",
        "Civilité *",
        "Madame",
        "Monsieur",
        "Nom *",
        "Prénom *",
        "Adresse électronique *",
        "Confirmation de l'adresse électronique *",
        "Les champs marqués d'un * sont obligatoires.",
    ]:
        assert text in body, text
    assert 'autocomplete="family-name"' in body and 'autocomplete="new-password"' in body
    assert "<legend" in body  # civilité radios in a fieldset


def test_registration_creates_a_pending_account_and_sends_the_activation_mail(client, mode):
    response = mode.post(client, "/creer-un-compte", registration())
    mode.assert_redirect(response, "/creer-un-compte/courriel-envoye")
    account = db.session.scalar(select(Account))
    assert account.identifiant == "jdupont" and account.status == AccountStatus.PENDING
    assert account.password_hash.startswith("$argon2id$")
    (mail,) = outbox("jeanne.dupont@exemple.fr")
    assert "72 heures" in mail.body_text
    assert link_in(mail.body_text, "/activation/")
    page = client.get("/creer-un-compte/courriel-envoye").get_data(as_text=True)
    assert "jeanne.dupont@exemple.fr" in page and "72 heures" in page


CASES = [
    ({"identifiant": ""}, "identifiant", "Saisissez un identifiant"),
    ({"identifiant": "ab"}, "identifiant", "entre 3 et 50 caractères"),
    ({"identifiant": "jean dupont"}, "identifiant", "ne peut contenir que"),
    ({"password": "court", "password_confirmation": "court"}, "password", "au moins 12 caractères"),
    ({"password": "Jdupont-2026!!", "password_confirmation": "Jdupont-2026!!"}, "password", "ne doit pas contenir votre identifiant"),
    ({"password_confirmation": "Autre-Mot-2026!"}, "password_confirmation", "Les deux mots de passe ne sont pas identiques"),
    ({"civilite": ""}, "civilite", "Sélectionnez votre civilité"),
    ({"civilite": "docteur"}, "civilite", ""),
    ({"nom": ""}, "nom", "Saisissez votre nom"),
    ({"nom": "Dupont 2"}, "nom", "ne peut contenir que des lettres"),
    ({"prenom": ""}, "prenom", "Saisissez votre prénom"),
    ({"email": "", "email_confirmation": ""}, "email", "Saisissez votre adresse électronique"),
    ({"email": "jeanne@", "email_confirmation": "jeanne@"}, "email", "Saisissez une adresse électronique valide"),
    ({"email_confirmation": "autre@exemple.fr"}, "email_confirmation", "Les deux adresses électroniques ne sont pas identiques"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), CASES)
def test_each_rule_shows_its_message_and_keeps_what_was_typed(client, mode, overrides, field, message):
    data = registration(**overrides)
    body = mode.assert_invalid(mode.post(client, "/creer-un-compte", data))
    assert any(message in m for m in error_messages(body)), error_messages(body)
    assert f'href="#{field}' in body  # the error summary links to the field
    assert 'aria-invalid="true"' in body or field == "civilite"
    for name in ["identifiant", "nom", "prenom", "email", "email_confirmation"]:
        assert input_value(body, name) == data[name].strip(), name
    assert db.session.scalar(select(Account)) is None
    assert outbox() == []


def test_every_error_at_once(client, mode):
    body = mode.assert_invalid(mode.post(client, "/creer-un-compte", {}))
    assert len(error_messages(body)) == 8  # every field of the form


def test_duplicate_identifiant_differing_only_in_case(client, mode):
    make_account(identifiant="JDupont")
    body = mode.assert_invalid(mode.post(client, "/creer-un-compte", registration(identifiant="jdupont")))
    assert "Cet identifiant est déjà utilisé : choisissez-en un autre." in error_messages(body)


def test_script_in_names_comes_back_escaped(client, mode):
    body = mode.assert_invalid(
        mode.post(client, "/creer-un-compte", registration(nom="<script>alert(1)</script>", prenom="<b>x"))
    )
    assert "<script>alert(1)" not in body and "<b>x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_unicode_names_are_stored_as_typed(client):
    client.post("/creer-un-compte", data=registration(nom="N'Diaye-Le  Bihan", prenom="Éloïse Ōtsuka"))
    account = db.session.scalar(select(Account))
    assert (account.nom, account.prenom) == ("N'Diaye-Le Bihan", "Éloïse Ōtsuka")


def test_missing_csrf_token_is_refused_in_french(make_app, mode):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = mode.post(app.test_client(), "/creer-un-compte", registration())
    body = mode.assert_page(response, status=400)
    assert "Le formulaire a expiré ou n'a pas pu être vérifié" in html.unescape(body)
    with app.app_context():
        assert db.session.scalar(select(Account)) is None


def test_csrf_token_from_the_page_is_accepted_also_as_htmx_header(make_app):
    import re

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/creer-un-compte").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/creer-un-compte", data=registration(), headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.headers.get("HX-Redirect") == "/creer-un-compte/courriel-envoye"


def test_a_body_over_the_size_limit_is_refused_in_french(make_app, mode):
    client = make_app(MAX_CONTENT_LENGTH=10_000).test_client()
    response = mode.post(client, "/creer-un-compte", registration(nom="A" * 20_000))
    body = mode.assert_page(response, status=413)
    assert "Envoi trop volumineux" in body


def test_a_taken_identifiant_comes_with_the_forms_other_errors(client, mode):
    """Every error in one round: the identifiant already used is not kept for later."""
    make_account(identifiant="jdupont")
    body = mode.assert_invalid(mode.post(client, "/creer-un-compte", registration(nom="", email_confirmation="autre@exemple.fr")))
    messages = error_messages(body)
    assert "Cet identifiant est déjà utilisé : choisissez-en un autre." in messages
    assert "Saisissez votre nom" in messages and "Les deux adresses électroniques ne sont pas identiques" in messages
    assert messages.index("Cet identifiant est déjà utilisé : choisissez-en un autre.") < messages.index("Saisissez votre nom")


def test_the_email_confirmation_ignores_case(client, mode):
    response = mode.post(client, "/creer-un-compte", registration(email="Jeanne.Dupont@Exemple.fr", email_confirmation="jeanne.dupont@exemple.fr"))
    mode.assert_redirect(response, "/creer-un-compte/courriel-envoye")


def test_pages_give_the_configured_validity_of_links(make_app):
    app = make_app(ACTIVATION_MAX_AGE=48 * 3600, INVITATION_MAX_AGE=24 * 3600)
    with app.app_context():
        client = app.test_client()
        register = page_text(client.get("/creer-un-compte").get_data(as_text=True))
        assert "valable 48 heures" in register and "72 heures" not in register
        assert "Le lien est valable 48 heures" in page_text(client.get("/assistance").get_data(as_text=True))
