"""What happens to a demande after it is filed, on the applicant side:
the référent transmits it to the Région after the CA, or sends it back to
its author. Each transition is one operation: checked, audited, notified,
atomic (a failure leaves the demande as it was)."""

from datetime import date

from app import attachments, receipts
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.outbox import queue_mail
from app.models import Attachment, Demande, DemandeStatus
from app.models.types import utcnow
from app.policy import can_transmit
from app.urls import external_url

PV_SLOT = "pv_ca"


def _recipients(demande: Demande) -> list:
    """The applicant side: the structure's référents and the author (once each)."""
    people = [m.account for m in demande.structure.referents] if demande.structure else []
    if demande.author is not None and demande.author not in people:
        people.append(demande.author)
    return people


@operation
def transmit(ctx: OperationContext, demande: Demande, *, ca_date: date | None, pv=None) -> Demande:
    """« Transmettre à la Région »: the CA date (not in the future), the
    extract of its procès-verbal (``pv``: a file already checked and stored,
    required when the téléservice asks for CA approval) → « transmise », the
    accusé de réception PDF made and emailed. ``pv`` is
    (original_name, StoredFile, content_type)."""
    if not can_transmit(ctx.actor, demande):
        raise DomainError("Seul le référent de la structure peut transmettre une demande déposée.")
    if ca_date is None:
        raise DomainError("Saisissez la date du Conseil d'Administration", field="ca_date")
    if ca_date > utcnow().date():
        raise DomainError("La date du Conseil d'Administration ne peut pas être dans le futur", field="ca_date")
    if demande.definition.approbation_ca and pv is None:
        raise DomainError("Joignez l'extrait du procès-verbal ou la délibération du Conseil d'Administration", field="pv")
    if pv is not None:
        original_name, stored, content_type = pv
        demande.attachments.append(
            Attachment(
                slot=PV_SLOT,
                original_name=attachments.safe_download_name(original_name),
                stored_name=stored.stored_name,
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by_id=ctx.actor_id,
            )
        )
    demande.ca_date = ca_date
    mark_transmitted(ctx, demande)
    record_event(ctx, "demande.transmise", demande, structure=demande.structure, reference=demande.reference, ca_date=ca_date.isoformat())
    return demande


def mark_transmitted(ctx: OperationContext, demande: Demande) -> None:
    """« transmise »: the time, who, the accusé de réception PDF, and its email
    to the applicant side — in the caller's transaction (the référent's
    transmission, or filing a téléservice without CA approval)."""
    demande.status = DemandeStatus.TRANSMISE
    demande.transmitted_at = utcnow()
    demande.transmitted_by_id = ctx.actor_id
    receipts.make_receipt(demande)
    for person in _recipients(demande):
        queue_mail(
            person.email,
            f"Accusé de réception de votre demande {demande.reference}",
            "demande_transmise",
            demande=demande,
            person=person,
            link=external_url("suivi.demande", demande_id=demande.id),
            receipt_link=external_url("receipts.download", demande_id=demande.id),
        )


@operation
def send_back(ctx: OperationContext, demande: Demande, message: str) -> Demande:
    """« Renvoyer à l'auteur pour modification »: back to « brouillon » (its
    reference kept), the author told why by email."""
    if not can_transmit(ctx.actor, demande):
        raise DomainError("Seul le référent de la structure peut renvoyer une demande déposée à son auteur.")
    if not message.strip():
        raise DomainError("Expliquez à l'auteur ce qu'il faut modifier", field="message")
    demande.status = DemandeStatus.BROUILLON
    demande.updated_at = utcnow()
    if demande.author is not None:
        queue_mail(
            demande.author.email,
            f"Votre demande {demande.reference} vous est renvoyée pour modification",
            "demande_renvoyee",
            demande=demande,
            message=message.strip(),
            sender=ctx.actor,
            link=external_url("depot.step", demande_id=demande.id, step="recapitulatif"),
        )
    record_event(ctx, "demande.renvoyee", demande, structure=demande.structure, reference=demande.reference, message=message.strip())
    return demande
