"""Public pages: accueil, the five espaces, the pages a public service must
have (accessibilité, mentions légales, données personnelles, assistance) and
the plan du site.

The déclaration d'accessibilité's configuration is checked when the portal
starts (an unknown or unsupported état de conformité stops it), and every
template gets the footer's « Accessibilité : … » mention from the same value."""

from flask import Blueprint, current_app

from app.domain import accessibility

bp = Blueprint("public", __name__)


@bp.record_once
def _check_accessibility_configuration(state) -> None:
    """At start-up (``create_app`` registers this blueprint): refuse a
    declaration the configuration cannot support."""
    accessibility.check_configuration(state.app.config)


@bp.app_context_processor
def _accessibility_mention() -> dict:
    """The footer's mention on every page (layouts/base.html)."""
    return {"accessibility_label": accessibility.footer_label(current_app.config["ACCESSIBILITY_STATUS"])}


from app.blueprints.public import routes  # noqa: E402,F401
