"""Access checks of the views, all from the policy (``app.policy``).

``permission_required(rule)``: anonymous → the login page, logged in
without the right → 403. ``load_demande``: a demande named in the URL is
loaded once for the view, 404 when the account may not see it — before any
403 the view answers for an action it may not take, so that another
structure's demande is not even revealed to exist.
"""

import functools

from flask import abort, current_app, flash, url_for
from flask_login import current_user

from app import policy
from app.blueprints.common.errors import Explained
from app.blueprints.common.responses import redirect_to
from app.domain.demandes import authorship
from app.domain.demandes.queries import demande_by_id
from app.models import Action, Demande


def permission_required(rule):
    """Anonymous → login page (Flask-Login); logged in without the right → 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def demande_or_404(demande_id: int) -> Demande:
    """The demande, if the current account may see it; otherwise 404 — which
    says why to a person detached from the demande's structure."""
    demande = demande_by_id(demande_id)
    if demande is None:
        abort(404)
    if not policy.can_view_demande(current_user, demande):
        if policy.has_left(current_user, demande.structure):
            handover = authorship.handover_sentence(current_user, demande)
            raise Explained(
                "Vous n'êtes plus rattaché(e) à cette structure",
                f"Vous n'êtes plus rattaché(e) à {demande.structure.raison_sociale} : ses demandes, y compris celles que vous "
                "avez rédigées, restent avec la structure et ne vous sont plus accessibles. "
                + (f"{handover} " if handover else "")
                + "Si vous en faites toujours partie, demandez à son référent de vous inviter à nouveau.",
            )
        abort(404)
    return demande


def load_demande(view):
    """The view receives ``demande`` (the model) instead of ``demande_id``."""

    @functools.wraps(view)
    def wrapped(*args, demande_id: int, **kwargs):
        return view(*args, demande=demande_or_404(demande_id), **kwargs)

    return wrapped


def allowed_or_403(allowed: bool) -> None:
    """After the 404 checks: a right the account lacks on what it may see."""
    if not allowed:
        abort(403)


def unless_done(action: Action, demande_endpoint: str):
    """After ``load_demande``: a request for ``action`` on a demande that has
    already taken it (a second click, another tab, the back button) gets
    « Déjà fait » on the demande's page (``demande_endpoint``), never the
    action again nor an error (issue 12)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, demande: Demande, **kwargs):
            if demande.has_done(action):
                flash(f"Déjà fait : la demande {demande.reference} est au statut « {demande.lifecycle.label} ».", "info")
                return redirect_to(url_for(demande_endpoint, demande_id=demande.id))
            return view(*args, demande=demande, **kwargs)

        return wrapped

    return decorator
