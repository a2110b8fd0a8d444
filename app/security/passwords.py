"""Password hashing (argon2id, memory-hard) and the CNIL password policy."""

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_LENGTH = 12
SPECIAL_CHARACTERS = set(string.punctuation) | {" ", "€", "£", "§", "°", "µ"}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
