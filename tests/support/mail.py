"""Reading what the portal sent: the outbox rows, and the links in an email."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutgoingMail


def outbox(recipient: str | None = None, subject: str = "") -> list[OutgoingMail]:
    """The mails queued so far (for ``recipient``, whose subject contains ``subject``)."""
    query = select(OutgoingMail).order_by(OutgoingMail.id)
    if recipient:
        query = query.where(OutgoingMail.recipient == recipient)
    return [mail for mail in db.session.scalars(query) if subject in mail.subject]


def link_in(text: str, path_fragment: str) -> str:
    """The first absolute link in ``text`` whose path contains ``path_fragment``."""
    for url in re.findall(r"https?://[^\s<>\"]+", text):
        if path_fragment in url:
            return url
    raise AssertionError(f"no link containing {path_fragment!r} in:\n{text}")
