"""Routes of « Ma structure » (référent and members) and of the invitation links."""

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user, login_required

from app.blueprints.invitation_actions import apply_invitation_action
from app.blueprints.structure import bp
from app.blueprints.structure.current import choose, current_membership
from app.blueprints.structure.forms import ChooseStructureForm, ContactForm
from app.domain import invitations, structures
from app.domain.base import DomainError
from app.extensions import db
from app.forms import InviteForm
from app.models import Invitation, Membership, MembershipRole
from app.policy import can_accept_invitation, can_manage_members, can_use_espace_personnel, permission_required
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid


def _membership_or_404():
    membership = current_membership()
    if membership is None:
        abort(404)
    return membership


def _referent_structure():
    """The current structure, for actions only its référent may take (403 otherwise)."""
    structure = _membership_or_404().structure
    if not can_manage_members(current_user, structure):
        abort(403)
    return structure


def _member_of_current_structure(membership_id: int) -> Membership:
    structure = _referent_structure()
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.structure_id != structure.id or not membership.is_active:
        abort(404)
    return membership


@bp.route("/structure")
@permission_required(can_use_espace_personnel)
def home():
    membership = current_membership()
    if membership is None:
        return render_template("structure/none.html")
    structure = membership.structure
    return render_template(
        "structure/home.html",
        membership=membership,
        structure=structure,
        is_referent=can_manage_members(current_user, structure),
        invitation_status=invitations.display_status,
        invitation_action_url=lambda invitation, action: url_for(
            "structure.invitation_action", invitation_id=invitation.id, action=action
        ),
    )


@bp.route("/structure/choisir", methods=["POST"])
@permission_required(can_use_espace_personnel)
def choose_structure():
    form = ChooseStructureForm()
    if not form.validate_on_submit() or not choose(form.structure_id.data):
        abort(404)
    flash(f"Vous travaillez maintenant pour {current_membership().structure.raison_sociale}.", "success")
    return redirect_to(url_for("espace.home"))


@bp.route("/structure/coordonnees", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def contact():
    structure = _referent_structure()
    form = ContactForm(obj=structure)
    if form.validate_on_submit():
        structures.update_contact(operation_context(), structure, email=form.email.data, telephone=form.telephone.data)
        flash("Les coordonnées de contact de la structure sont enregistrées.", "success")
        return redirect_to(url_for("structure.home"))
    if form.is_submitted():
        return render_invalid("structure/contact.html", form=form, structure=structure)
    return render_template("structure/contact.html", form=form, structure=structure)


@bp.route("/structure/inviter", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def invite():
    """« Inviter un membre de la communauté éducative »."""
    structure = _referent_structure()
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitations.invite(
                operation_context(), structure, email=form.email.data, role=MembershipRole.MEMBRE,
                nom=form.nom.data, prenom=form.prenom.data,
            )
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            flash(f"L'invitation a été envoyée à {form.email.data}. Le lien est valable 72 heures.", "success")
            return redirect_to(url_for("structure.home"))
    if form.is_submitted():
        return render_invalid("structure/invite.html", form=form, structure=structure)
    return render_template("structure/invite.html", form=form, structure=structure)


@bp.route("/structure/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>", methods=["POST"])
@permission_required(can_use_espace_personnel)
def invitation_action(invitation_id, action):
    structure = _referent_structure()
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.structure_id != structure.id:
        abort(404)
    apply_invitation_action(invitation, action)
    return redirect_to(url_for("structure.home"))


@bp.route("/structure/membres/<int:membership_id>/detacher", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def detach(membership_id):
    membership = _member_of_current_structure(membership_id)
    error = None
    if request.method == "POST":  # CSRF is checked by CSRFProtect
        try:
            structures.detach(operation_context(), membership)
        except DomainError as refusal:
            error = refusal.message
        else:
            flash(f"{membership.account.display_name} est détaché(e) de la structure.", "success")
            return redirect_to(url_for("structure.home"))
    return (
        render_template("structure/detach.html", membership=membership, error=error, page_errors=[error] if error else []),
        422 if error else 200,
    )


@bp.route("/structure/membres/<int:membership_id>/referent", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def hand_over(membership_id):
    membership = _member_of_current_structure(membership_id)
    mine = current_membership()
    error = None
    if request.method == "POST":  # CSRF is checked by CSRFProtect
        try:
            structures.hand_over_referent(operation_context(), mine, membership)
        except DomainError as refusal:
            error = refusal.message
        else:
            flash(f"{membership.account.display_name} est désormais référent(e) de la structure ; vous en êtes membre.", "success")
            return redirect_to(url_for("structure.home"))
    return (
        render_template("structure/hand_over.html", membership=membership, error=error, page_errors=[error] if error else []),
        422 if error else 200,
    )


# --- Invitation links ------------------------------------------------------------------------


@bp.route("/invitation/<token>")
def invitation(token):
    check = invitations.check_link(token)
    status = 200 if check.state is invitations.LinkState.VALID else 410
    if check.state is invitations.LinkState.INVALID:
        status = 404
    return render_template("structure/invitation.html", check=check, token=token, state=check.state.value), status


@bp.route("/invitation/<token>/accepter", methods=["POST"])
@login_required
def accept_invitation(token):
    if not can_accept_invitation(current_user):
        abort(403)
    try:
        membership = invitations.accept(operation_context(), token, current_user._get_current_object())
    except DomainError as refusal:
        check = invitations.check_link(token)
        return (
            render_template("structure/invitation.html", check=check, token=token, state=check.state.value, error=refusal.message, page_errors=[refusal.message]),
            422,
        )
    choose(membership.structure_id)
    flash(f"Votre compte est rattaché à {membership.structure.raison_sociale} ({membership.role_label}).", "success")
    return redirect_to(url_for("structure.home"))
