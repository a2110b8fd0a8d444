"""Téléservices for tests, loaded through the real loader: the shipped
definitions, copies of them with other dates, and small extra ones."""

from datetime import date, timedelta
from pathlib import Path

import yaml

from app.domain.teleservices import DEFINITIONS_DIR, load_definitions

SHIPPED_FILES = {"TRAJ": "trajectoires.yaml", "SPRO": "orientation.yaml", "PVILLE": "politique_ville.yaml"}
TRAJECTOIRES = "Lycée-Projets « Trajectoires »"


def shipped(code: str) -> dict:
    """A shipped definition as YAML data (to change and write elsewhere)."""
    return yaml.safe_load((DEFINITIONS_DIR / SHIPPED_FILES[code]).read_text(encoding="utf-8"))


def minimal_definition(**overrides) -> dict:
    """A small valid definition; ``overrides`` replace its top-level keys."""
    data = {
        "code": "TEST",
        "titre": "Téléservice d'essai",
        "description": "Un téléservice pour les tests.",
        "preambule": "Premier paragraphe.\n\nSecond paragraphe.",
        "familles": ["lycee_prive"],
        "ouverture": date(2026, 9, 1),
        "cloture": date(2027, 6, 30),
        "approbation_ca": False,
        "criteres": [{"code": "eligible", "question": "Êtes-vous éligible ?", "refus": "Il faut l'être."}],
        "dossier": [
            {"code": "intitule", "type": "text", "label": "Intitulé", "required": True, "max_length": 200},
            {"code": "date_debut", "type": "date", "label": "Date de début"},
            {"code": "date_fin", "type": "date", "label": "Date de fin", "after": "date_debut"},
        ],
        "documents": [{"code": "devis", "label": "Devis", "required": True}],
    }
    return {**data, **overrides}


def write_definition(directory: Path, filename: str, data: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_definitions(directory: Path, changes: dict[str, dict] | None = None, extra: dict[str, dict] | None = None) -> Path:
    """Copies of the three shipped definitions in ``directory``, the one of
    code C with its top-level keys replaced by ``changes[C]``, plus the
    ``extra`` definitions ({file name: data})."""
    changes = changes or {}
    for code, filename in SHIPPED_FILES.items():
        write_definition(directory, filename, {**shipped(code), **changes.get(code, {})})
    for filename, data in (extra or {}).items():
        write_definition(directory, filename, data)
    return directory


def open_window(today: date | None = None) -> dict:
    """Dates that make a definition open on ``today`` (the real one by default)."""
    today = today or date.today()
    return {"ouverture": today - timedelta(days=30), "cloture": today + timedelta(days=120)}


def closed_window(today: date | None = None) -> dict:
    """Dates of a definition closed before ``today``."""
    today = today or date.today()
    return {"ouverture": today - timedelta(days=300), "cloture": today - timedelta(days=60)}


def load_teleservices(directory: Path | None = None) -> list[str]:
    """The shipped definitions (or those of ``directory``), through the loader."""
    return load_definitions(directory)
