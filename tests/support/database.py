"""Plugin: a real database (SQLite, or PostgreSQL when
FLASK_SQLALCHEMY_DATABASE_URI says so) migrated with Alembic once per test
process, and applications built by the real factory on it (``make_app``,
``app``, ``client``); the database is emptied after each test. ``bare_app``
is an application on no database at all, for tests of what needs only the
configuration."""

import os
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.domain import organisations
from app.extensions import db, limiter
from app.integrations.mail_sender import wait_for_background_sends

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
    server does (a file sent is closed once its bytes are out), and whose
    requests keep only what they committed, as on a real server: the test's
    application context outlives each request, so its session would
    otherwise carry a request's uncommitted changes into the next one (and
    hide an operation that forgets to commit)."""

    def open(self, *args, buffered=True, **kwargs):
        try:
            return super().open(*args, buffered=buffered, **kwargs)
        finally:
            if has_app_context():
                db.session.rollback()


def _empty_tables() -> None:
    """Delete every row (children first), leaving the schema in place."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an application with extra configuration (its attachments in the
    test's own folder); the database is emptied after the test."""
    built = []

    def factory(**overrides):
        config = {**_base_config(database_url), "ATTACHMENTS_DIR": str(tmp_path / "pieces-jointes"), **overrides}
        application = create_app(config)
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
def app_config() -> dict:
    """What a test module changes in its application's configuration (override it)."""
    return {}


@pytest.fixture
def app(make_app, app_config):
    """The test's application, in its application context."""
    application = make_app(**app_config)
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_bare_app():
    """Build an application on a database nobody creates, for what needs only
    the configuration and the request machinery (tokens, validators,
    passwords: no query runs)."""
    return lambda **overrides: create_app({**_base_config("sqlite://"), **overrides})


@pytest.fixture
def bare_app(make_bare_app):
    application = make_bare_app()
    with application.app_context():
        yield application
