"""The outbox over a real SMTP server on loopback: sent after commit,
kept and retried when the server is down, the development viewer."""

import time

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.integrations.mail_sender import send_due_mails
from app.models import MailStatus, OutgoingMail
from tests.support.accounts import registration
from tests.support.mail import link_in
from tests.support.smtp import SmtpServer, free_port


def _wait_for_status(app, status, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            mail = db.session.scalar(select(OutgoingMail))
            if mail is not None and mail.status == status:
                return mail
        time.sleep(0.05)
    raise AssertionError(f"mail never reached {status}")


def test_activation_mail_arrives_by_smtp_and_its_link_works(make_app, smtp_server):
    app = make_app(**smtp_server.app_config())
    client = app.test_client()
    client.post("/creer-un-compte", data=registration())
    message = smtp_server.wait_for("jeanne.dupont@exemple.fr", "Activez votre compte")
    assert message["From"].addresses[0].addr_spec == "ne-pas-repondre@portail-des-aides.example"
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(SmtpServer.text_of(message), "/activation/")
    page = client.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert "Confirmation de création de compte" in page
    mail = _wait_for_status(app, MailStatus.SENT)
    assert mail.attempts == 1 and mail.sent_at is not None


def test_smtp_down_keeps_the_mail_and_sends_it_once_back(make_app):
    port = free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    app.test_client().post("/creer-un-compte", data=registration())
    mail = _wait_for_status(app, MailStatus.PENDING)
    deadline = time.monotonic() + 10
    while mail.attempts == 0 and time.monotonic() < deadline:  # the background attempt fails
        time.sleep(0.05)
        with app.app_context():
            mail = db.session.scalar(select(OutgoingMail))
    assert mail.attempts == 1 and "Error" in mail.last_error
    assert mail.next_attempt_at > mail.created_at

    server = SmtpServer(port=port)
    server.start()
    try:
        with app.app_context():
            assert send_due_mails() == (0, 0)  # not due yet: backoff respected
            with time_machine.travel(mail.next_attempt_at, tick=True):
                result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
        assert "1 courriel(s) envoyé(s)" in result.output, result.output
        server.wait_for("jeanne.dupont@exemple.fr", "Activez votre compte")
        with app.app_context():
            mail = db.session.scalar(select(OutgoingMail))
            assert mail.status == MailStatus.SENT and mail.attempts == 2
    finally:
        server.stop()


def test_a_rolled_back_change_sends_nothing(app):
    from app.domain.outbox import queue_mail

    queue_mail("x@exemple.fr", "Objet", "activation", account=None, link="http://l", hours=72)
    db.session.rollback()
    assert db.session.scalar(select(OutgoingMail)) is None


def test_without_smtp_mails_stay_in_the_outbox(app, client):
    client.post("/creer-un-compte", data=registration())
    assert send_due_mails() == (0, 0)
    assert db.session.scalar(select(OutgoingMail.status)) == MailStatus.PENDING


def test_mail_viewer_in_development_shows_the_links(make_app):
    app = make_app(PORTAIL_ENV="development")
    client = app.test_client()
    client.post("/creer-un-compte", data=registration())
    listing = client.get("/dev/courriels").get_data(as_text=True)
    assert "Activez votre compte" in listing
    with app.app_context():
        mail_id = db.session.scalar(select(OutgoingMail.id))
    page = client.get(f"/dev/courriels/{mail_id}").get_data(as_text=True)
    assert '<a class="govuk-link" href="http://localhost/activation/' in page


def test_mail_viewer_never_in_production(make_app):
    app = make_app(PORTAIL_ENV="production", MAIL_VIEWER_ENABLED=True)
    assert app.test_client().get("/dev/courriels").status_code == 404


def test_production_refuses_to_start_without_a_secret_key(make_app):
    import pytest

    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        make_app(SECRET_KEY=None)
