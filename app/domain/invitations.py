"""Invitations to join a structure: sent, resent, cancelled, accepted.

The link carries the invitation's id and nonce, signed (72 hours). Resending
changes the nonce, so the previous link stops working; accepting or
cancelling changes the status, so the link works once.

An invitation is bound to its addressee, not to whoever holds the link: an
existing account accepts it only when its email (proved by its activation
or its confirmed change) is the invited address. Another account is told
so; it may log in with the invited address's account, or have a
confirmation link sent to the invited address (``send_confirmation``): that
link is the invitation's own, naming the account too, and only that
account may accept with it — whoever reads the invited mailbox agrees to
it. The invitation stays valid meanwhile. Every acceptance is audited with
both addresses.
"""

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from app import policy
from app.domain import throttles
from app.domain.audit import record_event, record_refusal
from app.domain.base import DomainError, OperationContext, lock_row, operation, require
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.tokens import TokenPurpose, TokenState, make_token, read_token
from app.domain.values import duration_text
from app.extensions import db
from app.models import Account, Invitation, InvitationStatus, Membership, MembershipRole, Structure
from app.models.structures import new_nonce
from app.models.types import utcnow


def invitation_token(invitation: Invitation, for_account: Account | None = None) -> str:
    """What the invitation's link carries: its id and nonce, signed; for a
    confirmation sent to the invited address, the account it confirms."""
    payload = {"i": invitation.id, "n": invitation.nonce}
    if for_account is not None:
        payload["a"] = for_account.id
    return make_token(TokenPurpose.INVITATION, payload)


def invitation_link(invitation: Invitation) -> str:
    return external_url("structure.invitation", token=invitation_token(invitation))


def is_expired(invitation: Invitation) -> bool:
    age = (utcnow() - invitation.sent_at).total_seconds()
    return invitation.status == InvitationStatus.SENT and age > current_app.config["INVITATION_MAX_AGE"]


def display_status(invitation: Invitation) -> str:
    """« envoyée », « acceptée », « expirée » or « annulée », as agents see it."""
    if is_expired(invitation):
        return "expirée"
    if invitation.status == InvitationStatus.SENT and invitation.pending_account_id:
        return "compte créé, en attente d'activation"
    return {"envoyee": "envoyée", "acceptee": "acceptée", "annulee": "annulée"}[invitation.status]


def _send(invitation: Invitation) -> None:
    template = "invitation_referent" if invitation.role == MembershipRole.REFERENT else "invitation_membre"
    queue_mail(
        invitation.email,
        f"Invitation à créer votre compte sur le portail des aides de {current_app.config['REGION_NAME']}",
        template,
        invitation=invitation,
        structure=invitation.structure,
        link=invitation_link(invitation),
        validity=duration_text(current_app.config["INVITATION_MAX_AGE"]),
    )


def active_member_with_email(structure: Structure, email: str) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .join(Account, Membership.account_id == Account.id)
        .where(
            Membership.structure_id == structure.id,
            Membership.until.is_(None),
            func.lower(Account.email) == email.casefold(),
        )
    )


@operation
def invite(ctx: OperationContext, structure: Structure, *, email: str, role: MembershipRole, nom=None, prenom=None) -> Invitation:
    """Invite someone to join ``structure`` (an agent its référent — also when
    it creates the structure —, a référent a member): the invitation and its
    email. Refused for an address already a member, or already invited and
    waiting."""
    require(ctx, policy.can_invite(ctx.actor, structure, role), "Vous ne pouvez pas inviter de personne dans cette structure.")
    if active_member_with_email(structure, email):
        raise DomainError(
            f"La personne qui utilise l'adresse {email} est déjà membre de cette structure.", field="email"
        )
    pending = db.session.scalar(
        select(Invitation).where(
            Invitation.structure_id == structure.id,
            func.lower(Invitation.email) == email.casefold(),
            Invitation.status == InvitationStatus.SENT,
        )
    )
    if pending is not None and not is_expired(pending):
        raise DomainError(
            f"Une invitation est déjà en attente pour l'adresse {email} : vous pouvez la renvoyer depuis la liste des invitations.",
            field="email",
        )
    invitation = Invitation(
        structure=structure,
        email=email,
        nom=nom,
        prenom=prenom,
        role=role,
        invited_by_id=ctx.actor_id,
    )
    db.session.add(invitation)
    db.session.flush()
    _send(invitation)
    record_event(ctx, "invitation.sent", invitation, structure=structure, email=email, role=str(role))
    return invitation


