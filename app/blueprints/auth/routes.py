"""Routes of the auth blueprint: route → form → domain operation → template."""

from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm, RecoveryForm, RegisterForm, ResetPasswordForm
from app.blueprints.common import limits
from app.blueprints.common.errors import render_error
from app.blueprints.common.forms import EmptyForm
from app.blueprints.common.responses import form_page, operation_context, redirect_to, render_invalid, safe_next_url
from app.domain import accounts, invitations, memberships
from app.policy import can_access_back_office
from app.reference.espaces_dedies import ESPACES_BY_SLUG, espace_for


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
    def register(form):
        return accounts.register_account(
            operation_context(),
            identifiant=form.identifiant.data,
            password=form.password.data,
            civilite=form.civilite.data,
            nom=form.nom.data,
            prenom=form.prenom.data,
            email=form.email.data,
            invitation=invitation,
        )

    def registered(account):
        session["registered_email"] = account.email
        return redirect_to(url_for("auth.registered"))

    form = _register_form(invitation)
    def identifiant_free(form):
        # The agents' form is refused before anything is looked up: trying an
        # agent's identifiant tells nothing about it.
        error = accounts.registration_identifiant_error(form.identifiant.data)
        return {"identifiant": error} if error else {}

    return form_page(form, "auth/register.html", register, registered, check=identifiant_free, invitation=invitation, token=token)


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
    status = 200 if result.outcome is accounts.LinkOutcome.VALID else 410
    if result.outcome is accounts.LinkOutcome.INVALID:
        status = 404
    joined = memberships.active_memberships(result.account) if result.outcome is accounts.LinkOutcome.VALID else []
    return (
        render_template("auth/activation.html", outcome=result.outcome.value, token=token, form=EmptyForm(), memberships=joined),
        status,
    )


@bp.route("/activation/<token>/nouveau-lien", methods=["POST"])
@limits.per_address("RECOVERY_RATE_LIMIT_PER_IP")
def resend_after_expiry(token):
    """From an expired (genuine) link: send a new activation email."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    account = accounts.pending_account_from_expired_link(token)
    return _resend_activation(account)


@bp.route("/activation/renvoyer", methods=["POST"])
@limits.per_address("RECOVERY_RATE_LIMIT_PER_IP")
def resend_for_pending_login():
    """From the login page, after a correct password on a pending account."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    account = accounts.account_by_id(session.pop("pending_account_id", None))
    return _resend_activation(account)


def _resend_activation(account):
    """A new activation email, unless too many were sent lately (429, how long to wait)."""
    if account is not None:
        try:
            accounts.resend_activation(operation_context(), account)
        except accounts.TooManyAttempts as refusal:
            return _too_many(refusal.message, refusal.wait)
    return redirect_to(url_for("auth.activation_resent"))


def _too_many(message: str, wait, link: dict | None = None):
    """429 « Trop de tentatives » saying how long to wait (also in ``Retry-After``)."""
    page, status = render_error(429, message, link=link)
    return page, status, {"Retry-After": str(wait.seconds)}


@bp.route("/activation/courriel-renvoye")
def activation_resent():
    return render_template(
        "auth/activation_resent.html", hours=current_app.config["ACTIVATION_MAX_AGE"] // 3600
    )


# --- Connexion ---------------------------------------------------------------------------


@bp.route("/connexion", methods=["GET", "POST"], defaults={"espace": None})
@bp.route("/connexion/<espace>", methods=["GET", "POST"])
@limits.per_address("LOGIN_RATE_LIMIT_PER_IP", methods=["POST"], deduct_when=_failed)
def login(espace):
    """« Se connecter ». Wrong passwords are throttled per (client address,
    identifiant) by ``accounts.authenticate``, and per address for any
    identifiant by the limit above: an attacker is slowed down, the owner
    logging in from elsewhere is not."""
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
    if result.outcome is accounts.LoginOutcome.THROTTLED:
        message = (
            f"Trop de tentatives : réessayez dans {result.wait.text}. Par sécurité, après plusieurs mots de passe "
            "incorrects, cet identifiant ne peut plus être essayé depuis votre connexion pendant quelque temps. "
            "Si vous avez oublié votre mot de passe, récupérez vos informations de connexion."
        )
        return _too_many(message, result.wait, {"href": url_for("auth.recover"), "text": "Récupérer mes informations de connexion"})
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
    joined = memberships.active_memberships(account)
    if joined and not any(m.structure.famille in espace.familles for m in joined):
        structure = joined[0].structure
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


@bp.route("/session/jeton-csrf")
def csrf_token():
    """A fresh CSRF token for a page whose token was refused (its session
    ended): the page script puts it in the page, so that the form is sent
    again without a reload and nothing typed is lost. Same-origin only (no
    CORS): another site cannot read it."""
    response = make_response(generate_csrf(), 200)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Récupérer mes informations de connexion -------------------------------------------------


@bp.route("/recuperer-mes-informations", methods=["GET", "POST"])
@limits.per_address("RECOVERY_RATE_LIMIT_PER_IP", methods=["POST"])
def recover():
    """« Récupérer mes informations de connexion »: the same answer, and the
    same work, whatever the address (``accounts.request_recovery``, which
    also limits the requests per address typed)."""
    def ask(form):
        accounts.request_recovery(operation_context(), form.email.data)
        return form.email.data

    def sent(email):
        session["recovery_email"] = email
        return redirect_to(url_for("auth.recovery_sent"))

    return form_page(RecoveryForm(), "auth/recover.html", ask, sent)


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
    if check.outcome is not accounts.LinkOutcome.VALID:
        return render_template("auth/reset_link_problem.html", outcome=check.outcome.value), 410
    form = ResetPasswordForm()
    form.identifiant_value = check.account.identifiant

    def done(result):
        if result.outcome is not accounts.LinkOutcome.VALID:  # used in another tab meanwhile
            return render_template("auth/reset_link_problem.html", outcome=result.outcome.value), 410
        flash("Votre mot de passe a été modifié. Vous pouvez vous connecter.", "success")
        return redirect_to(url_for("auth.login"))

    return form_page(
        form, "auth/reset_password.html",
        lambda form: accounts.reset_password(operation_context(), token, form.password.data), done,
        account=check.account,
    )
