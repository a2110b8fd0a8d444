"""The wizard: one engine for every téléservice, six steps, each at its own
address. « Précédent » and « Enregistrer » save what was typed without
blocking on validation; « Suivant » checks the step and shows every error at
once; a stale version (another tab) gets a conflict page, nothing lost."""

import json

from flask import abort, current_app, flash, render_template, request, url_for
from flask_login import current_user

from app import attachments, organisations
from app.blueprints.demande_access import demande_or_404
from app.blueprints.depot import bp
from app.blueprints.organisations.forms import LookupForm, LookupPanel
from app.blueprints.structure.current import current_membership
from app.domain import demandes, instruction
from app.domain.base import DomainError
from app.extensions import db
from app.field_values import date_value, format_date
from app.models import Attachment
from app.models.types import utcnow
from app.policy import can_edit_demande, can_use_espace_personnel, permission_required
from app.web import is_htmx, operation_context, redirect_to
from app.wizard import answers as answer_reading
from app.wizard import pages
from app.wizard.checks import check_budget
from app.wizard.display import recap_sections
from app.wizard.rawform import RawField, raw_form
from app.wizard.steps import STEPS, STEPS_BY_SLUG
from app.wizard.validation import failed_criteria, states, step_errors


@bp.route("/nouvelle/<code>", methods=["POST"])
@permission_required(can_use_espace_personnel)
def start(code):
    """Start a draft of a téléservice for the current structure."""
    teleservice = demandes.teleservice_by_code(code) or abort(404)
    membership = current_membership()
    try:
        demande = demandes.start_demande(operation_context(), teleservice, membership.structure if membership else None)
    except DomainError as refusal:
        flash(refusal.message, "info")
        return redirect_to(url_for("depot.catalogue"))
    return redirect_to(url_for("depot.step", demande_id=demande.id, step="preambule"))


def _document_fields(demande, errors: dict) -> list[RawField]:
    return [
        RawField(name=f"document-{d.code}", label=d.label, errors=[errors[f"document-{d.code}"]] if f"document-{d.code}" in errors else [])
        for d in demande.definition.documents
    ]


def _prefill(demande, step: str, answers: dict) -> dict:
    """Values the wizard proposes before anything was typed."""
    if answers:
        return answers
    author = demande.author
    if step == "etablissement" and demande.structure is not None:
        return {"contact_email": author.email if author else demande.structure.email, "contact_telephone": demande.structure.telephone or ""}
    if step == "dossier" and author is not None:
        proposals = {"author_name": author.display_name, "author_email": author.email}
        return {f.code: proposals[f.prefill] for f in demande.definition.dossier if f.prefill}
    return answers


def _render_step(demande, page: str, answers: dict, errors: dict, status=200, saved=False, panel=None, chosen=None):
    definition = demande.definition
    step = pages.step_of(page)
    fields = pages.page_fields(definition, page, answers)
    extra = _document_fields(demande, errors) if step == "dossier" else []
    form = raw_form(fields, answers, errors, extra)
    for name, message in errors.items():  # budget line errors have no field of their own
        if name not in form:
            form.form_errors.append(message)
    context = {
        "demande": demande,
        "definition": definition,
        "step": STEPS_BY_SLUG[step],
        "page": page,
        "steps": STEPS,
        "states": states(demande),
        "form": form,
        "answers": answers,
        "saved_at": utcnow() if saved else None,
        "retour": request.values.get("retour"),
        "failed": failed_criteria(definition, answers) if step == "criteres" and errors else [],
        "panel": panel,
        "chosen": chosen,
    }
    if step == "recapitulatif":
        context["recap"] = recap_sections(demande)
    if step == "dossier":
        context["budgets"] = {f.code: _budget_view(answers.get(f.code)) for f in fields if f.type == "budget"}
    if page == pages.DETAILS and panel is None:
        context["panel"] = _default_panel(demande)
    return render_template("depot/step.html", **context), status


def _default_panel(demande) -> LookupPanel:
    """The look-up block before any search: the organisme de gestion on
    record for the structure is offered first (its SIRET already typed)."""
    if request.method == "GET" and request.args.get("lookup-kind"):
        return LookupPanel.from_request()
    og = demande.structure.organisme_gestion if demande.structure else None
    data = {"kind": "siret", "siret": og.siret} if og is not None and og.siret else None
    return LookupPanel(LookupForm(formdata=None, data=data))


