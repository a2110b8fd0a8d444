"""« Fils de discussion », the applicant side: the thread of a demande
(its page, and a summary on the demande page), « Nouveau message », and
« Mes fils de discussion » with unread counts."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from app.blueprints.messages import routes  # noqa: E402,F401
