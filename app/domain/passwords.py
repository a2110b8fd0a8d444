"""Password hashing (argon2id, memory-hard), the CNIL password policy and
the common-password check.

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
from zxcvbn import zxcvbn

DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"
TESTING_ONLY_PROFILES = ("CHEAPEST",)
MIN_LENGTH = 12
SPECIAL_CHARACTERS = set(string.punctuation) | {" ", "€", "£", "§", "°", "µ"}

# The common-password check: zxcvbn (pinned in pyproject.toml) estimates how
# many guesses a password takes with the dictionaries it ships (30 000
# passwords of public leaks, English and French words among the Wikipedia
# lists, first names, surnames, keyboard patterns such as azerty, dates,
# sequences, « l33t » substitutions…). A new password needs at least
# 10^MIN_GUESSES_LOG10 guesses (zxcvbn's score 4): « Password123! »
# (10^4.6), « Motdepasse1! » (10^6.5) and « Azerty123456! » (10^8.0) are
# refused, « Motdepasse-2026! » (10^10.5) passes. Only the first
# ZXCVBN_MAX_LENGTH characters are scored (zxcvbn refuses longer input and
# its time grows with the length); what follows can only add guesses.
MIN_GUESSES_LOG10 = 10
ZXCVBN_MAX_LENGTH = 72
COMMON_PASSWORD = (
    "Ce mot de passe est trop courant ou trop facile à deviner (un mot courant suivi de chiffres, "
    "une suite du clavier comme azerty…) : choisissez-en un autre, par exemple plusieurs mots sans lien "
    "entre eux, des chiffres et des caractères spéciaux"
)
# French words and passwords common in France that zxcvbn's English-leaning
# lists rank too far down (or miss), and the portal's own words: scored as
# the most likely guesses, whatever their case or « l33t » spelling.
# (« motdepasse » is in zxcvbn's own password list already, at its rank.)
FRENCH_COMMON_WORDS = (
    "mdp", "azerty", "azertyuiop", "qsdfgh", "wxcvbn", "bonjour", "bonsoir", "salut",
    "coucou", "soleil", "doudou", "loulou", "chouchou", "chouchoue", "nounours", "bisous", "jetaime", "amour",
    "mamour", "cheri", "cherie", "princesse", "chocolat", "vacances", "bienvenue", "liberte", "france",
    "marseille", "paris", "toulouse", "montpellier", "lyon", "nantes", "bordeaux", "lille", "occitanie",
    "bretagne", "normandie", "camille", "nicolas", "julien", "thomas", "maxime", "lucas", "manon", "marie",
    "sophie", "isabelle", "nathalie", "stephanie", "chaton", "chouette", "papillon", "dauphin", "football",
    "olympique", "om", "psg", "allezlom", "prof", "professeur", "lycee", "college", "ecole", "education",
    "region", "laregion", "conseil", "portail", "portaildesaides", "aides", "aide", "subvention", "demande",
    "structure", "association", "compte", "connexion", "identifiant", "utilisateur", "administrateur",
    "admin", "instructeur", "secret", "nouveau", "changeme", "bonjour1", "azerty1",
)


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
    if not problems and is_common_password(password, [identifiant] if identifiant else []):
        problems.append(COMMON_PASSWORD)
    return problems


def is_common_password(password: str, personal: list[str] = ()) -> bool:
    """Whether ``password`` is among the first guesses an attacker tries
    (fewer than 10^MIN_GUESSES_LOG10 by zxcvbn's estimate), counting
    ``personal`` words (the identifiant, the portal's and the region's
    names) and ``FRENCH_COMMON_WORDS`` as the likeliest words. Checked on
    every new password: registration, reset, change, an agent's first one."""
    context = [*FRENCH_COMMON_WORDS, *_portal_words(), *(word for word in personal if word)]
    estimate = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=context)
    return estimate["guesses_log10"] < MIN_GUESSES_LOG10


def _portal_words() -> list[str]:
    """The names of this portal and of its region, word by word (« Portail
    des aides », « Occitanie »): likely in the passwords of its users."""
    if not has_app_context():
        return []
    names = f"{current_app.config.get('PORTAIL_NAME', '')} {current_app.config.get('REGION_NAME', '')}"
    return [word for word in names.replace("-", " ").replace("'", " ").split() if len(word) >= 3]


def _join_fr(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " et " + parts[-1]
