"""Administration pages, for agents with role admin only (``can_administer``):
the dashboard, the agents, the téléservices."""

from flask import abort, current_app, flash, render_template, request, url_for

from app.blueprints.admin import bp
from app.blueprints.admin.forms import AgentForm, DashboardForm, RoleForm, TeleserviceForm
from app.blueprints.common.access import permission_required
from app.blueprints.common.responses import confirmation_page, form_page, operation_context, redirect_to, show_error
from app.domain import agents as agent_domain
from app.domain import audit, values
from app.domain import dashboard as dashboard_domain
from app.domain import teleservices as teleservice_domain
from app.domain.base import DomainError
from app.domain.values import format_date
from app.models import Account, AgentRole, Teleservice
from app.models.lifecycle import BACK_OFFICE_STATUSES, OPEN_STATUSES
from app.models.types import utcnow
from app.policy import can_administer


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
    context = {
        "form": form,
        "figures": dashboard_domain.dashboard(form.days()),
        "statuses": BACK_OFFICE_STATUSES,
        "waiting_statuses": OPEN_STATUSES,
        "list_url": demandes_list_url,
    }
    return render_template("admin/dashboard.html", **context), 422 if form.errors else 200


# --- Agents --------------------------------------------------------------------------


def _agent_or_404(agent_id: int) -> Account:
    return agent_domain.agent_by_id(agent_id) or abort(404)


@bp.route("/agents")
@permission_required(can_administer)
def agents():
    return render_template("admin/agents.html", agents=agent_domain.agents())


@bp.route("/agents/nouveau", methods=["GET", "POST"])
@permission_required(can_administer)
def agent_new():
    def create(form):
        return agent_domain.create_agent(
            operation_context(),
            identifiant=form.identifiant.data,
            civilite=form.civilite.data,
            nom=form.nom.data,
            prenom=form.prenom.data,
            email=form.email.data,
            role=AgentRole(form.role.data),
        )

    def created(agent):
        flash(
            f"Le compte de {agent.display_name} est créé. Un courriel lui a été envoyé à {agent.email} pour choisir son mot de passe.",
            "success",
        )
        return redirect_to(url_for("admin.agent", agent_id=agent.id))

    return form_page(AgentForm(), "admin/agent_form.html", create, created)


def _agent_page(agent: Account, role_form: RoleForm | None = None, error: str | None = None):
    """The agent's page; a refused action shows there with status 422."""
    role_form = role_form or RoleForm(formdata=None, data={"role": agent.agent_role})
    context = {
        "agent": agent,
        "form": role_form,
        "error": error,
        "page_errors": [error] if error else [],
        "history": audit.account_history(agent),
        "actions": audit.actions_of(agent),
        "assigned": agent_domain.assigned_count(agent),
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
        changed = agent_domain.change_role(operation_context(), agent, AgentRole(form.role.data))
    except DomainError as error:
        show_error(form, error)
        return _agent_page(agent, role_form=form)
    role = AgentRole(agent.agent_role).label.lower()
    if changed:
        flash(f"{agent.display_name} est désormais {role}.", "success")
    else:
        flash(f"{agent.display_name} était déjà {role} : rien n'a changé.", "info")
    return redirect_to(url_for("admin.agent", agent_id=agent.id))


@bp.route("/agents/<int:agent_id>/desactiver", methods=["GET", "POST"])
@permission_required(can_administer)
def agent_disable(agent_id):
    """A confirmation page, then the change (CSRF is checked by CSRFProtect)."""
    agent = _agent_or_404(agent_id)

    def disabled(_result):
        flash(f"Le compte de {agent.display_name} est désactivé : il ne peut plus se connecter.", "success")
        return redirect_to(url_for("admin.agent", agent_id=agent.id))

    return confirmation_page("admin/agent_disable.html", lambda: agent_domain.disable_agent(operation_context(), agent), disabled, agent=agent)


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
        agent_id, agent_domain.enable_agent, lambda a: f"Le compte de {a.display_name} est réactivé : il peut de nouveau se connecter."
    )


@bp.route("/agents/<int:agent_id>/lien-mot-de-passe", methods=["POST"])
@permission_required(can_administer)
def agent_password_link(agent_id):
    return _agent_action(
        agent_id, agent_domain.send_password_link, lambda a: f"Un lien pour choisir un nouveau mot de passe a été envoyé à {a.email}."
    )


# --- Téléservices --------------------------------------------------------------------


def _teleservice_or_404(code: str) -> Teleservice:
    teleservice = teleservice_domain.teleservice_by_code(code)
    if teleservice is None or teleservice.current_version is None:
        abort(404)
    return teleservice


def _state_label(teleservice: Teleservice) -> str:
    return teleservice_domain.STATE_LABELS[teleservice_domain.state_on(teleservice.current_version.definition, utcnow().date())]


@bp.route("/teleservices")
@permission_required(can_administer)
def teleservices():
    rows = [(t, _state_label(t)) for t in teleservice_domain.teleservices()]
    return render_template("admin/teleservices.html", rows=rows)


@bp.route("/teleservices/<code>")
@permission_required(can_administer)
def teleservice(code):
    teleservice = _teleservice_or_404(code)
    return render_template(
        "admin/teleservice.html",
        authors=teleservice_domain.version_authors(teleservice),
        teleservice=teleservice,
        definition=teleservice.current_version.definition,
        state=_state_label(teleservice),
        versions=list(reversed(teleservice.versions)),
        changes=teleservice_domain.version_changes(teleservice.versions),
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

    def save(form):
        try:
            return teleservice_domain.update_teleservice(
                operation_context(),
                teleservice,
                based_on=values.row_number(form.version.data) or -1,
                ouverture=form.ouverture.parsed,
                cloture=form.cloture.parsed,
                description=form.description.data,
                preambule=form.preambule.data,
            )
        except DomainError:
            form.version.data = str(current.number)  # saving again overwrites knowingly
            raise

    def saved(version):
        if version is None:
            flash(f"Aucune modification : la version {current.number} reste en vigueur.", "info")
        else:
            flash(
                f"La version {version.number} du téléservice est enregistrée. Les demandes déjà commencées "
                "gardent leur version ; les nouvelles demandes partent de celle-ci.",
                "success",
            )
        return redirect_to(url_for("admin.teleservice", code=teleservice.code))

    return form_page(form, "admin/teleservice_form.html", save, saved, teleservice=teleservice, definition=definition)
