"""« Renvoyer » and « Annuler » an invitation: the same for agents (any
structure) and référents (their own); each blueprint checks who may."""

from flask import flash

from app.blueprints.common.responses import operation_context
from app.domain import invitations
from app.domain.base import DomainError
from app.models import Invitation


def apply_invitation_action(invitation: Invitation, action: str) -> None:
    """Resend or cancel, then say what happened. CSRF is checked for every
    POST by CSRFProtect."""
    try:
        if action == "renvoyer":
            invitations.resend(operation_context(), invitation)
            flash(f"Une nouvelle invitation a été envoyée à {invitation.email} ; le lien précédent ne fonctionne plus.", "success")
        else:
            invitations.cancel(operation_context(), invitation)
            flash(f"L'invitation envoyée à {invitation.email} est annulée.", "success")
    except DomainError as error:
        flash(error.message, "info")
