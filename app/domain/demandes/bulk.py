"""Bulk actions of the back office's list on a selection of demandes: what
an action would do (the demandes it touches, those it leaves alone and
why), then the action applied one demande at a time — one operation, one
transaction each, with its own policy check, history and email."""

from dataclasses import dataclass, field

from app.domain.base import DomainError, OperationContext
from app.domain.demandes import instruction
from app.domain.demandes.backoffice_list import demandes_by_ids
from app.models import Account, Action, Demande


@dataclass(frozen=True)
class BulkAction:
    label: str  # the button's wording
    needs: Action  # what the status must allow


# The actions, by the value the list's buttons send.
BULK_ACTIONS = {
    "moi": BulkAction("M'attribuer", Action.ATTRIBUER),
    "attribuer": BulkAction("Attribuer à", Action.ATTRIBUER),
    "instruire": BulkAction("Passer en instruction", Action.INSTRUIRE),
}


@dataclass
class BulkPlan:
    """What ``action`` would do: the demandes it touches, and those it leaves
    alone with the reason ((reference, reason); an empty reference for
    demandes not found)."""

    action: str
    actor: Account
    agent: Account | None  # who receives the demandes (assignments)
    touched: list[Demande] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def assigns_to_self(self) -> bool:
        return self.agent is not None and self.agent.id == self.actor.id


def plan(ctx: OperationContext, action: str, ids: list[int], agent: Account | None = None) -> BulkPlan:
    """The plan of ``action`` (a key of ``BULK_ACTIONS``) on the demandes
    ``ids`` of the list; « moi » assigns to the actor, « attribuer » to ``agent``."""
    receiver = ctx.actor if action == "moi" else agent if action == "attribuer" else None
    result = BulkPlan(action, ctx.actor, receiver)
    demandes = demandes_by_ids(ids)
    missing = len(ids) - len(demandes)
    if missing:
        plural = "s" if missing > 1 else ""
        result.skipped.append(("", f"{missing} demande{plural} introuvable{plural} dans la liste"))
    for demande in demandes:
        if not demande.allows(BULK_ACTIONS[action].needs):
            result.skipped.append((demande.reference, f"son statut « {demande.status_label} » ne le permet pas"))
        elif receiver is not None and demande.assigned_agent_id == receiver.id:
            result.skipped.append((demande.reference, "elle est déjà attribuée à cet agent"))
        else:
            result.touched.append(demande)
    return result


def apply(ctx: OperationContext, bulk: BulkPlan) -> tuple[list[str], list[tuple[str, str]]]:
    """Apply a plan: each demande in its own operation. Returns the references
    done, and (reference, reason) for those refused, the plan's skipped first."""
    done, refused = [], list(bulk.skipped)
    for demande in bulk.touched:
        reference = demande.reference
        try:
            if bulk.action == "instruire":
                instruction.start_instruction(ctx, demande)
            else:
                instruction.assign(ctx, demande, bulk.agent)
        except DomainError as error:
            refused.append((reference, error.message))
        else:
            done.append(reference)
    return done, refused
