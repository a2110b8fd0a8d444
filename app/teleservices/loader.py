"""Loading the téléservice definitions into the database, versioned.

``load_definitions`` reads every YAML file of a directory (the shipped
``definitions/`` by default), checks them all, then writes them in one
transaction: a téléservice that does not exist yet is created with version
1; one whose definition changed gets a new version (number + 1); an
unchanged one is left alone, so loading twice changes nothing. Older
versions stay: a demande keeps the version it started with.

A broken file stops everything before the first write, with a
``DefinitionError`` naming the file and the problem.

Once an agent edited a téléservice in the administration (its dates,
description and préambule: ``ADMINISTERED_FIELDS``), those fields belong to
the administration: loading the files again (``flask demo load`` does it at
each start of the demo) keeps them as the agent left them and takes
everything else from the file.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.audit import record_event
from app.domain.base import SYSTEM, OperationContext, operation
from app.extensions import db
from app.models import Teleservice, TeleserviceVersion
from app.teleservices.schema import DefinitionError, TeleserviceDefinition, parse_definition

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
SUFFIXES = (".yaml", ".yml")
# The parts of a definition the administration edits (app.domain.admin.update_teleservice).
ADMINISTERED_FIELDS = ("ouverture", "cloture", "description", "preambule")


def read_definition(path: Path) -> TeleserviceDefinition:
    """One file, parsed and checked; errors name the file."""
    source = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError(f"{source}: fichier illisible ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" à la ligne {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise DefinitionError(f"{source}: YAML invalide{where} ({problem})") from None
    try:
        return parse_definition(data, source=source)
    except DefinitionError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError) as error:
        # A value of the wrong shape (a list where a mapping is expected…).
        raise DefinitionError(f"{source}: structure inattendue ({error})") from None


def read_definitions(directory: str | Path | None = None) -> list[tuple[str, TeleserviceDefinition]]:
    """Every definition of ``directory`` as (file name, definition), all
    checked, in file-name order; two files may not share a code."""
    directory = Path(directory) if directory is not None else DEFINITIONS_DIR
    if not directory.is_dir():
        raise DefinitionError(f"{directory}: dossier introuvable")
    paths = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in SUFFIXES)
    if not paths:
        raise DefinitionError(f"{directory}: aucune définition de téléservice (fichier .yaml)")
    definitions: list[tuple[str, TeleserviceDefinition]] = []
    sources: dict[str, str] = {}
    for path in paths:
        definition = read_definition(path)
        if definition.code in sources:
            raise DefinitionError(
                f"{path.name}: le code « {definition.code} » est déjà celui de {sources[definition.code]}"
            )
        sources[definition.code] = path.name
        definitions.append((path.name, definition))
    return definitions


def load_definitions(directory: str | Path | None = None) -> list[str]:
    """Load (idempotently) the definitions of ``directory``; returns one line
    per téléservice saying what happened. Raises ``DefinitionError`` (and
    writes nothing) when any file is broken."""
    return _write_definitions(SYSTEM, read_definitions(directory))


@operation
def _write_definitions(ctx: OperationContext, definitions: list[tuple[str, TeleserviceDefinition]]) -> list[str]:
    existing = {
        teleservice.code: teleservice
        for teleservice in db.session.scalars(select(Teleservice).options(selectinload(Teleservice.versions)))
    }
    lines = []
    for source, definition in definitions:
        teleservice = existing.get(definition.code)
        if teleservice is None:
            teleservice = Teleservice(code=definition.code)
            db.session.add(teleservice)
            _add_version(ctx, teleservice, definition, source=source)
            lines.append(f"{definition.code} : créé, version 1 – {definition.titre} ({source})")
            continue
        definition, kept = _keep_administered_fields(teleservice, definition)
        version = _add_version(ctx, teleservice, definition, source=source)
        if version is not None:
            line = f"{definition.code} : nouvelle version {version.number} – {definition.titre} ({source})"
        else:
            line = f"{definition.code} : inchangé, version {teleservice.current_version.number} ({source})"
        lines.append(line + (" ; dates et textes de l'administration conservés" if kept else ""))
    return lines


def _keep_administered_fields(teleservice: Teleservice, definition: TeleserviceDefinition) -> tuple[TeleserviceDefinition, bool]:
    """``definition`` with the administered fields of the current version
    when an agent ever saved a version of ``teleservice`` (and whether it did)."""
    current = teleservice.current_version
    if current is None or all(version.created_by_id is None for version in teleservice.versions):
        return definition, False
    kept = {name: getattr(current.definition, name) for name in ADMINISTERED_FIELDS}
    return dataclasses.replace(definition, **kept), True


def save_new_version(teleservice: Teleservice, definition: TeleserviceDefinition, actor=None) -> TeleserviceVersion | None:
    """Record ``definition`` as the téléservice's new version, made by
    ``actor`` (an agent's account, or None for the system), in its own
    transaction. Returns the new version, or None when the definition is the
    current version's (nothing to save). Demandes already started keep
    their version; new ones start with this one."""
    if definition.code != teleservice.code:
        raise DefinitionError(
            f"{teleservice.code}: la définition porte le code « {definition.code} », pas celui du téléservice"
        )
    return _save_version(OperationContext(actor=actor), teleservice, definition)


@operation
def _save_version(ctx: OperationContext, teleservice: Teleservice, definition: TeleserviceDefinition):
    return _add_version(ctx, teleservice, definition)


def _add_version(
    ctx: OperationContext, teleservice: Teleservice, definition: TeleserviceDefinition, source: str | None = None
) -> TeleserviceVersion | None:
    """A new version unless the current one has the same content (same digest)."""
    digest = definition.digest()
    current = teleservice.current_version
    if current is not None and current.digest == digest:
        return None
    version = TeleserviceVersion(
        teleservice=teleservice,
        number=current.number + 1 if current is not None else 1,
        # Stored as JSON reads it back (lists, not tuples), so the in-memory
        # version is the same as the one reloaded later.
        definition_json=json.loads(json.dumps(definition.to_json(), ensure_ascii=False)),
        digest=digest,
        created_by_id=ctx.actor_id,
    )
    db.session.add(version)
    details = {"code": teleservice.code, "number": version.number}
    if source:
        details["source"] = source
    record_event(ctx, "teleservice.version_created", version, **details)
    return version
