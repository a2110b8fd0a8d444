"""Command-line tools: agents, demo data."""

from sqlalchemy import select

from app.extensions import db
from app.models import Account, Demande, DemandeStatus, Message, Side, Structure
from tests.support.accounts import PASSWORD


def test_create_agent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["agents", "create", "--identifiant", "c.martin", "--email", "c.martin@region.example", "--role", "admin", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    agent = db.session.scalar(select(Account))
    assert agent.agent_role == "admin" and agent.status == "active"
    again = runner.invoke(
        args=["agents", "create", "--identifiant", "C.Martin", "--email", "x@region.example", "--role", "instructeur", "--password", PASSWORD]
    )
    assert again.exit_code != 0 and "déjà utilisé" in again.output


def test_create_agent_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["agents", "create", "--identifiant", "c.martin", "--email", "c@region.example", "--role", "admin", "--password", "faible"]
    )
    assert result.exit_code != 0 and "au moins 12 caractères" in result.output
    assert db.session.scalar(select(Account)) is None


def test_create_agent_asks_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["agents", "create", "--identifiant", "c.martin", "--email", "c@region.example", "--role", "instructeur"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def test_demo_load_is_idempotent(make_app, tmp_path):
    app = make_app(ATTACHMENTS_DIR=str(tmp_path / "pj"))
    with app.app_context():
        runner = app.test_cli_runner()
        first = runner.invoke(args=["demo", "load"])
        second = runner.invoke(args=["demo", "load"])
        assert first.exit_code == 0 and second.exit_code == 0
        assert "admin.region" in first.output and "admin.region" not in second.output
        assert len(db.session.scalars(select(Account)).all()) == 4
        lycee = db.session.scalar(select(Structure).where(Structure.famille == "lycee_prive"))
        assert lycee.organisme_gestion.sigle == "OGEC"
        roles = {m.account.identifiant: m.role for m in lycee.active_memberships}
        assert roles == {"USAGER-OCCITANIE": "referent", "PROF-DEMO": "membre"}
        statuses = set(db.session.scalars(select(Demande.status)))
        assert statuses == {s.value for s in DemandeStatus}  # a demande in every status
        (message,) = db.session.scalars(select(Message)).all()  # a fil de discussion to answer
        assert message.side == Side.COUNCIL and message.thread.demande.status == DemandeStatus.EN_INSTRUCTION
        assert "Demande de démonstration" not in second.output
