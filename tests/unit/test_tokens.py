"""Signed tokens: expiry (time travel), tampering, wrong purpose, wrong key."""

import time_machine

from app.domain.tokens import TokenPurpose, TokenState, fingerprint, make_token, read_token


def test_round_trip(bare_app):
    token = make_token(TokenPurpose.ACTIVATION, {"a": 1, "fp": "x"})
    reading = read_token(TokenPurpose.ACTIVATION, token)
    assert reading.state is TokenState.VALID and reading.payload == {"a": 1, "fp": "x"}


def test_expires_after_max_age_with_payload_kept(bare_app):
    with time_machine.travel("2026-01-01 12:00:00+00:00", tick=False) as traveller:
        token = make_token(TokenPurpose.ACTIVATION, {"a": 1})
        traveller.shift(72 * 3600 - 60)
        assert read_token(TokenPurpose.ACTIVATION, token).state is TokenState.VALID
        traveller.shift(120)
        reading = read_token(TokenPurpose.ACTIVATION, token)
    assert reading.state is TokenState.EXPIRED
    assert reading.payload == {"a": 1}


def test_password_reset_lasts_one_hour(bare_app):
    with time_machine.travel("2026-01-01 12:00:00+00:00", tick=False) as traveller:
        token = make_token(TokenPurpose.PASSWORD_RESET, {"a": 1})
        traveller.shift(3601)
        assert read_token(TokenPurpose.PASSWORD_RESET, token).state is TokenState.EXPIRED


def test_tampered_token_is_invalid(bare_app):
    token = make_token(TokenPurpose.ACTIVATION, {"a": 1})
    payload, _, rest = token.partition(".")
    forged = make_token(TokenPurpose.ACTIVATION, {"a": 2}).partition(".")[0] + "." + rest
    assert read_token(TokenPurpose.ACTIVATION, forged).state is TokenState.INVALID
    assert read_token(TokenPurpose.ACTIVATION, token[:-2]).state is TokenState.INVALID
    assert read_token(TokenPurpose.ACTIVATION, "n'importe quoi").state is TokenState.INVALID


def test_a_token_of_one_purpose_is_refused_for_another(bare_app):
    token = make_token(TokenPurpose.ACTIVATION, {"a": 1})
    assert read_token(TokenPurpose.PASSWORD_RESET, token).state is TokenState.INVALID
    assert read_token(TokenPurpose.EMAIL_CHANGE, token).state is TokenState.INVALID


def test_a_token_signed_with_another_key_is_refused(make_bare_app):
    other = make_bare_app(SECRET_KEY="another-key")
    with other.app_context():
        token = make_token(TokenPurpose.ACTIVATION, {"a": 1})
    with make_bare_app().app_context():
        assert read_token(TokenPurpose.ACTIVATION, token).state is TokenState.INVALID


def test_fingerprint_changes_with_state():
    assert fingerprint(1, "pending") != fingerprint(1, "active")
    assert fingerprint(1, "pending") == fingerprint(1, "pending")
