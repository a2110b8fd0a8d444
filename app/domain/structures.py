"""Structures (« tiers »): the rules of their « fiche renseignements »,
their creation (with the référent's invitation) and edits. Their members
are ``app.domain.memberships``; the CSV import ``app.domain.structure_import``."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select

from app.domain import invitations, values
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.pagination import Page, paginate
from app.extensions import db
from app.models import Civilite, FamilleTiers, MembershipRole, Structure

ONLY_LYCEE_PRIVE = "Seul un lycée privé peut avoir un organisme de gestion"
NOT_ITS_OWN = "Une structure ne peut pas être son propre organisme de gestion"


# --- The « fiche renseignements » ---------------------------------------------------------


def _collapsed(raw) -> str:
    return " ".join(str(raw or "").split())


def _stripped(raw) -> str:
    return str(raw or "").strip()


def _choice(allowed, message):
    def rule(raw) -> values.Parsed:
        return values.Parsed(raw, None) if raw in allowed else values.Parsed(None, message)

    return rule


def _length(maximum: int):
    def rule(raw) -> values.Parsed:
        if len(raw) > maximum:
            return values.Parsed(None, f"{values.format_number(maximum)} caractères au maximum")
        return values.Parsed(raw, None)

    return rule


@dataclass(frozen=True)
class FicheField:
    """One field of the fiche: how its text is tidied, the message when it is
    missing (None: optional), and the rule of its value."""

    name: str
    tidy: Any = _stripped
    required: str | None = None
    rule: Any = None


# Every field an agent sets from the « fiche renseignements », in order (also
# the CSV import's columns). « Particulier » is not a structure an agent creates.
FAMILLES_OF_STRUCTURES = tuple(f.value for f in FamilleTiers if f is not FamilleTiers.PARTICULIER)
FICHE = (
    FicheField("famille", required="Choisissez la famille de tiers",
               rule=_choice(FAMILLES_OF_STRUCTURES, "Choisissez une famille de tiers de la liste")),
    FicheField("raison_sociale", _collapsed, "Saisissez la raison sociale", _length(255)),
    FicheField("sigle", _collapsed, rule=_length(50)),
    FicheField("siret", rule=values.siret),
    FicheField("rna", rule=values.rna),
    FicheField("uai", rule=values.uai),
    FicheField("naf_code", rule=values.naf),
    FicheField("forme_juridique_code", rule=values.forme_juridique),
    FicheField("adresse", required="Saisissez l'adresse", rule=_length(500)),
    FicheField("code_postal", required="Saisissez le code postal", rule=values.code_postal),
    FicheField("commune", _collapsed, "Saisissez la commune", _length(100)),
    FicheField("email", required="Saisissez l'adresse électronique de contact", rule=values.email),
    FicheField("telephone", rule=values.telephone),
    FicheField("representant_civilite", rule=_choice(tuple(c.value for c in Civilite), "Choisissez Madame ou Monsieur")),
    FicheField("representant_nom", _collapsed, rule=lambda raw: values.person_name(raw, "Le nom")),
    FicheField("representant_prenom", _collapsed, rule=lambda raw: values.person_name(raw, "Le prénom")),
    FicheField("representant_fonction", _collapsed, rule=_length(100)),
)
STRUCTURE_FIELDS = tuple(f.name for f in FICHE)


@dataclass
class Fiche:
    """A fiche as read: each field's normalised value (None when blank), the
    organisme de gestion it names, and the errors by field (all at once)."""

    values: dict[str, Any] = field(default_factory=dict)
    organisme_gestion: Structure | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def read_fiche(raw: Mapping[str, Any], current: Structure | None = None) -> Fiche:
    """Check a fiche (a form, a row of an import): every field's rule, then
    the rules of the famille — a SIRET except for a particulier, an UAI for
    a lycée, an organisme de gestion (``raw["organisme_gestion"]``: its SIRET
    or exact name) for a lycée privé only, never the structure itself."""
    fiche = Fiche()
    for spec in FICHE:
        text = spec.tidy(raw.get(spec.name))
        if not text:
            fiche.values[spec.name] = None
            if spec.required:
                fiche.refuse(spec.name, spec.required)
            continue
        value, error = spec.rule(text) if spec.rule else (text, None)
        if error:
            fiche.refuse(spec.name, error)
        fiche.values[spec.name] = value if not error else text
    famille = FamilleTiers(fiche.values["famille"]) if fiche.values["famille"] in FAMILLES_OF_STRUCTURES else None
    if famille is None:
        return fiche
    if famille.needs_siret and not fiche.values["siret"]:
        fiche.refuse("siret", "Saisissez le SIRET de la structure (14 chiffres)")
    if famille.is_lycee and not fiche.values["uai"]:
        fiche.refuse("uai", "Saisissez le numéro UAI du lycée (7 chiffres et une lettre)")
    named = _collapsed(raw.get("organisme_gestion"))
    if named:
        if famille is not FamilleTiers.LYCEE_PRIVE:
            fiche.refuse("organisme_gestion", f"{ONLY_LYCEE_PRIVE} : videz ce champ")
            return fiche
        found, message = resolve_structure(named)
        if found is not None and current is not None and found.id == current.id:
            found, message = None, NOT_ITS_OWN
        if found is None:
            fiche.refuse("organisme_gestion", message)
        fiche.organisme_gestion = found
    return fiche


def resolve_structure(text: str) -> tuple[Structure | None, str | None]:
    """Find a structure by SIRET (14 digits) or exact name, or say why not."""
    compact = "".join(text.split())
    if compact.isdigit():
        found = find_by_siret(compact)
        return (found, None) if found else (None, f"Aucune structure du portail n'a le SIRET {compact}")
    matches = db.session.scalars(select(Structure).where(Structure.raison_sociale_key == text.casefold()).limit(2)).all()
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, "Plusieurs structures portent ce nom : indiquez le SIRET de l'organisme de gestion"
    return None, f"Aucune structure du portail ne s'appelle « {text} » : indiquez son SIRET, ou créez-la d'abord"


# --- Creation and edits ----------------------------------------------------------------------


class DuplicateSiret(DomainError):
    """A structure with this SIRET exists already (``existing``)."""

    def __init__(self, existing: Structure):
        super().__init__(
            f"Une structure avec ce SIRET existe déjà : {existing.raison_sociale}.", field="siret"
        )
        self.existing = existing


def structure_by_id(structure_id: int) -> Structure | None:
    return db.session.get(Structure, structure_id)


def search(q: str | None, famille: str | None, page: int) -> Page:
    """The back office's « Structures »: part of a raison sociale, sigle or
    commune, or of a SIRET or UAI; one famille; by name, a page of them."""
    query = select(Structure)
    if q:
        text = f"%{q.casefold()}%"
        compact = f"%{''.join(q.split()).upper()}%"
        query = query.where(
            or_(
                Structure.raison_sociale_key.like(text),
                func.lower(Structure.sigle).like(text),
                func.lower(Structure.commune).like(text),
                Structure.siret.like(compact),
                Structure.uai.like(compact),
            )
        )
    if famille:
        query = query.where(Structure.famille == famille)
    return paginate(query.order_by(Structure.raison_sociale_key, Structure.id), page)


def find_by_siret(siret: str | None) -> Structure | None:
    if not siret:
        return None
    return db.session.scalar(select(Structure).where(Structure.siret == siret))


def _apply(structure: Structure, data: dict) -> list[str]:
    changed = []
    for name in STRUCTURE_FIELDS:
        if name in data and getattr(structure, name) != (data[name] or None):
            setattr(structure, name, data[name] or None)
            changed.append(name)
    structure.raison_sociale_key = (structure.raison_sociale or "").casefold()
    return changed


def _check_organisme_gestion(structure: Structure, organisme_gestion: Structure | None) -> None:
    if organisme_gestion is None:
        structure.organisme_gestion = None
        return
    if structure.famille != FamilleTiers.LYCEE_PRIVE:
        raise DomainError(f"{ONLY_LYCEE_PRIVE}.", field="organisme_gestion")
    if organisme_gestion.id is not None and organisme_gestion.id == structure.id:
        raise DomainError(f"{NOT_ITS_OWN}.", field="organisme_gestion")
    structure.organisme_gestion = organisme_gestion


@operation
def create_structure(ctx: OperationContext, data: dict, organisme_gestion=None, lookup_snapshot=None) -> Structure:
    """Create a structure from its fiche (``data``: ``STRUCTURE_FIELDS``,
    checked by ``read_fiche``) and invite its contact as référent; the
    look-up it was filled from is kept as its snapshot (or the typed values,
    « non vérifié »)."""
    existing = find_by_siret(data.get("siret"))
    if existing is not None:
        raise DuplicateSiret(existing)
    structure = Structure(created_by_id=ctx.actor_id, lookup_snapshot=lookup_snapshot)
    _apply(structure, data)
    _check_organisme_gestion(structure, organisme_gestion)
    db.session.add(structure)
    db.session.flush()
    record_event(ctx, "structure.created", structure, structure=structure)
    invitations.invite(
        ctx,
        structure,
        email=structure.email,
        role=MembershipRole.REFERENT,
        nom=structure.representant_nom,
        prenom=structure.representant_prenom,
    )
    return structure


@operation
def update_structure(ctx: OperationContext, structure: Structure, data: dict, organisme_gestion=None) -> None:
    existing = find_by_siret(data.get("siret"))
    if existing is not None and existing.id != structure.id:
        raise DuplicateSiret(existing)
    changed = _apply(structure, data)
    previous_id = structure.organisme_gestion_id
    _check_organisme_gestion(structure, organisme_gestion)
    if (organisme_gestion.id if organisme_gestion else None) != previous_id:
        changed.append("organisme_gestion")
    if changed:
        record_event(ctx, "structure.updated", structure, structure=structure, fields=changed)


@operation
def update_contact(ctx: OperationContext, structure: Structure, *, email: str, telephone: str | None) -> None:
    """What a référent may change itself: the contact email and phone."""
    changed = _apply(structure, {"email": email, "telephone": telephone})
    if changed:
        record_event(ctx, "structure.contact_updated", structure, structure=structure, fields=changed)


