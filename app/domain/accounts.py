"""Account operations: registration, activation, login, recovery, profile.
The council's agents are accounts too (``app.domain.agents``)."""

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.domain import invitations
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.passwords import hash_password, needs_rehash, verify_against_nothing, verify_password
from app.domain.tokens import TokenPurpose, TokenState, fingerprint, make_token, read_token
from app.domain.values import duration_text
from app.extensions import db
from app.models import Account, AccountStatus
from app.models.accounts import new_session_nonce
from app.models.types import utcnow

IDENTIFIANT_TAKEN = "Cet identifiant est déjà utilisé : choisissez-en un autre."

def find_by_identifiant(identifiant: str) -> Account | None:
    key = identifiant.strip().casefold()
    return db.session.scalar(select(Account).where(Account.identifiant_key == key))


def account_by_id(account_id) -> Account | None:
    return db.session.get(Account, account_id) if isinstance(account_id, int) else None


def account_of_session(session_id: str) -> Account | None:
    """The account a login session names (« 42:nonce »), while its nonce is
    current: changing the password or disabling the account ends every
    session made before."""
    account_id, _, nonce = session_id.partition(":")
    account = db.session.get(Account, int(account_id)) if account_id.isdigit() and len(account_id) < 12 else None
    return account if account is not None and account.session_nonce == nonce else None


def identifiant_is_taken(identifiant: str) -> bool:
    return find_by_identifiant(identifiant) is not None


# --- Registration and activation -------------------------------------------------


def new_account(*, identifiant: str, password: str, status: AccountStatus, **fields) -> Account:
    """A new account in the session (an usager registering, an agent being
    created), its identifiant checked free — also against a registration
    racing this one (the unique index)."""
    if identifiant_is_taken(identifiant):
        raise DomainError(IDENTIFIANT_TAKEN, field="identifiant")
    account = Account(
        identifiant=identifiant,
        identifiant_key=identifiant.casefold(),
        password_hash=hash_password(password),
        status=status,
        activated_at=utcnow() if status == AccountStatus.ACTIVE else None,
        **fields,
    )
    db.session.add(account)
    try:
        db.session.flush()
    except IntegrityError:  # the same identifiant registered concurrently
        raise DomainError(IDENTIFIANT_TAKEN, field="identifiant") from None
    return account


def _activation_fingerprint(account: Account) -> str:
    return fingerprint(account.id, account.status)


def _queue_activation_mail(account: Account) -> None:
    token = make_token(
        TokenPurpose.ACTIVATION, {"a": account.id, "fp": _activation_fingerprint(account)}
    )
    queue_mail(
        account.email,
        "Activez votre compte sur le Portail des aides",
        "activation",
        account=account,
        link=external_url("auth.activate", token=token),
        validity=duration_text(current_app.config["ACTIVATION_MAX_AGE"]),
    )


@operation
def register_account(
    ctx: OperationContext,
    *,
    identifiant: str,
    password: str,
    civilite: str,
    nom: str,
    prenom: str,
    email: str,
    invitation=None,
) -> Account:
    """Create a pending account and send its activation email. Created from
    an invitation link, the account joins that structure once activated."""
    account = new_account(
        identifiant=identifiant, password=password, civilite=civilite, nom=nom, prenom=prenom, email=email, status=AccountStatus.PENDING
    )
    record_event(ctx, "account.registered", account)
    if invitation is not None:
        invitations.reserve_for_registration(invitation, account)
    _queue_activation_mail(account)
    return account


@operation
def create_active_account(ctx: OperationContext, *, identifiant: str, password: str, civilite: str, nom: str, prenom: str, email: str) -> Account:
    """An usager account active at once, without an activation email: the
    portal's demo data. People always register through the activation email."""
    account = new_account(
        identifiant=identifiant, password=password, civilite=civilite, nom=nom, prenom=prenom, email=email, status=AccountStatus.ACTIVE
    )
    record_event(ctx, "account.registered", account)
    return account


class LinkOutcome(enum.StrEnum):
    """What following an emailed link gave: ``VALID`` (the link is good and,
    for a change it makes, the change is made), or why it was not."""

    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    account: Account | None = None


