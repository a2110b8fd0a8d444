"""Serving the portal's stored files: a demande's documents and its
accusé de réception, to those the policy lets see the demande, always as a
download (never shown in the page), never cached by a shared cache. A
document the antivirus has not cleared is not sent: a page says it is
being analysed (409), or was removed because infected (410)."""

from flask import abort, render_template, request, send_file, url_for

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
    if not files.may_serve(attachment):
        return _held(demande, attachment)
    return send_stored(attachment.stored_name, mimetype=attachment.content_type, download_name=attachment.original_name)


HELD_PAGES = {
    "pending": (
        409,
        "Fichier en cours d'analyse",
        "Ce fichier est en cours d'analyse par l'antivirus : il pourra être téléchargé dès que l'analyse sera terminée. "
        "Réessayez dans quelques minutes.",
    ),
    "infected": (
        410,
        "Fichier supprimé",
        "L'antivirus a trouvé un virus dans ce fichier : il a été supprimé et ne peut pas être téléchargé.",
    ),
}


def _held(demande: Demande, attachment):
    status, title, message = HELD_PAGES[attachment.scan_status]
    back = url_for("instruction.demande" if request.blueprint == "instruction" else "suivi.demande", demande_id=demande.id)
    page = render_template("errors/file_held.html", title=title, message=message, attachment=attachment, back=back)
    return page, status, {"Cache-Control": "private, no-store"}
