"""Administration pages, for agents with role admin only (``can_administer``):
the dashboard, the agents, the téléservices."""

from flask import abort, current_app, flash, render_template, request, url_for
from sqlalchemy import func, select

from app.blueprints.admin import bp
from app.blueprints.admin.forms import AgentForm, DashboardForm, RoleForm, TeleserviceForm
from app.domain import admin
from app.domain.base import DomainError
from app.extensions import db
from app.field_values import format_date
from app.models import Account, AgentRole, AuditEvent, Demande, Teleservice
from app.models.types import utcnow
from app.policy import can_administer, permission_required
from app.web import form_errors_to_fields, operation_context, redirect_to, render_invalid


@bp.context_processor
def admin_helpers():
    return {
        "agent_role_label": lambda value: AgentRole(value).label if value in AgentRole._value2member_map_ else value,
        "password_link_minutes": current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    }


# --- Dashboard -----------------------------------------------------------------------


def demandes_list_url(**filters) -> str:
    """The back office's demandes list with these filters (statut, teleservice code)."""
    return url_for("instruction.demandes", **{k: v for k, v in filters.items() if v})


@bp.route("")
@permission_required(can_administer)
def dashboard():
    form = DashboardForm(request.args)
    figures = admin.dashboard(form.days())
    context = {
        "form": form,
        "figures": figures,
        "statuses": admin.DASHBOARD_STATUSES,
        "waiting_statuses": admin.WAITING_STATUSES,
        "list_url": demandes_list_url,
    }
    return render_template("admin/dashboard.html", **context), 422 if form.errors else 200


# --- Agents --------------------------------------------------------------------------


def _agent_or_404(agent_id: int) -> Account:
    agent = db.session.get(Account, agent_id)
    if agent is None or not agent.is_agent:
        abort(404)
    return agent


@bp.route("/agents")
@permission_required(can_administer)
def agents():
    return render_template("admin/agents.html", agents=admin.agents())


@bp.route("/agents/nouveau", methods=["GET", "POST"])
@permission_required(can_administer)
def agent_new():
    form = AgentForm()
    if form.validate_on_submit():
        try:
            agent = admin.create_agent(
                operation_context(),
                identifiant=form.identifiant.data,
                civilite=form.civilite.data,
                nom=form.nom.data,
                prenom=form.prenom.data,
                email=form.email.data,
                role=AgentRole(form.role.data),
            )
        except DomainError as error:
            form_errors_to_fields(form, error)
        else:
            flash(
                f"Le compte de {agent.display_name} est créé. Un courriel lui a été envoyé à {agent.email} "
                "pour choisir son mot de passe.",
                "success",
            )
            return redirect_to(url_for("admin.agent", agent_id=agent.id))
    if form.is_submitted():
        return render_invalid("admin/agent_form.html", form=form)
    return render_template("admin/agent_form.html", form=form)


def _agent_page(agent: Account, role_form: RoleForm | None = None, error: str | None = None):
    """The agent's page; a refused action shows there with status 422."""
    role_form = role_form or RoleForm(formdata=None, data={"role": agent.agent_role})
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == Account.__tablename__, AuditEvent.object_id == agent.id)
        .order_by(AuditEvent.id.desc())
        .limit(100)
    ).all()
    actions = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == agent.id).order_by(AuditEvent.id.desc()).limit(50)
    ).all()
    assigned = db.session.scalar(select(func.count(Demande.id)).where(Demande.assigned_agent_id == agent.id))
    context = {
        "agent": agent,
        "form": role_form,
        "error": error,
        "page_errors": [error] if error else [],
        "history": history,
        "actions": actions,
        "assigned": assigned,
    }
    invalid = error is not None or bool(role_form.errors)
    return render_template("admin/agent.html", **context), 422 if invalid else 200


@bp.route("/agents/<int:agent_id>")
@permission_required(can_administer)
def agent(agent_id):
    return _agent_page(_agent_or_404(agent_id))


