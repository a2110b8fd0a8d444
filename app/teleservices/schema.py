"""The shape of a téléservice definition, and its checks.

A definition is a YAML mapping::

    code: TRAJ                       # reference prefix: TRAJ-2026-000042
    titre: Lycée-Projets « Trajectoires »
    description: one or two sentences for the catalogue
    preambule: |                     # paragraphs separated by blank lines
      ...
    familles: [lycee_prive, lycee_public]   # FamilleTiers values admitted
    ouverture: 2026-09-01            # first day a demande can be started
    cloture: 2027-03-31              # last day (inclusive)
    approbation_ca: true             # the structure's CA approves before transmission
    criteres:                        # yes/no questions; any « Non » stops the demande
      - code: projet_etablissement
        question: Le projet s'inscrit-il dans le projet d'établissement ?
        aide: optional hint
        refus: why a « Non » stops the demande, what to do
    dossier:                         # the fields of « Votre dossier », in order
      - code: intitule
        type: text                   # see FIELD_TYPES
        label: Intitulé du projet
        required: true
        aide: optional hint
        max_length: 200              # text, textarea
        min: 1                       # integer, amount
        max: 10000
        after: date_debut            # date: not before that other date field
        choices: [[seconde, Seconde], [premiere, Première]]   # select, checkboxes
        prefill: author_name         # a value the wizard proposes (see PREFILLS)
        max_from: budget             # amount: not above the budget's net need
    documents:                       # files to attach on « Votre dossier »
      - code: devis
        label: Devis
        required: true
        aide: optional hint

Field types: ``text``, ``textarea``, ``integer``, ``amount`` (euros, « 1 234,50 »
accepted), ``date``, ``select``, ``checkboxes``, ``iban``, ``email``,
``telephone``, ``budget`` (repeatable dépenses and recettes lines, totals).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from app.reference.familles import FamilleTiers

FIELD_TYPES = {
    "text",
    "textarea",
    "integer",
    "amount",
    "date",
    "select",
    "checkboxes",
    "iban",
    "email",
    "telephone",
    "budget",
}
PREFILLS = {"author_name", "author_email"}


class DefinitionError(ValueError):
    """A definition that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class Critere:
    code: str
    question: str
    refus: str
    aide: str | None = None


@dataclass(frozen=True)
class Field:
    code: str
    type: str
    label: str
    required: bool = False
    aide: str | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    after: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    prefill: str | None = None
    max_from: str | None = None


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    required: bool = False
    aide: str | None = None


