"""The council's processing of a transmitted demande (« instruction »).

Every action is one operation: refused unless the actor is an agent and the
demande's status allows it (``app.policy``, ``app.models.lifecycle``),
audited, notified by email to the applicant side, atomic. Agents never edit
an applicant's answers."""

from decimal import Decimal

from sqlalchemy import func, select

from app import policy
from app.domain.audit import latest_demande_event, record_event
from app.domain.base import DomainError, OperationContext, lock_row, operation, refuse_if
from app.domain.demandes.notifications import notify_applicant_side, notify_council
from app.domain.links import external_url
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import REOPENABLE_STEPS, STEPS_BY_SLUG, step_fields
from app.extensions import db
from app.models import Account, Action, Demande, DemandeStatus, InternalNote
from app.models.lifecycle import OPEN_STATUSES
from app.models.types import utcnow


def open_assigned_count(agent: Account) -> int:
    """Demandes assigned to ``agent`` still to process."""
    return db.session.scalar(
        select(func.count(Demande.id)).where(Demande.assigned_agent_id == agent.id, Demande.status.in_(OPEN_STATUSES))
    )


def _require(ctx: OperationContext, demande: Demande, action: Action, verb: str) -> None:
    """Only an agent, and only when the status allows ``action`` — read
    under the row's lock, so that two agents deciding at once take turns
    and the second is told the demande's new status."""
    if not policy.can_access_back_office(ctx.actor):
        raise DomainError("Réservé aux agents de la Région.")
    lock_row(demande)
    if not policy.can_process(ctx.actor, demande, action):
        raise DomainError(f"Impossible de {verb} une demande au statut « {demande.status_label} ».")


def _notify(demande: Demande, subject: str, template: str, **context) -> None:
    notify_applicant_side(
        demande, f"{subject} – demande {demande.reference}", template,
        link=external_url("suivi.demande", demande_id=demande.id), **context,
    )


@operation
def assign(ctx: OperationContext, demande: Demande, agent: Account) -> None:
    """« S'attribuer » / « Attribuer à » an agent (no email: internal)."""
    _require(ctx, demande, Action.ATTRIBUER, "attribuer")
    if not policy.can_receive_demandes(agent):
        raise DomainError("Cet agent ne peut pas recevoir de demande.", field="agent")
    demande.assigned_agent_id = agent.id
    record_event(ctx, "demande.attribuee", demande, structure=demande.structure, agent=agent.identifiant)


@operation
def start_instruction(ctx: OperationContext, demande: Demande) -> None:
    """« Passer en instruction »: transmise → en_instruction."""
    _require(ctx, demande, Action.INSTRUIRE, "passer en instruction")
    demande.status = DemandeStatus.EN_INSTRUCTION
    demande.updated_at = utcnow()
    if demande.assigned_agent_id is None:
        demande.assigned_agent_id = ctx.actor_id
    _notify(demande, "Votre demande est en cours d'instruction", "instruction_en_cours")
    record_event(ctx, "demande.en_instruction", demande, structure=demande.structure)


@operation
def request_complements(ctx: OperationContext, demande: Demande, message: str, steps: list[str]) -> None:
    """« Demander des compléments »: a message naming what is missing; the
    named steps become editable by the author again, then « Renvoyer »."""
    _require(ctx, demande, Action.DEMANDER_COMPLEMENTS, "demander des compléments pour")
    if not message.strip():
        raise DomainError("Indiquez les compléments attendus", field="message")
    steps = [s for s in steps if s in REOPENABLE_STEPS]
    if not steps:
        raise DomainError("Choisissez au moins une étape à rouvrir", field="steps")
    demande.status = DemandeStatus.COMPLEMENTS_DEMANDES
    demande.reopened_steps = steps
    demande.updated_at = utcnow()
    _notify(
        demande, "Des compléments sont demandés", "complements_demandes",
        message=message.strip(), step_titles=[STEPS_BY_SLUG[s].title for s in steps],
    )
    before = {step: stored_answers(demande, step) for step in steps}
    record_event(
        ctx, "demande.complements_demandes", demande, structure=demande.structure,
        message=message.strip(), steps=steps, before=before,
    )


@operation
def return_complements(ctx: OperationContext, demande: Demande) -> None:
    """The author « Renvoie » the completed demande: back to en_instruction;
    the history records what changed (answers before and after)."""
    if not policy.can_return_complements(ctx.actor, demande):
        raise DomainError("Seul l'auteur peut renvoyer les compléments demandés.")
    steps = demande.reopened_steps or []
    request = latest_demande_event(demande, "demande.complements_demandes")
    before = (request.details or {}).get("before", {}) if request else {}
    changed = _changed_labels(demande, steps, before)
    documents = _documents_added_since(demande, request.created_at if request else None)
    demande.status = DemandeStatus.EN_INSTRUCTION
    demande.reopened_steps = None
    demande.updated_at = utcnow()
    notify_council(
        demande, f"Compléments renvoyés sur la demande {demande.reference}", "complements_renvoyes",
        changed=changed, documents=documents,
    )
    record_event(ctx, "demande.complements_renvoyes", demande, structure=demande.structure, steps=steps, changed=changed, documents=documents)


