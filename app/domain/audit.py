"""Recording audit events (within the caller's transaction)."""

from app.domain.base import OperationContext
from app.extensions import db
from app.models import AuditEvent


def record_event(ctx: OperationContext, action: str, obj, **details) -> AuditEvent:
    """Add an audit event for ``action`` on ``obj`` (a model instance with an id)."""
    db.session.flush()  # make sure obj has its id
    event = AuditEvent(
        actor_id=ctx.actor_id,
        action=action,
        object_type=obj.__tablename__,
        object_id=obj.id,
        ip=ctx.ip,
        details=details,
    )
    db.session.add(event)
    return event
