"""Recherche d'une organisation par SIRET ou RNA (API Entreprise): the
reusable look-up block's htmx endpoint, and a page that uses it."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


from app.blueprints.organisations import routes  # noqa: E402,F401
