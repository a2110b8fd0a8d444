"""What every template may use: the layout to extend, the policy rules,
the espaces, the portal's names, and the filters that format values the
French way. Templates receive data: nothing here runs a query."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context

from app import policy
from app.blueprints.common.responses import is_htmx, layout_template
from app.domain.audit import action_label
from app.domain.files import format_size
from app.domain.organisations import describe_snapshot
from app.domain.values import duration_text, format_amount
from app.domain.wizard.pages import resume_page
from app.reference.espaces_dedies import ESPACES


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject():
        return {
            "layout": layout_template() if has_request_context() else "layouts/base.html",
            "policy": policy,
            "espaces": ESPACES,
            "config_portail_name": app.config["PORTAIL_NAME"],
            "region_name": app.config["REGION_NAME"],
            "mail_viewer_enabled": app.config["MAIL_VIEWER_ENABLED"],
            # How long each emailed link lasts, as pages say it (from the configuration).
            "link_validity": {
                "activation": duration_text(app.config["ACTIVATION_MAX_AGE"]),
                "invitation": duration_text(app.config["INVITATION_MAX_AGE"]),
                "password_reset": duration_text(app.config["PASSWORD_RESET_MAX_AGE"]),
                "email_change": duration_text(app.config["EMAIL_CHANGE_MAX_AGE"]),
            },
        }

    app.jinja_env.globals.update(field_error=field_error, field_attributes=field_attributes, is_htmx=is_htmx, resume_page=resume_page)
    app.jinja_env.filters["action_label"] = action_label
    app.jinja_env.filters["describe_snapshot"] = describe_snapshot
    app.jinja_env.filters["euros"] = euros
    app.jinja_env.filters["filesize"] = format_size
    app.jinja_env.filters["answer_text"] = answer_text
    app.jinja_env.filters["datetime_attr"] = datetime_attr

    @app.template_filter("date_fr")
    def date_fr(value: datetime | None, with_time: bool = False) -> str:
        """« 27/11/2026 » or « 27/11/2026 à 14 h 05 », in Paris time."""
        if value is None:
            return ""
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(ZoneInfo("Europe/Paris"))
        text = value.strftime("%d/%m/%Y")
        if with_time and isinstance(value, datetime):
            text += value.strftime(" à %H h %M")
        return text


def datetime_attr(value: datetime) -> str:
    """A ``<time datetime>`` value HTML accepts: « 2026-11-27T13:05:00Z »
    (seconds, UTC; HTML allows at most three digits of fractions)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def field_error(field) -> dict | None:
    """The GOV.UK ``errorMessage`` parameter for a field, in French."""
    if not field.errors:
        return None
    return {"text": ". ".join(field.errors), "visuallyHiddenText": "Erreur"}


def field_attributes(field, required: bool, readonly: bool = False) -> dict:
    """``aria-required``, ``aria-invalid`` and ``readonly`` for a field's input."""
    attributes = {"readonly": "readonly"} if readonly else {}
    if required:
        attributes["aria-required"] = "true"
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def euros(value) -> str:
    """« 1 234,50 € » (0,00 € for nothing)."""
    return format_amount(value if value is not None else Decimal(0))


def answer_text(value) -> str:
    """An answer as stored (text, list of choices, budget lines), in one line."""
    if value in (None, "", []):
        return "Non renseigné"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v) or "Non renseigné"
    if isinstance(value, dict):
        lines = sum(len(v or []) for v in value.values())
        return f"{lines} ligne(s) de budget"
    return str(value)
