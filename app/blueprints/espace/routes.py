"""Espace personnel and « Mon compte » (every logged-in account)."""

from flask import flash, render_template, url_for
from flask_login import current_user, login_required, login_user

from app.blueprints.common.access import permission_required
from app.blueprints.common.current_structure import current_membership, current_memberships
from app.blueprints.common.responses import form_page, operation_context, redirect_to
from app.blueprints.espace import bp
from app.blueprints.espace.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from app.domain import accounts, messages
from app.domain.demandes import queries
from app.policy import can_use_espace_personnel


@bp.route("/espace")
@permission_required(can_use_espace_personnel)
def home():
    return render_template(
        "espace/home.html",
        current=current_membership(),
        memberships=current_memberships(),
        unread=messages.unread_count(current_user),
        summary=queries.espace_summary(current_user, current_membership()),
    )


@bp.route("/compte")
@login_required
def account():
    return render_template("espace/account.html")


def _back_to_account(message: str):
    """After a « Mon compte » form: back to « Mon compte », saying what was done."""

    def done(_result):
        flash(message, "success")
        return redirect_to(url_for("espace.account"))

    return done


@bp.route("/compte/informations", methods=["GET", "POST"])
@login_required
def account_profile():
    return form_page(
        ProfileForm(obj=current_user),
        "espace/account_profile.html",
        lambda form: accounts.update_profile(
            operation_context(), current_user, civilite=form.civilite.data, nom=form.nom.data, prenom=form.prenom.data
        ),
        _back_to_account("Vos informations personnelles sont enregistrées."),
    )


@bp.route("/compte/adresse-electronique", methods=["GET", "POST"])
@login_required
def account_email():
    return form_page(
        EmailChangeForm(),
        "espace/account_email.html",
        lambda form: accounts.request_email_change(operation_context(), current_user, form.email.data),
        _back_to_account(
            "Un lien de confirmation a été envoyé à votre nouvelle adresse électronique. "
            "Elle sera utilisée dès que vous aurez suivi ce lien."
        ),
    )


@bp.route("/compte/adresse-electronique/confirmer/<token>")
@login_required
def confirm_email(token):
    outcome = accounts.confirm_email_change(operation_context(), current_user, token)
    if outcome is accounts.LinkOutcome.VALID:
        flash("Votre nouvelle adresse électronique est confirmée.", "success")
        return redirect_to(url_for("espace.account"))
    return render_template("espace/email_link_problem.html", outcome=outcome.value), 410


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def account_password():
    form = PasswordChangeForm()
    form.identifiant_value = current_user.identifiant

    def change(form):
        account = current_user._get_current_object()
        accounts.change_password(operation_context(), account, form.current_password.data, form.password.data)
        login_user(account)  # the session nonce changed: keep this session, end the others

    return form_page(form, "espace/account_password.html", change, _back_to_account("Votre mot de passe a été modifié."))
