"""The Portail des aides application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask, g
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import DefaultConfig
from app.extensions import csrf, db, limiter, login_manager, mail, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application. Configuration order: ``DefaultConfig``, then
    ``instance/config.py``, then ``FLASK_*`` environment variables, then
    ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    _init_extensions(app)
    _init_templates(app)
    from app.blueprints.common import input_guard

    input_guard.init_app(app)  # before the routes are added: it bounds their <int:…> ids
    _register_blueprints(app)

    from app import cli
    from app.blueprints.common import errors, headers

    errors.init_app(app)
    headers.init_app(app)
    cli.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    """Derive what depends on other settings, and refuse unsafe production set-ups."""
    config = app.config
    development = config["PORTAIL_ENV"] == "development"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "portail.db")
    if not config.get("SECRET_KEY"):
        if not development:
            raise RuntimeError(
                "FLASK_SECRET_KEY doit être défini en production (une longue valeur aléatoire)."
            )
        config["SECRET_KEY"] = _development_secret_key(app)
    _check_password_profile(config)
    if config.get("SESSION_COOKIE_SECURE") is None:
        secure = config["PUBLIC_URL"].startswith("https://")
        config["SESSION_COOKIE_SECURE"] = secure
        config["REMEMBER_COOKIE_SECURE"] = secure
    # The local mail viewer shows every email with its links: never in production.
    config["MAIL_VIEWER_ENABLED"] = development and config.get("MAIL_VIEWER_ENABLED") is not False


def _check_password_profile(config) -> None:
    from app.domain.passwords import TESTING_ONLY_PROFILES, is_known_profile

    profile = config["PASSWORD_HASH_PROFILE"]
    if not is_known_profile(profile):
        raise RuntimeError(f"FLASK_PASSWORD_HASH_PROFILE : profil argon2 inconnu « {profile} ».")
    if profile in TESTING_ONLY_PROFILES and not config.get("TESTING"):
        raise RuntimeError(f"FLASK_PASSWORD_HASH_PROFILE : le profil « {profile} » est réservé aux tests.")


def _development_secret_key(app: Flask) -> str:
    """A random key kept in the instance folder, so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Enforce foreign keys and wait for locks on SQLite, like PostgreSQL does."""
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table on db.metadata, for the migrations)
    from app.domain import accounts, audit, files, organisations
    from app.integrations import mail_sender

    # A look-up configuration that cannot work stops the portal at start-up,
    # not on an applicant's form.
    organisations.check_configuration(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    mail_sender.init_app(app)
    files.init_app(app)
    audit.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    from app.blueprints.common.errors import unauthorized

    login_manager.unauthorized_handler(unauthorized)

    @app.before_request
    def forget_cached_user():
        """Load the logged-in account afresh for every request, even when an
        application context outlives one request (tests, scripts): a
        detached or disabled account must lose its access at once."""
        g.pop("_login_user", None)

    login_manager.user_loader(accounts.account_of_session)


def _init_templates(app: Flask) -> None:
    from app.blueprints.common import templating

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    templating.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.depot import bp as depot_bp
    from app.blueprints.espace import bp as espace_bp
    from app.blueprints.instruction import bp as instruction_bp
    from app.blueprints.messages import bp as messages_bp
    from app.blueprints.organisations import bp as organisations_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.receipts import bp as receipts_bp
    from app.blueprints.structure import bp as structure_bp
    from app.blueprints.suivi import bp as suivi_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(espace_bp)
    app.register_blueprint(instruction_bp)
    app.register_blueprint(depot_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(structure_bp)
    app.register_blueprint(suivi_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(messages_bp)
    if app.config["MAIL_VIEWER_ENABLED"]:
        from app.blueprints.dev import bp as dev_bp

        app.register_blueprint(dev_bp)
