"""Account operations: registration, activation, login, recovery, profile.
The council's agents are accounts too (``app.domain.agents``).

Identifiants have two namespaces. The council's agents are named in the
agents' form, with a dot (« prénom.nom », « instructeur.region »,
« admin.region »); people registering through « Créer un compte » may not
take that form (``is_agents_form``), whatever exists: so « Cet identifiant
est déjà utilisé » never confirms an agent's identifiant, and trying
« instructeur.region » tells nothing about it. Accounts created before this
rule keep their identifiant (nothing is renamed); the portal's own data
(``create_active_account``, the demo) is not a registration.

Throttles (``app.domain.throttles``) slow what an attacker repeats: wrong
passwords per (client address, identifiant), accounts created per address
and per email, recovery emails per address typed, activation emails per
account.
"""

import enum
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.domain import invitations, throttles
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.passwords import hash_password, needs_rehash, verify_against_nothing, verify_password
from app.domain.tokens import TokenPurpose, TokenState, fingerprint, make_token, read_token
from app.domain.values import duration_text
from app.extensions import db
from app.models import Account, AccountStatus, AuditEvent
from app.models.accounts import new_session_nonce
from app.models.types import utcnow

IDENTIFIANT_TAKEN = "Cet identifiant est déjà utilisé : choisissez-en un autre."
AGENTS_MARK = "."
RESERVED_FOR_AGENTS = (
    "L'identifiant ne peut pas contenir de point (.) : cette forme est réservée aux agents de la Région. "
    "Choisissez un identifiant sans point, par exemple jdupont ou jeanne-dupont"
)


class TooManyAttempts(DomainError):
    """A throttle refused the operation; ``wait`` says for how long."""

    def __init__(self, message: str, wait: throttles.Wait, field: str | None = None):
        super().__init__(message, field=field)
        self.wait = wait


def is_agents_form(identifiant: str) -> bool:
    """Whether ``identifiant`` has the agents' form (« prénom.nom »), which
    « Créer un compte » refuses."""
    return AGENTS_MARK in (identifiant or "")


def registration_identifiant_error(identifiant: str) -> str | None:
    """Why « Créer un compte » refuses ``identifiant`` (agents' form first:
    that answer never depends on which accounts exist), or None."""
    if not identifiant:
        return None
    if is_agents_form(identifiant):
        return RESERVED_FOR_AGENTS
    return IDENTIFIANT_TAKEN if identifiant_is_taken(identifiant) else None


def find_by_identifiant(identifiant: str) -> Account | None:
    key = identifiant.strip().casefold()
    if "\x00" in key or len(key) > 50:  # no account has one (PostgreSQL refuses NUL in text)
        return None
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
    """Create a pending account and send its activation email (« Créer un
    compte »). Created from an invitation link, the account joins that
    structure once activated. Refused when too many accounts were created
    lately from the client's address or with this email (each activation
    email goes to an address nobody has proved yet). The identifiant's form
    — not the agents' — is checked with the form's fields, like its
    characters (``registration_identifiant_error``, run by the page): the
    test suite's factories register dotted identifiants through here."""
    account = new_account(
        identifiant=identifiant, password=password, civilite=civilite, nom=nom, prenom=prenom, email=email, status=AccountStatus.PENDING
    )
    _throttle_registration(ctx, email)
    record_event(ctx, "account.registered", account)
    if invitation is not None:
        invitations.reserve_for_registration(invitation, account)
    _queue_activation_mail(account)
    return account


def _throttle_registration(ctx: OperationContext, email: str) -> None:
    wait = throttles.REGISTRATION_PER_ADDRESS.attempt(ctx.ip)
    if wait:
        raise TooManyAttempts(
            f"Trop de comptes ont été créés depuis votre connexion : réessayez dans {wait.text}.", wait
        )
    wait = throttles.REGISTRATION_PER_EMAIL.attempt(email)
    if wait:
        raise TooManyAttempts(
            "Trop de comptes ont été créés avec cette adresse électronique ces derniers temps : "
            f"réessayez dans {wait.text}. Si vous avez déjà un compte, récupérez plutôt vos informations de connexion.",
            wait,
            field="email",
        )


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
    """Send a fresh activation link to a still-pending account; refused
    (``TooManyAttempts``) after ``ACTIVATION_RESEND_RATE_LIMIT_PER_ACCOUNT``."""
    if account.status != AccountStatus.PENDING:
        return False
    wait = throttles.ACTIVATION_RESEND.attempt(account.id)
    if wait:
        raise TooManyAttempts(
            "Plusieurs courriels d'activation vous ont déjà été envoyés : consultez votre messagerie "
            f"(pensez aux courriers indésirables). Vous pourrez en demander un nouveau dans {wait.text}.",
            wait,
        )
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
    THROTTLED = "throttled"  # too many attempts for this identifiant from this address: not checked


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    account: Account | None = None
    wait: throttles.Wait | None = None


