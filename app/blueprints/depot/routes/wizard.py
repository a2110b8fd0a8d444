"""The wizard: one engine for every téléservice, six steps, each at its own
address. « Précédent » and « Enregistrer » save what was typed without
blocking on validation; « Suivant » checks the step and shows every error at
once; a stale version (another tab) gets a conflict page, nothing lost.

What a step asks, proposes and finds wrong is the domain's
(``app.domain.wizard``); this module reads the request, calls the
operations (``app.domain.demandes``) and renders."""

import json

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app import policy
from app.blueprints.common.access import load_demande, permission_required
from app.blueprints.common.current_structure import current_membership
from app.blueprints.common.lookup import LookupForm, LookupPanel
from app.blueprints.common.responses import is_htmx, operation_context, redirect_to
from app.blueprints.depot import bp
from app.blueprints.depot.rawform import RawField, raw_form
from app.domain import values
from app.domain.base import DomainError
from app.domain.demandes import drafts, filing, instruction, queries
from app.domain.teleservices import teleservice_by_code
from app.domain.wizard import answers as answer_reading
from app.domain.wizard import pages, prefill, shapes
from app.domain.wizard.display import recap_sections
from app.domain.wizard.fields import check_budget
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import STEPS, STEPS_BY_SLUG
from app.domain.wizard.validation import document_field, failed_criteria, states
from app.models.lifecycle import RECAPITULATIF
from app.models.types import utcnow

USAGER = policy.can_use_espace_personnel


@bp.route("/nouvelle/<code>", methods=["POST"])
@permission_required(USAGER)
def start(code):
    """Start a draft of a téléservice for the current structure."""
    teleservice = teleservice_by_code(code) or abort(404)
    membership = current_membership()
    try:
        demande = drafts.start_demande(operation_context(), teleservice, membership.structure if membership else None)
    except DomainError as refusal:
        flash(refusal.message, "info")
        return redirect_to(url_for("depot.catalogue"))
    return redirect_to(url_for("depot.step", demande_id=demande.id, step="preambule"))


def _document_fields(demande, errors: dict) -> list[RawField]:
    """The file inputs of « Votre dossier », with their errors."""
    names = {d.code: document_field(d.code) for d in demande.definition.documents}
    return [
        RawField(name=names[d.code], label=d.label, errors=[errors[names[d.code]]] if names[d.code] in errors else [])
        for d in demande.definition.documents
    ]


def _render_step(demande, page: str, answers: dict, errors: dict, status=200, saved=False, panel=None, chosen=None, focus=None, announce=""):
    """The page, with ``focus``: the id of what changed, where the page script
    moves keyboard focus after an htmx swap (no error summary), and
    ``announce``: what the live region says besides « Brouillon enregistré »."""
    definition = demande.definition
    step = pages.step_of(page)
    fields = pages.page_fields(definition, page, answers)
    extra = _document_fields(demande, errors) if step == "dossier" else []
    form = raw_form(fields, answers, errors, extra)
    for name, message in errors.items():  # errors of the whole demande, not of one field
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
        "focus": focus,
        "announce": announce,
    }
    if step == RECAPITULATIF:
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


def _to_suivi(demande, refusal: DomainError):
    flash(refusal.message, "info")
    return redirect_to(url_for("suivi.demande", demande_id=demande.id))


@bp.route("/<int:demande_id>/etapes/<step>", methods=["GET", "POST"])
@permission_required(USAGER)
@load_demande
def step(demande, step):
    """A page of the wizard (``step`` is the page: a step, or the second
    page of « Bénéficiaire »)."""
    page = step
    if not pages.is_page(page):
        abort(404)
    if not policy.can_edit_demande(current_user, demande, pages.step_of(page)):
        return redirect_to(url_for("suivi.demande", demande_id=demande.id))
    if request.method == "GET":
        answers = prefill.proposed_answers(demande, pages.step_of(page), stored_answers(demande, pages.step_of(page)))
        return _render_step(demande, page, answers, {}, saved=bool(request.args.get("enregistre")))
    if page == pages.DETAILS:
        panel = LookupPanel.from_request()
        if panel.handled:
            return _beneficiary_lookup(demande, panel)
    return _save_and_go(demande, page)


def _beneficiary_lookup(demande, panel):
    """The look-up block of « Bénéficiaire »: « Utiliser ces informations »
    fills the beneficiary's fields from the record (saved as a draft)."""
    answers = stored_answers(demande, "beneficiaire")
    if panel.chosen is not None:
        try:
            answers = drafts.use_beneficiary_record(operation_context(), demande, panel.chosen, demande.version)
        except DomainError as refusal:
            return _to_suivi(demande, refusal)
    return _render_step(demande, pages.DETAILS, answers, {}, status=422 if panel.form.errors else 200, panel=panel, chosen=panel.chosen)


