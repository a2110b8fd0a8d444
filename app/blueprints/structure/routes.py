"""Routes of « Ma structure » (référent and members) and of the invitation links."""

from flask import abort, current_app, flash, render_template, url_for
from flask_login import current_user, login_required

from app.blueprints.common.access import allowed_or_403, permission_required
from app.blueprints.common.current_structure import choose, current_membership
from app.blueprints.common.forms import InviteForm
from app.blueprints.common.invitations import apply_invitation_action
from app.blueprints.common.responses import confirmation_page, form_page, operation_context, redirect_to
from app.blueprints.structure import bp
from app.blueprints.structure.forms import ChooseStructureForm, ContactForm
from app.domain import invitations, memberships, structures
from app.domain.base import DomainError
from app.domain.values import duration_text
from app.models import Membership, MembershipRole
from app.policy import can_accept_invitation, can_manage_members, can_use_espace_personnel


def _membership_or_404():
    membership = current_membership()
    if membership is None:
        abort(404)
    return membership


def _referent_structure():
    """The current structure, for actions only its référent may take (403 otherwise)."""
    structure = _membership_or_404().structure
    allowed_or_403(can_manage_members(current_user, structure))
    return structure


def _member_of_current_structure(membership_id: int) -> Membership:
    membership = memberships.active_member(_referent_structure(), membership_id)
    if membership is None:
        abort(404)
    return membership


def _back_home(message: str):
    def done(_result):
        flash(message, "success")
        return redirect_to(url_for("structure.home"))

    return done


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
    return form_page(
        ContactForm(obj=structure),
        "structure/contact.html",
        lambda form: structures.update_contact(operation_context(), structure, email=form.email.data, telephone=form.telephone.data),
        _back_home("Les coordonnées de contact de la structure sont enregistrées."),
        structure=structure,
    )


@bp.route("/structure/inviter", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def invite():
    """« Inviter un membre de la communauté éducative »."""
    structure = _referent_structure()

    def send(form):
        return invitations.invite(
            operation_context(), structure, email=form.email.data, role=MembershipRole.MEMBRE, nom=form.nom.data, prenom=form.prenom.data
        )

    def sent(invitation):
        validity = duration_text(current_app.config["INVITATION_MAX_AGE"])
        flash(f"L'invitation a été envoyée à {invitation.email}. Le lien est valable {validity}.", "success")
        return redirect_to(url_for("structure.home"))

    return form_page(InviteForm(), "structure/invite.html", send, sent, structure=structure)


@bp.route("/structure/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>", methods=["POST"])
@permission_required(can_use_espace_personnel)
def invitation_action(invitation_id, action):
    structure = _referent_structure()
    invitation = invitations.invitation_of(structure.id, invitation_id)
    if invitation is None:
        abort(404)
    apply_invitation_action(invitation, action)
    return redirect_to(url_for("structure.home"))


@bp.route("/structure/membres/<int:membership_id>/detacher", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def detach(membership_id):
    membership = _member_of_current_structure(membership_id)
    return confirmation_page(
        "structure/detach.html",
        lambda: memberships.detach(operation_context(), membership),
        _back_home(f"{membership.account.display_name} est détaché(e) de la structure."),
        membership=membership,
    )


@bp.route("/structure/membres/<int:membership_id>/referent", methods=["GET", "POST"])
@permission_required(can_use_espace_personnel)
def hand_over(membership_id):
    membership = _member_of_current_structure(membership_id)
    return confirmation_page(
        "structure/hand_over.html",
        lambda: memberships.hand_over_referent(operation_context(), current_membership(), membership),
        _back_home(f"{membership.account.display_name} est désormais référent(e) de la structure ; vous en êtes membre."),
        membership=membership,
    )


# --- Invitation links ------------------------------------------------------------------------


@bp.route("/invitation/<token>")
def invitation(token):
    check = invitations.check_link(token)
    status = 200 if check.state is invitations.LinkState.VALID else 410
    if check.state is invitations.LinkState.INVALID:
        status = 404
    return _invitation_page(check, token), status


def _invitation_page(check, token, refusal: str | None = None):
    """The invitation's page: accept (the addressee), or the two ways on for
    another account (``invitations``), or why the link no longer works."""
    addressee = check.addressed_to(current_user)
    other_account = current_user.is_authenticated and can_accept_invitation(current_user) and not addressee
    return render_template(
        "structure/invitation.html", check=check, token=token, state=check.state.value, addressee=addressee,
        other_account=other_account, error=refusal, page_errors=[refusal] if refusal else None,
    )


def _on_invitation(token, operation, done):
    """Run ``operation(ctx, token, account)`` for the logged-in usager; a
    refusal shows the invitation's page again with its reason (422)."""
    allowed_or_403(can_accept_invitation(current_user))
    try:
        result = operation(operation_context(), token, current_user._get_current_object())
    except DomainError as refusal:
        return _invitation_page(invitations.check_link(token), token, refusal.message), 422
    return done(result)


@bp.route("/invitation/<token>/accepter", methods=["POST"])
@login_required
def accept_invitation(token):
    def accepted(membership):
        choose(membership.structure_id)
        flash(f"Votre compte est rattaché à {membership.structure.raison_sociale} ({membership.role_label}).", "success")
        return redirect_to(url_for("structure.home"))

    return _on_invitation(token, invitations.accept, accepted)


@bp.route("/invitation/<token>/confirmation", methods=["POST"])
@login_required
def confirm_invitation(token):
    """Another account than the addressee's: a confirmation link to the invited address."""
    def sent(invitation):
        flash(
            f"Un lien de confirmation a été envoyé à l'adresse {invitation.email}. Ouvrez-le en étant connecté(e) avec "
            f"le compte {current_user.identifiant} pour rattacher ce compte à {invitation.structure.raison_sociale}.",
            "success",
        )
        return redirect_to(url_for("structure.invitation", token=token))

    return _on_invitation(token, invitations.send_confirmation, sent)
