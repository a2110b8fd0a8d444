"""Fixtures shared by every test: a real database (SQLite, or PostgreSQL when
FLASK_SQLALCHEMY_DATABASE_URI says so) migrated with Alembic, applications
built by the real factory, and a real SMTP server on loopback."""

import os
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.domain import organisations
from app.extensions import db, limiter
from app.integrations.mail_sender import wait_for_background_sends
from app.models import OutgoingMail
from tests.support.smtp import SmtpServer
from tests.support.web import mode  # noqa: F401  (fixture)

ENV_DATABASE_URL = os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A private database for this test process, migrated to the latest
    revision, removed at the end (the shared PostgreSQL database is left as
    it was found)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if ENV_DATABASE_URL.startswith("postgresql"):
        schema = f"pytest_{worker}_{os.getpid()}"
        admin = sa.create_engine(ENV_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in ENV_DATABASE_URL else "?"
        url = f"{ENV_DATABASE_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    else:
        schema = None
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"portail-{worker}.db")
    migrate_app = create_app(_base_config(url))
    with migrate_app.app_context():
        upgrade(directory="migrations")
        db.engine.dispose()
    yield url
    if schema:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PORTAIL_ENV": "production",
        "PUBLIC_URL": "http://localhost",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        # argon2's cheapest parameters: the suite hashes hundreds of passwords.
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }


class BufferedClient(FlaskClient):
    """A test client whose responses are read whole and closed, as a real
    server does (a file sent is closed once its bytes are out)."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def _empty_tables() -> None:
    """Delete every row (children first), leaving the schema in place."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(database_url):
    """Build an application with extra configuration; the database is
    emptied after the test."""
    built = []

    def factory(**overrides):
        application = create_app({**_base_config(database_url), **overrides})
        application.test_client_class = BufferedClient
        built.append(application)
        return application

    yield factory
    wait_for_background_sends()  # no sender of this test may touch the next one's rows
    for application in built:
        organisations.close_service(application)
        with application.app_context():
            db.session.remove()
            if application.config["RATELIMIT_ENABLED"]:
                limiter.reset()
    if built:
        with built[0].app_context():
            _empty_tables()
        for application in built:
            with application.app_context():
                db.engine.dispose()


@pytest.fixture
def app(make_app):
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1, collecting what it receives."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


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