@bp.route("/agents/<int:agent_id>/role", methods=["POST"])
@permission_required(can_administer)
def agent_role(agent_id):
    agent = _agent_or_404(agent_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _agent_page(agent, role_form=form)
    try:
        changed = admin.change_role(operation_context(), agent, AgentRole(form.role.data))
    except DomainError as error:
        form_errors_to_fields(form, error)
        return _agent_page(agent, role_form=form)
    if changed:
        flash(f"{agent.display_name} est désormais {AgentRole(agent.agent_role).label.lower()}.", "success")
    else:
        flash(f"{agent.display_name} était déjà {AgentRole(agent.agent_role).label.lower()} : rien n'a changé.", "info")
    return redirect_to(url_for("admin.agent", agent_id=agent.id))


@bp.route("/agents/<int:agent_id>/desactiver", methods=["GET", "POST"])
@permission_required(can_administer)
def agent_disable(agent_id):
    """A confirmation page, then the change (CSRF is checked by CSRFProtect)."""
    agent = _agent_or_404(agent_id)
    error = None
    if request.method == "POST":
        try:
            admin.disable_agent(operation_context(), agent)
        except DomainError as refusal:
            error = refusal.message
        else:
            flash(f"Le compte de {agent.display_name} est désactivé : il ne peut plus se connecter.", "success")
            return redirect_to(url_for("admin.agent", agent_id=agent.id))
    return (
        render_template("admin/agent_disable.html", agent=agent, error=error, page_errors=[error] if error else []),
        422 if error else 200,
    )


def _agent_action(agent_id: int, apply, success):
    """A button of the agent's page: the domain operation, then back to the
    page with ``success(agent)`` — or the refusal on the page (422)."""
    agent = _agent_or_404(agent_id)
    try:
        apply(operation_context(), agent)
    except DomainError as error:
        return _agent_page(agent, error=error.message)
    flash(success(agent), "success")
    return redirect_to(url_for("admin.agent", agent_id=agent.id))


@bp.route("/agents/<int:agent_id>/reactiver", methods=["POST"])
@permission_required(can_administer)
def agent_enable(agent_id):
    return _agent_action(
        agent_id, admin.enable_agent, lambda a: f"Le compte de {a.display_name} est réactivé : il peut de nouveau se connecter."
    )


@bp.route("/agents/<int:agent_id>/lien-mot-de-passe", methods=["POST"])
@permission_required(can_administer)
def agent_password_link(agent_id):
    return _agent_action(
        agent_id, admin.send_password_link, lambda a: f"Un lien pour choisir un nouveau mot de passe a été envoyé à {a.email}."
    )


# --- Téléservices --------------------------------------------------------------------


def _teleservice_or_404(code: str) -> Teleservice:
    teleservice = db.session.scalar(select(Teleservice).where(Teleservice.code == code))
    if teleservice is None or teleservice.current_version is None:
        abort(404)
    return teleservice


STATE_LABELS = {"ouvert": "Ouvert", "a_venir": "Pas encore ouvert", "clos": "Clôturé"}


@bp.route("/teleservices")
@permission_required(can_administer)
def teleservices():
    today = utcnow().date()
    rows = [(t, STATE_LABELS[admin.teleservice_state(t, today)]) for t in admin.teleservices() if t.current_version]
    return render_template("admin/teleservices.html", rows=rows)


@bp.route("/teleservices/<code>")
@permission_required(can_administer)
def teleservice(code):
    teleservice = _teleservice_or_404(code)
    author_ids = {v.created_by_id for v in teleservice.versions if v.created_by_id}
    authors = {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(author_ids)))} if author_ids else {}
    return render_template(
        "admin/teleservice.html",
        authors=authors,
        teleservice=teleservice,
        definition=teleservice.current_version.definition,
        state=STATE_LABELS[admin.teleservice_state(teleservice, utcnow().date())],
        versions=list(reversed(teleservice.versions)),
        changes=admin.version_changes(teleservice.versions),
    )


@bp.route("/teleservices/<code>/modifier", methods=["GET", "POST"])
@permission_required(can_administer)
def teleservice_edit(code):
    teleservice = _teleservice_or_404(code)
    current = teleservice.current_version
    definition = current.definition
    form = TeleserviceForm(
        data={
            "version": str(current.number),
            "ouverture": format_date(definition.ouverture),
            "cloture": format_date(definition.cloture),
            "description": definition.description,
            "preambule": definition.preambule,
        }
    )
    if form.validate_on_submit():
        try:
            version = admin.update_teleservice(
                operation_context(),
                teleservice,
                based_on=int(form.version.data) if (form.version.data or "").isdigit() else -1,
                ouverture=form.ouverture.parsed,
                cloture=form.cloture.parsed,
                description=form.description.data,
                preambule=form.preambule.data,
            )
        except DomainError as error:
            form_errors_to_fields(form, error)
            form.version.data = str(current.number)  # saving again overwrites knowingly
        else:
            if version is None:
                flash(f"Aucune modification : la version {current.number} reste en vigueur.", "info")
            else:
                flash(
                    f"La version {version.number} du téléservice est enregistrée. Les demandes déjà commencées "
                    "gardent leur version ; les nouvelles demandes partent de celle-ci.",
                    "success",
                )
            return redirect_to(url_for("admin.teleservice", code=teleservice.code))
    context = {"form": form, "teleservice": teleservice, "definition": definition}
    if form.is_submitted():
        return render_invalid("admin/teleservice_form.html", **context)
    return render_template("admin/teleservice_form.html", **context)
