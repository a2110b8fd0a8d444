"""Drafts: starting a demande, saving what was typed on a step (valid or
not: a draft never loses a word), and the documents of « Votre dossier »."""

from sqlalchemy.orm.exc import StaleDataError

from app import policy
from app.domain import files, organisations
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation, require
from app.domain.teleservices import can_start_reason
from app.domain.wizard.fields import check_fields
from app.domain.wizard.prefill import beneficiary_from_record
from app.domain.wizard.shapes import normalise, stored_answers
from app.domain.wizard.validation import document_field
from app.extensions import db
from app.models import Action, Attachment, Demande, DemandeStatus, FamilleTiers, Teleservice
from app.models.types import utcnow

NOT_EDITABLE = "Cette demande n'est plus modifiable."


@operation
def start_demande(ctx: OperationContext, teleservice: Teleservice, structure) -> Demande:
    """A new draft on the téléservice's current version, for the author's
    current structure (None for a particulier without structure)."""
    famille = structure.famille if structure is not None else FamilleTiers.PARTICULIER.value
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
    person): nothing is overwritten; ``demande`` shows the saved state once
    the operation has rolled back."""

    def __init__(self, demande: Demande):
        super().__init__("Cette demande a été modifiée entre-temps, dans un autre onglet ou par une autre personne.")
        self.demande = demande


def _denormalise(demande: Demande) -> None:
    """Keep the list columns (intitulé, amount asked) in step with the answers."""
    found, _ = check_fields(demande.definition.dossier, stored_answers(demande, "dossier"))
    intitule = found.get("intitule")
    demande.intitule = str(intitule)[:255] if intitule else None
    demande.montant_demande = next((found[f.code] for f in demande.definition.dossier if f.max_from and found.get(f.code)), None)


@operation
def save_step(ctx: OperationContext, demande: Demande, step: str, answers: dict, expected_version: int) -> None:
    """Save what was typed on a step, valid or not. ``expected_version`` is
    the version the page was loaded with: if the demande changed since,
    nothing is written and ``StaleDemande`` says so (optimistic locking; the
    version column also catches a save that races this one)."""
    require(ctx, policy.can_edit_demande(ctx.actor, demande, step), NOT_EDITABLE)
    if not demande.step_is_editable(step):
        raise DomainError(NOT_EDITABLE)
    if expected_version != demande.version:
        raise StaleDemande(demande)
    stored = demande.answers if isinstance(demande.answers, dict) else {}
    demande.answers = {**stored, step: normalise(demande.definition, step, answers)}
    demande.updated_at = utcnow()
    _denormalise(demande)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleDemande(demande) from None


@operation
def use_beneficiary_record(ctx: OperationContext, demande: Demande, outcome, expected_version: int) -> dict:
    """« Utiliser ces informations » on « Bénéficiaire »: the beneficiary's
    fields filled from the organisation record chosen, saved as a draft, and
    the record kept as the beneficiary's snapshot (checked again when the
    demande is filed). Returns the answers saved."""
    answers = beneficiary_from_record(stored_answers(demande, "beneficiaire"), outcome)
    save_step(ctx, demande, "beneficiaire", answers, expected_version)
    demande.beneficiary_snapshot = organisations.snapshot(outcome.record)
    return answers


@operation
def add_document(ctx: OperationContext, demande: Demande, slot: str, upload: files.Upload) -> Attachment:
    """Attach a file to a document of « Votre dossier » while that step may
    be changed; a refused file is a ``DomainError`` at its field."""
    field = document_field(slot)
    require(ctx, policy.can_edit_demande(ctx.actor, demande, "dossier"), NOT_EDITABLE, field)
    if not demande.step_is_editable("dossier"):
        raise DomainError(NOT_EDITABLE, field=field)
    attachment = files.attach(ctx, slot, upload, field=field)
    demande.attachments.append(attachment)  # a child row: the demande's version is not bumped
    record_event(ctx, "demande.document_added", demande, structure=demande.structure, slot=slot, name=attachment.original_name)
    return attachment


@operation
def remove_document(ctx: OperationContext, demande: Demande, attachment: Attachment) -> None:
    """Take back a file of a draft; the stored file goes once that is committed."""
    refusal, field = "Ce document ne peut plus être retiré : ajoutez plutôt un nouveau document.", document_field(attachment.slot)
    require(ctx, policy.can_remove_document(ctx.actor, demande), refusal, field)
    if attachment.demande_id != demande.id or not demande.allows(Action.RETIRER_DOCUMENT):
        raise DomainError(refusal, field=field)
    files.delete_after_commit(attachment.stored_name)
    db.session.delete(attachment)
    record_event(ctx, "demande.document_removed", demande, structure=demande.structure, name=attachment.original_name)
