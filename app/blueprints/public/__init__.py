"""Public pages: accueil, the five espaces, the pages a public service must have."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.blueprints.public import routes  # noqa: E402,F401
