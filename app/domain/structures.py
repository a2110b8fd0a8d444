"""Structure operations: creation (with the référent's invitation), edits,
members detached or promoted, bulk import."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.domain import invitations
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.outbox import queue_mail
from app.extensions import db
from app.models import FamilleTiers, Membership, MembershipRole, Structure
from app.models.types import utcnow

# The fields an agent sets from the « fiche renseignements » (also the CSV columns).
STRUCTURE_FIELDS = (
    "famille",
    "raison_sociale",
    "sigle",
    "siret",
    "rna",
    "uai",
    "naf_code",
    "forme_juridique_code",
    "adresse",
    "code_postal",
    "commune",
    "email",
    "telephone",
    "representant_civilite",
    "representant_nom",
    "representant_prenom",
    "representant_fonction",
)


class DuplicateSiret(DomainError):
    """A structure with this SIRET exists already (``existing``)."""

    def __init__(self, existing: Structure):
        super().__init__(
            f"Une structure avec ce SIRET existe déjà : {existing.raison_sociale}.", field="siret"
        )
        self.existing = existing


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
        raise DomainError("Seul un lycée privé peut avoir un organisme de gestion.", field="organisme_gestion")
    if organisme_gestion.id is not None and organisme_gestion.id == structure.id:
        raise DomainError("Une structure ne peut pas être son propre organisme de gestion.", field="organisme_gestion")
    structure.organisme_gestion = organisme_gestion


def build_structure(ctx: OperationContext, data: dict, organisme_gestion=None, lookup_snapshot=None) -> Structure:
    """Create a structure and invite its contact as référent, in the caller's
    transaction (one row of an import, or ``create_structure``)."""
    existing = find_by_siret(data.get("siret"))
    if existing is not None:
        raise DuplicateSiret(existing)
    structure = Structure(created_by_id=ctx.actor_id, lookup_snapshot=lookup_snapshot)
    _apply(structure, data)
    _check_organisme_gestion(structure, organisme_gestion)
    db.session.add(structure)
    db.session.flush()
    record_event(ctx, "structure.created", structure, structure=structure)
    invitations.create_invitation(
        ctx,
        structure,
        email=structure.email,
        role=MembershipRole.REFERENT,
        nom=structure.representant_nom,
        prenom=structure.representant_prenom,
    )
    return structure


@operation
def create_structure(ctx: OperationContext, data: dict, organisme_gestion=None, lookup_snapshot=None) -> Structure:
    return build_structure(ctx, data, organisme_gestion, lookup_snapshot)


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


@dataclass
class ImportReport:
    created: list[Structure] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


@operation
def import_structures(ctx: OperationContext, rows: list[tuple[int, dict, str | None]]) -> ImportReport:
    """Create the structures of validated import rows (line, data,
    organisme de gestion SIRET) in one transaction; a SIRET already on the
    portal, or seen earlier in the file, is skipped. Any error rolls back
    the whole import: nothing is half-imported."""
    report = ImportReport()
    seen: dict[str, Structure] = {}
    # Rows naming an organisme de gestion come last: it may be further down the file.
    for line, data, og_siret in sorted(rows, key=lambda row: row[2] is not None):
        siret = data.get("siret")
        if siret and (siret in seen or find_by_siret(siret)):
            report.skipped.append((line, f"SIRET {siret} déjà présent"))
            continue
        organisme_gestion = (seen.get(og_siret) or find_by_siret(og_siret)) if og_siret else None
        structure = build_structure(ctx, data, organisme_gestion)
        if siret:
            seen[siret] = structure
        report.created.append(structure)
    report.skipped.sort()
    return report


def active_membership(account, structure_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.account_id == account.id,
            Membership.structure_id == structure_id,
            Membership.until.is_(None),
        )
    )


def active_memberships(account) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Structure)
            .where(Membership.account_id == account.id, Membership.until.is_(None))
            .order_by(Structure.raison_sociale)
        )
    )


@operation
def detach(ctx: OperationContext, membership: Membership) -> None:
    """End a membership at once. The account remains; the demandes it wrote
    stay with the structure; the person is told by email."""
    if not membership.is_active:
        raise DomainError("Ce compte est déjà détaché de la structure.")
    structure = membership.structure
    if membership.role == MembershipRole.REFERENT and len(structure.referents) <= 1:
        raise DomainError(
            "Le dernier référent de la structure ne peut pas être détaché : confiez d'abord le rôle de référent à un autre membre."
        )
    membership.until = utcnow()
    membership.ended_by_id = ctx.actor_id
    account = membership.account
    queue_mail(
        account.email,
        f"Votre compte n'est plus rattaché à {structure.raison_sociale}",
        "membership_ended",
        account=account,
        structure=structure,
    )
    record_event(ctx, "membership.ended", membership, structure=structure, account=account.identifiant)


@operation
def hand_over_referent(ctx: OperationContext, from_membership: Membership, to_membership: Membership) -> None:
    """The référent gives its role to a member and becomes a member."""
    if from_membership.structure_id != to_membership.structure_id or not to_membership.is_active:
        raise DomainError("Ce membre ne fait pas partie de la structure.")
    if to_membership.role == MembershipRole.REFERENT:
        raise DomainError("Cette personne est déjà référente de la structure.")
    to_membership.role = MembershipRole.REFERENT
    from_membership.role = MembershipRole.MEMBRE
    record_event(
        ctx, "membership.referent_handed_over", to_membership, structure=to_membership.structure,
        account=to_membership.account.identifiant, previous=from_membership.account.identifiant,
    )
