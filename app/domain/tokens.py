"""Signed, expiring, single-use tokens for links sent by email.

Each purpose has its own salt, so a token made for one purpose is refused for
another, and its own maximum age (from the configuration). Tokens are made
single-use by carrying a fingerprint of the state they change (for example
the account's status or password hash): once the change is made the
fingerprint no longer matches and the token is "used".
"""

import enum
import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenPurpose(enum.StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password-reset"
    EMAIL_CHANGE = "email-change"
    INVITATION = "invitation"


# Config key holding each purpose's maximum age in seconds.
_MAX_AGE_KEYS = {
    TokenPurpose.ACTIVATION: "ACTIVATION_MAX_AGE",
    TokenPurpose.PASSWORD_RESET: "PASSWORD_RESET_MAX_AGE",
    TokenPurpose.EMAIL_CHANGE: "EMAIL_CHANGE_MAX_AGE",
    TokenPurpose.INVITATION: "INVITATION_MAX_AGE",
}


class TokenState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered, truncated, or made for another purpose


@dataclass(frozen=True)
class TokenReading:
    state: TokenState
    payload: dict | None = None  # also given for an expired token (its signature is good)


def _serializer(purpose: TokenPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portail.{purpose.value}")


def make_token(purpose: TokenPurpose, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: TokenPurpose, token: str) -> TokenReading:
    max_age = current_app.config[_MAX_AGE_KEYS[purpose]]
    serializer = _serializer(purpose)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        try:
            payload = serializer.load_payload(exc.payload) if exc.payload else None
        except BadSignature:
            payload = None
        return TokenReading(TokenState.EXPIRED, payload if isinstance(payload, dict) else None)
    except BadSignature:
        return TokenReading(TokenState.INVALID)
    if not isinstance(payload, dict):
        return TokenReading(TokenState.INVALID)
    return TokenReading(TokenState.VALID, payload)


def fingerprint(*parts: object) -> str:
    """A short digest of the state a token may change (never the state itself)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:24]
