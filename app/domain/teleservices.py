"""Téléservices in the database: loading their definitions (versioned),
the administration's edits, and which ones can be started, by whom, today.

The definitions themselves are data (``app/teleservices/definitions/``,
their shape in ``app.teleservices.schema``).

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

An admin's edit (``update_teleservice``) is a new version too, made by that
agent, audited with the address it came from.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import teleservices as definitions_package
from app.domain.audit import record_event
from app.domain.base import SYSTEM, DomainError, OperationContext, operation
from app.extensions import db
from app.models import Account, FamilleTiers, Teleservice, TeleserviceVersion
from app.teleservices.schema import DefinitionError, TeleserviceDefinition, parse_definition

DEFINITIONS_DIR = Path(definitions_package.__file__).parent / "definitions"
SUFFIXES = (".yaml", ".yml")
# The parts of a definition the administration edits (``update_teleservice``).
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


@operation
def save_new_version(ctx: OperationContext, teleservice: Teleservice, definition: TeleserviceDefinition) -> TeleserviceVersion | None:
    """Record ``definition`` as the téléservice's new version, made by
    ``ctx.actor`` (an agent, or the system). Returns the new version, or None
    when the definition is the current version's (nothing to save). Demandes
    already started keep their version; new ones start with this one."""
    if definition.code != teleservice.code:
        raise DefinitionError(
            f"{teleservice.code}: la définition porte le code « {definition.code} », pas celui du téléservice"
        )
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


# --- Reading -----------------------------------------------------------------------------


def teleservice_by_code(code: str) -> Teleservice | None:
    return db.session.scalar(select(Teleservice).where(Teleservice.code == code))


def teleservices() -> list[Teleservice]:
    """Every téléservice that has a version, with its versions, by code."""
    query = select(Teleservice).options(selectinload(Teleservice.versions)).order_by(Teleservice.code)
    return [t for t in db.session.scalars(query) if t.current_version is not None]


def state_on(definition: TeleserviceDefinition, today: date) -> str:
    """« ouvert », « a_venir » or « clos » on ``today``."""
    if today < definition.ouverture:
        return "a_venir"
    if today > definition.cloture:
        return "clos"
    return "ouvert"


STATE_LABELS = {"ouvert": "Ouvert", "a_venir": "Pas encore ouvert", "clos": "Clôturé"}


def can_start_reason(teleservice: Teleservice, famille: str | None, today: date) -> str | None:
    """Why this téléservice cannot be started now by that famille (None: it can)."""
    definition = teleservice.current_version.definition
    state = state_on(definition, today)
    if state == "a_venir":
        return f"Ce téléservice ouvrira le {definition.ouverture:%d/%m/%Y}."
    if state == "clos":
        return f"Ce téléservice est clos depuis le {definition.cloture:%d/%m/%Y}."
    if famille is None or not definition.admits(famille):
        return "Ce téléservice n'est pas ouvert à la famille de tiers de votre structure."
    return None


def version_authors(teleservice: Teleservice) -> dict[int, Account]:
    """{account id: account} of the agents who saved a version of ``teleservice``."""
    ids = {v.created_by_id for v in teleservice.versions if v.created_by_id}
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(ids)))}


# How each key of a definition reads in the versions' history.
DEFINITION_LABELS = {
    "ouverture": "date d'ouverture",
    "cloture": "date de clôture",
    "description": "description",
    "preambule": "préambule",
    "titre": "titre",
    "familles": "familles de tiers",
    "approbation_ca": "approbation par le CA",
    "criteres": "critères d'éligibilité",
    "dossier": "champs du dossier",
    "documents": "documents à joindre",
}


def version_changes(versions: list[TeleserviceVersion]) -> dict[int, list[str]]:
    """For each version, what changed from the one before (labels)."""
    changes: dict[int, list[str]] = {}
    previous = None
    for version in versions:
        if previous is not None:
            changes[version.id] = [
                DEFINITION_LABELS.get(key, key)
                for key in version.definition_json
                if version.definition_json.get(key) != previous.definition_json.get(key)
            ]
        previous = version
    return changes


# --- « Choix du téléservice » ---------------------------------------------------------------

STATE_ORDER = {"ouvert": 0, "a_venir": 1, "clos": 2}


@dataclass(frozen=True)
class CatalogueEntry:
    """One téléservice as the catalogue shows it to this account."""

    code: str
    definition: TeleserviceDefinition
    state: str  # ouvert | a_venir | clos (what the card says)
    refusal: str | None  # why this account cannot start it now; None: it can

    @property
    def can_start(self) -> bool:
        return self.refusal is None

    @property
    def familles_text(self) -> str:
        return ", ".join(FamilleTiers(f).label for f in self.definition.familles)


def _folded(text: str) -> str:
    """Lower case without accents: « lycee » finds « Lycée »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matches(definition: TeleserviceDefinition, code: str, words: list[str]) -> bool:
    haystack = _folded(f"{code} {definition.titre} {definition.description}")
    return all(word in haystack for word in words)


def catalogue_entries(own_famille: str, query: str, famille: str, today) -> list[CatalogueEntry]:
    """The téléservices matching the search: those this account can start
    first, then the other open ones, those to come, the closed ones; each
    group by title."""
    words = _folded(query).split()
    entries = []
    for teleservice in teleservices():
        definition = teleservice.current_version.definition
        if famille and not definition.admits(famille):
            continue
        if words and not _matches(definition, teleservice.code, words):
            continue
        entries.append(
            CatalogueEntry(
                code=teleservice.code,
                definition=definition,
                state=state_on(definition, today),
                refusal=can_start_reason(teleservice, own_famille, today),
            )
        )
    return sorted(entries, key=lambda e: (not e.can_start, STATE_ORDER[e.state], _folded(e.definition.titre)))


# --- The administration's edits ---------------------------------------------------------------


STALE_EDIT = "Le téléservice a été modifié entre-temps : vérifiez les informations affichées et enregistrez à nouveau."


@operation
def update_teleservice(
    ctx: OperationContext,
    teleservice: Teleservice,
    *,
    based_on: int,
    ouverture: date,
    cloture: date,
    description: str,
    preambule: str,
) -> TeleserviceVersion | None:
    """Save the edited dates and texts as the téléservice's new version
    (demandes already started keep theirs). ``based_on`` is the version the
    form was filled from: another admin's save since then is refused rather
    than overwritten. Returns None when nothing changed."""
    current = teleservice.current_version
    if current.number != based_on:
        raise DomainError(
            f"Le téléservice a été modifié entre-temps (version {current.number}) : "
            "vérifiez les informations affichées et enregistrez à nouveau."
        )
    if cloture < ouverture:
        raise DomainError("La date de clôture ne peut pas précéder la date d'ouverture.", field="cloture")
    for name, text in (("description", description), ("preambule", preambule)):
        if not text.strip():
            raise DomainError("Ce texte ne peut pas être vide.", field=name)
    edited = {"ouverture": ouverture, "cloture": cloture, "description": description.strip(), "preambule": preambule.strip()}
    # Exactly the fields the loader leaves to the administration afterwards.
    definition = dataclasses.replace(current.definition, **{name: edited[name] for name in ADMINISTERED_FIELDS})
    version = save_new_version(ctx, teleservice, definition)
    try:
        db.session.flush()
    except IntegrityError:  # another admin saved the same version number first
        raise DomainError(STALE_EDIT) from None
    return version
