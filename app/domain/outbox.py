"""Queueing emails in the outbox, in the caller's transaction.

The email is rendered from ``templates/email/<name>.txt`` and ``.html`` now,
stored as an ``OutgoingMail`` row, and sent by ``app.integrations.mail_sender``
once the transaction has committed — so a rolled-back change sends nothing
and an SMTP failure loses nothing.
"""

from flask import current_app, render_template
from sqlalchemy import select

from app.extensions import db
from app.models import OutgoingMail


def queue_mail(recipient: str, subject: str, template: str, **context) -> OutgoingMail:
    context.setdefault("subject", subject)
    context.setdefault("portail_name", current_app.config["PORTAIL_NAME"])
    context.setdefault("region_name", current_app.config["REGION_NAME"])
    mail = OutgoingMail(
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
    )
    db.session.add(mail)
    db.session.info["mail_queued"] = True
    return mail


def recent_mails(limit: int = 200) -> list[OutgoingMail]:
    """The newest emails of the outbox (the development mail viewer)."""
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(limit)))


def mail_by_id(mail_id: int) -> OutgoingMail | None:
    return db.session.get(OutgoingMail, mail_id)
