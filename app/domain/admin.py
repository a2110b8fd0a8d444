"""Administration (agents with role admin): the council's agents, the
téléservices' dates and texts, and the figures of the dashboard.

Agents are created without a password anyone knows: the new agent receives
an email with a link to choose its own (the password-reset link of
``app.domain.accounts``, valid ``PASSWORD_RESET_MAX_AGE``), so the admin
never sees it. A disabled agent cannot log in and its open sessions end;
everything it did and the demandes assigned to it stay. There is always at
least one active admin, and an admin never disables or demotes itself.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain import accounts
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.outbox import queue_mail
from app.extensions import db
from app.instruction_list import LISTED_STATUSES, unchanged_for_more_than
from app.models import Account, AccountStatus, AgentRole, Demande, DemandeStatus, Teleservice, TeleserviceVersion
from app.models.accounts import new_session_nonce
from app.models.types import utcnow
from app.security.tokens import TokenPurpose, make_token
from app.teleservices.loader import ADMINISTERED_FIELDS, save_new_version
from app.urls import external_url

# --- Agents ------------------------------------------------------------------------


def agents() -> list[Account]:
    """Every agent account, by name."""
    return list(
        db.session.scalars(
            select(Account).where(Account.agent_role.is_not(None)).order_by(func.lower(Account.nom), func.lower(Account.prenom), Account.id)
        )
    )


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


def _refuse_if_last_admin(agent: Account, message: str, field: str | None = None) -> None:
    if agent.agent_role == AgentRole.ADMIN and agent.status == AccountStatus.ACTIVE and _active_admin_ids() == [agent.id]:
        raise DomainError(message, field=field)


def _queue_password_link(agent: Account, welcome: bool) -> None:
    # The password-reset link: the fingerprint of the current password hash
    # makes it single-use, and following it sets the password.
    token = make_token(TokenPurpose.PASSWORD_RESET, {"a": agent.id, "fp": accounts._reset_fingerprint(agent)})
    queue_mail(
        agent.email,
        "Votre compte d'agent sur le Portail des aides" if welcome else "Choisissez votre mot de passe sur le Portail des aides",
        "agent_password_link",
        account=agent,
        welcome=welcome,
        role_label=AgentRole(agent.agent_role).label,
        link=external_url("auth.reset_password", token=token),
        recovery_link=external_url("auth.recover"),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


@operation
def create_agent(
    ctx: OperationContext, *, identifiant: str, civilite: str, nom: str, prenom: str, email: str, role: AgentRole
) -> Account:
    """Create an active agent whose password nobody knows, and email it the
    link to choose one. One transaction: the account, its audit event and
    the email."""
    # The same creation as the command line's, inside this transaction
    # (``__wrapped__`` is the operation without its own commit).
    agent = accounts.create_agent.__wrapped__(
        ctx,
        identifiant=identifiant,
        email=email,
        role=AgentRole(role),
        password=secrets.token_urlsafe(32),  # never shown, never sent
        nom=nom,
        prenom=prenom,
        civilite=civilite,
    )
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
        _refuse_if_last_admin(
            agent, "C'est le dernier administrateur actif : nommez d'abord un autre administrateur.", "role"
        )
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
    _refuse_if_last_admin(agent, "C'est le dernier administrateur actif : nommez d'abord un autre administrateur.")
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


# --- Téléservices --------------------------------------------------------------------


def teleservices() -> list[Teleservice]:
    """Every téléservice with its versions (for the current one), by code."""
    query = select(Teleservice).options(selectinload(Teleservice.versions)).order_by(Teleservice.code)
    return list(db.session.scalars(query))


def teleservice_state(teleservice: Teleservice, today: date) -> str:
    """« ouvert », « a_venir » or « clos » on ``today``."""
    definition = teleservice.current_version.definition
    if today < definition.ouverture:
        return "a_venir"
    if today > definition.cloture:
        return "clos"
    return "ouvert"


# How each key of a definition reads in the versions' history.
DEFINITION_LABELS = {
    "ouverture": "date d'ouverture",
    "cloture": "date de clôture",
    "description": "description",
    "preambule": "préambule",
    "titre": "titre",
    "familles": "familles de tiers",
    "approbation_ca": "approbation par le CA",
    "criteres": "critères d'éligibilité",
    "dossier": "champs du dossier",
    "documents": "documents à joindre",
}


def update_teleservice(
    ctx: OperationContext,
    teleservice: Teleservice,
    *,
    based_on: int,
    ouverture: date,
    cloture: date,
    description: str,
    preambule: str,
) -> TeleserviceVersion | None:
    """Save the edited dates and texts as the téléservice's new version
    (demandes already started keep theirs). ``based_on`` is the version the
    form was filled from: another admin's save since then is refused rather
    than overwritten. Returns None when nothing changed."""
    current = teleservice.current_version
    if current.number != based_on:
        raise DomainError(
            f"Le téléservice a été modifié entre-temps (version {current.number}) : "
            "vérifiez les informations affichées et enregistrez à nouveau."
        )
    if cloture < ouverture:
        raise DomainError("La date de clôture ne peut pas précéder la date d'ouverture.", field="cloture")
    for name, text in (("description", description), ("preambule", preambule)):
        if not text.strip():
            raise DomainError("Ce texte ne peut pas être vide.", field=name)
    edited = {"ouverture": ouverture, "cloture": cloture, "description": description.strip(), "preambule": preambule.strip()}
    # Exactly the fields the loader leaves to the administration afterwards.
    definition = dataclasses.replace(current.definition, **{name: edited[name] for name in ADMINISTERED_FIELDS})
    try:
        return save_new_version(teleservice, definition, ctx.actor)
    except IntegrityError:  # another admin saved the same version number first
        raise DomainError(
            "Le téléservice a été modifié entre-temps : vérifiez les informations affichées et enregistrez à nouveau."
        ) from None


def version_changes(versions: list[TeleserviceVersion]) -> dict[int, list[str]]:
    """For each version, what changed from the one before (labels)."""
    changes: dict[int, list[str]] = {}
    previous = None
    for version in versions:
        if previous is not None:
            changes[version.id] = [
                DEFINITION_LABELS.get(key, key)
                for key in version.definition_json
                if version.definition_json.get(key) != previous.definition_json.get(key)
            ]
        previous = version
    return changes


# --- Dashboard -----------------------------------------------------------------------

# The statuses agents see, those of the back office's list: from the
# transmission to the Région on.
DASHBOARD_STATUSES = LISTED_STATUSES
WAITING_STATUSES = (DemandeStatus.TRANSMISE, DemandeStatus.EN_INSTRUCTION, DemandeStatus.COMPLEMENTS_DEMANDES)


@dataclass
class TeleserviceFigures:
    code: str
    titre: str
    counts: dict[str, int] = field(default_factory=dict)  # status → number of demandes
    asked: Decimal = Decimal(0)  # montant demandé, every demande transmitted
    granted: Decimal = Decimal(0)  # montant accordé, demandes acceptées

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Dashboard:
    rows: list[TeleserviceFigures]
    totals: TeleserviceFigures
    waiting_days: int
    waiting_counts: dict[str, int]  # status → demandes waiting longer than waiting_days
    waiting_oldest: list[Demande]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def dashboard(waiting_days: int, oldest_limit: int = 20) -> Dashboard:
    """The figures of the administration's dashboard: demandes by
    téléservice and status with their amounts (one GROUP BY query), and the
    demandes waiting since more than ``waiting_days`` days (no change of
    any kind to them since)."""
    figures: dict[str, TeleserviceFigures] = {
        t.code: TeleserviceFigures(t.code, t.current_version.definition.titre) for t in teleservices() if t.current_version
    }
    grouped = db.session.execute(
        select(
            Teleservice.code,
            Demande.status,
            func.count(Demande.id),
            func.sum(Demande.montant_demande),
            func.sum(Demande.montant_accorde),
        )
        .join(TeleserviceVersion, Demande.teleservice_version_id == TeleserviceVersion.id)
        .join(Teleservice, TeleserviceVersion.teleservice_id == Teleservice.id)
        .where(Demande.status.in_(DASHBOARD_STATUSES))
        .group_by(Teleservice.code, Demande.status)
    )
    totals = TeleserviceFigures("", "Total")
    for code, status, count, asked, granted in grouped:
        row = figures.setdefault(code, TeleserviceFigures(code, code))
        for target in (row, totals):
            target.counts[status] = target.counts.get(status, 0) + count
            target.asked += _money(asked)
            if status == DemandeStatus.ACCEPTEE:
                target.granted += _money(granted)

    waiting = (Demande.status.in_(WAITING_STATUSES), unchanged_for_more_than(waiting_days))
    waiting_counts = defaultdict(int)
    for status, count in db.session.execute(
        select(Demande.status, func.count(Demande.id)).where(*waiting).group_by(Demande.status)
    ):
        waiting_counts[status] = count
    oldest = list(
        db.session.scalars(
            select(Demande)
            .where(*waiting)
            # What the dashboard's table shows of each, loaded with them (no query per row).
            .options(
                selectinload(Demande.structure),
                selectinload(Demande.teleservice_version).selectinload(TeleserviceVersion.teleservice),
            )
            .order_by(Demande.updated_at, Demande.id)
            .limit(oldest_limit)
        )
    )
    return Dashboard(
        rows=sorted(figures.values(), key=lambda f: f.code),
        totals=totals,
        waiting_days=waiting_days,
        waiting_counts=dict(waiting_counts),
        waiting_oldest=oldest,
    )
