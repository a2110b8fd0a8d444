"""Development-only tools: the local mail viewer. This blueprint is only
registered when MAIL_VIEWER_ENABLED (development configuration)."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")

from app.blueprints.dev import routes  # noqa: E402,F401
