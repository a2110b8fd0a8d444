"""French error pages, in the site's layout (fragment for htmx requests).

Every error page carries its explanation in ``data-app-error`` markup: when
an htmx request gets one, the page script shows that explanation above the
form that sent it, and what was typed stays in the form. A refused CSRF
token also says so in a header (``X-Portail-Erreur: csrf``): the script then
renews the token in the page, so that sending again works without a reload.
An htmx request that needs a login gets 401 (a redirect would replace the
form with the login page).
"""

import logging

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from app.blueprints.common.responses import is_htmx
from app.domain.base import CONCURRENT_CHANGES, discard_changes

log = logging.getLogger(__name__)

ERRORS = {
    400: ("Requête incorrecte", "La demande envoyée au serveur n'a pas pu être comprise."),
    401: ("Votre session a pris fin", "Connectez-vous à nouveau pour continuer."),
    403: ("Accès refusé", "Vous n'avez pas les droits nécessaires pour accéder à cette page."),
    404: ("Page introuvable", "La page que vous cherchez n'existe pas ou a été déplacée. Vérifiez l'adresse saisie."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: (
        "Envoi trop volumineux",
        "Les informations ou le fichier envoyés dépassent la taille autorisée. Réduisez la taille du fichier puis réessayez.",
    ),
    409: (
        "Modification simultanée",
        "Ce que vous vouliez modifier vient d'être modifié par ailleurs (un autre onglet, une autre personne). "
        "Rien n'a été enregistré de votre côté : rechargez la page pour voir son état actuel, puis recommencez si besoin.",
    ),
    429: (
        "Trop de tentatives",
        "Vous avez fait trop de tentatives en peu de temps. Pour protéger les comptes, patientez quelques minutes avant de réessayer.",
    ),
    500: (
        "Une erreur est survenue",
        "Le service a rencontré un problème. Vos informations déjà enregistrées sont conservées. Réessayez dans quelques instants.",
    ),
}
CSRF_MESSAGE = (
    "Le formulaire a expiré ou n'a pas pu être vérifié. Revenez à la page précédente, "
    "rechargez-la puis envoyez à nouveau le formulaire."
)


class Explained(NotFound):
    """A 404 that says why (« Vous n'êtes plus rattaché(e) à cette structure… »)."""

    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title = title


def render_error(status: int, detail: str | None = None, *, title: str | None = None, link: dict | None = None):
    default_title, message = ERRORS.get(status, ERRORS[500])
    page = render_template("errors/error.html", status=status, title=title or default_title, message=detail or message, link=link)
    return page, status


def unauthorized():
    """Flask-Login's answer to an anonymous request for a page that needs a
    login: the login page for a browser; for htmx, a 401 that the page
    script explains above the form (the form and what was typed stay)."""
    manager = current_app.login_manager
    if not is_htmx():
        flash(manager.login_message, manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))
    link = {"href": url_for("auth.login"), "text": "Se connecter"}
    detail = "Votre session a pris fin : connectez-vous à nouveau dans un autre onglet, puis revenez ici envoyer le formulaire."
    return render_error(401, detail, link=link)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        page, status = render_error(400, CSRF_MESSAGE)
        return page, status, {"X-Portail-Erreur": "csrf"}

    @app.errorhandler(Explained)
    def explained(error):
        return render_error(error.code, error.description, title=error.title)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code not in ERRORS:
            return error
        return render_error(error.code)

    def concurrent_change(error):
        """Two requests changed the same row at once (a version check lost,
        a unique constraint hit by a double submit): the loser's transaction
        is rolled back and the person is told, never a 500. Operations that
        can answer better (the wizard's conflict page, « déjà fait ») catch
        these themselves first."""
        discard_changes()
        log.warning("concurrent change refused: %s", type(error).__name__)
        link = {"href": request.referrer or request.path, "text": "Recharger la page"} if request.method == "POST" else None
        return render_error(409, link=link)

    for kind in CONCURRENT_CHANGES:
        app.register_error_handler(kind, concurrent_change)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate or (propagate is None and (app.testing or app.debug)):  # tests see the traceback
            raise error
        log.exception("unhandled error")
        return render_error(500)
