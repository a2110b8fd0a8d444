"""Routes of the auth blueprint: route → form → domain operation → template."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.blueprints.auth import bp
from app.blueprints.auth.forms import EmptyForm, LoginForm, RecoveryForm, RegisterForm, ResetPasswordForm
from app.domain import accounts, invitations, structures
from app.domain.base import DomainError
from app.espaces import ESPACES_BY_SLUG, espace_for
from app.extensions import db, limiter
from app.models import Account
from app.policy import can_access_back_office
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid, safe_next_url


def _config_limit(key):
    return lambda: current_app.config[key]


def _form_value(name):
    return lambda: f"{request.endpoint}:{request.form.get(name, '').strip().casefold()}"


def _failed(response):
    return response.status_code == 422


# --- Créer un compte -----------------------------------------------------------------


@bp.route("/creer-un-compte", methods=["GET", "POST"])
def register():
    """« Créer un compte »; from an invitation link (``?invitation=``) the
    invited address is filled in and fixed, and the account joins the
    structure once activated."""
    token = request.args.get("invitation")
    invitation = None
    if token:
        check = invitations.check_link(token)
        if check.state is not invitations.LinkState.VALID:
            return render_template("structure/invitation.html", check=check, token=token, state=check.state.value), 410
        invitation = check.invitation
    form = _register_form(invitation)
    if form.validate_on_submit():
        try:
            accounts.register_account(
                operation_context(),
                identifiant=form.identifiant.data,
                password=form.password.data,
                civilite=form.civilite.data,
                nom=form.nom.data,
                prenom=form.prenom.data,
                email=form.email.data,
                invitation=invitation,
            )
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            session["registered_email"] = form.email.data
            return redirect_to(url_for("auth.registered"))
    context = {"form": form, "invitation": invitation, "token": token}
    if form.is_submitted():
        return render_invalid("auth/register.html", **context)
    return render_template("auth/register.html", **context)


def _register_form(invitation) -> RegisterForm:
    if invitation is None:
        return RegisterForm()
    fixed = {"email": invitation.email, "email_confirmation": invitation.email}
    if request.method == "POST":
        formdata = request.form.copy()
        for name, value in fixed.items():  # whatever was sent, the invited address is used
            formdata.setlist(name, [value])
        return RegisterForm(formdata=formdata)
    return RegisterForm(data={**fixed, "nom": invitation.nom, "prenom": invitation.prenom})


@bp.route("/creer-un-compte/courriel-envoye")
def registered():
    return render_template(
        "auth/registered.html",
        email=session.get("registered_email"),
        hours=current_app.config["ACTIVATION_MAX_AGE"] // 3600,
    )


@bp.route("/activation/<token>")
def activate(token):
    result = accounts.activate_account(operation_context(), token)
    status = 200 if result.outcome is accounts.LinkOutcome.DONE else 410
    if result.outcome is accounts.LinkOutcome.INVALID:
        status = 404
    memberships = structures.active_memberships(result.account) if result.outcome is accounts.LinkOutcome.DONE else []
    return (
        render_template(
            "auth/activation.html", outcome=result.outcome.value, token=token, form=EmptyForm(), memberships=memberships
        ),
        status,
    )


@bp.route("/activation/<token>/nouveau-lien", methods=["POST"])
@limiter.limit(_config_limit("RECOVERY_RATE_LIMIT_PER_IP"))
def resend_after_expiry(token):
    """From an expired (genuine) link: send a new activation email."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    account = accounts.pending_account_from_expired_link(token)
    if account is not None:
        accounts.resend_activation(operation_context(), account)
    return redirect_to(url_for("auth.activation_resent"))


