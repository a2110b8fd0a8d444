"""« Déposer ma demande »: a complete draft gets its reference and becomes
« déposée » (the structure's référent is told, to transmit it after the
CA), or goes straight to the Région when its téléservice needs no CA
approval."""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app import policy
from app.domain import organisations
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation, refuse_if, require
from app.domain.demandes.transmission import mark_transmitted
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.wizard.prefill import BENEFICIARY_PREFILLED
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import is_other_beneficiary
from app.domain.wizard.validation import filing_problems
from app.extensions import db
from app.models import Action, Demande, DemandeStatus, ReferenceCounter
from app.models.types import utcnow

# What a beneficiary's form shares with an organisation record, to tell
# whether the record chosen was kept as it was.
BENEFICIARY_COMPARED = tuple(name for name in organisations.VERIFIED_FIELDS if name in BENEFICIARY_PREFILLED)


def next_reference(prefix: str, year: int) -> str:
    """« TRAJ-2026-000042 »: one atomic increment per téléservice and year."""
    bumped = db.session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    ).scalar()
    if bumped is None:
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceCounter(prefix=prefix, year=year, last=1))
            bumped = 1
        except IntegrityError:  # created concurrently: increment it
            return next_reference(prefix, year)
    return f"{prefix}-{year}-{bumped:06d}"


def beneficiary_snapshot(demande: Demande) -> dict | None:
    """What the council is shown of the beneficiary: None when the structure
    itself is; else the organisation record chosen in the wizard if its
    values were kept, or the values typed, « non vérifié »."""
    answers = stored_answers(demande, "beneficiaire")
    if not is_other_beneficiary(answers):
        return None
    record = organisations.record_of(demande.beneficiary_snapshot) if answers.get("lookup_key") else None
    return organisations.snapshot_for(answers, record, compared=BENEFICIARY_COMPARED)


@operation
def file_demande(ctx: OperationContext, demande: Demande) -> Demande:
    """Every step complete and certified → the demande gets its reference
    (a demande sent back for changes keeps the one it had) and becomes
    « déposée », or « transmise » for a téléservice without CA approval."""
    if not demande.allows(Action.DEPOSER):
        raise DomainError("Cette demande a déjà été déposée.")
    require(ctx, policy.can_file_demande(ctx.actor, demande), "Seul l'auteur de la demande peut la déposer.")
    refuse_if(filing_problems(demande))
    definition = demande.definition
    now = utcnow()
    demande.reference = demande.reference or next_reference(definition.code, now.year)
    demande.deposited_at = now
    demande.beneficiary_snapshot = beneficiary_snapshot(demande)
    if definition.approbation_ca:
        demande.status = DemandeStatus.DEPOSEE
        _notify_referents(demande)
    else:
        mark_transmitted(ctx, demande)
    record_event(ctx, f"demande.{demande.status}", demande, structure=demande.structure, reference=demande.reference)
    return demande


def _notify_referents(demande: Demande) -> None:
    if demande.structure is None:
        return
    for membership in demande.structure.referents:
        queue_mail(
            membership.account.email,
            f"Nouvelle demande déposée : {demande.reference}",
            "demande_deposee",
            demande=demande,
            referent=membership.account,
            link=external_url("suivi.demande", demande_id=demande.id),
        )
