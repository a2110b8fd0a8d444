"""``flask demandes repair``: every demande's stored answers brought to the
steps' shape (``app.domain.wizard.shapes``) — for rows an older version of
the code stored as posted. Reading already tolerates them; this makes the
database itself sound again. Each demande is repaired in its own
transaction, audited with the steps it changed (never their content)."""

from sqlalchemy import select

from app.domain.audit import record_event
from app.domain.base import OperationContext, operation
from app.domain.wizard.shapes import normalise
from app.domain.wizard.steps import STEP_SLUGS
from app.extensions import db
from app.models import Demande


def repaired_answers(demande: Demande) -> tuple[dict, list[str]]:
    """The demande's answers in shape, and the steps that were not."""
    if not isinstance(demande.answers, dict):
        return {}, ["réponses"] if demande.answers else []
    raw = demande.answers
    shaped = {step: normalise(demande.definition, step, raw[step]) for step in STEP_SLUGS if step in raw}
    return shaped, [str(step) for step in raw if shaped.get(step) != raw[step]]


@operation
def _repair(ctx: OperationContext, demande: Demande) -> bool:
    shaped, changed = repaired_answers(demande)
    if not changed:
        return False
    demande.answers = shaped
    record_event(ctx, "demande.reponses_reparees", demande, structure=demande.structure, etapes=changed)
    return True


def repair_all(ctx: OperationContext) -> tuple[int, int]:
    """Repair every demande; returns (read, repaired)."""
    ids = db.session.scalars(select(Demande.id).order_by(Demande.id)).all()
    repaired = 0
    for demande_id in ids:
        demande = db.session.get(Demande, demande_id)
        if demande is not None and _repair(ctx, demande):
            repaired += 1
        db.session.expire_all()  # one demande at a time in memory
    return len(ids), repaired
