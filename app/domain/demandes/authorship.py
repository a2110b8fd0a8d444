"""Who writes a demande of a structure. Its author leaves with the account
when detached; the demande stays with the structure (DESIGN.md §2), so its
référent gives it to a member — itself or another — who then completes,
files or sends back what the author left (« Confier la demande »). The
person who left is told, on its next visit, who has the demande now."""

from zoneinfo import ZoneInfo

from app import policy
from app.domain.audit import latest_demande_event, record_event
from app.domain.base import DomainError, OperationContext, operation, require
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.domain.values import format_date
from app.domain.wizard.pages import resume_page
from app.models import Account, Demande, Membership, MembershipRole
from app.models.types import utcnow

TAKEN_OVER = "demande.confiee"
PARIS = ZoneInfo("Europe/Paris")


def candidates(demande: Demande) -> list[Membership]:
    """Whom the demande can be given to: the structure's members now, référents first, by name."""
    members = [m for m in demande.structure.active_memberships if policy.can_become_author(m.account, demande)]
    return sorted(members, key=lambda m: (m.role != MembershipRole.REFERENT, m.account.nom.lower(), m.account.prenom.lower()))


@operation
def take_over(ctx: OperationContext, demande: Demande, account_id: int) -> None:
    """The référent gives a detached author's demande to the member
    ``account_id`` (itself included); the new author is told by email when
    it is someone else."""
    require(
        ctx, policy.can_take_over(ctx.actor, demande),
        "Seul le référent de la structure peut confier une demande dont l'auteur n'est plus rattaché à la structure.",
    )
    new_author = next((m.account for m in candidates(demande) if m.account_id == account_id), None)
    if new_author is None:
        raise DomainError("Choisissez un membre rattaché à la structure", field="auteur")
    previous = demande.author
    demande.author = new_author
    demande.updated_at = utcnow()
    if new_author.id != ctx.actor_id:
        queue_mail(
            new_author.email,
            f"Une demande vous est confiée – {demande.reference or demande.intitule or demande.definition.titre}",
            "demande_confiee",
            demande=demande,
            person=new_author,
            sender=ctx.actor,
            link=external_url("suivi.demande", demande_id=demande.id),
            resume_link=external_url("depot.step", demande_id=demande.id, step=resume_page(demande)) if demande.has_editable_steps else None,
        )
    record_event(
        ctx, TAKEN_OVER, demande, structure=demande.structure,
        previous_author_id=previous.id if previous is not None else None,
        previous=previous.display_name if previous is not None else None,
        confiee_a=new_author.display_name,
    )


def handover_sentence(account: Account, demande: Demande) -> str | None:
    """« Le référent de la structure a confié cette demande à X le 02/12/2026. »
    when the latest « confiée » of ``demande`` took it from ``account``."""
    event = latest_demande_event(demande, TAKEN_OVER)
    if event is None or (event.details or {}).get("previous_author_id") != account.id:
        return None
    day = format_date(event.created_at.astimezone(PARIS).date())
    return f"Le référent de la structure a confié cette demande à {event.details.get('confiee_a') or 'un autre membre'} le {day}."
