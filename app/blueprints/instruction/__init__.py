"""Back office « Instruction » for the council's agents."""

from flask import Blueprint

bp = Blueprint("instruction", __name__, url_prefix="/instruction")

from app.blueprints.instruction import demandes, demandes_list, routes, structures  # noqa: E402,F401
