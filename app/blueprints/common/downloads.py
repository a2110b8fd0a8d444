"""Serving the portal's stored files: a demande's documents and its
accusé de réception, to those the policy lets see the demande, always as a
download (never shown in the page), never cached by a shared cache."""

from flask import abort, send_file

from app.domain import files
from app.domain.demandes.queries import document_of
from app.models import Demande


def send_stored(stored_name: str, *, mimetype: str, download_name: str):
    response = send_file(files.open_file(stored_name), mimetype=mimetype, as_attachment=True, download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_document(demande: Demande, attachment_id: int):
    """One of the files of ``demande`` (loaded with ``load_demande``: the
    policy already said the account may see it); 404 for any other file."""
    attachment = document_of(demande, attachment_id)
    if attachment is None:
        abort(404)
    return send_stored(attachment.stored_name, mimetype=attachment.content_type, download_name=attachment.original_name)
