"""The CNIL password policy and the hashing."""

import pytest

from app.security.passwords import hash_password, password_policy_errors, verify_password


@pytest.mark.parametrize(
    "password",
    ["Motdepasse-2026!", "Àbcdefghijk1$", "correct Horse 9 battery", "ZZZZzzzz1234%%"],
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