def _documents_added_since(demande: Demande, since) -> list[str]:
    """The names of the documents of « Votre dossier » joined since ``since``
    (the request for compléments), oldest first (files sent with messages
    are the thread's, not the dossier's)."""
    slots = {document.code for document in demande.definition.documents}
    return [
        a.original_name
        for a in sorted(demande.attachments, key=lambda a: (a.uploaded_at, a.id))
        if a.slot in slots and (since is None or a.uploaded_at >= since)
    ]


def _changed_labels(demande: Demande, steps: list[str], before: dict) -> list[str]:
    """« Votre dossier : Intitulé du projet », for each answer that changed."""
    changed = []
    for step in steps:
        old, new = before.get(step, {}), stored_answers(demande, step)
        fields = {f.code: f.label for f in step_fields(demande.definition, step, {**old, **new})}
        for code in sorted(set(old) | set(new)):
            if old.get(code) != new.get(code):
                changed.append(f"{STEPS_BY_SLUG[step].title} : {fields.get(code, code)}")
    return changed


def _decide(ctx: OperationContext, demande: Demande, status: DemandeStatus, subject: str, **fields) -> None:
    _require(ctx, demande, Action.DECIDER, "décider sur")
    for name, value in fields.items():
        setattr(demande, name, value)
    demande.status = status
    demande.decided_at = utcnow()
    demande.updated_at = demande.decided_at
    _notify(demande, subject, "decision", status_label=demande.status_label)
    details = {k: (str(v) if v is not None else None) for k, v in fields.items()}
    record_event(ctx, f"demande.{status}", demande, structure=demande.structure, **details)


def acceptance_problems(demande: Demande, *, montant: Decimal | None, instance: str | None) -> dict[str, str]:
    """What is wrong with an acceptance as typed, every field at once."""
    problems = {}
    if montant is None or montant <= 0:
        problems["montant"] = "Saisissez le montant accordé"
    elif demande.montant_demande is not None and montant > demande.montant_demande:
        problems["montant"] = "Le montant accordé ne peut pas dépasser le montant demandé"
    if not (instance or "").strip():
        problems["instance"] = "Indiquez l'instance de décision, par exemple Commission permanente"
    return problems


@operation
def accept(ctx: OperationContext, demande: Demande, *, montant: Decimal, decision_date, instance: str) -> None:
    """« Accepter »: the amount granted (not above the amount asked)."""
    refuse_if(acceptance_problems(demande, montant=montant, instance=instance))
    _decide(ctx, demande, DemandeStatus.ACCEPTEE, "Décision sur votre demande",
            montant_accorde=montant, decision_date=decision_date, decision_instance=instance.strip())


def _with_motif(status: DemandeStatus):
    def decide(ctx: OperationContext, demande: Demande, *, motif: str, decision_date=None, instance: str = "") -> None:
        if not motif.strip():
            raise DomainError("Indiquez le motif", field="motif")
        _decide(ctx, demande, status, "Décision sur votre demande",
                decision_motif=motif.strip(), decision_date=decision_date, decision_instance=instance.strip() or None)

    return operation(decide)


refuse = _with_motif(DemandeStatus.REFUSEE)
refuse.__doc__ = "« Refuser » with a motif."
close_without_follow_up = _with_motif(DemandeStatus.CLASSEE_SANS_SUITE)
close_without_follow_up.__doc__ = "« Classer sans suite » with a motif."


@operation
def add_internal_note(ctx: OperationContext, demande: Demande, body: str) -> InternalNote:
    """A « note interne »: agents only, never shown to applicants, never emailed."""
    if not policy.can_add_internal_note(ctx.actor, demande):
        raise DomainError("Réservé aux agents de la Région.")
    if not body.strip():
        raise DomainError("Saisissez la note", field="body")
    note = InternalNote(demande_id=demande.id, author_id=ctx.actor_id, body=body.strip()[:5000])
    db.session.add(note)
    record_event(ctx, "demande.note_interne", demande, structure=demande.structure)
    return note


def internal_notes(demande: Demande) -> list[InternalNote]:
    """The demande's notes internes, oldest first (agents' pages only)."""
    return list(db.session.scalars(select(InternalNote).where(InternalNote.demande_id == demande.id).order_by(InternalNote.id)))
