"""Back office « Demandes »: every demande transmitted to the Région, with
filters in the URL, sorts and keyset pages (``app.domain.demandes.backoffice_list``),
bulk actions on a selection (confirmed first, then applied one demande at a
time: ``app.domain.demandes.bulk``), and the exports
(``app.domain.demandes.exports``)."""

from datetime import datetime

from flask import Response, flash, render_template, request, send_file, stream_with_context, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.blueprints.common.access import permission_required
from app.blueprints.common.responses import operation_context, redirect_to
from app.blueprints.instruction import bp
from app.blueprints.instruction.forms.demandes_list import BulkActionForm, DemandeListForm, list_args
from app.domain import agents as agent_domain
from app.domain import messages, structures
from app.domain.demandes import backoffice_list, bulk, exports
from app.domain.values import format_number
from app.models import Account
from app.policy import can_access_back_office

CURSOR_ARGS = ("apres", "avant")


def _filter_args(args: MultiDict) -> dict:
    """The list's URL parameters that are filters or sorts (not a page position)."""
    return {key: value for key, value in args.items() if value and key not in CURSOR_ARGS}


def _list_form(args: MultiDict) -> tuple[DemandeListForm, list[Account], dict[str, str]]:
    """The filter form with its choices: the téléservices ({code: title}) and every agent."""
    form = DemandeListForm(args)
    agents, titles = agent_domain.agents(), backoffice_list.teleservice_titles()
    form.set_choices(titles, agents)
    return form, agents, titles


def _bulk_form(agents: list[Account]) -> BulkActionForm:
    form = BulkActionForm()
    form.set_agents([a for a in agents if a.is_active])
    return form


def _list_page(args: MultiDict, bulk: BulkActionForm | None = None):
    """The list for ``args`` (the URL's parameters); 422 when a filter or
    the bulk form is wrong (every value typed is kept)."""
    form, agents, titles = _list_form(args)
    valid = form.validate()
    bulk = bulk or _bulk_form(agents)
    page = None
    if valid:
        page = backoffice_list.page(form.filters(), form.sort(), after=args.get("apres"), before=args.get("avant"))
    filters = form.filters()
    structure = structures.structure_by_id(filters.structure_id) if filters.structure_id else None
    query = _filter_args(args)
    context = {
        "form": form,
        "bulk": bulk,
        "page": page,
        "titles": titles,
        "structure": structure,
        "page_errors": bool(bulk.errors),
        "list_url": url_for("instruction.demandes", **{**query, **{k: v for k, v in args.items() if k in CURSOR_ARGS}}),
        "without_structure_url": url_for("instruction.demandes", **{k: v for k, v in query.items() if k != "structure"}),
        "page_url": lambda **cursor: url_for("instruction.demandes", **query, **cursor),
        "export_url": lambda fmt: url_for("instruction.demandes_export", fmt=fmt, **query),
        "count_text": _count_text(page, form.has_filters),
        # Messages the agent has not seen yet, for the rows of this page only.
        "unread": messages.unread_by_demande(current_user, [row.id for row in page.rows]) if page else {},
    }
    status = 422 if form.errors or bulk.errors else 200
    return render_template("instruction/demandes_list.html", **context), status


def _count_text(page, filtered: bool) -> str:
    if page is None:
        return "Corrigez les filtres signalés pour afficher les demandes."
    noun = "demande" if page.total <= 1 else "demandes"
    return f"{format_number(page.total)} {noun}{' correspondant aux filtres' if filtered else ''}."


@bp.route("/demandes")
@permission_required(can_access_back_office)
def demandes():
    return _list_page(request.args)


# Bulk actions ---------------------------------------------------------------


def _confirm_label(plan: bulk.BulkPlan) -> str:
    n = len(plan.touched)
    demandes = f"{n} demande{'s' if n > 1 else ''}"
    if plan.action == "instruire":
        return f"Passer {demandes} en instruction"
    if plan.assigns_to_self:
        return f"M'attribuer {demandes}"
    return f"Attribuer {demandes} à {plan.agent.display_name}"


def _plan(form: BulkActionForm) -> bulk.BulkPlan:
    agent = agent_domain.agent_by_id(int(form.agent_id.data)) if form.action.data == "attribuer" else None
    return bulk.plan(operation_context(), form.action.data, form.ids, agent)


def _submitted_plan():
    """The posted bulk form and what it would do; or, when the form is
    wrong, the list it came from with the errors (422)."""
    form = _bulk_form(agent_domain.agents(active_only=True))
    if not form.validate_on_submit():
        return form, None, _list_page(list_args(form.retour.data), bulk=form)
    return form, _plan(form), None


def _back_to_list(form: BulkActionForm):
    """The list the agent came from, with its filters (nothing else)."""
    args = list_args(form.retour.data)
    return url_for("instruction.demandes", **_filter_args(args))


@bp.route("/demandes/actions", methods=["POST"])
@permission_required(can_access_back_office)
def demandes_bulk():
    """The confirmation: how many demandes the action touches, which it skips."""
    form, plan, invalid = _submitted_plan()
    if invalid:
        return invalid
    return render_template(
        "instruction/demandes_bulk_confirm.html", form=form, plan=plan, confirm_label=_confirm_label(plan), back_url=_back_to_list(form)
    )


@bp.route("/demandes/actions/confirmer", methods=["POST"])
@permission_required(can_access_back_office)
def demandes_bulk_apply():
    """Apply the confirmed action, one operation (one transaction) per demande."""
    form, plan, invalid = _submitted_plan()
    if invalid:
        return invalid
    done, refused = bulk.apply(operation_context(), plan)
    _flash_outcome(plan, done, refused)
    return redirect_to(_back_to_list(form))


DONE_MESSAGES = {
    "instruire": ("{n} demande est passée en instruction", "{n} demandes sont passées en instruction"),
    "moi": ("{n} demande vous est attribuée", "{n} demandes vous sont attribuées"),
    "attribuer": ("{n} demande est attribuée à {agent}", "{n} demandes sont attribuées à {agent}"),
}


def _flash_outcome(plan: bulk.BulkPlan, done: list[str], refused: list[tuple[str, str]]) -> None:
    action = "moi" if plan.action == "attribuer" and plan.assigns_to_self else plan.action
    if done:
        singular, plural = DONE_MESSAGES[action]
        text = (singular if len(done) == 1 else plural).format(n=len(done), agent=plan.agent.display_name if plan.agent else "")
        flash(f"{text} : {', '.join(done)}.", "success")
    if refused:
        details = " ; ".join(f"{reference} : {reason}" if reference else reason for reference, reason in refused)
        flash(f"Non traitée{'s' if len(refused) > 1 else ''} ({len(refused)}) : {details}.", "info")


# Exports --------------------------------------------------------------------


@bp.route("/demandes/export.<any(csv, xlsx):fmt>")
@permission_required(can_access_back_office)
def demandes_export(fmt):
    """« Exporter »: the filtered list, every page, as CSV (streamed) or XLSX."""
    form, _, titles = _list_form(request.args)
    if not form.validate():
        return redirect_to(url_for("instruction.demandes", **_filter_args(request.args)))
    rows = backoffice_list.iter_rows(form.filters(), form.sort())
    name = f"demandes-{datetime.now(backoffice_list.PARIS).date().isoformat()}.{fmt}"
    if fmt == "csv":
        response = Response(stream_with_context(exports.csv_chunks(rows, titles)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = send_file(exports.xlsx_file(rows, titles), mimetype=exports.XLSX_MIMETYPE, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
