"""Back office « Instruction » for the council's agents: its home, the
demandes (their list, page and actions), the structures."""

from flask import Blueprint

bp = Blueprint("instruction", __name__, url_prefix="/instruction")

from app.blueprints.instruction.routes import demande, demandes_list, home, structures  # noqa: E402,F401
