"""French error pages, in the site's layout (fragment for htmx requests)."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

ERRORS = {
    400: ("Requête incorrecte", "La demande envoyée au serveur n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas les droits nécessaires pour accéder à cette page."),
    404: ("Page introuvable", "La page que vous cherchez n'existe pas ou a été déplacée. Vérifiez l'adresse saisie."),
    405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
    413: (
        "Envoi trop volumineux",
        "Les informations ou le fichier envoyés dépassent la taille autorisée. Réduisez la taille du fichier puis réessayez.",
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


def render_error(status: int, detail: str | None = None):
    title, message = ERRORS.get(status, ERRORS[500])
    return (
        render_template("errors/error.html", status=status, title=title, message=detail or message),
        status,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Le formulaire a expiré ou n'a pas pu être vérifié. Revenez à la page précédente, "
            "rechargez-la puis envoyez à nouveau le formulaire.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code not in ERRORS:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate or (propagate is None and (app.testing or app.debug)):  # tests see the traceback
            raise error
        log.exception("unhandled error")
        return render_error(500)
