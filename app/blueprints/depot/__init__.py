"""« Déposer une demande d'aide »: the téléservice catalogue and the wizard."""

from flask import Blueprint

bp = Blueprint("depot", __name__, url_prefix="/demandes")

from app.blueprints.depot.routes import catalogue, wizard  # noqa: E402,F401
