"""Routes of the fils de discussion, the applicant side: « Mes fils de
discussion », a demande's thread, and « Nouveau message » (the pages both
sides share are ``app.blueprints.common.threads``)."""

from flask import render_template, request, url_for
from flask_login import current_user

from app.blueprints.common.access import load_demande, permission_required
from app.blueprints.common.threads import post_from_form, show_thread
from app.blueprints.messages import bp
from app.domain import messages
from app.policy import can_use_espace_personnel


@bp.route("/fils-de-discussion")
@permission_required(can_use_espace_personnel)
def mine():
    """« Mes fils de discussion »: newest activity first, with unread counts."""
    page = messages.threads_of(current_user, request.args.get("page", 1, type=int))
    return render_template("messages/list.html", page=page, page_url=lambda n: url_for("messages.mine", page=n))


@bp.route("/demandes/<int:demande_id>/fil-de-discussion")
@permission_required(can_use_espace_personnel)
@load_demande
def thread(demande):
    return show_thread(demande)


@bp.route("/demandes/<int:demande_id>/messages", methods=["POST"])
@permission_required(can_use_espace_personnel)
@load_demande
def post(demande):
    return post_from_form(demande)
