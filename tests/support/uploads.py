"""The places where a person sends a file, driven alike: « Votre dossier »
of a draft (the wizard), « Votre dossier » reopened for compléments, and a
message with its attachment in the fil de discussion. Each sends through
the real route, with or without htmx, and says where the file went."""

import io
from dataclasses import dataclass

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.domain import files
from app.extensions import db
from app.models import Attachment, Demande
from tests.support.web import Mode
from tests.support.wizard import DOSSIER, page_form

TYPED = "Le budget transport comprend le car du 12 mars"  # what the person typed beside the file


@dataclass
class Place:
    """``kind``: "wizard", "complements" or "message"; ``field``: the file field's name."""

    kind: str
    client: FlaskClient
    demande: Demande

    @property
    def field(self) -> str:
        return "piece_jointe" if self.kind == "message" else "document-devis"

    def send(self, content: bytes, filename: str, mode: Mode | None = None, **data):
        """Send one file with what the page also holds (the dossier's answers,
        or the message ``TYPED``); ``data`` overrides some of it. The body is
        encoded in memory (the test client's own encoding leaves a temporary
        file open above 500 ko)."""
        # Quoted for the header as RFC 7578 clients do (werkzeug reads « \\x » as « x »), so the
        # application receives ``filename`` itself, backslashes and quotes included.
        quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
        sent = FileStorage(io.BytesIO(content), filename=quoted, content_type="application/octet-stream")
        if self.kind == "message":
            url = f"/demandes/{self.demande.id}/messages"
            form = {"message": TYPED, "depuis": "demande", **data}
        else:
            url = f"/demandes/{self.demande.id}/etapes/dossier"
            form = {**page_form(self.client, url), "action": "enregistrer", **DOSSIER, "intitule": TYPED, **data}
        boundary, body = encode_multipart(MultiDict([*MultiDict(form).items(multi=True), (self.field, sent)]))
        headers = mode.headers if mode else {}
        return self.client.post(url, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")

    def attachments(self) -> list[Attachment]:
        """The files of the place's demande, oldest first (fresh from the database)."""
        db.session.expire_all()
        return list(db.session.scalars(select(Attachment).where(Attachment.demande_id == self.demande.id).order_by(Attachment.id)))

    def typed_is_kept(self) -> bool:
        """What was typed beside a refused file is still there (the draft saved, or the message shown again)."""
        if self.kind == "message":
            return True  # checked in the page by the caller
        db.session.expire_all()
        return db.session.get(Demande, self.demande.id).step_answers("dossier").get("intitule") == TYPED

    def listing_url(self) -> str:
        """A page of the person's that lists the file: the draft's « Votre dossier », else the demande's page."""
        return f"/demandes/{self.demande.id}/etapes/dossier" if self.kind == "wizard" else f"/demandes/{self.demande.id}"

    def download_url(self, attachment: Attachment, agent: bool = False) -> str:
        prefix = "/instruction" if agent else ""
        return f"{prefix}/demandes/{self.demande.id}/documents/{attachment.id}"


def stored_files(app) -> set[str]:
    """The names in the attachments directory."""
    directory = files.attachments_directory(app)
    return {p.name for p in directory.iterdir()} if directory.exists() else set()