@operation
def resend(ctx: OperationContext, invitation: Invitation) -> None:
    """A new link (the old one stops working), valid 72 hours from now."""
    require(ctx, policy.can_manage_invitations(ctx.actor, invitation.structure), "Vous ne pouvez pas renvoyer cette invitation.")
    if invitation.status != InvitationStatus.SENT:
        raise DomainError("Seule une invitation en attente peut être renvoyée.")
    invitation.nonce = new_nonce()
    invitation.sent_at = utcnow()
    invitation.pending_account_id = None
    _send(invitation)
    record_event(ctx, "invitation.resent", invitation, structure=invitation.structure, email=invitation.email)


@operation
def cancel(ctx: OperationContext, invitation: Invitation) -> None:
    require(ctx, policy.can_manage_invitations(ctx.actor, invitation.structure), "Vous ne pouvez pas annuler cette invitation.")
    if invitation.status != InvitationStatus.SENT:
        raise DomainError("Seule une invitation en attente peut être annulée.")
    invitation.status = InvitationStatus.CANCELLED
    invitation.cancelled_at = utcnow()
    record_event(ctx, "invitation.cancelled", invitation, structure=invitation.structure, email=invitation.email)


class LinkState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REPLACED = "replaced"  # resent since: only the newest link works
    CANCELLED = "cancelled"
    USED = "used"
    INVALID = "invalid"


@dataclass(frozen=True)
class InvitationCheck:
    state: LinkState
    invitation: Invitation | None = None
    for_account_id: int | None = None  # a confirmation link: the one account it lets accept

    def addressed_to(self, account: Account) -> bool:
        """Whether ``account`` may accept the invitation at once: its email
        is the invited address, or this is the confirmation link sent to
        that address for this account."""
        if self.invitation is None or account is None or not account.is_authenticated:
            return False
        return self.for_account_id == account.id or (account.email or "").casefold() == self.invitation.email.casefold()


def check_link(token: str) -> InvitationCheck:
    """What an invitation link is worth now (no change made)."""
    reading = read_token(TokenPurpose.INVITATION, token)
    payload = reading.payload or {}
    invitation = db.session.get(Invitation, payload["i"]) if isinstance(payload.get("i"), int) else None
    if reading.state is TokenState.INVALID or invitation is None:
        return InvitationCheck(LinkState.INVALID)
    if invitation.status == InvitationStatus.ACCEPTED or invitation.pending_account_id:
        return InvitationCheck(LinkState.USED, invitation)
    if invitation.status == InvitationStatus.CANCELLED:
        return InvitationCheck(LinkState.CANCELLED, invitation)
    if payload.get("n") != invitation.nonce:
        return InvitationCheck(LinkState.REPLACED, invitation)
    if reading.state is TokenState.EXPIRED or is_expired(invitation):
        return InvitationCheck(LinkState.EXPIRED, invitation)
    for_account_id = payload.get("a") if isinstance(payload.get("a"), int) else None
    return InvitationCheck(LinkState.VALID, invitation, for_account_id)


def _attach(ctx: OperationContext, invitation: Invitation, account: Account, how: str) -> Membership:
    """Make ``account`` a member as invited; ``how`` says what proved it the
    addressee (audited: « adresse », « lien de confirmation », « inscription »)."""
    if db.session.scalar(
        select(Membership).where(
            Membership.structure_id == invitation.structure_id,
            Membership.account_id == account.id,
            Membership.until.is_(None),
        )
    ):
        raise DomainError("Votre compte est déjà rattaché à cette structure.")
    # Through the relationships, so that the structure's members seen in this session include it.
    membership = Membership(account=account, structure=invitation.structure, role=invitation.role)
    db.session.add(membership)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = utcnow()
    invitation.accepted_account_id = account.id
    record_event(
        ctx, "membership.started", membership, structure=invitation.structure,
        account=account.identifiant, role=invitation.role,
        invited_email=invitation.email, account_email=account.email, proved_by=how,
    )
    return membership