@operation
def authenticate(ctx: OperationContext, identifiant: str, password: str) -> LoginResult:
    """Check credentials; on success record the login (and upgrade the hash).

    Each attempt is counted for (client address, identifiant) before the
    password is checked, atomically; past the configured tiers the password
    is not checked at all (``THROTTLED``, with how long to wait), for that
    pair only: the owner logging in from another address is not stopped,
    and a right password clears the pair's count."""
    wait = throttles.LOGIN.attempt(ctx.ip, identifiant)
    if wait:
        return LoginResult(LoginOutcome.THROTTLED, wait=wait)
    account = find_by_identifiant(identifiant)
    if account is None:
        verify_against_nothing(password)
        return LoginResult(LoginOutcome.INVALID)
    if not verify_password(account.password_hash, password):
        return LoginResult(LoginOutcome.INVALID)
    throttles.LOGIN.clear(ctx.ip, identifiant)
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


RECOVERY_SUBJECT = "Vos informations de connexion au Portail des aides"


@operation
def request_recovery(ctx: OperationContext, email: str) -> int:
    """Email the identifiant(s) and a password-reset link for every account
    with this address. Returns how many accounts matched — for tests and logs
    only: the page shown to the user must not depend on it.

    The same work is done whatever the address, so that the response time
    does not tell whether an account uses it: for an unknown address a
    decoy link is signed and the same email rendered (and dropped), and one
    row is written as for a known one (the audit event
    « account.recovery_unknown_address », without the address). Refused
    (``TooManyAttempts``, same answer for any address) after
    ``RECOVERY_RATE_LIMIT_PER_EMAIL`` requests for the address."""
    wait = throttles.RECOVERY_PER_EMAIL.attempt(email)
    if wait:
        raise TooManyAttempts(
            "Plusieurs demandes ont déjà été faites pour cette adresse électronique : si un compte l'utilise, "
            "les courriels sont dans sa messagerie (pensez aux courriers indésirables). "
            f"Vous pourrez faire une nouvelle demande dans {wait.text}.",
            wait,
            field="email",
        )
    found = list(
        db.session.scalars(
            select(Account)
            .where(func.lower(Account.email) == email.casefold(), Account.status != AccountStatus.DISABLED)
            .order_by(Account.identifiant)
        )
    )
    validity = duration_text(current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not found:
        _decoy_recovery(ctx, email, validity)
        return 0
    entries = [{"account": account, "link": password_reset_link(account)} for account in found]
    queue_mail(found[0].email, RECOVERY_SUBJECT, "recovery", entries=entries, validity=validity)
    for account in found:
        record_event(ctx, "account.recovery_requested", account)
    return len(found)


def _decoy_recovery(ctx: OperationContext, email: str, validity: str) -> None:
    """What ``request_recovery`` does for a known address, for nobody: a
    reset link signed, the email rendered (never stored nor sent), one row."""
    decoy = SimpleNamespace(identifiant=email.partition("@")[0][:50] or "compte", id=0)
    token = make_token(TokenPurpose.PASSWORD_RESET, {"a": 0, "fp": fingerprint(0, email)})
    context = {
        "entries": [{"account": decoy, "link": external_url("auth.reset_password", token=token)}],
        "validity": validity,
        "subject": RECOVERY_SUBJECT,
        "portail_name": current_app.config["PORTAIL_NAME"],
        "region_name": current_app.config["REGION_NAME"],
    }
    render_template("email/recovery.txt", **context)
    render_template("email/recovery.html", **context)
    db.session.add(AuditEvent(actor_id=ctx.actor_id, action="account.recovery_unknown_address", object_type="account", ip=ctx.ip, details={}))


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
