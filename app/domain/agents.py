"""The council's agents (instructeurs and administrateurs): created, given
a role, disabled and re-enabled.

An agent created from the administration has a password nobody knows: it
receives an email with a link to choose its own (the password-reset link,
valid ``PASSWORD_RESET_MAX_AGE``), so the admin never sees it; the first
agent of a portal is created from the command line with a password. A
disabled agent cannot log in and its open sessions end; everything it did
and the demandes assigned to it stay. There is always at least one active
admin, and an admin never disables or demotes itself.
"""

import secrets

from flask import current_app
from sqlalchemy import func, select

from app.domain.accounts import new_account, password_reset_link
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.values import duration_text
from app.extensions import db
from app.models import Account, AccountStatus, AgentRole, Demande
from app.models.accounts import new_session_nonce
from app.models.types import utcnow

LAST_ADMIN = "C'est le dernier administrateur actif : nommez d'abord un autre administrateur."


def agents(active_only: bool = False) -> list[Account]:
    """The council's agents, active ones first, by name."""
    query = select(Account).where(Account.agent_role.is_not(None))
    if active_only:
        query = query.where(Account.status == AccountStatus.ACTIVE)
    order = (Account.status != AccountStatus.ACTIVE, func.lower(Account.nom), func.lower(Account.prenom), Account.id)
    return list(db.session.scalars(query.order_by(*order)))


def agent_by_id(agent_id: int) -> Account | None:
    agent = db.session.get(Account, agent_id)
    return agent if agent is not None and agent.is_agent else None


def assigned_count(agent: Account) -> int:
    """Every demande assigned to ``agent``, whatever its status."""
    return db.session.scalar(select(func.count(Demande.id)).where(Demande.assigned_agent_id == agent.id))


def _active_admin_ids() -> list[int]:
    """The active admins, locked (PostgreSQL) until the transaction ends, so
    two admins removing each other at the same time cannot leave none."""
    query = (
        select(Account.id)
        .where(Account.agent_role == AgentRole.ADMIN, Account.status == AccountStatus.ACTIVE)
        .with_for_update()
    )
    return list(db.session.scalars(query))


def _refuse_if_self(ctx: OperationContext, agent: Account, message: str) -> None:
    if ctx.actor_id == agent.id:
        raise DomainError(message)


def _refuse_if_last_admin(agent: Account, field: str | None = None) -> None:
    if agent.agent_role == AgentRole.ADMIN and agent.status == AccountStatus.ACTIVE and _active_admin_ids() == [agent.id]:
        raise DomainError(LAST_ADMIN, field=field)


def _queue_password_link(agent: Account, welcome: bool) -> None:
    queue_mail(
        agent.email,
        "Votre compte d'agent sur le Portail des aides" if welcome else "Choisissez votre mot de passe sur le Portail des aides",
        "agent_password_link",
        account=agent,
        welcome=welcome,
        role_label=AgentRole(agent.agent_role).label,
        link=password_reset_link(agent),
        recovery_link=external_url("auth.recover"),
        validity=duration_text(current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )


@operation
def create_agent(
    ctx: OperationContext,
    *,
    identifiant: str,
    email: str,
    role: AgentRole,
    nom: str,
    prenom: str,
    civilite: str = "madame",
    password: str | None = None,
) -> Account:
    """Create an active agent. Without ``password`` (the administration),
    nobody knows its password and the agent is emailed the link to choose
    one — the account, its audit event and the email in one transaction;
    with one (the command line, the demo), it logs in with it."""
    agent = new_account(
        identifiant=identifiant,
        password=password or secrets.token_urlsafe(32),  # never shown, never sent
        status=AccountStatus.ACTIVE,
        civilite=civilite,
        nom=nom,
        prenom=prenom,
        email=email,
        agent_role=AgentRole(role),
    )
    record_event(ctx, "agent.created", agent, role=str(AgentRole(role)))
    if password is None:
        _queue_password_link(agent, welcome=True)
    return agent


@operation
def send_password_link(ctx: OperationContext, agent: Account) -> None:
    """Email an agent a new link to choose its password (the previous link
    keeps working until one of them is used or expires)."""
    if agent.status == AccountStatus.DISABLED:
        raise DomainError("Ce compte est désactivé : réactivez-le avant d'envoyer un lien.")
    _queue_password_link(agent, welcome=False)
    record_event(ctx, "agent.password_link_sent", agent)


@operation
def change_role(ctx: OperationContext, agent: Account, role: AgentRole) -> bool:
    """Make an agent an instructeur or an admin; False when it already was."""
    role = AgentRole(role)
    if agent.agent_role == role:
        return False
    _refuse_if_self(ctx, agent, "Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.")
    if role != AgentRole.ADMIN:
        _refuse_if_last_admin(agent, "role")
    old = agent.agent_role
    agent.agent_role = role
    record_event(ctx, "agent.role_changed", agent, old=str(old), new=str(role))
    return True


@operation
def disable_agent(ctx: OperationContext, agent: Account) -> None:
    """Disable an agent: it can no longer log in and its open sessions end
    at their next request. Its history and its demandes stay."""
    if agent.status == AccountStatus.DISABLED:
        raise DomainError("Ce compte est déjà désactivé.")
    _refuse_if_self(ctx, agent, "Vous ne pouvez pas désactiver votre propre compte.")
    _refuse_if_last_admin(agent)
    agent.status = AccountStatus.DISABLED
    agent.session_nonce = new_session_nonce()
    record_event(ctx, "agent.disabled", agent)


@operation
def enable_agent(ctx: OperationContext, agent: Account) -> None:
    if agent.status != AccountStatus.DISABLED:
        raise DomainError("Ce compte n'est pas désactivé.")
    agent.status = AccountStatus.ACTIVE
    if agent.activated_at is None:
        agent.activated_at = utcnow()
    record_event(ctx, "agent.enabled", agent)