@bp.route("/activation/renvoyer", methods=["POST"])
@limiter.limit(_config_limit("RECOVERY_RATE_LIMIT_PER_IP"))
def resend_for_pending_login():
    """From the login page, after a correct password on a pending account."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    account_id = session.pop("pending_account_id", None)
    account = db.session.get(Account, account_id) if account_id else None
    if account is not None:
        accounts.resend_activation(operation_context(), account)
    return redirect_to(url_for("auth.activation_resent"))


@bp.route("/activation/courriel-renvoye")
def activation_resent():
    return render_template(
        "auth/activation_resent.html", hours=current_app.config["ACTIVATION_MAX_AGE"] // 3600
    )


# --- Connexion ---------------------------------------------------------------------------


@bp.route("/connexion", methods=["GET", "POST"], defaults={"espace": None})
@bp.route("/connexion/<espace>", methods=["GET", "POST"])
@limiter.limit(_config_limit("LOGIN_RATE_LIMIT_PER_IP"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _config_limit("LOGIN_RATE_LIMIT_PER_IDENTIFIANT"),
    key_func=_form_value("identifiant"),
    methods=["POST"],
    deduct_when=_failed,
)
def login(espace):
    espace_obj = ESPACES_BY_SLUG.get(espace) if espace else None
    if espace and espace_obj is None:
        abort(404)
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home_for(current_user))
    form = LoginForm()
    context = {"form": form, "espace": espace_obj, "next": safe_next_url(request.args.get("next"))}
    if not form.validate_on_submit():
        if form.is_submitted():
            return render_invalid("auth/login.html", **context)
        return render_template("auth/login.html", **context)

    result = accounts.authenticate(operation_context(), form.identifiant.data, form.password.data)
    if result.outcome is accounts.LoginOutcome.OK:
        next_url = context["next"]
        session.clear()  # a new session at login: nothing from before carries over
        login_user(result.account)
        session["espace"] = espace_obj.slug if espace_obj else None
        _say_which_espace_fits(result.account, espace_obj)
        return redirect_to(next_url or _home_for(result.account))
    if result.outcome is accounts.LoginOutcome.PENDING:
        session["pending_account_id"] = result.account.id
        context["pending"] = True
        context["resend_form"] = EmptyForm()
        return render_invalid("auth/login.html", **context)
    form.form_errors.append(
        "Identifiant ou mot de passe incorrect. Vérifiez votre saisie ou récupérez vos informations de connexion."
    )
    return render_invalid("auth/login.html", **context)


def _say_which_espace_fits(account, espace) -> None:
    """Logging in through an espace that does not serve the account's
    structures works; the portal says which espace fits next time."""
    if espace is None or account.is_agent:
        return
    memberships = structures.active_memberships(account)
    if memberships and not any(m.structure.famille in espace.familles for m in memberships):
        structure = memberships[0].structure
        flash(
            f"Votre structure {structure.raison_sociale} ({structure.famille_label}) relève de "
            f"l'{espace_for(structure.famille).label}. Vous pourrez vous connecter par cet espace la prochaine fois.",
            "info",
        )


def _home_for(account) -> str:
    if can_access_back_office(account):
        return url_for("instruction.home")
    return url_for("espace.home")


@bp.route("/deconnexion", methods=["POST"])
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté(e). À bientôt.", "success")
    return redirect_to(url_for("public.home"))


# --- Récupérer mes informations de connexion -------------------------------------------------


@bp.route("/recuperer-mes-informations", methods=["GET", "POST"])
@limiter.limit(_config_limit("RECOVERY_RATE_LIMIT_PER_IP"), methods=["POST"])
@limiter.limit(_config_limit("RECOVERY_RATE_LIMIT_PER_EMAIL"), key_func=_form_value("email"), methods=["POST"])
def recover():
    form = RecoveryForm()
    if form.validate_on_submit():
        accounts.request_recovery(operation_context(), form.email.data)
        session["recovery_email"] = form.email.data
        return redirect_to(url_for("auth.recovery_sent"))
    if form.is_submitted():
        return render_invalid("auth/recover.html", form=form)
    return render_template("auth/recover.html", form=form)


@bp.route("/recuperer-mes-informations/courriel-envoye")
def recovery_sent():
    return render_template(
        "auth/recovery_sent.html",
        email=session.get("recovery_email"),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


@bp.route("/nouveau-mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token):
    check = accounts.check_reset_link(token)
    if check.outcome is not accounts.LinkOutcome.DONE:
        return render_template("auth/reset_link_problem.html", outcome=check.outcome.value), 410
    form = ResetPasswordForm()
    form.identifiant_value = check.account.identifiant
    if form.validate_on_submit():
        result = accounts.reset_password(operation_context(), token, form.password.data)
        if result.outcome is accounts.LinkOutcome.DONE:
            flash("Votre mot de passe a été modifié. Vous pouvez vous connecter.", "success")
            return redirect_to(url_for("auth.login"))
        return render_template("auth/reset_link_problem.html", outcome=result.outcome.value), 410
    context = {"form": form, "account": check.account}
    if form.is_submitted():
        return render_invalid("auth/reset_password.html", **context)
    return render_template("auth/reset_password.html", **context)
