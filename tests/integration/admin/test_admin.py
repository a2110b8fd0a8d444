"""Administration (issue 7 §3): agents, téléservices, dashboard — every
action and every refusal, as a plain form and as an htmx request."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.domain import agents as agent_domain
from app.domain import dashboard as dashboard_domain
from app.domain import teleservices as teleservice_domain
from app.domain.base import SYSTEM, DomainError, OperationContext
from app.domain.demandes import drafts
from app.domain.values import format_amount, format_date
from app.extensions import db
from app.models import Account, AccountStatus, AgentRole, AuditEvent, Demande, DemandeStatus, Teleservice
from app.models.types import utcnow
from tests.support.accounts import PASSWORD, login, make_account, make_agent
from tests.support.mail import link_in, outbox
from tests.support.structures import attach, make_structure
from tests.support.web import error_messages, page_text
from tests.support.wizard import lycee_with_people, make_filed_demande, open_teleservices

NEW_AGENT = {
    "identifiant": "c.martin",
    "civilite": "madame",
    "nom": "Martin",
    "prenom": "Claire",
    "email": "c.martin@region.example",
    "role": "instructeur",
}


@pytest.fixture
def admin_app(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"))
    with app.app_context():
        yield app


@pytest.fixture
def admin(admin_app):
    return make_agent("admin.region", AgentRole.ADMIN)


@pytest.fixture
def admin_client(admin_app, admin):
    client = admin_app.test_client()
    login(client, "admin.region")
    return client


def _follow(mode, client, response, path):
    """The page a successful post leads to (303 or HX-Redirect), as text."""
    location = mode.assert_redirect(response, path)
    return page_text(html.unescape(client.get(location).get_data(as_text=True)))


def _agent(identifiant: str) -> Account:
    return db.session.scalar(select(Account).where(Account.identifiant_key == identifiant.casefold()))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --- Who may -----------------------------------------------------------------------------

PAGES = [
    ("GET", "/administration"),
    ("GET", "/administration/agents"),
    ("GET", "/administration/agents/nouveau"),
    ("POST", "/administration/agents/nouveau"),
    ("GET", "/administration/agents/{agent}"),
    ("POST", "/administration/agents/{agent}/role"),
    ("GET", "/administration/agents/{agent}/desactiver"),
    ("POST", "/administration/agents/{agent}/desactiver"),
    ("POST", "/administration/agents/{agent}/reactiver"),
    ("POST", "/administration/agents/{agent}/lien-mot-de-passe"),
    ("GET", "/administration/teleservices"),
    ("GET", "/administration/teleservices/TRAJ"),
    ("GET", "/administration/teleservices/TRAJ/modifier"),
    ("POST", "/administration/teleservices/TRAJ/modifier"),
]


@pytest.fixture
def people(admin_app, admin):
    instructeur = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    make_account(identifiant="usager", email="usager@exemple.fr")
    return {"agent": instructeur.id}


@pytest.mark.parametrize(("method", "path"), PAGES)
@pytest.mark.parametrize("who", ["visiteur", "usager", "instructeur.region"])
def test_only_admins_reach_the_administration(admin_app, people, mode, who, method, path):
    client = admin_app.test_client()
    if who != "visiteur":
        login(client, who)
    url = path.format(**people)
    response = mode.get(client, url) if method == "GET" else mode.post(client, url, {"role": "admin"})
    if who == "visiteur":
        mode.assert_login_required(response)
    else:
        assert "Accès refusé" in html.unescape(mode.assert_page(response, status=403))
    assert db.session.get(Account, people["agent"]).agent_role == AgentRole.INSTRUCTEUR
    assert db.session.get(Account, people["agent"]).status == AccountStatus.ACTIVE


def test_only_admins_see_the_navigation_item_and_the_card(admin_app, people, admin_client):
    for path in ("/instruction/", "/administration"):
        body = html.unescape(admin_client.get(path).get_data(as_text=True))
        assert 'href="/administration"' in body and "Administration" in body
    instructeur = admin_app.test_client()
    login(instructeur, "instructeur.region")
    assert 'href="/administration"' not in instructeur.get("/instruction/").get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), [p for p in PAGES if p[0] == "GET"])
def test_admin_pages_answer_both_ways(people, admin_client, mode, method, path, tmp_path):
    open_teleservices(tmp_path)
    mode.assert_page(mode.get(admin_client, path.format(**people)))


def test_unknown_agent_and_teleservice_are_404(people, admin_client):
    usager = _agent("usager")
    assert admin_client.get(f"/administration/agents/{usager.id}").status_code == 404
    assert admin_client.post(f"/administration/agents/{usager.id}/desactiver").status_code == 404
    assert admin_client.get("/administration/agents/999999").status_code == 404
    assert admin_client.get("/administration/teleservices/NOPE/modifier").status_code == 404
    assert usager.status == AccountStatus.ACTIVE


# --- Agents --------------------------------------------------------------------------------


def test_the_list_shows_every_agent(people, admin_client, mode):
    disabled = make_agent("ancien.agent", AgentRole.INSTRUCTEUR)
    agent_domain.disable_agent(SYSTEM, disabled)
    text = page_text(html.unescape(mode.assert_page(mode.get(admin_client, "/administration/agents"))))
    for expected in ("admin.region", "instructeur.region", "ancien.agent", "Agent administrateur", "Agent instructeur",
                     "instructeur.region@region.example", "Actif", "Désactivé", "3 agents"):
        assert expected in text
    assert "usager" not in text.replace("usagers", "")


def test_create_an_agent_who_chooses_its_own_password(admin_app, admin_client, admin, mode):
    response = mode.post(admin_client, "/administration/agents/nouveau", NEW_AGENT)
    agent = _agent("c.martin")
    text = _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    assert "Le compte de Claire Martin est créé" in text and "c.martin@region.example" in text
    assert agent.agent_role == AgentRole.INSTRUCTEUR and agent.status == AccountStatus.ACTIVE
    assert agent.civilite == "madame" and agent.nom == "Martin" and agent.prenom == "Claire"
    (event,) = [e for e in _events("agent.created") if e.object_id == agent.id]
    assert event.actor_id == admin.id
    assert "Compte d'agent créé" in text and "Région Agent" in text  # the history names the admin

    # Nobody knows the password: the agent chooses it from the emailed link.
    (mail,) = outbox("c.martin@region.example")
    assert "Identifiant : c.martin" in mail.body_text.replace("Votre identifiant : ", "Identifiant : ")
    link = link_in(mail.body_text, "/nouveau-mot-de-passe/")
    newcomer = admin_app.test_client()
    assert newcomer.post("/connexion", data={"identifiant": "c.martin", "password": PASSWORD}).status_code == 422
    new_password = "Orientation-2026!"
    response = newcomer.post(link, data={"password": new_password, "password_confirmation": new_password})
    assert response.status_code == 303
    response = newcomer.post("/connexion", data={"identifiant": "C.Martin", "password": new_password})
    assert response.status_code == 303 and response.headers["Location"] == "/instruction/"
    assert newcomer.post(link, data={"password": "Autre-chose-2026!", "password_confirmation": "Autre-chose-2026!"}).status_code == 410


AGENT_CASES = [
    ({"identifiant": ""}, "identifiant", "Saisissez l'identifiant de l'agent"),
    ({"identifiant": "é"}, "identifiant", "entre 3 et 50 caractères"),
    ({"identifiant": "Claire Martin"}, "identifiant", "lettres sans accent"),
    ({"identifiant": "ADMIN.region"}, "identifiant", "Cet identifiant est déjà utilisé"),
    ({"civilite": ""}, "civilite", "Sélectionnez la civilité de l'agent"),
    ({"civilite": "docteur"}, "civilite", "Sélectionnez la civilité de l'agent"),
    ({"nom": ""}, "nom", "Saisissez le nom de l'agent"),
    ({"nom": "M4rtin"}, "nom", "ne peut contenir que des lettres"),
    ({"prenom": ""}, "prenom", "Saisissez le prénom de l'agent"),
    ({"email": "pas-une-adresse"}, "email", "adresse électronique valide"),
    ({"role": ""}, "role", "Choisissez le rôle de l'agent"),
    ({"role": "super-admin"}, "role", "Choisissez le rôle de l'agent"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), AGENT_CASES)
def test_bad_agent_input_is_explained_at_the_field(admin_client, mode, overrides, field, message):
    body = html.unescape(mode.assert_invalid(mode.post(admin_client, "/administration/agents/nouveau", {**NEW_AGENT, **overrides})))
    assert any(message in m for m in error_messages(body)), error_messages(body)
    assert f'href="#{field}"' in body
    assert field == "nom" or 'value="Martin"' in body  # what was typed stays
    assert _agent("c.martin") is None or field != "identifiant" or overrides["identifiant"] == "ADMIN.region"
    assert outbox("c.martin@region.example") == []
    assert db.session.scalar(select(Account).where(Account.email == "c.martin@region.example")) is None


def test_change_an_agents_role(admin_client, admin, mode):
    agent = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    response = mode.post(admin_client, f"/administration/agents/{agent.id}/role", {"role": "admin"})
    text = _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    assert "Région Agent est désormais agent administrateur" in text
    assert "Rôle modifié : Agent instructeur → Agent administrateur" in text
    db.session.refresh(agent)
    assert agent.agent_role == AgentRole.ADMIN
    (event,) = _events("agent.role_changed")
    assert event.actor_id == admin.id and event.details == {"old": "instructeur", "new": "admin"}
    # The same role again changes nothing.
    response = mode.post(admin_client, f"/administration/agents/{agent.id}/role", {"role": "admin"})
    assert "rien n'a changé" in _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    assert len(_events("agent.role_changed")) == 1


def test_role_refusals(admin_client, admin, mode):
    agent = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    body = html.unescape(mode.assert_invalid(mode.post(admin_client, f"/administration/agents/{agent.id}/role", {"role": "chef"})))
    assert "Choisissez le rôle de l'agent" in error_messages(body) and 'href="#role"' in body
    body = html.unescape(mode.assert_invalid(mode.post(admin_client, f"/administration/agents/{admin.id}/role", {"role": "instructeur"})))
    assert "Vous ne pouvez pas changer votre propre rôle" in body
    db.session.refresh(admin)
    db.session.refresh(agent)
    assert admin.agent_role == AgentRole.ADMIN and agent.agent_role == AgentRole.INSTRUCTEUR
    assert _events("agent.role_changed") == []


def test_disable_an_agent_keeps_its_history_and_demandes(admin_app, admin_client, admin, mode, tmp_path):
    open_teleservices(tmp_path)
    agent = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    lycee = make_structure()
    referent = make_account(identifiant="ref", email="ref@exemple.fr")
    attach(referent, lycee)
    demande = make_filed_demande(referent, lycee)
    db.session.execute(update(Demande).where(Demande.id == demande.id).values(assigned_agent_id=agent.id))
    db.session.commit()
    agent_session = admin_app.test_client()
    login(agent_session, "instructeur.region")  # the agent is working when it is disabled
    assert agent_session.get("/instruction/").status_code == 200

    text = page_text(html.unescape(mode.assert_page(mode.get(admin_client, f"/administration/agents/{agent.id}/desactiver"))))
    assert "Désactiver le compte de Région Agent ?" in text
    response = mode.post(admin_client, f"/administration/agents/{agent.id}/desactiver")
    text = _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    assert "Le compte de Région Agent est désactivé" in text and "Désactivé" in text
    assert "Compte désactivé" in text and "Demandes attribuées 1" in text
    assert f'href="/instruction/demandes?agent={agent.id}"' in admin_client.get(f"/administration/agents/{agent.id}").get_data(as_text=True)
    assert "Connexion" in text  # its own actions stay listed
    db.session.refresh(agent)
    assert agent.status == AccountStatus.DISABLED and agent.agent_role == AgentRole.INSTRUCTEUR
    (event,) = _events("agent.disabled")
    assert event.actor_id == admin.id and event.object_id == agent.id
    assert db.session.scalar(select(Demande.assigned_agent_id).where(Demande.id == demande.id)) == agent.id
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == agent.id))] == ["account.logged_in"]

    # Its open session ends, and it cannot log in again: the login page's generic message.
    assert agent_session.get("/instruction/").status_code == 302
    response = mode.post(admin_app.test_client(), "/connexion", {"identifiant": "instructeur.region", "password": PASSWORD})
    assert "Identifiant ou mot de passe incorrect" in html.unescape(mode.assert_invalid(response))
    # Nor obtain a password link.
    body = html.unescape(mode.assert_page(mode.post(admin_client, f"/administration/agents/{agent.id}/lien-mot-de-passe"), status=422))
    assert "Ce compte est désactivé" in body and outbox(agent.email) == []

    # Re-enabled, it logs in again.
    response = mode.post(admin_client, f"/administration/agents/{agent.id}/reactiver")
    assert "Le compte de Région Agent est réactivé" in _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    db.session.refresh(agent)
    assert agent.status == AccountStatus.ACTIVE and len(_events("agent.enabled")) == 1
    login(admin_app.test_client(), "instructeur.region")


def test_an_admin_cannot_disable_itself(admin_client, admin, mode):
    body = html.unescape(mode.assert_page(mode.post(admin_client, f"/administration/agents/{admin.id}/desactiver"), status=422))
    assert "Vous ne pouvez pas désactiver votre propre compte" in body and "<title>Erreur : " in body
    db.session.refresh(admin)
    assert admin.status == AccountStatus.ACTIVE and _events("agent.disabled") == []
    # Its own page offers neither.
    text = page_text(html.unescape(admin_client.get(f"/administration/agents/{admin.id}").get_data(as_text=True)))
    assert "C'est votre compte" in text and "Désactiver le compte" not in text and "Changer le rôle" not in text


def test_disabling_twice_or_enabling_an_active_agent_is_refused(admin_client, mode):
    agent = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    body = html.unescape(mode.assert_page(mode.post(admin_client, f"/administration/agents/{agent.id}/reactiver"), status=422))
    assert "Ce compte n'est pas désactivé" in body
    agent_domain.disable_agent(SYSTEM, agent)
    body = html.unescape(mode.assert_page(mode.post(admin_client, f"/administration/agents/{agent.id}/desactiver"), status=422))
    assert "Ce compte est déjà désactivé" in body
    assert len(_events("agent.disabled")) == 1


def test_the_last_active_admin_stays(admin_app, admin):
    """Through the web an admin acts, so another active admin exists; the
    rule still holds for every caller (command line, a race)."""
    with pytest.raises(DomainError, match="dernier administrateur actif"):
        agent_domain.disable_agent(SYSTEM, admin)
    with pytest.raises(DomainError, match="dernier administrateur actif") as refusal:
        agent_domain.change_role(SYSTEM, admin, AgentRole.INSTRUCTEUR)
    assert refusal.value.field == "role"
    db.session.refresh(admin)
    assert admin.status == AccountStatus.ACTIVE and admin.agent_role == AgentRole.ADMIN
    # A disabled admin does not count: with two admins, one disabled, the other is the last.
    other = make_agent("autre.admin", AgentRole.ADMIN)
    agent_domain.disable_agent(OperationContext(actor=admin), other)
    with pytest.raises(DomainError, match="dernier administrateur actif"):
        agent_domain.change_role(OperationContext(actor=other), admin, AgentRole.INSTRUCTEUR)
    agent_domain.enable_agent(SYSTEM, other)
    agent_domain.change_role(OperationContext(actor=other), admin, AgentRole.INSTRUCTEUR)
    db.session.refresh(admin)
    assert admin.agent_role == AgentRole.INSTRUCTEUR


def test_send_a_new_password_link(admin_app, admin_client, mode):
    agent = make_agent("instructeur.region", AgentRole.INSTRUCTEUR)
    response = mode.post(admin_client, f"/administration/agents/{agent.id}/lien-mot-de-passe")
    text = _follow(mode, admin_client, response, f"/administration/agents/{agent.id}")
    assert "Un lien pour choisir un nouveau mot de passe a été envoyé à instructeur.region@region.example" in text
    (mail,) = outbox("instructeur.region@region.example", "Choisissez votre mot de passe")
    link = link_in(mail.body_text, "/nouveau-mot-de-passe/")
    assert admin_app.test_client().get(link).status_code == 200
    assert len(_events("agent.password_link_sent")) == 1


# --- Téléservices ------------------------------------------------------------------------


@pytest.fixture
def filed(admin_app, tmp_path):
    """The three téléservices open, and a TRAJ demande filed with version 1."""
    open_teleservices(tmp_path)
    lycee, referent, teacher = lycee_with_people()
    return make_filed_demande(teacher, lycee, intitule="Projet de la version 1")


def _teleservice(code="TRAJ") -> Teleservice:
    return db.session.scalar(select(Teleservice).where(Teleservice.code == code))


def _edit_data(teleservice: Teleservice, **overrides) -> dict:
    definition = teleservice.current_version.definition
    return {
        "version": str(teleservice.current_version.number),
        "ouverture": format_date(definition.ouverture),
        "cloture": format_date(definition.cloture),
        "description": definition.description,
        "preambule": definition.preambule,
        **overrides,
    }


def test_the_list_shows_versions_dates_and_states(filed, admin_client, mode):
    today = date.today()
    teleservice_domain.update_teleservice(
        OperationContext(), _teleservice("SPRO"), based_on=1,
        ouverture=today - timedelta(days=100), cloture=today - timedelta(days=1),
        description="Clos.", preambule="Clos.",
    )
    traj = _teleservice().current_version.definition
    text = page_text(html.unescape(mode.assert_page(mode.get(admin_client, "/administration/teleservices"))))
    assert "Lycée-Projets « Trajectoires » TRAJ 1 " + format_date(traj.ouverture) + " " + format_date(traj.cloture) + " Ouvert" in text
    assert "SPRO 2 " in text and "Clôturé" in text


def test_edit_makes_a_new_version_and_the_demande_keeps_its_own(filed, admin_client, admin, mode, tmp_path):
    teleservice = _teleservice()
    old = teleservice.current_version.definition
    body = html.unescape(mode.assert_page(mode.get(admin_client, "/administration/teleservices/TRAJ/modifier")))
    assert f'value="{format_date(old.ouverture)}"' in body and old.preambule.splitlines()[0] in body

    data = _edit_data(teleservice, description="Une description revue.", preambule="Premier paragraphe.\n\nSecond paragraphe.")
    response = mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", data)
    text = _follow(mode, admin_client, response, "/administration/teleservices/TRAJ")
    assert "La version 2 du téléservice est enregistrée" in text
    assert "Une description revue." in text
    db.session.expire_all()
    teleservice = _teleservice()
    new = teleservice.current_version
    assert new.number == 2 and new.created_by_id == admin.id
    assert new.definition.description == "Une description revue."
    assert new.definition.preambule == "Premier paragraphe.\n\nSecond paragraphe."
    assert new.definition.dossier == old.dossier and new.definition.cloture == old.cloture  # the rest is kept
    # The versions' history: number, date, who, what changed.
    assert "2 " + format_date(new.created_at) in text and "Région Agent Description, préambule" in text
    assert "Système (fichier de définition) Première version" in text

    # The filed demande keeps version 1; a new demande starts with version 2.
    demande = db.session.get(Demande, filed.id)
    assert demande.teleservice_version.number == 1 and demande.definition.description == old.description
    teacher = _agent("prof")
    newer = drafts.start_demande(OperationContext(actor=teacher), teleservice, demande.structure)
    assert newer.teleservice_version.number == 2 and newer.definition.description == "Une description revue."


def test_an_admins_edit_is_audited_with_its_address(filed, admin_app, admin):
    """Regression (issue 10): the edit is an operation like every admin
    action — its audit event names the agent and the address it came from."""
    client = admin_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    login(client, admin.identifiant)
    data = _edit_data(_teleservice(), description="Une description revue.")
    assert client.post("/administration/teleservices/TRAJ/modifier", data=data).status_code == 303
    (event,) = _events("teleservice.version_created")[-1:]
    assert event.details == {"code": "TRAJ", "number": 2}
    assert (event.actor_id, event.ip) == (admin.id, "198.51.100.7")


def test_close_a_teleservice_by_its_closing_date(filed, admin_client, mode):
    yesterday = date.today() - timedelta(days=1)
    teleservice = _teleservice()
    response = mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", _edit_data(teleservice, cloture=format_date(yesterday)))
    text = _follow(mode, admin_client, response, "/administration/teleservices/TRAJ")
    assert "Clôturé" in text and "Date de clôture " + format_date(yesterday) in text
    assert "Région Agent Date de clôture" in text  # the version's change
    db.session.expire_all()
    teleservice = _teleservice()
    assert teleservice.current_version.definition.cloture == yesterday
    assert teleservice_domain.can_start_reason(teleservice, "lycee_prive", date.today()) is not None
    assert db.session.get(Demande, filed.id).definition.cloture > yesterday


def test_saving_unchanged_says_so_and_makes_no_version(filed, admin_client, mode):
    response = mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", _edit_data(_teleservice()))
    text = _follow(mode, admin_client, response, "/administration/teleservices/TRAJ")
    assert "Aucune modification : la version 1 reste en vigueur" in text
    db.session.expire_all()
    assert len(_teleservice().versions) == 1


TELESERVICE_CASES = [
    ({"ouverture": ""}, "ouverture", "Saisissez la date d'ouverture"),
    ({"cloture": ""}, "cloture", "Saisissez la date de clôture"),
    ({"ouverture": "demain"}, "ouverture", "Saisissez une date valide, par exemple 15/09/2026"),
    ({"cloture": "31/02/2027"}, "cloture", "Cette date n'existe pas"),
    ({"ouverture": "01/09/2026", "cloture": "31/08/2026"}, "cloture", "La date de clôture ne peut pas précéder la date d'ouverture"),
    ({"description": "  "}, "description", "Saisissez la description"),
    ({"preambule": ""}, "preambule", "Saisissez le préambule"),
    ({"description": "x" * 2001}, "description", "2 000 caractères au maximum"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), TELESERVICE_CASES)
def test_bad_teleservice_input_is_explained_at_the_field(filed, admin_client, mode, overrides, field, message):
    data = _edit_data(_teleservice(), **overrides)
    body = html.unescape(mode.assert_invalid(mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", data)))
    assert any(message in m for m in error_messages(body)), error_messages(body)
    assert f'href="#{field}"' in body
    db.session.expire_all()
    assert len(_teleservice().versions) == 1


def test_a_concurrent_edit_is_not_overwritten_silently(filed, admin_client, admin, mode):
    stale = _edit_data(_teleservice(), description="Ma version.")
    teleservice_domain.update_teleservice(OperationContext(actor=admin), _teleservice(), based_on=1, **{
        k: v for k, v in {
            "ouverture": _teleservice().current_version.definition.ouverture,
            "cloture": _teleservice().current_version.definition.cloture,
            "description": "La version d'un collègue.",
            "preambule": _teleservice().current_version.definition.preambule,
        }.items()
    })
    body = html.unescape(mode.assert_invalid(mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", stale)))
    assert "Le téléservice a été modifié entre-temps (version 2)" in body
    assert 'name="version" type="hidden" value="2"' in body or 'value="2"' in body
    db.session.expire_all()
    assert _teleservice().current_version.definition.description == "La version d'un collègue."
    # Saving again from the refreshed form is a knowing overwrite.
    response = mode.post(admin_client, "/administration/teleservices/TRAJ/modifier", {**stale, "version": "2"})
    mode.assert_redirect(response, "/administration/teleservices/TRAJ")
    db.session.expire_all()
    assert _teleservice().current_version.number == 3


# --- Dashboard -------------------------------------------------------------------------------


@pytest.fixture
def figures_world(admin_app, tmp_path):
    """Known demandes: TRAJ transmise (1 000,00, waiting 40 days), TRAJ
    acceptée (2 500,50 asked, 2 000,00 granted), TRAJ déposée (not yet the
    council's: not counted), SPRO en_instruction (300,25, waiting 10 days),
    SPRO refusée (700,00, untouched for 100 days), and a brouillon."""
    open_teleservices(tmp_path)
    lycee, referent, teacher = lycee_with_people()
    association_author = make_account(identifiant="asso", email="asso@exemple.fr")
    attach(association_author, lycee.organisme_gestion)
    now = utcnow()
    rows = [
        (teacher, lycee, "TRAJ", DemandeStatus.TRANSMISE, "1000.00", None, 40),
        (teacher, lycee, "TRAJ", DemandeStatus.ACCEPTEE, "2500.50", "2000.00", 100),
        (teacher, lycee, "TRAJ", DemandeStatus.DEPOSEE, "999.00", None, 100),
        (association_author, lycee.organisme_gestion, "SPRO", DemandeStatus.EN_INSTRUCTION, "300.25", None, 10),
        (association_author, lycee.organisme_gestion, "SPRO", DemandeStatus.REFUSEE, "700.00", None, 100),
    ]
    made = []
    for author, structure, code, status, asked, granted, age in rows:
        demande = make_filed_demande(author, structure, code=code)
        db.session.execute(
            update(Demande)
            .where(Demande.id == demande.id)
            .values(
                status=status,
                montant_demande=Decimal(asked),
                montant_accorde=Decimal(granted) if granted else None,
                updated_at=now - timedelta(days=age),
                transmitted_at=None if status == DemandeStatus.DEPOSEE else now - timedelta(days=age),
            )
        )
        made.append(demande.id)
    drafts.start_demande(OperationContext(actor=teacher), teleservice_domain.teleservice_by_code("TRAJ"), lycee)
    db.session.commit()
    return made


def test_dashboard_figures_are_exact(figures_world):
    board = dashboard_domain.dashboard(30)
    rows = {row.code: row for row in board.rows}
    assert rows["TRAJ"].counts == {"transmise": 1, "acceptee": 1}
    assert rows["TRAJ"].asked == Decimal("3500.50") and rows["TRAJ"].granted == Decimal("2000.00")
    assert rows["SPRO"].counts == {"en_instruction": 1, "refusee": 1}
    assert rows["SPRO"].asked == Decimal("1000.25") and rows["SPRO"].granted == Decimal("0")
    assert rows["PVILLE"].counts == {} and rows["PVILLE"].total == 0
    assert board.totals.total == 4 and board.totals.asked == Decimal("4500.75") and board.totals.granted == Decimal("2000.00")
    assert board.waiting_counts == {"transmise": 1}
    assert [d.id for d in board.waiting_oldest] == [figures_world[0]]
    five = dashboard_domain.dashboard(5)
    assert five.waiting_counts == {"transmise": 1, "en_instruction": 1}
    assert [d.id for d in five.waiting_oldest] == [figures_world[0], figures_world[3]]


def test_dashboard_page(figures_world, admin_client, mode):
    body = html.unescape(mode.assert_page(mode.get(admin_client, "/administration")))
    text = page_text(re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", body))
    assert "1 demande « Transmise à la Région », Lycée-Projets « Trajectoires »" in page_text(body)  # each link says what it counts
    assert "Lycée-Projets « Trajectoires » (TRAJ) 1 0 0 1 0 0 2" in text
    assert "Total 1 1 0 1 1 0 4" in text
    assert "Total 4 500,75 € 2 000,00 €" in text  # page_text folds the no-break spaces
    assert "Lycée-Projets « Trajectoires » 3 500,50 € 2 000,00 €" in text
    assert "Service Public Régional de l'Orientation 1 000,25 € 0,00 €" in text
    assert format_amount(Decimal("4500.75")) in body
    # Each count opens the back office's list with the matching filters.
    assert 'href="/instruction/demandes?statut=transmise&teleservice=TRAJ"' in body
    assert 'href="/instruction/demandes?statut=refusee&teleservice=SPRO"' in body
    assert 'href="/instruction/demandes?teleservice=TRAJ"' in body
    assert 'href="/instruction/demandes?statut=acceptee"' in body
    assert "Demandes en attente depuis plus de 30 jours" in text
    waiting = db.session.get(Demande, figures_world[0])
    assert f'href="/instruction/demandes/{waiting.id}">{waiting.reference}</a>' in body
    assert db.session.get(Demande, figures_world[3]).reference not in body


def test_dashboard_waiting_delay_is_a_parameter(figures_world, admin_client, mode):
    text = page_text(html.unescape(mode.assert_page(mode.get(admin_client, "/administration?jours=5"))))
    assert "Demandes en attente depuis plus de 5 jours" in text
    assert "Transmise à la Région : 1" in text and "En cours d'instruction : 1" in text
    assert db.session.get(Demande, figures_world[3]).reference in text


def test_dashboard_waiting_links_list_the_same_demandes(figures_world, admin_client):
    """Each « en attente » count opens the list filtered on the same status and delay: the same demandes."""
    body = html.unescape(admin_client.get("/administration?jours=5").get_data(as_text=True))
    for status, label, index in (("transmise", "Transmise à la Région", 0), ("en_instruction", "En cours d'instruction", 3)):
        shown = int(re.search(rf"<li>{label} : <strong>(\d+)</strong>", body).group(1))
        url = f"/instruction/demandes?statut={status}&inchangee=5"
        assert f'href="{url}"' in body
        listed = page_text(admin_client.get(url).get_data(as_text=True))
        assert shown == 1 and "1 demande correspondant aux filtres." in listed
        assert db.session.get(Demande, figures_world[index]).reference in listed


@pytest.mark.parametrize("jours", ["abc", "0", "-3", "99999", "²"])
def test_dashboard_refuses_a_bad_delay(admin_client, mode, jours):
    body = html.unescape(mode.assert_invalid(mode.get(admin_client, f"/administration?jours={jours}")))
    assert "Saisissez un nombre de jours entre 1 et 3 650" in error_messages(body)[0]
    assert "Demandes en attente depuis plus de 30 jours" in page_text(body)


def test_dashboard_counts_in_one_grouped_query(figures_world, admin_app, admin_client):
    """The figures' query count does not grow with the demandes."""
    from sqlalchemy import event

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        dashboard_domain.dashboard(30)
        first = len(statements)
        lycee = db.session.get(Demande, figures_world[0]).structure
        make_filed_demande(_agent("prof"), lycee, intitule="Encore une")
        statements.clear()
        dashboard_domain.dashboard(30)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == first
    assert sum("GROUP BY" in s for s in statements) == 2  # figures, waiting counts
