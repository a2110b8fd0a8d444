"""Password hashing (argon2id, memory-hard) and the CNIL password policy.

The argon2 parameters are a named profile of argon2-cffi
(``PASSWORD_HASH_PROFILE``): ``RFC_9106_LOW_MEMORY`` (argon2-cffi's default,
the one production uses) unless the configuration says otherwise. The test
suite uses ``CHEAPEST`` (well under a millisecond a hash instead of about a
third of a second); the application refuses it outside testing
(``app.config.check_password_profile``)."""

import functools
import string

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"
TESTING_ONLY_PROFILES = ("CHEAPEST",)
MIN_LENGTH = 12
SPECIAL_CHARACTERS = set(string.punctuation) | {" ", "€", "£", "§", "°", "µ"}


@functools.cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE) if has_app_context() else DEFAULT_PROFILE
    return _hasher_for(profile)


def is_known_profile(profile: str) -> bool:
    return isinstance(getattr(profiles, str(profile), None), profiles.Parameters)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash_for(profile_hasher: PasswordHasher) -> str:
    return profile_hasher.hash("not-a-real-password-only-for-timing")


def verify_against_nothing(password: str) -> None:
    """Spend the time a real verification takes, for an identifiant that does
    not exist, so that the response time does not tell whether it exists."""
    hasher = _hasher()
    try:
        hasher.verify(_dummy_hash_for(hasher), password)
    except VerificationError:
        pass


def password_policy_errors(password: str, identifiant: str | None = None) -> list[str]:
    """What a password lacks under the CNIL recommendation (délibération
    2022-100): at least 12 characters mixing upper case, lower case, digits
    and special characters; and it must not contain the identifiant.

    Returns French sentences fragments, empty when the password is acceptable.
    """
    missing = []
    if len(password) < MIN_LENGTH:
        missing.append(f"au moins {MIN_LENGTH} caractères")
    if not any(c.isupper() for c in password):
        missing.append("une lettre majuscule")
    if not any(c.islower() for c in password):
        missing.append("une lettre minuscule")
    if not any(c.isdigit() for c in password):
        missing.append("un chiffre")
    if not any(c in SPECIAL_CHARACTERS or not c.isalnum() for c in password):
        missing.append("un caractère spécial (par exemple ! ? - _ @ #)")
    problems = []
    if missing:
        problems.append("Le mot de passe doit contenir " + _join_fr(missing))
    if identifiant and len(identifiant) >= 3 and identifiant.casefold() in password.casefold():
        problems.append("Le mot de passe ne doit pas contenir votre identifiant")
    return problems


def _join_fr(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " et " + parts[-1]