def _budget_view(raw):
    raw = raw or {}
    return {"lines": {side: raw.get(side) or [] for side in ("depenses", "recettes")}, "totals": check_budget(raw)}


@bp.route("/<int:demande_id>/etapes/<step>", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def step(demande_id, step):
    """A page of the wizard (``step`` is the page: a step, or the second
    page of « Bénéficiaire »)."""
    page = step
    demande = demande_or_404(demande_id)
    if not pages.is_page(page):
        abort(404)
    if not can_edit_demande(current_user, demande, pages.step_of(page)):
        return redirect_to(url_for("suivi.demande", demande_id=demande.id))
    if request.method == "GET":
        answers = _prefill(demande, pages.step_of(page), demande.step_answers(pages.step_of(page)))
        return _render_step(demande, page, answers, {}, saved=bool(request.args.get("enregistre")))
    if page == pages.DETAILS:
        panel = LookupPanel.from_request()
        if panel.handled:
            return _beneficiary_lookup(demande, panel)
    return _save_and_go(demande, page)


def _beneficiary_lookup(demande, panel):
    """The look-up block of « Bénéficiaire »: « Utiliser ces informations »
    fills the beneficiary's fields from the record (saved as a draft)."""
    answers = demande.step_answers("beneficiaire")
    if panel.chosen is not None:
        prefill = organisations.prefill_from(panel.chosen.record)
        for name in ("raison_sociale", "sigle", "siret", "rna", "naf_code", "forme_juridique_code",
                     "date_publication_jo", "date_creation_rna", "date_derniere_maj_rna"):
            if prefill.get(name):
                answers[name] = _as_form_value(prefill[name])
        answers["lookup_key"] = panel.chosen.choice_value
        demandes.save_step(operation_context(), demande, "beneficiaire", answers, demande.version)
    return _render_step(demande, pages.DETAILS, answers, {}, status=422 if panel.form.errors else 200, panel=panel, chosen=panel.chosen)


def _as_form_value(value) -> str:
    """A record value as a form field shows it (dates as 15/09/2026)."""
    parsed, error = date_value(value) if isinstance(value, str) and len(value) == 10 and value[4] == "-" else (None, True)
    return format_date(parsed) if not error else str(value)


def _save_and_go(demande, page):
    step = pages.step_of(page)
    action = request.form.get("action", "enregistrer")
    stored = demande.step_answers(step)
    if request.form.get("conflict_answers"):  # « Garder ma saisie » on the conflict page
        answers = json.loads(request.form["conflict_answers"])
    else:
        answers = answer_reading.read_answers(demande.definition, page, request.form, stored)
    line_action = answer_reading.apply_line_action(answers, action)
    try:
        expected = int(request.form.get("version", "0"))
        demandes.save_step(operation_context(), demande, step, answers, expected)
    except demandes.StaleDemande as conflict:
        # Files never conflict (each is one more document): keep those sent.
        kept = step == "dossier" and demandes.step_is_editable(conflict.demande, step)
        return _conflict(conflict.demande, page, answers, _store_uploads(conflict.demande) if kept else None)
    except DomainError as refusal:
        flash(refusal.message, "info")
        return redirect_to(url_for("suivi.demande", demande_id=demande.id))
    upload_errors = _handle_documents(demande) if step == "dossier" else {}
    here = url_for("depot.step", demande_id=demande.id, step=page, enregistre=1, retour=request.values.get("retour"))
    if upload_errors or line_action or action == "enregistrer" or action.startswith("remove-document-"):
        if is_htmx() or upload_errors:
            return _render_step(demande, page, answers, upload_errors, status=422 if upload_errors else 200, saved=True)
        return redirect_to(here)
    if action == "precedent":
        target = pages.previous_page(page, demande.answers)
        return redirect_to(url_for("depot.step", demande_id=demande.id, step=target or page))
    if step == "recapitulatif" and action == "deposer":
        return _file(demande)
    if step == "recapitulatif" and action == "renvoyer-complements":
        return _return_complements(demande)
    fields = pages.page_fields(demande.definition, page, answers)
    unseen = [f.code for f in fields if f.code not in request.form and f.type not in ("checkboxes", "budget")]
    codes = {f.code for f in fields}
    errors = {
        name: message
        for name, message in step_errors(demande, step, answers).items()
        if (name in codes or step == "dossier") and name not in unseen
    }
    if errors or unseen:  # errors to show, or questions that just appeared (« Non » → the famille)
        return _render_step(demande, page, answers, errors, status=422 if errors else 200, saved=True)
    if request.values.get("retour") == "recapitulatif":
        return redirect_to(url_for("depot.step", demande_id=demande.id, step="recapitulatif"))
    target = pages.next_page(page, demande.answers)
    return redirect_to(url_for("depot.step", demande_id=demande.id, step=target or page))


def _handle_documents(demande) -> dict:
    """Remove the file asked, store each file sent (checked by content); a
    refused file gets its message at its field, the rest is kept."""
    errors = {}
    ctx = operation_context()
    action = request.form.get("action", "")
    if action.startswith("remove-document-"):
        attachment = db.session.get(Attachment, int(action.rsplit("-", 1)[1]) if action.rsplit("-", 1)[1].isdigit() else 0)
        if attachment is None or attachment.demande_id != demande.id:
            abort(404)
        try:
            stored_name = demandes.remove_attachment(ctx, demande, attachment)
        except DomainError as refusal:
            errors[f"document-{attachment.slot}"] = refusal.message
        else:
            attachments.delete_stored(attachments.attachments_directory(current_app), stored_name)
    return errors | _store_uploads(demande)


def _store_uploads(demande) -> dict:
    """Store each file sent for a document of the dossier (checked by
    content); returns {field: message} for the files refused."""
    errors = {}
    ctx = operation_context()
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    for document in demande.definition.documents:
        upload = request.files.get(f"document-{document.code}")
        if upload is None or not upload.filename:
            continue
        check = attachments.check_upload(upload, max_bytes)
        if not check.ok:
            errors[f"document-{document.code}"] = check.error
            continue
        directory = attachments.attachments_directory(current_app)
        stored = attachments.store(upload, directory)
        try:
            demandes.add_attachment(ctx, demande, document.code, upload.filename, stored, check.content_type)
        except DomainError as refusal:  # no longer editable: forget the stored file
            attachments.delete_stored(directory, stored.stored_name)
            errors[f"document-{document.code}"] = refusal.message
    return errors


def _return_complements(demande):
    """« Renvoyer »: the completed demande goes back to the council."""
    try:
        instruction.return_complements(operation_context(), demande)
    except DomainError as refusal:
        flash(refusal.message, "info")
    else:
        flash("Vos compléments sont transmis à la Région. Merci.", "success")
    return redirect_to(url_for("suivi.demande", demande_id=demande.id))


def _conflict(saved_demande, page, typed, file_errors=None):
    """Two tabs (or two people) on one demande: show both versions of the
    step, let the person choose; nothing is discarded. ``file_errors``: the
    files sent were stored (None: none could be, the step is no longer
    editable), except those refused, by field."""
    step = pages.step_of(page)
    fields = pages.page_fields(saved_demande.definition, page, {**saved_demande.step_answers(step), **typed})
    rows = [
        {"label": f.label, "typed": typed.get(f.code), "saved": saved_demande.step_answers(step).get(f.code)}
        for f in fields
        if typed.get(f.code) != saved_demande.step_answers(step).get(f.code)
    ]
    return (
        render_template(
            "depot/conflict.html",
            demande=saved_demande,
            step=STEPS_BY_SLUG[step],
            page=page,
            rows=rows,
            typed_json=json.dumps(typed, ensure_ascii=False),
            files_sent=any(f.filename for f in request.files.values()),
            files_kept=file_errors is not None,
            file_errors=file_errors or {},
        ),
        409,
    )


def _file(demande):
    try:
        demandes.file_demande(operation_context(), demande)
    except DomainError as refusal:
        errors = {"certifie": refusal.message} if demande.step_answers("recapitulatif").get("certifie") != ["oui"] else {}
        answers = demande.step_answers("recapitulatif")
        response, _ = _render_step(demande, "recapitulatif", answers, errors or {"_incomplet": refusal.message}, status=422)
        return response, 422
    return redirect_to(url_for("depot.confirmation", demande_id=demande.id))





@bp.route("/<int:demande_id>/confirmation")
@permission_required(can_use_espace_personnel)
def confirmation(demande_id):
    demande = demande_or_404(demande_id)
    if demande.reference is None:
        return redirect_to(url_for("depot.step", demande_id=demande.id, step="recapitulatif"))
    return render_template("depot/confirmation.html", demande=demande)
