"""Back office « Structures »: list, create (with the référent's invitation),
edit, members, invitations, history, CSV import."""

from flask import abort, flash, render_template, request, url_for

from app.blueprints.common.access import permission_required
from app.blueprints.common.forms import InviteForm
from app.blueprints.common.invitations import apply_invitation_action
from app.blueprints.common.lookup import LookupPanel
from app.blueprints.common.responses import form_page, operation_context, redirect_to, show_error
from app.blueprints.instruction import bp
from app.blueprints.instruction.forms.structures import ImportForm, StructureForm, StructureSearchForm
from app.domain import audit, invitations, organisations, structures
from app.domain.base import DomainError
from app.domain.structure_import import ImportFileError, import_csv
from app.models import MembershipRole, Structure
from app.policy import can_manage_structures


def _structure_or_404(structure_id: int) -> Structure:
    return structures.structure_by_id(structure_id) or abort(404)


@bp.route("/structures", endpoint="structures")
@permission_required(can_manage_structures)
def structures_list():
    form = StructureSearchForm(request.args)
    page = structures.search(form.q.data, form.famille.data, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "instruction/structures.html", form=form, page=page, page_url=lambda n: url_for("instruction.structures", page=n, **args)
    )


def _chosen_lookup(form: StructureForm):
    """The look-up the agent chose with « Utiliser ces informations » (read
    back from the cache), if the form was filled from one."""
    chosen = organisations.chosen(form.lookup_key.data) if form.lookup_key.data else None
    return chosen if chosen is not None and chosen.can_be_chosen else None


def _save_structure(form: StructureForm, structure: Structure | None):
    """Create or update from a valid form; a domain refusal goes back to the
    form. A new structure keeps the look-up it was filled from (source,
    date) as its snapshot, or is marked unverified when typed by hand or
    edited. Returns (the structure saved, the structure with the same SIRET)."""
    ctx = operation_context()
    try:
        if structure is None:
            chosen = _chosen_lookup(form)
            snapshot = organisations.snapshot_for(form.structure_data(), chosen.record if chosen else None)
            structure = structures.create_structure(
                ctx, form.structure_data(), form.organisme_gestion_structure, lookup_snapshot=snapshot
            )
            flash(f"La structure est créée. L'invitation à créer le compte du référent a été envoyée à {structure.email}.", "success")
        else:
            structures.update_structure(ctx, structure, form.structure_data(), form.organisme_gestion_structure)
            flash("Les modifications de la structure sont enregistrées.", "success")
    except structures.DuplicateSiret as error:
        show_error(form, error)
        return None, error.existing
    except DomainError as error:
        show_error(form, error)
        return None, None
    return structure, None


def _structure_form_page(form, structure, panel=None):
    existing = None
    if form.validate_on_submit():
        saved, existing = _save_structure(form, structure)
        if saved is not None:
            return redirect_to(url_for("instruction.structure", structure_id=saved.id))
    context = {"form": form, "structure": structure, "existing": existing, "panel": panel}
    if structure is None:
        context["chosen"] = _chosen_lookup(form)
        if context["chosen"] is not None:  # the look-up block as the agent left it (RNA stays RNA)
            context["panel"] = LookupPanel.showing(context["chosen"])
    return render_template("instruction/structure_form.html", **context), 422 if form.is_submitted() else 200


@bp.route("/structures/nouvelle", methods=["GET", "POST"])
@permission_required(can_manage_structures)
def structure_new():
    """« Créer une structure », prefilled from API Entreprise when the agent
    looks the SIRET or RNA up first (the look-up block above the form)."""
    panel = LookupPanel.from_request()
    if panel.handled:
        record = panel.chosen.record if panel.chosen else None
        data = {**organisations.prefill_from(record), "lookup_key": panel.chosen.choice_value} if record else {}
        form = StructureForm(formdata=None, data=data)
        context = {"form": form, "structure": None, "existing": None, "panel": panel, "chosen": panel.chosen}
        return render_template("instruction/structure_form.html", **context), 422 if panel.form.errors else 200
    return _structure_form_page(StructureForm(), None, panel)


@bp.route("/structures/<int:structure_id>/modifier", methods=["GET", "POST"])
@permission_required(can_manage_structures)
def structure_edit(structure_id):
    structure = _structure_or_404(structure_id)
    form = StructureForm(obj=structure, current_structure=structure)
    if not form.is_submitted() and structure.organisme_gestion:
        form.organisme_gestion.data = structure.organisme_gestion.siret or structure.organisme_gestion.raison_sociale
    return _structure_form_page(form, structure)


@bp.route("/structures/<int:structure_id>")
@permission_required(can_manage_structures)
def structure(structure_id):
    structure = _structure_or_404(structure_id)
    return render_template(
        "instruction/structure.html",
        structure=structure,
        history=audit.structure_history(structure),
        invitation_status=invitations.display_status,
        invitation_action_url=lambda invitation, action: url_for(
            "instruction.structure_invitation_action", structure_id=structure.id, invitation_id=invitation.id, action=action
        ),
    )


@bp.route("/structures/<int:structure_id>/inviter", methods=["GET", "POST"])
@permission_required(can_manage_structures)
def structure_invite(structure_id):
    """Invite a (further) référent, e.g. when the previous one left."""
    structure = _structure_or_404(structure_id)

    def send(form):
        return invitations.invite(
            operation_context(), structure, email=form.email.data, role=MembershipRole.REFERENT, nom=form.nom.data, prenom=form.prenom.data
        )

    def sent(invitation):
        flash(f"L'invitation a été envoyée à {invitation.email}.", "success")
        return redirect_to(url_for("instruction.structure", structure_id=structure.id))

    return form_page(InviteForm(), "instruction/structure_invite.html", send, sent, structure=structure)


@bp.route("/structures/<int:structure_id>/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>", methods=["POST"])
@permission_required(can_manage_structures)
def structure_invitation_action(structure_id, invitation_id, action):
    invitation = invitations.invitation_of(structure_id, invitation_id)
    if invitation is None:
        abort(404)
    apply_invitation_action(invitation, action)
    return redirect_to(url_for("instruction.structure", structure_id=structure_id))


@bp.route("/structures/import", methods=["GET", "POST"])
@permission_required(can_manage_structures)
def structures_import():
    form = ImportForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.fichier.data
        if upload is None or not upload.filename:
            form.fichier.errors = ["Choisissez un fichier CSV"]
        else:
            try:
                outcome = import_csv(operation_context(), upload.read())
            except ImportFileError as error:
                form.fichier.errors = [str(error)]
    status = 422 if form.fichier.errors or (outcome and outcome.rejected) else 200
    return render_template("instruction/structures_import.html", form=form, outcome=outcome), status
