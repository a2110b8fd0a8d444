"""Espace personnel and « Mon compte »."""

from flask import Blueprint

bp = Blueprint("espace", __name__)

from app.blueprints.espace import routes  # noqa: E402,F401
