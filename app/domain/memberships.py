"""Who belongs to which structure: the running memberships of an account,
and the référent's changes — detaching an account that left, handing the
référent role to a member. (Joining is accepting an invitation:
``app.domain.invitations``.)"""

from sqlalchemy import func, select

from app import policy
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, lock_row, operation, require
from app.domain.outbox import queue_mail
from app.extensions import db
from app.models import Membership, MembershipRole, Structure
from app.models.types import utcnow


def active_memberships(account) -> list[Membership]:
    """The structures ``account`` belongs to now, by name."""
    query = (
        select(Membership)
        .join(Structure)
        .where(Membership.account_id == account.id, Membership.until.is_(None))
        .order_by(Structure.raison_sociale)
    )
    return list(db.session.scalars(query))


def active_member(structure: Structure, membership_id: int) -> Membership | None:
    """A running membership of ``structure`` by its id (None for another structure's)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.structure_id != structure.id or not membership.is_active:
        return None
    return membership


def _referents_now(structure: Structure) -> int:
    """How many référents the structure has, counted after locking its row:
    two référents detaching each other at the same moment take turns (the
    second waits for the first to commit, then counts again), so « the last
    référent stays » holds (PostgreSQL ``SELECT … FOR UPDATE``; SQLite lets
    one writer at a time anyway)."""
    lock_row(structure)
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.structure_id == structure.id, Membership.role == MembershipRole.REFERENT, Membership.until.is_(None)
        )
    )


@operation
def detach(ctx: OperationContext, membership: Membership) -> None:
    """End a membership at once. The account remains; the demandes it wrote
    stay with the structure; the person is told by email."""
    structure = membership.structure
    require(ctx, policy.can_manage_members(ctx.actor, structure), "Seul un référent de la structure peut détacher un compte.")
    if not membership.is_active:
        raise DomainError("Ce compte est déjà détaché de la structure.")
    if membership.role == MembershipRole.REFERENT and _referents_now(structure) <= 1:
        raise DomainError(
            "Le dernier référent de la structure ne peut pas être détaché : confiez d'abord le rôle de référent à un autre membre."
        )
    membership.until = utcnow()
    membership.ended_by_id = ctx.actor_id
    account = membership.account
    queue_mail(
        account.email,
        f"Votre compte n'est plus rattaché à {structure.raison_sociale}",
        "membership_ended",
        account=account,
        structure=structure,
    )
    record_event(ctx, "membership.ended", membership, structure=structure, account=account.identifiant)


@operation
def hand_over_referent(ctx: OperationContext, from_membership: Membership, to_membership: Membership) -> None:
    """The référent gives its role to a member and becomes a member."""
    require(
        ctx, policy.can_manage_members(ctx.actor, from_membership.structure) and ctx.actor_id == from_membership.account_id,
        "Seul le référent lui-même peut confier son rôle.",
    )
    if from_membership.structure_id != to_membership.structure_id or not to_membership.is_active:
        raise DomainError("Ce membre ne fait pas partie de la structure.")
    if to_membership.role == MembershipRole.REFERENT:
        raise DomainError("Cette personne est déjà référente de la structure.")
    to_membership.role = MembershipRole.REFERENT
    from_membership.role = MembershipRole.MEMBRE
    record_event(
        ctx, "membership.referent_handed_over", to_membership, structure=to_membership.structure,
        account=to_membership.account.identifiant, previous=from_membership.account.identifiant,
    )
