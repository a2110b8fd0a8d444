"""Accusés de réception: the public page that checks a PDF, and the download
of a demande's receipt (the PDF itself is made by ``app.domain.demandes.receipts``)."""

from flask import Blueprint

bp = Blueprint("receipts", __name__)

from app.blueprints.receipts import routes  # noqa: E402,F401
