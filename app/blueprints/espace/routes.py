"""Espace personnel and « Mon compte » (every logged-in account)."""

from flask import flash, render_template, url_for
from flask_login import current_user, login_required, login_user

from app.blueprints.espace import bp
from app.blueprints.espace.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from app.blueprints.structure.current import current_membership, current_memberships
from app.domain import accounts
from app.domain.base import DomainError
from app.policy import can_use_espace_personnel, permission_required
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid


@bp.route("/espace")
@permission_required(can_use_espace_personnel)
def home():
    return render_template("espace/home.html", current=current_membership(), memberships=current_memberships())


@bp.route("/compte")
@login_required
def account():
    return render_template("espace/account.html")


def _form_page(form, template, apply, success_message):
    """The shared shape of the « Mon compte » forms: validate, apply the
    domain operation, come back to « Mon compte » with a message."""
    if form.validate_on_submit():
        try:
            apply(form)
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            flash(success_message, "success")
            return redirect_to(url_for("espace.account"))
    if form.is_submitted():
        return render_invalid(template, form=form)
    return render_template(template, form=form)


@bp.route("/compte/informations", methods=["GET", "POST"])
@login_required
def account_profile():
    form = ProfileForm(obj=current_user)

    def apply(form):
        accounts.update_profile(
            operation_context(), current_user, civilite=form.civilite.data, nom=form.nom.data, prenom=form.prenom.data
        )

    return _form_page(form, "espace/account_profile.html", apply, "Vos informations personnelles sont enregistrées.")


@bp.route("/compte/adresse-electronique", methods=["GET", "POST"])
@login_required
def account_email():
    form = EmailChangeForm()

    def apply(form):
        accounts.request_email_change(operation_context(), current_user, form.email.data)

    return _form_page(
        form,
        "espace/account_email.html",
        apply,
        "Un lien de confirmation a été envoyé à votre nouvelle adresse électronique. "
        "Elle sera utilisée dès que vous aurez cliqué sur ce lien.",
    )


@bp.route("/compte/adresse-electronique/confirmer/<token>")
@login_required
def confirm_email(token):
    outcome = accounts.confirm_email_change(operation_context(), current_user, token)
    if outcome is accounts.LinkOutcome.DONE:
        flash("Votre nouvelle adresse électronique est confirmée.", "success")
        return redirect_to(url_for("espace.account"))
    return render_template("espace/email_link_problem.html", outcome=outcome.value), 410


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def account_password():
    form = PasswordChangeForm()
    form.identifiant_value = current_user.identifiant

    def apply(form):
        account = current_user._get_current_object()
        accounts.change_password(operation_context(), account, form.current_password.data, form.password.data)
        login_user(account)  # the session nonce changed: keep this session, end the others

    return _form_page(form, "espace/account_password.html", apply, "Votre mot de passe a été modifié.")