def _account_from_token(purpose: TokenPurpose, token: str) -> tuple[TokenState, Account | None, dict]:
    reading = read_token(purpose, token)
    payload = reading.payload or {}
    account = db.session.get(Account, payload.get("a")) if isinstance(payload.get("a"), int) else None
    return reading.state, account, payload


@operation
def activate_account(ctx: OperationContext, token: str) -> LinkResult:
    """Activate the account an activation link names (once, within 72 h)."""
    state, account, payload = _account_from_token(TokenPurpose.ACTIVATION, token)
    if state is TokenState.INVALID or (state is TokenState.VALID and account is None):
        return LinkResult(LinkOutcome.INVALID)
    if account is not None and account.status != AccountStatus.PENDING:
        return LinkResult(LinkOutcome.USED, account)
    if state is TokenState.EXPIRED:
        return LinkResult(LinkOutcome.EXPIRED, account)
    if payload.get("fp") != _activation_fingerprint(account):
        return LinkResult(LinkOutcome.INVALID)
    account.status = AccountStatus.ACTIVE
    account.activated_at = utcnow()
    record_event(ctx, "account.activated", account)
    invitations.attach_after_activation(ctx, account)
    return LinkResult(LinkOutcome.VALID, account)


@operation
def resend_activation(ctx: OperationContext, account: Account) -> bool:
    """Send a fresh activation link to a still-pending account."""
    if account.status != AccountStatus.PENDING:
        return False
    _queue_activation_mail(account)
    record_event(ctx, "account.activation_resent", account)
    return True


def pending_account_from_expired_link(token: str) -> Account | None:
    """The pending account an expired (but genuine) activation link was for."""
    state, account, _ = _account_from_token(TokenPurpose.ACTIVATION, token)
    if state is TokenState.EXPIRED and account is not None and account.status == AccountStatus.PENDING:
        return account
    return None


@operation
def purge_pending_accounts(ctx: OperationContext, older_than_days: int) -> int:
    """Delete accounts never activated within ``older_than_days``, freeing
    their identifiant. Returns how many were deleted. Their audit events stay
    (the actor becomes NULL through the foreign key)."""
    limit = utcnow() - timedelta(days=older_than_days)
    stale = select(Account.id).where(
        Account.status == AccountStatus.PENDING, Account.created_at < limit
    )
    ids = list(db.session.scalars(stale))
    if not ids:
        return 0
    db.session.execute(delete(Account).where(Account.id.in_(ids)))
    return len(ids)


# --- Login ---------------------------------------------------------------------


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid"  # unknown identifiant or wrong password: never told apart
    PENDING = "pending"  # right password, account not activated yet
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    account: Account | None = None


@operation
def authenticate(ctx: OperationContext, identifiant: str, password: str) -> LoginResult:
    """Check credentials; on success record the login (and upgrade the hash)."""
    account = find_by_identifiant(identifiant)
    if account is None:
        verify_against_nothing(password)
        return LoginResult(LoginOutcome.INVALID)
    if not verify_password(account.password_hash, password):
        return LoginResult(LoginOutcome.INVALID)
    if account.status == AccountStatus.PENDING:
        return LoginResult(LoginOutcome.PENDING, account)
    if account.status == AccountStatus.DISABLED:
        return LoginResult(LoginOutcome.DISABLED, account)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    record_event(ctx.as_actor(account), "account.logged_in", account)
    return LoginResult(LoginOutcome.OK, account)


# --- Recovery --------------------------------------------------------------------


def _reset_fingerprint(account: Account) -> str:
    return fingerprint(account.id, account.password_hash)


def password_reset_link(account: Account) -> str:
    """The link that lets ``account`` choose a new password: single use (it
    carries a fingerprint of the current password hash), valid
    ``PASSWORD_RESET_MAX_AGE``; also sent to a new agent to choose its first one."""
    token = make_token(TokenPurpose.PASSWORD_RESET, {"a": account.id, "fp": _reset_fingerprint(account)})
    return external_url("auth.reset_password", token=token)


