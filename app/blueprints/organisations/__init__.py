"""Recherche d'une organisation par SIRET ou RNA (API Entreprise): the
reusable look-up block's htmx endpoint, and a page that uses it."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.record_once
def _check_configuration(state):
    # A look-up configuration that cannot work stops the portal at start-up,
    # not on an applicant's form.
    from app.organisations import check_configuration

    check_configuration(state.app)


from app.blueprints.organisations import routes  # noqa: E402,F401
