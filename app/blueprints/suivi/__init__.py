"""« Suivre mes demandes d'aide »: the list, the demande page, transmission
by the référent and sending back to the author."""

from flask import Blueprint

bp = Blueprint("suivi", __name__, url_prefix="/demandes")

from app.blueprints.suivi import routes  # noqa: E402,F401
