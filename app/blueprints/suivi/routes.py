"""Routes of « Suivre mes demandes d'aide »."""

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import attachments
from app.blueprints.demande_access import demande_or_404
from app.blueprints.structure.current import current_membership
from app.blueprints.suivi import bp
from app.blueprints.suivi.forms import SORTS, ListForm, SendBackForm, TransmitForm
from app.domain import suivi
from app.domain.base import DomainError
from app.extensions import db
from app.models import Account, Attachment, AuditEvent, Demande, MembershipRole, Receipt
from app.pagination import paginate
from app.policy import can_edit_demande, can_transmit, can_use_espace_personnel, permission_required
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid
from app.wizard.display import recap_sections

SORT_COLUMNS = {
    "reference": Demande.reference,
    "teleservice": Demande.teleservice_version_id,
    "intitule": Demande.intitule,
    "statut": Demande.status,
    "auteur": Account.nom,
    "modification": Demande.updated_at,
}
assert set(SORT_COLUMNS) == set(SORTS)


def _visible_demandes():
    """A référent sees every demande of its structure (those of members
    since detached included); a membre, those it wrote for the structure;
    an account without structure, its own."""
    membership = current_membership()
    query = select(Demande).outerjoin(Account, Demande.author_id == Account.id)
    if membership is None:
        return query.where(Demande.author_id == current_user.id, Demande.structure_id.is_(None))
    query = query.where(Demande.structure_id == membership.structure_id)
    if membership.role != MembershipRole.REFERENT:
        query = query.where(Demande.author_id == current_user.id)
    return query


@bp.route("")
@permission_required(can_use_espace_personnel)
def mine():
    """« Suivre mes demandes d'aide »: filter by status, sort by column, pages."""
    form = ListForm(request.args)
    query = _visible_demandes().options(joinedload(Demande.author), joinedload(Demande.teleservice_version))
    if form.statut.data:
        query = query.where(Demande.status == form.statut.data)
    column = SORT_COLUMNS.get(form.tri.data or "modification", Demande.updated_at)
    order = column.asc() if form.ordre.data == "asc" else column.desc()
    page = paginate(query.order_by(order.nulls_last(), Demande.id.desc()), request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "suivi/list.html",
        form=form,
        page=page,
        page_url=lambda n: url_for("suivi.mine", page=n, **args),
        can_edit=lambda d: can_edit_demande(current_user, d),
        beneficiary=beneficiary_name,
    )


def beneficiary_name(demande) -> str:
    answers = demande.step_answers("beneficiaire")
    if answers.get("est_beneficiaire") == "non" and answers.get("raison_sociale"):
        return answers["raison_sociale"]
    return demande.structure.raison_sociale if demande.structure else (demande.author.display_name if demande.author else "")


@bp.route("/<int:demande_id>")
@permission_required(can_use_espace_personnel)
def demande(demande_id):
    """The demande: status, dated history, answers, documents, accusé de réception."""
    demande = demande_or_404(demande_id)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "demande", AuditEvent.object_id == demande.id, AuditEvent.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEvent.id)
    ).all()
    receipt = db.session.scalar(select(Receipt).where(Receipt.demande_id == demande.id).order_by(Receipt.id.desc()))
    return render_template(
        "suivi/demande.html",
        demande=demande,
        recap=recap_sections(demande),
        history=history,
        receipt=receipt,
        can_edit=can_edit_demande(current_user, demande),
        can_transmit=can_transmit(current_user, demande),
        beneficiary=beneficiary_name(demande),
    )


HISTORY_ACTIONS = (
    "demande.started",
    "demande.deposee",
    "demande.transmise",
    "demande.renvoyee",
    "demande.en_instruction",
    "demande.complements_demandes",
    "demande.complements_renvoyes",
    "demande.acceptee",
    "demande.refusee",
    "demande.classee_sans_suite",
)


@bp.route("/<int:demande_id>/documents/<int:attachment_id>")
@permission_required(can_use_espace_personnel)
def document(demande_id, attachment_id):
    """A document, only to those who may see the demande, as an attachment."""
    demande = demande_or_404(demande_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.demande_id != demande.id:
        abort(404)
    return send_file(
        attachments.open_stored(attachments.attachments_directory(current_app), attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
    )


def _transmissible_or_403(demande_id):
    demande = demande_or_404(demande_id)
    if not can_transmit(current_user, demande):
        abort(403)
    return demande


@bp.route("/<int:demande_id>/transmettre", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def transmit(demande_id):
    """« Transmettre à la Région » after the Conseil d'Administration."""
    demande = _transmissible_or_403(demande_id)
    form = TransmitForm()
    if form.validate_on_submit():
        pv = _stored_pv(form)
        if not form.pv.errors:
            try:
                suivi.transmit(operation_context(), demande, ca_date=form.ca_date.parsed, pv=pv)
            except DomainError as error:
                if pv is not None:  # the transaction rolled back: forget the file too
                    attachments.delete_stored(attachments.attachments_directory(current_app), pv[1].stored_name)
                form_errors_to_fields(form, error)
            else:
                flash(f"La demande {demande.reference} est transmise à la Région. L'accusé de réception a été envoyé par courriel.", "success")
                return redirect_to(url_for("suivi.demande", demande_id=demande.id))
    if form.is_submitted():
        return render_invalid("suivi/transmit.html", form=form, demande=demande)
    return render_template("suivi/transmit.html", form=form, demande=demande)


def _stored_pv(form):
    """Check and store the PV sent (by content, like the wizard's files)."""
    upload = form.pv.data
    if upload is None or not upload.filename:
        return None
    check = attachments.check_upload(upload, current_app.config["ATTACHMENT_MAX_BYTES"])
    if not check.ok:
        form.pv.errors = [check.error]
        return None
    stored = attachments.store(upload, attachments.attachments_directory(current_app))
    return upload.filename, stored, check.content_type


@bp.route("/<int:demande_id>/renvoyer", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def send_back(demande_id):
    """« Renvoyer à l'auteur pour modification »."""
    demande = _transmissible_or_403(demande_id)
    form = SendBackForm()
    if form.validate_on_submit():
        try:
            suivi.send_back(operation_context(), demande, form.message.data)
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            flash("La demande est renvoyée à son auteur, qui a été prévenu par courriel.", "success")
            return redirect_to(url_for("suivi.demande", demande_id=demande.id))
    if form.is_submitted():
        return render_invalid("suivi/send_back.html", form=form, demande=demande)
    return render_template("suivi/send_back.html", form=form, demande=demande)