@dataclass(frozen=True)
class TeleserviceDefinition:
    code: str
    titre: str
    description: str
    preambule: str
    familles: tuple[str, ...]
    ouverture: date
    cloture: date
    approbation_ca: bool
    criteres: tuple[Critere, ...]
    dossier: tuple[Field, ...]
    documents: tuple[Document, ...] = field(default_factory=tuple)

    def field(self, code: str) -> Field:
        return next(f for f in self.dossier if f.code == code)

    def is_open(self, today: date) -> bool:
        return self.ouverture <= today <= self.cloture

    def admits(self, famille: str) -> bool:
        return famille in self.familles

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ouverture"] = self.ouverture.isoformat()
        data["cloture"] = self.cloture.isoformat()
        return data

    def digest(self) -> str:
        """Identifies the content: a changed definition is a new version."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _required(data: dict, key: str, where: str):
    if key not in data or data[key] in (None, ""):
        raise DefinitionError(f"{where}: « {key} » est obligatoire")
    return data[key]


def _date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DefinitionError(f"{where}: date invalide « {value} » (AAAA-MM-JJ attendu)") from None


def _unique(codes: list[str], where: str) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            raise DefinitionError(f"{where}: le code « {code} » est utilisé deux fois")
        seen.add(code)


def parse_definition(data: Any, source: str = "définition") -> TeleserviceDefinition:
    """Check a definition (YAML already parsed) and build it, or raise
    ``DefinitionError`` naming the file, the entry and the problem."""
    if not isinstance(data, dict):
        raise DefinitionError(f"{source}: un dictionnaire YAML est attendu")
    code = str(_required(data, "code", source))
    where = f"{source} ({code})"
    if not code.isalnum() or not code.isupper() or len(code) > 10:
        raise DefinitionError(f"{where}: le code doit être en lettres majuscules et chiffres (10 au plus)")
    familles = tuple(_required(data, "familles", where))
    unknown = [f for f in familles if f not in FamilleTiers._value2member_map_]
    if unknown:
        raise DefinitionError(f"{where}: familles inconnues {unknown}")
    ouverture = _date(_required(data, "ouverture", where), where)
    cloture = _date(_required(data, "cloture", where), where)
    if cloture < ouverture:
        raise DefinitionError(f"{where}: la clôture précède l'ouverture")
    criteres = tuple(
        Critere(
            code=str(_required(c, "code", f"{where} critère")),
            question=str(_required(c, "question", f"{where} critère {c.get('code')}")),
            refus=str(_required(c, "refus", f"{where} critère {c.get('code')}")),
            aide=c.get("aide"),
        )
        for c in data.get("criteres") or []
    )
    _unique([c.code for c in criteres], f"{where} critères")
    fields = tuple(_parse_field(f, where) for f in _required(data, "dossier", where))
    codes = [f.code for f in fields]
    _unique(codes, f"{where} dossier")
    for f in fields:
        if f.after and f.after not in codes:
            raise DefinitionError(f"{where} champ {f.code}: « after » désigne un champ inconnu « {f.after} »")
        if f.max_from and f.max_from not in codes:
            raise DefinitionError(f"{where} champ {f.code}: « max_from » désigne un champ inconnu « {f.max_from} »")
    documents = tuple(
        Document(
            code=str(_required(d, "code", f"{where} document")),
            label=str(_required(d, "label", f"{where} document {d.get('code')}")),
            required=bool(d.get("required", False)),
            aide=d.get("aide"),
        )
        for d in data.get("documents") or []
    )
    _unique([d.code for d in documents], f"{where} documents")
    return TeleserviceDefinition(
        code=code,
        titre=str(_required(data, "titre", where)),
        description=str(_required(data, "description", where)),
        preambule=str(_required(data, "preambule", where)).strip(),
        familles=familles,
        ouverture=ouverture,
        cloture=cloture,
        approbation_ca=bool(data.get("approbation_ca", False)),
        criteres=criteres,
        dossier=fields,
        documents=documents,
    )


def _parse_field(data: dict, where: str) -> Field:
    code = str(_required(data, "code", f"{where} champ"))
    here = f"{where} champ {code}"
    kind = _required(data, "type", here)
    if kind not in FIELD_TYPES:
        raise DefinitionError(f"{here}: type inconnu « {kind} » ({', '.join(sorted(FIELD_TYPES))})")
    choices = tuple((str(value), str(label)) for value, label in data.get("choices") or [])
    if kind in ("select", "checkboxes") and not choices:
        raise DefinitionError(f"{here}: « choices » est obligatoire pour le type {kind}")
    prefill = data.get("prefill")
    if prefill and prefill not in PREFILLS:
        raise DefinitionError(f"{here}: « prefill » inconnu « {prefill} »")
    return Field(
        code=code,
        type=kind,
        label=str(_required(data, "label", here)),
        required=bool(data.get("required", False)),
        aide=data.get("aide"),
        max_length=data.get("max_length"),
        min=data.get("min"),
        max=data.get("max"),
        after=data.get("after"),
        choices=choices,
        prefill=prefill,
        max_from=data.get("max_from"),
    )


def definition_from_json(data: dict) -> TeleserviceDefinition:
    """Rebuild a definition stored with a version (``to_json`` output)."""
    data = dict(data)
    data["criteres"] = [dict(c) for c in data.get("criteres", [])]
    data["dossier"] = [{**f, "choices": [list(c) for c in f.get("choices", [])]} for f in data.get("dossier", [])]
    return parse_definition(data, source="version enregistrée")
