"""What happens to a « déposée » demande on the applicant side: the
structure's référent transmits it to the Région after the CA, or sends it
back to its author. Each transition is one operation: checked, audited,
notified, atomic (a failure leaves the demande as it was)."""

from datetime import date

from app import policy
from app.domain import files
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, lock_row, operation, refuse_if, require
from app.domain.demandes import receipts
from app.domain.demandes.notifications import notify_applicant_side
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.models import Action, Demande, DemandeStatus
from app.models.lifecycle import RECAPITULATIF
from app.models.types import utcnow

PV_SLOT = receipts.PV_SLOT


def transmission_problems(demande: Demande, *, ca_date: date | None, pv: files.Upload | None) -> dict[str, str]:
    """What is wrong with a transmission as typed, every field at once: the
    CA date (required, not in the future), the procès-verbal (required when
    the téléservice asks for CA approval)."""
    problems = {}
    if ca_date is None:
        problems["ca_date"] = "Saisissez la date du Conseil d'Administration"
    elif ca_date > utcnow().date():
        problems["ca_date"] = "La date du Conseil d'Administration ne peut pas être dans le futur"
    if demande.definition.approbation_ca and not (pv is not None and pv.filename):
        problems["pv"] = "Joignez l'extrait du procès-verbal ou la délibération du Conseil d'Administration"
    return problems


@operation
def transmit(ctx: OperationContext, demande: Demande, *, ca_date: date | None, pv: files.Upload | None = None) -> Demande:
    """« Transmettre à la Région »: the CA date (not in the future), the
    extract of its procès-verbal (``pv``, the file sent: required when the
    téléservice asks for CA approval) → « transmise », the accusé de
    réception PDF made and emailed."""
    lock_row(demande)  # two transmissions at once take turns: the second sees « transmise »
    require(ctx, policy.can_transmit(ctx.actor, demande), "Seul le référent de la structure peut transmettre une demande déposée.")
    if not demande.allows(Action.TRANSMETTRE):
        raise DomainError(f"Une demande au statut « {demande.status_label} » ne peut pas être transmise.")
    refuse_if(transmission_problems(demande, ca_date=ca_date, pv=pv))
    if pv is not None and pv.filename:
        demande.attachments.append(files.attach(ctx, PV_SLOT, pv, field="pv"))
    demande.ca_date = ca_date
    mark_transmitted(ctx, demande)
    record_event(ctx, "demande.transmise", demande, structure=demande.structure, reference=demande.reference, ca_date=ca_date.isoformat())
    return demande


def mark_transmitted(ctx: OperationContext, demande: Demande) -> None:
    """« transmise »: the time, who, the accusé de réception PDF, and its email
    to the applicant side — in the caller's operation (the référent's
    transmission, or filing a téléservice without CA approval)."""
    demande.status = DemandeStatus.TRANSMISE
    demande.transmitted_at = utcnow()
    demande.transmitted_by_id = ctx.actor_id
    receipts.make_receipt(demande)
    notify_applicant_side(
        demande,
        f"Accusé de réception de votre demande {demande.reference}",
        "demande_transmise",
        link=external_url("suivi.demande", demande_id=demande.id),
        receipt_link=external_url("receipts.download", demande_id=demande.id),
    )


@operation
def send_back(ctx: OperationContext, demande: Demande, message: str) -> Demande:
    """« Renvoyer à l'auteur pour modification »: back to « brouillon » (its
    reference kept), the author told why by email."""
    require(ctx, policy.can_send_back(ctx.actor, demande), "Seul le référent de la structure peut renvoyer une demande déposée à son auteur.")
    if not demande.allows(Action.RENVOYER_A_L_AUTEUR):
        raise DomainError(f"Une demande au statut « {demande.status_label} » ne peut pas être renvoyée à son auteur.")
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
            link=external_url("depot.step", demande_id=demande.id, step=RECAPITULATIF),
        )
    record_event(ctx, "demande.renvoyee", demande, structure=demande.structure, reference=demande.reference, message=message.strip())
    return demande
