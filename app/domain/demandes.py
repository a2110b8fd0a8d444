"""Demande operations: start a draft, save a step, file it."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.attachments import safe_download_name
from app.domain import suivi
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.outbox import queue_mail
from app.extensions import db
from app.models import Attachment, Demande, DemandeStatus, ReferenceCounter, Teleservice
from app.models.types import utcnow
from app.urls import external_url
from app.wizard.checks import check_fields
from app.wizard.validation import StepState, states


def teleservice_by_code(code: str) -> Teleservice | None:
    return db.session.scalar(select(Teleservice).where(Teleservice.code == code))


def can_start_reason(teleservice: Teleservice, famille: str | None, today) -> str | None:
    """Why this téléservice cannot be started now by that famille (None: it can)."""
    definition = teleservice.current_version.definition
    if today < definition.ouverture:
        return f"Ce téléservice ouvrira le {definition.ouverture:%d/%m/%Y}."
    if today > definition.cloture:
        return f"Ce téléservice est clos depuis le {definition.cloture:%d/%m/%Y}."
    if famille is None or not definition.admits(famille):
        return "Ce téléservice n'est pas ouvert à la famille de tiers de votre structure."
    return None


@operation
def start_demande(ctx: OperationContext, teleservice: Teleservice, structure) -> Demande:
    """A new draft on the téléservice's current version, for the author's
    current structure (None for a particulier without structure)."""
    famille = structure.famille if structure is not None else "particulier"
    reason = can_start_reason(teleservice, famille, utcnow().date())
    if reason:
        raise DomainError(reason)
    demande = Demande(
        teleservice_version=teleservice.current_version,
        structure=structure,
        author_id=ctx.actor_id,
        status=DemandeStatus.BROUILLON,
        answers={},
    )
    db.session.add(demande)
    db.session.flush()
    record_event(ctx, "demande.started", demande, structure=structure)
    return demande


class StaleDemande(DomainError):
    """The demande changed since the page was loaded (another tab, another
    person): nothing is overwritten; ``demande`` is the saved state."""

    def __init__(self, demande: Demande):
        super().__init__("Cette demande a été modifiée entre-temps, dans un autre onglet ou par une autre personne.")
        self.demande = demande


def _denormalise(demande: Demande) -> None:
    """Keep the list columns (intitulé, amount asked) in step with the answers."""
    values, _ = check_fields(demande.definition.dossier, demande.step_answers("dossier"))
    intitule = values.get("intitule")
    demande.intitule = str(intitule)[:255] if intitule else None
    montant = next((values[f.code] for f in demande.definition.dossier if f.max_from and values.get(f.code)), None)
    demande.montant_demande = montant


@operation
def save_step(ctx: OperationContext, demande: Demande, step: str, answers: dict, expected_version: int) -> None:
    """Save what was typed on a step, valid or not (a draft never loses a
    word). ``expected_version`` is the version the page was loaded with:
    if the demande changed since, nothing is written and ``StaleDemande``
    says so (optimistic locking; the version column also catches a save
    that races this one)."""
    if not step_is_editable(demande, step):
        raise DomainError("Cette demande n'est plus modifiable.")
    if expected_version != demande.version:
        raise StaleDemande(demande)
    updated = dict(demande.answers or {})
    updated[step] = answers
    demande.answers = updated
    demande.updated_at = utcnow()
    _denormalise(demande)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleDemande(db.session.get(Demande, demande.id)) from None


EDITABLE_STATUSES = (DemandeStatus.BROUILLON,)


def step_is_editable(demande: Demande, step: str) -> bool:
    """A draft's steps, or the steps the council reopened with « Demander des compléments »."""
    reopened = demande.status == DemandeStatus.COMPLEMENTS_DEMANDES and step in (*(demande.reopened_steps or []), "recapitulatif")
    return demande.status in EDITABLE_STATUSES or reopened


@operation
def add_attachment(ctx: OperationContext, demande: Demande, slot: str, original_name: str, stored, content_type: str) -> Attachment:
    """Record a file already checked and stored (``app.attachments``), while
    « Votre dossier » (where documents are attached) may be changed."""
    if not step_is_editable(demande, "dossier"):
        raise DomainError("Cette demande n'est plus modifiable.")
    attachment = Attachment(
        demande=demande,
        slot=slot,
        original_name=safe_download_name(original_name or "document"),
        stored_name=stored.stored_name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=ctx.actor_id,
    )
    db.session.add(attachment)
    record_event(ctx, "demande.document_added", demande, structure=demande.structure, slot=slot, name=attachment.original_name)
    return attachment


@operation
def remove_attachment(ctx: OperationContext, demande: Demande, attachment: Attachment) -> str:
    """Forget a file of a draft; returns its stored name (deleted after commit)."""
    if demande.status not in EDITABLE_STATUSES or attachment.demande_id != demande.id:
        raise DomainError("Ce document ne peut plus être retiré : ajoutez plutôt un nouveau document.")
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    record_event(ctx, "demande.document_removed", demande, structure=demande.structure, name=attachment.original_name)
    return stored_name


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


@operation
def file_demande(ctx: OperationContext, demande: Demande) -> Demande:
    """« Déposer ma demande »: every step complete and certified → the
    demande gets its reference and becomes « déposée » (the structure's
    référent is told, to transmit it after the CA); for a téléservice
    without CA approval it goes straight to « transmise »."""
    if demande.status != DemandeStatus.BROUILLON:
        raise DomainError("Cette demande a déjà été déposée.")
    incomplete = [slug for slug, state in states(demande).items() if state is not StepState.COMPLETE and slug != "recapitulatif"]
    if incomplete or demande.step_answers("recapitulatif").get("certifie") != ["oui"]:
        raise DomainError("La demande est incomplète : complétez les étapes signalées avant de la déposer.")
    definition = demande.definition
    now = utcnow()
    # A demande sent back for changes keeps the reference it was given.
    demande.reference = demande.reference or next_reference(definition.code, now.year)
    demande.deposited_at = now
    if definition.approbation_ca:
        demande.status = DemandeStatus.DEPOSEE
        _notify_referents(demande)
    else:
        suivi.mark_transmitted(ctx, demande)
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
