"""« Ma structure »: the référent and members of a structure, invitations."""

from flask import Blueprint

bp = Blueprint("structure", __name__)

from app.blueprints.structure import routes  # noqa: E402,F401