class NotTheAddressee(DomainError):
    """An account whose email is not the invited address tried to accept."""


def not_the_addressee_message(invitation: Invitation, account: Account) -> str:
    return (
        f"Cette invitation a été envoyée à l'adresse {invitation.email}, et votre compte {account.identifiant} "
        f"utilise l'adresse {account.email} : il ne peut pas l'accepter directement. Connectez-vous avec le compte "
        f"qui utilise l'adresse {invitation.email}, ou recevez à cette adresse un lien de confirmation pour rattacher "
        "votre compte. L'invitation reste valable."
    )


def _valid(token: str) -> InvitationCheck:
    check = check_link(token)
    if check.state is not LinkState.VALID:
        raise DomainError("Ce lien d'invitation ne peut plus être utilisé.")
    return check


def _still_open(invitation: Invitation) -> None:
    """Lock the invitation's row and read it again: two acceptances at the
    same moment take turns, and the second finds it used (PostgreSQL
    ``SELECT … FOR UPDATE``; SQLite lets one writer at a time anyway)."""
    lock_row(invitation)
    if invitation.status != InvitationStatus.SENT or invitation.pending_account_id:
        raise DomainError("Ce lien d'invitation a déjà été utilisé : l'invitation est acceptée.")


@operation
def accept(ctx: OperationContext, token: str, account: Account) -> Membership:
    """An existing account follows its invitation link and accepts it: only
    the addressee (``InvitationCheck.addressed_to``); anyone else gets
    ``NotTheAddressee`` and the invitation stays valid."""
    check = _valid(token)
    if not check.addressed_to(account):
        record_refusal(
            ctx, "invitation.refused_other_account", Invitation.__tablename__, check.invitation.id, check.invitation.structure_id,
            invited_email=check.invitation.email, account_email=account.email, account=account.identifiant,
        )
        raise NotTheAddressee(not_the_addressee_message(check.invitation, account))
    _still_open(check.invitation)
    how = "lien de confirmation" if check.for_account_id == account.id else "adresse"
    return _attach(ctx, check.invitation, account, how)


@operation
def send_confirmation(ctx: OperationContext, token: str, account: Account) -> Invitation:
    """Email the invited address a link that lets ``account`` (whose email
    differs) accept: whoever reads that mailbox agrees to it. Limited per
    invitation (``INVITATION_CONFIRMATION_RATE_LIMIT``)."""
    check = _valid(token)
    invitation = check.invitation
    wait = throttles.INVITATION_CONFIRMATION.attempt(invitation.id)
    if wait:
        raise DomainError(
            f"Plusieurs liens de confirmation ont déjà été envoyés à l'adresse {invitation.email} : consultez cette "
            f"messagerie (pensez aux courriers indésirables). Vous pourrez en demander un nouveau dans {wait.text}."
        )
    queue_mail(
        invitation.email,
        f"Confirmez le rattachement d'un compte à {invitation.structure.raison_sociale}",
        "invitation_confirmation",
        invitation=invitation,
        structure=invitation.structure,
        account=account,
        link=external_url("structure.invitation", token=invitation_token(invitation, for_account=account)),
        expires_at=invitation.sent_at + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    record_event(
        ctx, "invitation.confirmation_sent", invitation, structure=invitation.structure,
        invited_email=invitation.email, account_email=account.email, account=account.identifiant,
    )
    return invitation


def reserve_for_registration(invitation: Invitation, account: Account) -> None:
    """Registration from an invitation link: the link is now used; the
    account is attached when it is activated (in the caller's transaction)."""
    invitation.pending_account_id = account.id


def attach_after_activation(ctx: OperationContext, account: Account) -> list[Membership]:
    """On activation, attach the account to the structures whose invitation
    it was created from (still valid and not cancelled)."""
    invitations = db.session.scalars(
        select(Invitation).where(
            Invitation.pending_account_id == account.id, Invitation.status == InvitationStatus.SENT
        )
    ).all()
    return [_attach(ctx, invitation, account, "inscription") for invitation in invitations]


def invitation_of(structure_id: int, invitation_id: int) -> Invitation | None:
    """An invitation of that structure by its id (None for another structure's)."""
    invitation = db.session.get(Invitation, invitation_id)
    return invitation if invitation is not None and invitation.structure_id == structure_id else None
