"""The agent's page of one demande and its actions (« instruction »)."""

from flask import abort, current_app, flash, render_template, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from app import attachments
from app.blueprints.instruction import bp
from app.blueprints.instruction.demande_forms import AcceptForm, AssignForm, ComplementsForm, MotifForm, NoteForm
from app.blueprints.messages import routes as message_routes
from app.blueprints.suivi.routes import HISTORY_ACTIONS, beneficiary_name
from app.domain import instruction
from app.domain.base import DomainError
from app.extensions import db
from app.models import Account, AccountStatus, Attachment, AuditEvent, Demande, InternalNote, Receipt
from app.policy import can_access_back_office, can_view_demande, permission_required
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid
from app.wizard.display import recap_sections

AGENT_HISTORY = (*HISTORY_ACTIONS, "demande.attribuee", "demande.note_interne")


def _demande(demande_id: int) -> Demande:
    demande = db.session.get(Demande, demande_id)
    if demande is None or not can_view_demande(current_user, demande):
        abort(404)
    return demande


def _agents() -> list[Account]:
    return list(
        db.session.scalars(
            select(Account).where(Account.agent_role.is_not(None), Account.status == AccountStatus.ACTIVE).order_by(Account.nom)
        )
    )


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.agent.choices = [(str(a.id), a.display_name) for a in _agents()]
    return form


@bp.route("/demandes/<int:demande_id>")
@permission_required(can_access_back_office)
def demande(demande_id):
    demande = _demande(demande_id)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "demande", AuditEvent.object_id == demande.id, AuditEvent.action.in_(AGENT_HISTORY))
        .order_by(AuditEvent.id)
    ).all()
    notes = db.session.scalars(select(InternalNote).where(InternalNote.demande_id == demande.id).order_by(InternalNote.id)).all()
    receipt = db.session.scalar(select(Receipt).where(Receipt.demande_id == demande.id).order_by(Receipt.id.desc()))
    return render_template(
        "instruction/demande.html",
        demande=demande,
        recap=recap_sections(demande),
        history=history,
        notes=notes,
        receipt=receipt,
        beneficiary=beneficiary_name(demande),
        assign_form=_assign_form(),
        note_form=NoteForm(),
    )


def _back(demande, message):
    flash(message, "success")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id))


def _refused(demande, refusal: DomainError):
    flash(refusal.message, "info")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id))


@bp.route("/demandes/<int:demande_id>/attribuer", methods=["POST"])
@permission_required(can_access_back_office)
def assign(demande_id):
    """« S'attribuer » (no agent chosen) or « Attribuer à »."""
    demande = _demande(demande_id)
    form = _assign_form()
    agent_id = form.agent.data or str(current_user.id)
    agent = db.session.get(Account, int(agent_id)) if agent_id.isdigit() else None
    if agent is None:
        abort(400)
    try:
        instruction.assign(operation_context(), demande, agent)
    except DomainError as refusal:
        return _refused(demande, refusal)
    return _back(demande, f"La demande est attribuée à {agent.display_name}.")


@bp.route("/demandes/<int:demande_id>/passer-en-instruction", methods=["POST"])
@permission_required(can_access_back_office)
def start_instruction(demande_id):
    demande = _demande(demande_id)
    try:
        instruction.start_instruction(operation_context(), demande)
    except DomainError as refusal:
        return _refused(demande, refusal)
    return _back(demande, "La demande est en instruction ; le demandeur a été prévenu.")


def _action_page(demande, form, template, apply, success):
    """The shared shape of the agent's action forms."""
    if form.validate_on_submit():
        try:
            apply(form)
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            return _back(demande, success)
    context = {"demande": demande, "form": form}
    if form.is_submitted():
        return render_invalid(template, **context)
    return render_template(template, **context)


@bp.route("/demandes/<int:demande_id>/complements", methods=["GET", "POST"])
@permission_required(can_access_back_office)
def complements(demande_id):
    """« Demander des compléments »."""
    demande = _demande(demande_id)
    return _action_page(
        demande, ComplementsForm(), "instruction/complements.html",
        lambda form: instruction.request_complements(operation_context(), demande, form.message.data, form.steps.data),
        "Les compléments sont demandés ; le demandeur a été prévenu par courriel.",
    )


@bp.route("/demandes/<int:demande_id>/accepter", methods=["GET", "POST"])
@permission_required(can_access_back_office)
def accept(demande_id):
    demande = _demande(demande_id)
    return _action_page(
        demande, AcceptForm(), "instruction/accept.html",
        lambda form: instruction.accept(
            operation_context(), demande, montant=form.montant.parsed, decision_date=form.decision_date.parsed, instance=form.instance.data
        ),
        "La demande est acceptée ; le demandeur a été prévenu par courriel.",
    )


def _motif_action(demande_id, operation, success):
    """« Refuser » and « Classer sans suite »: a motif, optionally the decision's date and instance."""
    demande = _demande(demande_id)
    return _action_page(
        demande, MotifForm(), "instruction/motif.html",
        lambda form: operation(
            operation_context(), demande, motif=form.motif.data, decision_date=form.decision_date.parsed, instance=form.instance.data or ""
        ),
        success,
    )


@bp.route("/demandes/<int:demande_id>/refuser", methods=["GET", "POST"])
@permission_required(can_access_back_office)
def refuse(demande_id):
    return _motif_action(demande_id, instruction.refuse, "La demande est refusée ; le demandeur a été prévenu par courriel.")


@bp.route("/demandes/<int:demande_id>/classer", methods=["GET", "POST"])
@permission_required(can_access_back_office)
def close(demande_id):
    return _motif_action(
        demande_id, instruction.close_without_follow_up, "La demande est classée sans suite ; le demandeur a été prévenu par courriel."
    )


@bp.route("/demandes/<int:demande_id>/notes", methods=["POST"])
@permission_required(can_access_back_office)
def add_note(demande_id):
    """A « note interne » (never shown to applicants)."""
    demande = _demande(demande_id)
    form = NoteForm()
    if form.validate_on_submit():
        instruction.add_internal_note(operation_context(), demande, form.body.data)
        return _back(demande, "La note interne est enregistrée.")
    flash("Saisissez le texte de la note interne.", "info")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id) + "#notes-internes")


@bp.route("/demandes/<int:demande_id>/fil-de-discussion")
@permission_required(can_access_back_office)
def thread(demande_id):
    """The whole fil de discussion with the applicant (the page shows the last messages)."""
    return message_routes.show_thread(_demande(demande_id))


@bp.route("/demandes/<int:demande_id>/messages", methods=["POST"])
@permission_required(can_access_back_office)
def post_message(demande_id):
    """« Nouveau message » from the council; the applicant side is told by email."""
    return message_routes.post_from_form(_demande(demande_id))


@bp.route("/demandes/<int:demande_id>/documents/<int:attachment_id>")
@permission_required(can_access_back_office)
def document(demande_id, attachment_id):
    demande = _demande(demande_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.demande_id != demande.id:
        abort(404)
    return send_file(
        attachments.open_stored(attachments.attachments_directory(current_app), attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
    )
