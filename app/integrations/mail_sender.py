"""Sending the outbox over SMTP, with retries and backoff.

Rows are claimed one at a time with a conditional UPDATE (pending → sending),
so two senders — the after-commit thread of two requests, or a cron job on
another server — never send the same email twice. A row stuck in "sending"
(a sender that died) is reclaimed after ``STALE_CLAIM``.
"""

import logging
import smtplib
import threading
from datetime import timedelta
from email.utils import parseaddr

from flask import Flask, current_app
from flask_mail import Message
from sqlalchemy import event, or_, select, update

from app.extensions import db
from app.models import MailStatus, OutgoingMail
from app.models.types import utcnow

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _claim(mail_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            or_(
                OutgoingMail.status == MailStatus.PENDING,
                (OutgoingMail.status == MailStatus.SENDING) & (OutgoingMail.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=MailStatus.SENDING, claimed_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _backoff(attempts: int) -> timedelta:
    base = timedelta(seconds=current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return min(base * (2 ** (attempts - 1)), MAX_BACKOFF)


def _deliver(outgoing: OutgoingMail) -> None:
    """Send one email. Flask-Mail builds the MIME message (text + HTML); the
    SMTP session is opened here because Flask-Mail's own has no timeout, and
    a hung server must not hold a sender forever."""
    config = current_app.config
    message = Message(
        subject=outgoing.subject,
        recipients=[outgoing.recipient],
        body=outgoing.body_text,
        html=outgoing.body_html,
        sender=config["MAIL_DEFAULT_SENDER"],
    )
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        envelope_from = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        smtp.sendmail(envelope_from, [outgoing.recipient], message.as_bytes())


def send_due_mails(limit: int = 100) -> tuple[int, int]:
    """Send the mails that are due; returns (sent, failed this time).

    Does nothing when no SMTP server is configured: the mails stay in the
    outbox (readable in the development viewer)."""
    if not smtp_configured():
        return 0, 0
    now = utcnow()
    due_ids = list(
        db.session.scalars(
            select(OutgoingMail.id)
            .where(
                or_(
                    (OutgoingMail.status == MailStatus.PENDING) & (OutgoingMail.next_attempt_at <= now),
                    (OutgoingMail.status == MailStatus.SENDING) & (OutgoingMail.claimed_at < now - STALE_CLAIM),
                )
            )
            .order_by(OutgoingMail.id)
            .limit(limit)
        )
    )
    db.session.commit()  # end the read transaction before the slow SMTP work
    sent = failed = 0
    for mail_id in due_ids:
        if not _claim(mail_id):
            continue
        outgoing = db.session.get(OutgoingMail, mail_id)
        try:
            _deliver(outgoing)
        except Exception as exc:  # any SMTP or network error: retry later
            failed += 1
            outgoing.attempts += 1
            outgoing.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if outgoing.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                outgoing.status = MailStatus.FAILED
                log.error("mail %s abandoned after %s attempts", mail_id, outgoing.attempts)
            else:
                outgoing.status = MailStatus.PENDING
                outgoing.next_attempt_at = utcnow() + _backoff(outgoing.attempts)
            log.warning("mail %s not sent: %s", mail_id, outgoing.last_error)
        else:
            sent += 1
            outgoing.attempts += 1
            outgoing.status = MailStatus.SENT
            outgoing.sent_at = utcnow()
            outgoing.last_error = None
        db.session.commit()
    return sent, failed


_background_threads: set[threading.Thread] = set()


def wait_for_background_sends(timeout: float = 15) -> None:
    """Wait for the after-commit senders still running (tests, shutdown)."""
    for thread in list(_background_threads):
        thread.join(timeout)


def _send_in_background(app: Flask) -> None:
    def run():
        with app.app_context():
            try:
                send_due_mails()
            except Exception:  # the outbox keeps the mail; cron will retry
                log.exception("background mail sending failed")
            finally:
                db.session.remove()
                _background_threads.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="outbox-sender", daemon=True)
    _background_threads.add(thread)
    thread.start()


_listeners_installed = False


def init_app(app: Flask) -> None:
    """After each commit that queued an email, send the outbox in a thread so
    the request does not wait for SMTP. The session listeners are installed
    once per process and act for whichever application is current."""
    global _listeners_installed
    if _listeners_installed:
        return
    _listeners_installed = True

    @event.listens_for(db.session, "after_commit")
    def _after_commit(session):
        if not session.info.pop("mail_queued", False):
            return
        config = current_app.config
        if config["MAIL_SEND_AFTER_COMMIT"] and config.get("MAIL_SERVER"):
            _send_in_background(current_app._get_current_object())

    @event.listens_for(db.session, "after_rollback")
    def _after_rollback(session):
        session.info.pop("mail_queued", None)
