"""Recording audit events (within the caller's transaction)."""

from app.domain.base import OperationContext
from app.extensions import db
from app.models import AuditEvent


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


# How each action reads in a history (structure history, later demandes).
ACTION_LABELS = {
    "structure.created": "Structure créée",
    "structure.updated": "Structure modifiée",
    "structure.contact_updated": "Coordonnées de contact modifiées",
    "invitation.sent": "Invitation envoyée",
    "invitation.resent": "Invitation renvoyée",
    "invitation.cancelled": "Invitation annulée",
    "membership.started": "Compte rattaché à la structure",
    "membership.ended": "Compte détaché de la structure",
    "membership.referent_handed_over": "Rôle de référent confié",
    "demande.started": "Brouillon commencé",
    "demande.deposee": "Demande déposée",
    "demande.transmise": "Demande transmise à la Région",
    "demande.renvoyee": "Demande renvoyée à son auteur pour modification",
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
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
