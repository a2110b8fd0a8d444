"""Loading the téléservice definitions into the database: idempotent,
versioned, all or nothing; and ``flask teleservices load``."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain.base import OperationContext
from app.domain.teleservices import load_definitions, read_definitions, save_new_version, update_teleservice
from app.extensions import db
from app.models import AuditEvent, Teleservice, TeleserviceVersion
from app.teleservices.schema import DefinitionError
from tests.support.accounts import make_agent
from tests.support.teleservices import TRAJECTOIRES, minimal_definition, shipped, write_definition, write_definitions


def _versions() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for teleservice in db.session.scalars(select(Teleservice).order_by(Teleservice.code)):
        found[teleservice.code] = [v.number for v in teleservice.versions]
    return found


def _teleservice(code) -> Teleservice:
    db.session.expire_all()
    return db.session.scalar(select(Teleservice).where(Teleservice.code == code))


def test_load_creates_the_three_teleservices_with_version_1(app):
    lines = load_definitions()
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1]}
    assert any(line.startswith("TRAJ : créé, version 1") and TRAJECTOIRES in line for line in lines), lines
    trajectoires = _teleservice("TRAJ").current_version
    assert trajectoires.definition.titre == TRAJECTOIRES
    assert trajectoires.definition.digest() == trajectoires.digest
    assert trajectoires.created_by_id is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "teleservice.version_created")) == 3


def test_loading_again_changes_nothing(app):
    load_definitions()
    lines = load_definitions()
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1]}
    assert sorted(lines) == [
        "PVILLE : inchangé, version 1 (politique_ville.yaml)",
        "SPRO : inchangé, version 1 (orientation.yaml)",
        "TRAJ : inchangé, version 1 (trajectoires.yaml)",
    ]


def test_a_changed_definition_makes_a_new_version_and_keeps_the_old_one(app, tmp_path):
    load_definitions()
    version_1 = _teleservice("TRAJ").current_version
    version_1_id = version_1.id

    write_definitions(tmp_path, changes={"TRAJ": {"cloture": date(2027, 7, 15)}})
    lines = load_definitions(tmp_path)
    assert f"TRAJ : nouvelle version 2 – {TRAJECTOIRES} (trajectoires.yaml)" in lines
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1, 2]}

    trajectoires = _teleservice("TRAJ")
    assert trajectoires.current_version.number == 2
    assert trajectoires.current_version.definition.cloture == date(2027, 7, 15)
    # Version 1 is still there, unchanged: a demande started on it keeps it.
    kept = db.session.get(TeleserviceVersion, version_1_id)
    assert kept.number == 1 and kept.definition.cloture == date(2027, 6, 30)

    # Loading the same change again: nothing new. Going back to the shipped
    # text is a change too (version 3, equal in content to version 1).
    assert "TRAJ : inchangé, version 2 (trajectoires.yaml)" in load_definitions(tmp_path)
    assert _versions()["TRAJ"] == [1, 2]
    load_definitions()
    assert _versions()["TRAJ"] == [1, 2, 3]
    assert _teleservice("TRAJ").current_version.digest == kept.digest


def test_a_broken_file_writes_nothing(app, tmp_path):
    load_definitions()
    write_definitions(
        tmp_path,
        changes={"TRAJ": {"cloture": date(2027, 7, 15)}},  # valid, but must not be written either
        extra={"zz_casse.yaml": minimal_definition(code="CASSE", familles=["inconnue"])},
    )
    with pytest.raises(DefinitionError) as error:
        load_definitions(tmp_path)
    assert str(error.value).startswith("zz_casse.yaml") and "familles inconnues" in str(error.value)
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1]}


def test_a_broken_file_on_an_empty_database_creates_nothing(app, tmp_path):
    write_definitions(tmp_path, extra={"casse.yaml": {**shipped("TRAJ"), "code": "CASSE", "cloture": date(2020, 1, 1)}})
    result = app.test_cli_runner().invoke(args=["teleservices", "load", "--directory", str(tmp_path)])
    assert result.exit_code == 1
    assert "Définition invalide, aucun téléservice n'a été chargé" in result.output
    assert "casse.yaml (CASSE): la clôture précède l'ouverture" in result.output
    assert _versions() == {}


def test_the_cli_loads_and_reports(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["teleservices", "load"])
    assert first.exit_code == 0, first.output
    assert f"TRAJ : créé, version 1 – {TRAJECTOIRES} (trajectoires.yaml)" in first.output
    assert "SPRO : créé, version 1" in first.output and "PVILLE : créé, version 1" in first.output
    second = runner.invoke(args=["teleservices", "load"])
    assert second.exit_code == 0 and "TRAJ : inchangé, version 1" in second.output
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1]}


def test_the_cli_refuses_a_missing_directory(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["teleservices", "load", "--directory", str(tmp_path / "absent")])
    assert result.exit_code == 1 and "dossier introuvable" in result.output


def test_demo_load_loads_the_teleservices(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "TRAJ : créé, version 1" in result.output
    assert _versions() == {"PVILLE": [1], "SPRO": [1], "TRAJ": [1]}


def test_save_new_version_records_the_agent(app, tmp_path):
    load_definitions()
    agent = make_agent()
    trajectoires = _teleservice("TRAJ")
    [(_, unchanged)] = [d for d in read_definitions() if d[1].code == "TRAJ"]
    assert save_new_version(OperationContext(actor=agent), trajectoires, unchanged) is None

    write_definition(tmp_path, "trajectoires.yaml", {**shipped("TRAJ"), "description": "Nouvelle description."})
    [(_, changed)] = read_definitions(tmp_path)
    version = save_new_version(OperationContext(actor=agent), trajectoires, changed)
    assert version.number == 2 and version.created_by_id == agent.id
    assert _teleservice("TRAJ").current_version.definition.description == "Nouvelle description."
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == version.id, AuditEvent.action == "teleservice.version_created"))
    assert event.actor_id == agent.id and event.details == {"code": "TRAJ", "number": 2}


def test_loading_again_keeps_what_the_administration_changed(app, tmp_path):
    """An admin's dates and texts survive ``flask demo load`` (run at each start
    of the demo) and later changes of the file; the file's other parts still load."""
    load_definitions()
    agent = make_agent()
    trajectoires = _teleservice("TRAJ")
    update_teleservice(
        OperationContext(actor=agent), trajectoires, based_on=1,
        ouverture=date(2026, 9, 1), cloture=date(2026, 12, 31), description="Description de la Région.", preambule="Préambule revu.",
    )
    lines = load_definitions()
    assert "TRAJ : inchangé, version 2 (trajectoires.yaml) ; dates et textes de l'administration conservés" in lines
    assert "SPRO : inchangé, version 1 (orientation.yaml)" in lines
    assert _versions()["TRAJ"] == [1, 2]

    write_definitions(tmp_path, changes={"TRAJ": {"titre": "Trajectoires 2027", "cloture": date(2027, 7, 15)}})
    lines = load_definitions(tmp_path)
    assert "TRAJ : nouvelle version 3 – Trajectoires 2027 (trajectoires.yaml) ; dates et textes de l'administration conservés" in lines
    current = _teleservice("TRAJ").current_version
    assert current.definition.titre == "Trajectoires 2027" and current.created_by_id is None
    assert (current.definition.cloture, current.definition.description, current.definition.preambule) == (
        date(2026, 12, 31), "Description de la Région.", "Préambule revu.")
