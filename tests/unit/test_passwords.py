"""The CNIL password policy and the hashing."""

import pytest

from app import create_app
from app.config import DefaultConfig
from app.domain.passwords import hash_password, password_policy_errors, verify_password


@pytest.mark.parametrize(
    "password",
    ["Motdepasse-2026!", "Élan-Horizon-73$", "correct Horse 9 battery", "ZZZZzzzz1234%%"],
)
def test_accepted_passwords(password):
    assert password_policy_errors(password, "jdupont") == []


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Court-1!", "au moins 12 caractères"),
        ("motdepasse-2026!", "une lettre majuscule"),
        ("MOTDEPASSE-2026!", "une lettre minuscule"),
        ("Motdepasse-deux!", "un chiffre"),
        ("Motdepasse20260", "un caractère spécial"),
    ],
)
def test_each_missing_rule_is_named(password, missing):
    errors = password_policy_errors(password)
    assert len(errors) == 1
    assert missing in errors[0]


def test_all_missing_rules_in_one_sentence():
    (error,) = password_policy_errors("abc")
    assert error.startswith("Le mot de passe doit contenir au moins 12 caractères")
    assert "une lettre majuscule" in error and "un chiffre" in error and " et un caractère spécial" in error


def test_password_must_not_contain_identifiant_whatever_the_case():
    errors = password_policy_errors("XXjdupontXX-2026", "JDupont")
    assert errors == ["Le mot de passe ne doit pas contenir votre identifiant"]


def test_hash_is_argon2_and_verifies():
    hashed = hash_password("Motdepasse-2026!")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Motdepasse-2026!")
    assert not verify_password(hashed, "motdepasse-2026!")
    assert not verify_password("not-a-hash", "Motdepasse-2026!")


def test_production_hashes_with_argon2_cffi_default_profile(make_bare_app):
    """The suite hashes with the cheapest parameters; the portal's default stays RFC 9106's."""
    application = make_bare_app(PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY")
    with application.app_context():
        assert hash_password("Motdepasse-2026!").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert create_app.__module__ == "app"
    assert DefaultConfig.PASSWORD_HASH_PROFILE == "RFC_9106_LOW_MEMORY"


@pytest.mark.parametrize(("profile", "message"), [("CHEAPEST", "réservé aux tests"), ("FAST", "profil argon2 inconnu")])
def test_unsafe_or_unknown_profile_refused_outside_tests(profile, message):
    with pytest.raises(RuntimeError, match=message):
        create_app({"SECRET_KEY": "x" * 64, "PASSWORD_HASH_PROFILE": profile})
