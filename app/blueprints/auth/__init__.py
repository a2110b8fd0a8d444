"""Créer un compte, activation, connexion, récupération des informations de connexion."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.blueprints.auth import routes  # noqa: E402,F401
