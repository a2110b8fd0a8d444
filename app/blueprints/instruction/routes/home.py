"""The back office's home."""

from flask import render_template
from flask_login import current_user

from app.blueprints.common.access import permission_required
from app.blueprints.instruction import bp
from app.domain import messages
from app.domain.demandes import instruction
from app.policy import can_access_back_office


@bp.route("/")
@permission_required(can_access_back_office)
def home():
    """Where to go, and what waits for this agent."""
    return render_template(
        "instruction/home.html",
        assigned=instruction.open_assigned_count(current_user),
        unread=messages.unread_in_assigned(current_user),
    )