@operation
def request_recovery(ctx: OperationContext, email: str) -> int:
    """Email the identifiant(s) and a password-reset link for every account
    with this address. Returns how many accounts matched — for tests and logs
    only: the page shown to the user must not depend on it."""
    accounts = list(
        db.session.scalars(
            select(Account)
            .where(func.lower(Account.email) == email.casefold(), Account.status != AccountStatus.DISABLED)
            .order_by(Account.identifiant)
        )
    )
    if not accounts:
        return 0
    entries = [{"account": account, "link": password_reset_link(account)} for account in accounts]
    queue_mail(
        accounts[0].email,
        "Vos informations de connexion au Portail des aides",
        "recovery",
        entries=entries,
        validity=duration_text(current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )
    for account in accounts:
        record_event(ctx, "account.recovery_requested", account)
    return len(accounts)


def check_reset_link(token: str) -> LinkResult:
    """Tell whether a password-reset link can still be used (no change made)."""
    state, account, payload = _account_from_token(TokenPurpose.PASSWORD_RESET, token)
    if state is TokenState.INVALID or account is None:
        return LinkResult(LinkOutcome.INVALID)
    if state is TokenState.EXPIRED:
        return LinkResult(LinkOutcome.EXPIRED, account)
    if payload.get("fp") != _reset_fingerprint(account):
        return LinkResult(LinkOutcome.USED, account)
    return LinkResult(LinkOutcome.VALID, account)


@operation
def reset_password(ctx: OperationContext, token: str, new_password: str) -> LinkResult:
    """Set a new password through a reset link (1 hour, single use). Also
    activates a pending account: the link proves the address is theirs."""
    result = check_reset_link(token)
    if result.outcome is not LinkOutcome.VALID:
        return result
    account = result.account
    account.password_hash = hash_password(new_password)
    account.session_nonce = new_session_nonce()
    if account.status == AccountStatus.PENDING:
        account.status = AccountStatus.ACTIVE
        account.activated_at = utcnow()
    record_event(ctx, "account.password_reset", account)
    return result


# --- Mon compte --------------------------------------------------------------------


@operation
def update_profile(ctx: OperationContext, account: Account, *, civilite: str, nom: str, prenom: str) -> None:
    changed = {
        name: value
        for name, value in {"civilite": civilite, "nom": nom, "prenom": prenom}.items()
        if getattr(account, name) != value
    }
    for name, value in changed.items():
        setattr(account, name, value)
    if changed:
        record_event(ctx, "account.profile_updated", account, fields=sorted(changed))


def _email_change_fingerprint(account: Account) -> str:
    return fingerprint(account.id, account.email)


@operation
def request_email_change(ctx: OperationContext, account: Account, new_email: str) -> None:
    """Send a confirmation link to the new address; the old one is told too.
    The address only changes once the link is followed."""
    token = make_token(
        TokenPurpose.EMAIL_CHANGE,
        {"a": account.id, "e": new_email, "fp": _email_change_fingerprint(account)},
    )
    queue_mail(
        new_email,
        "Confirmez votre nouvelle adresse électronique",
        "email_change_confirm",
        account=account,
        link=external_url("espace.confirm_email", token=token),
        validity=duration_text(current_app.config["EMAIL_CHANGE_MAX_AGE"]),
    )
    queue_mail(
        account.email,
        "Changement d'adresse électronique demandé",
        "email_change_notice",
        account=account,
        new_email=new_email,
    )
    record_event(ctx, "account.email_change_requested", account)


@operation
def confirm_email_change(ctx: OperationContext, account: Account, token: str) -> LinkOutcome:
    """Apply an email change from its link; only the account it was made for may use it."""
    state, token_account, payload = _account_from_token(TokenPurpose.EMAIL_CHANGE, token)
    if state is TokenState.INVALID or token_account is None or token_account.id != account.id:
        return LinkOutcome.INVALID
    if state is TokenState.EXPIRED:
        return LinkOutcome.EXPIRED
    if payload.get("fp") != _email_change_fingerprint(account) or not payload.get("e"):
        return LinkOutcome.USED
    old_email = account.email
    account.email = payload["e"]
    record_event(ctx, "account.email_changed", account, old=old_email, new=account.email)
    return LinkOutcome.VALID


@operation
def change_password(ctx: OperationContext, account: Account, current_password: str, new_password: str) -> None:
    """Change the password after checking the current one; other sessions end."""
    if not verify_password(account.password_hash, current_password):
        raise DomainError("Le mot de passe actuel est incorrect.", field="current_password")
    account.password_hash = hash_password(new_password)
    account.session_nonce = new_session_nonce()
    record_event(ctx, "account.password_changed", account)
