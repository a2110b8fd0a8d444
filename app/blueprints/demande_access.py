"""Loading a demande named in a URL, for every blueprint that shows one."""

from flask import abort
from flask_login import current_user

from app.extensions import db
from app.models import Demande
from app.policy import can_view_demande


def demande_or_404(demande_id: int) -> Demande:
    """The demande, if the current account may see it; otherwise 404, so
    that another structure's demande is not even revealed to exist."""
    demande = db.session.get(Demande, demande_id)
    if demande is None or not can_view_demande(current_user, demande):
        abort(404)
    return demande