def _save_and_go(demande, page):
    step = pages.step_of(page)
    action = request.form.get("action", "enregistrer")
    stored = stored_answers(demande, step)
    if request.form.get("conflict_answers"):  # « Garder ma saisie » on the conflict page
        answers = _kept_answers(request.form["conflict_answers"])
    else:
        answers = answer_reading.read_answers(demande.definition, page, request.form, stored)
    line_action = answer_reading.apply_line_action(answers, action)
    answers = shapes.normalise(demande.definition, step, answers)
    try:
        # A version that is not one cannot be the current one: the conflict page, nothing lost.
        expected = values.row_number(request.form.get("version"))
        if expected is None:
            raise drafts.StaleDemande(demande)
        drafts.save_step(operation_context(), demande, step, answers, expected)
    except drafts.StaleDemande as conflict:
        # Files never conflict (each is one more document): keep those sent.
        kept = step == "dossier" and policy.can_edit_demande(current_user, conflict.demande, step)
        return _conflict(conflict.demande, page, answers, _store_uploads(conflict.demande) if kept else None)
    except DomainError as refusal:
        return _to_suivi(demande, refusal)
    upload_errors = _handle_documents(demande) if step == "dossier" else {}
    focus, announce = _pointer(line_action)
    here = url_for("depot.step", demande_id=demande.id, step=page, enregistre=1, retour=request.values.get("retour"))
    if line_action or action == "enregistrer" or action.startswith("remove-document-") or (upload_errors and action == "precedent"):
        if is_htmx() or upload_errors:
            return _render_step(demande, page, answers, upload_errors, status=422 if upload_errors else 200, saved=True, focus=focus, announce=announce)
        return redirect_to(here + (f"#{focus}" if line_action else ""))
    if action == "precedent":
        target = pages.previous_page(page, {"beneficiaire": stored_answers(demande, "beneficiaire")})
        return redirect_to(url_for("depot.step", demande_id=demande.id, step=target or page))
    if step == RECAPITULATIF and action == "deposer":
        return _file(demande)
    if step == RECAPITULATIF and action == "renvoyer-complements":
        return _return_complements(demande)
    shown = set(request.form) | set(request.form.getlist("affiche"))
    errors, unseen = prefill.errors_to_show(demande, page, answers, shown)
    errors |= upload_errors  # a refused file says why, among the page's other errors
    if errors or unseen:  # errors to show, or questions that just appeared (« Non » → the famille)
        fields = {f.code: f for f in pages.page_fields(demande.definition, page, answers)}
        announce = "Nouvelles questions : " + ", ".join(fields[code].label for code in unseen) + "." if unseen else ""
        return _render_step(demande, page, answers, errors, status=422 if errors else 200, saved=True, focus=unseen[0] if unseen else None, announce=announce)
    if request.values.get("retour") == RECAPITULATIF:
        return redirect_to(url_for("depot.step", demande_id=demande.id, step=RECAPITULATIF))
    target = pages.next_page(page, {"beneficiaire": stored_answers(demande, "beneficiaire")})
    return redirect_to(url_for("depot.step", demande_id=demande.id, step=target or page))


def _pointer(change: answer_reading.LineChange | None) -> tuple[str | None, str]:
    """Where focus goes after a step is saved, and what is announced: the new
    budget line's first cell, the heading of the list a line left, or the
    « Brouillon enregistré » message (ids of depot/partials/steps/budget.html
    and depot/step.html)."""
    if change is None:
        return "app-draft-status-message", ""
    side = "dépenses" if change.side == "depenses" else "recettes"
    if change.added:
        return f"{change.code}-{change.side}-{change.index}-{change.column}", f"Ligne {change.index + 1} ajoutée aux {side}."
    return f"{change.code}-{change.side}-titre", f"Ligne {change.index + 1} supprimée des {side}."


def _kept_answers(posted: str) -> dict:
    """The conflict page's copy of what was typed (JSON in a hidden field):
    read as far as it is a JSON object; the step's shape is applied after.
    Nesting too deep for the decoder (« [[[[… ») is no copy either."""
    try:
        kept = json.loads(posted)
    except (ValueError, RecursionError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _handle_documents(demande) -> dict:
    """Remove the file asked, store each file sent (checked by content); a
    refused file gets its message at its field, the rest is kept."""
    errors = {}
    action = request.form.get("action", "")
    if action.startswith("remove-document-"):
        number = action.rsplit("-", 1)[1]
        number = values.row_number(number)
        attachment = queries.document_of(demande, number) if number is not None else None
        if attachment is None:
            abort(404)
        try:
            drafts.remove_document(operation_context(), demande, attachment)
        except DomainError as refusal:
            errors[refusal.field] = refusal.message
    return errors | _store_uploads(demande)


def _store_uploads(demande) -> dict:
    """Attach each file sent for a document of the dossier; returns
    {field: message} for the files refused."""
    errors = {}
    ctx = operation_context()
    for document in demande.definition.documents:
        upload = request.files.get(document_field(document.code))
        if upload is None or not upload.filename:
            continue
        try:
            drafts.add_document(ctx, demande, document.code, upload)
        except DomainError as refusal:
            errors[refusal.field] = refusal.message
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
    saved = stored_answers(saved_demande, step)
    fields = pages.page_fields(saved_demande.definition, page, {**saved, **typed})
    rows = [
        {"label": f.label, "typed": typed.get(f.code), "saved": saved.get(f.code)}
        for f in fields
        if typed.get(f.code) != saved.get(f.code)
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
        filing.file_demande(operation_context(), demande)
    except DomainError as refusal:
        return _render_step(demande, RECAPITULATIF, stored_answers(demande, RECAPITULATIF), refusal.errors, status=422)
    return redirect_to(url_for("depot.confirmation", demande_id=demande.id))


@bp.route("/<int:demande_id>/confirmation")
@permission_required(USAGER)
@load_demande
def confirmation(demande):
    if demande.reference is None:
        return redirect_to(url_for("depot.step", demande_id=demande.id, step=RECAPITULATIF))
    return render_template("depot/confirmation.html", demande=demande)
