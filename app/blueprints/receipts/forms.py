"""Forms of the receipts blueprint."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField


class VerifyForm(FlaskForm):
    """« Vérifier un accusé de réception »: one PDF; its checks are in
    ``app.domain.demandes.receipts.check_pdf`` (by content, never by name or content type)."""

    fichier = FileField("Accusé de réception (fichier PDF)")
