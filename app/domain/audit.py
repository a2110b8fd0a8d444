"""The audit trail: recording events (within the caller's transaction, or
— for a refusal — whatever becomes of it), how each reads, and the
histories pages show (a demande's, a structure's, an agent's)."""

import logging

from flask import Flask
from sqlalchemy import event, select

from app.domain.base import OperationContext
from app.extensions import db
from app.models import Account, AuditEvent, Demande, Structure
from app.models.types import utcnow

log = logging.getLogger(__name__)

_KEPT = "audit_events_kept"  # session.info: events to write whatever the transaction becomes


def record_event(ctx: OperationContext, action: str, obj, structure=None, **details) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (a model instance with an
    id); ``structure`` puts it in that structure's history."""
    db.session.flush()  # make sure obj has its id
    event = AuditEvent(
        actor_id=ctx.actor_id,
        action=action,
        object_type=obj.__tablename__,
        object_id=obj.id,
        structure_id=structure.id if structure is not None else None,
        ip=ctx.ip,
        details=details,
    )
    db.session.add(event)
    return event


def record_refusal(ctx: OperationContext, action: str, object_type: str, object_id: int | None = None,
                   structure_id: int | None = None, **details) -> None:
    """An audit event that must outlive the refusal it records (an infected
    file, an invitation used by another account): the operation that
    refuses rolls back, so the event is written on a connection of its own
    once the current transaction has ended, committed or not."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the end of this transaction is seen
    row = {"actor_id": ctx.actor_id, "ip": ctx.ip, "action": action, "object_type": object_type, "object_id": object_id,
           "structure_id": structure_id, "details": details, "created_at": utcnow()}
    session.info.setdefault(_KEPT, []).append(row)


def _write_kept_events(session, transaction) -> None:
    if transaction.parent is not None:
        return
    events = session.info.pop(_KEPT, None)
    if not events:
        return
    try:  # the session's transaction is over: no lock is held
        with session.get_bind().connect() as connection:
            connection.execute(AuditEvent.__table__.insert(), events)
            connection.commit()
    except Exception:
        log.exception("could not record %d audit event(s) of refusals: %r", len(events), events)


def init_app(app: Flask) -> None:
    """Watch the sessions' transactions (once per process, for every application)."""
    if not event.contains(db.session, "after_transaction_end", _write_kept_events):
        event.listen(db.session, "after_transaction_end", _write_kept_events)


# How each action reads in a history (structure history, later demandes).
ACTION_LABELS = {
    "structure.created": "Structure créée",
    "structure.updated": "Structure modifiée",
    "structure.contact_updated": "Coordonnées de contact modifiées",
    "invitation.sent": "Invitation envoyée",
    "invitation.resent": "Invitation renvoyée",
    "invitation.cancelled": "Invitation annulée",
    "invitation.confirmation_sent": "Lien de confirmation envoyé à l'adresse invitée (pour un autre compte)",
    "invitation.refused_other_account": "Invitation refusée à un compte d'une autre adresse",
    "membership.started": "Compte rattaché à la structure",
    "membership.ended": "Compte détaché de la structure",
    "membership.referent_handed_over": "Rôle de référent confié",
    "demande.started": "Brouillon commencé",
    "demande.deposee": "Demande déposée",
    "demande.transmise": "Demande transmise à la Région",
    "demande.renvoyee": "Demande renvoyée à son auteur pour modification",
    "demande.confiee": "Demande confiée",
    "demande.reponses_reparees": "Réponses remises en forme (maintenance)",
    "demande.document_added": "Document joint",
    "demande.attribuee": "Demande attribuée",
    "demande.en_instruction": "Demande passée en instruction",
    "demande.complements_demandes": "Compléments demandés",
    "demande.complements_renvoyes": "Compléments renvoyés",
    "demande.acceptee": "Demande acceptée",
    "demande.refusee": "Demande refusée",
    "demande.classee_sans_suite": "Demande classée sans suite",
    "demande.note_interne": "Note interne ajoutée",
    "demande.document_removed": "Document retiré",
    "message.applicant": "Message du demandeur dans le fil de discussion",
    "message.council": "Message de la Région dans le fil de discussion",
    "agent.created": "Compte d'agent créé",
    "agent.role_changed": "Rôle modifié",
    "agent.disabled": "Compte désactivé",
    "agent.enabled": "Compte réactivé",
    "agent.password_link_sent": "Lien pour choisir le mot de passe envoyé",
    "account.logged_in": "Connexion",
    "account.password_reset": "Mot de passe choisi par lien",
    "account.password_changed": "Mot de passe modifié",
    "teleservice.version_created": "Nouvelle version d'un téléservice",
    "organisation.verifiee": "Informations de l'organisation vérifiées",
}

# The events of a demande's history its applicant side sees…
APPLICANT_HISTORY = (
    "demande.started",
    "demande.deposee",
    "demande.transmise",
    "demande.renvoyee",
    "demande.confiee",
    "demande.en_instruction",
    "demande.complements_demandes",
    "demande.complements_renvoyes",
    "demande.acceptee",
    "demande.refusee",
    "demande.classee_sans_suite",
)
# … and the council's, with what happens inside the council.
AGENT_HISTORY = (*APPLICANT_HISTORY, "demande.attribuee", "demande.note_interne")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def demande_history(demande: Demande, *, for_agents: bool) -> list[AuditEvent]:
    """A demande's dated history, oldest first, as the applicant side or the council sees it."""
    actions = AGENT_HISTORY if for_agents else APPLICANT_HISTORY
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == Demande.__tablename__, AuditEvent.object_id == demande.id, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def latest_demande_event(demande: Demande, action: str) -> AuditEvent | None:
    """The newest ``action`` event of a demande (the request for compléments, its « before »)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == Demande.__tablename__, AuditEvent.object_id == demande.id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def structure_history(structure: Structure, limit: int = 200) -> list[AuditEvent]:
    """Everything that happened to a structure, its members and invitations, newest first."""
    query = select(AuditEvent).where(AuditEvent.structure_id == structure.id).order_by(AuditEvent.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def account_history(account: Account, limit: int = 100) -> list[AuditEvent]:
    """What happened to an account (created, role changed, disabled…), newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == Account.__tablename__, AuditEvent.object_id == account.id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def actions_of(account: Account, limit: int = 50) -> list[AuditEvent]:
    """What an account did, newest first."""
    query = select(AuditEvent).where(AuditEvent.actor_id == account.id).order_by(AuditEvent.id.desc()).limit(limit)
    return list(db.session.scalars(query))
