"""The agent's page of one demande and its actions (« instruction »)."""

from flask import abort, flash, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.blueprints.common.access import load_demande, permission_required, unless_done
from app.blueprints.common.downloads import send_document
from app.blueprints.common.responses import form_page, operation_context, redirect_to
from app.blueprints.common.threads import post_from_form, show_thread, thread_view
from app.blueprints.instruction import bp
from app.blueprints.instruction.forms.demande import AcceptForm, AssignForm, ComplementsForm, MotifForm, NoteForm
from app.domain import agents, audit, values
from app.domain.base import DomainError
from app.domain.demandes import instruction, queries, receipts
from app.domain.wizard.display import recap_sections
from app.models import Action
from app.policy import can_access_back_office

AGENTS = can_access_back_office


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.agent.choices = [SelectChoice(str(a.id), a.display_name) for a in agents.agents(active_only=True)]
    return form


@bp.route("/demandes/<int:demande_id>")
@permission_required(AGENTS)
@load_demande
def demande(demande):
    return render_template(
        "instruction/demande.html",
        demande=demande,
        recap=recap_sections(demande),
        history=audit.demande_history(demande, for_agents=True),
        notes=instruction.internal_notes(demande),
        receipt=receipts.latest_receipt(demande),
        beneficiary=queries.beneficiary_name(demande),
        beneficiary_verification=queries.beneficiary_verification(demande),
        document_note=queries.document_note,
        assign_form=_assign_form(),
        note_form=NoteForm(),
        view=thread_view(demande),
    )


def _back(demande, message: str):
    flash(message, "success")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id))


def _refused(demande, refusal: DomainError):
    flash(refusal.message, "info")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id))


def _then_back(demande, message: str):
    return lambda _result: _back(demande, message)


@bp.route("/demandes/<int:demande_id>/attribuer", methods=["POST"])
@permission_required(AGENTS)
@load_demande
def assign(demande):
    """« S'attribuer » (no agent chosen) or « Attribuer à »."""
    form = _assign_form()
    agent_id = form.agent.data or str(current_user.id)
    number = values.row_number(agent_id)
    agent = agents.agent_by_id(number) if number is not None else None
    if agent is None:
        abort(400)
    try:
        instruction.assign(operation_context(), demande, agent)
    except DomainError as refusal:
        return _refused(demande, refusal)
    return _back(demande, f"La demande est attribuée à {agent.display_name}.")


@bp.route("/demandes/<int:demande_id>/passer-en-instruction", methods=["POST"])
@permission_required(AGENTS)
@load_demande
@unless_done(Action.INSTRUIRE, "instruction.demande")
def start_instruction(demande):
    try:
        instruction.start_instruction(operation_context(), demande)
    except DomainError as refusal:
        return _refused(demande, refusal)
    return _back(demande, "La demande est en instruction ; le demandeur a été prévenu.")


@bp.route("/demandes/<int:demande_id>/complements", methods=["GET", "POST"])
@permission_required(AGENTS)
@load_demande
def complements(demande):
    """« Demander des compléments »."""
    return form_page(
        ComplementsForm(), "instruction/complements.html",
        lambda form: instruction.request_complements(operation_context(), demande, form.message.data, form.steps.data),
        _then_back(demande, "Les compléments sont demandés ; le demandeur a été prévenu par courriel."),
        demande=demande,
    )


@bp.route("/demandes/<int:demande_id>/accepter", methods=["GET", "POST"])
@permission_required(AGENTS)
@load_demande
@unless_done(Action.DECIDER, "instruction.demande")
def accept(demande):
    return form_page(
        AcceptForm(), "instruction/accept.html",
        lambda form: instruction.accept(
            operation_context(), demande, montant=form.montant.parsed, decision_date=form.decision_date.parsed, instance=form.instance.data
        ),
        _then_back(demande, "La demande est acceptée ; le demandeur a été prévenu par courriel."),
        check=lambda form: instruction.acceptance_problems(demande, montant=form.montant.parsed, instance=form.instance.data),
        demande=demande,
    )


def _motif_page(demande, operation, success: str):
    """« Refuser » and « Classer sans suite »: a motif, optionally the decision's date and instance."""
    return form_page(
        MotifForm(), "instruction/motif.html",
        lambda form: operation(
            operation_context(), demande, motif=form.motif.data, decision_date=form.decision_date.parsed, instance=form.instance.data or ""
        ),
        _then_back(demande, success),
        demande=demande,
    )


@bp.route("/demandes/<int:demande_id>/refuser", methods=["GET", "POST"])
@permission_required(AGENTS)
@load_demande
@unless_done(Action.DECIDER, "instruction.demande")
def refuse(demande):
    return _motif_page(demande, instruction.refuse, "La demande est refusée ; le demandeur a été prévenu par courriel.")


@bp.route("/demandes/<int:demande_id>/classer", methods=["GET", "POST"])
@permission_required(AGENTS)
@load_demande
@unless_done(Action.DECIDER, "instruction.demande")
def close(demande):
    return _motif_page(
        demande, instruction.close_without_follow_up, "La demande est classée sans suite ; le demandeur a été prévenu par courriel."
    )


@bp.route("/demandes/<int:demande_id>/notes", methods=["POST"])
@permission_required(AGENTS)
@load_demande
def add_note(demande):
    """A « note interne » (never shown to applicants)."""
    form = NoteForm()
    if form.validate_on_submit():
        instruction.add_internal_note(operation_context(), demande, form.body.data)
        return _back(demande, "La note interne est enregistrée.")
    flash("Saisissez le texte de la note interne.", "info")
    return redirect_to(url_for("instruction.demande", demande_id=demande.id) + "#notes-internes")


@bp.route("/demandes/<int:demande_id>/fil-de-discussion")
@permission_required(AGENTS)
@load_demande
def thread(demande):
    """The whole fil de discussion with the applicant (the page shows the last messages)."""
    return show_thread(demande)


@bp.route("/demandes/<int:demande_id>/messages", methods=["POST"])
@permission_required(AGENTS)
@load_demande
def post_message(demande):
    """« Nouveau message » from the council; the applicant side is told by email."""
    return post_from_form(demande)


@bp.route("/demandes/<int:demande_id>/documents/<int:attachment_id>")
@permission_required(AGENTS)
@load_demande
def document(demande, attachment_id):
    return send_document(demande, attachment_id)
