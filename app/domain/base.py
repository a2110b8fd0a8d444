"""What every domain operation shares: its context, its errors, its
transaction.

An operation is one unit of work: decorated with ``@operation``, it commits
when it succeeds and rolls everything back when anything goes wrong. An
operation called from another joins the caller's transaction instead: only
the outermost one commits, so operations compose (creating a structure
invites its référent; an import creates many structures) without pairs of
entry points, and a failure anywhere leaves nothing half-done.
"""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db

if TYPE_CHECKING:
    from app.models import Account

# session.info key: how many operations are running in the session's transaction.
_DEPTH = "operation_depth"


@dataclass(frozen=True)
class OperationContext:
    """Who performs an operation and from where (for the audit trail)."""

    actor: "Account | None" = None
    ip: str | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor is not None else None

    @property
    def is_system(self) -> bool:
        """Work of the portal itself (command line, demo data), not of a person."""
        return self.actor is None

    def as_actor(self, actor: "Account") -> "OperationContext":
        """The same request, acting as ``actor`` (the account that just logged in)."""
        return OperationContext(actor=actor, ip=self.ip)


SYSTEM = OperationContext()  # command-line and background work


class DomainError(Exception):
    """A business rule refused the operation; ``field`` names the form field
    the French ``message`` belongs next to (None for the whole form).
    ``errors``: every refusal, by field, when the operation found several
    (a form shows them all at once); one error is ``{field: message}``."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors: dict[str | None, str] = {field: message}

    @classmethod
    def of(cls, errors: dict[str | None, str]) -> "DomainError":
        """One refusal carrying every error found (``{field: message}``, in form order)."""
        field, message = next(iter(errors.items()))
        error = cls(message, field)
        error.errors = dict(errors)
        return error


def refuse_if(errors: dict[str | None, str]) -> None:
    """Raise every refusal found at once (nothing found: nothing raised)."""
    if errors:
        raise DomainError.of(errors)


def require(ctx: OperationContext, allowed: bool, message: str, field: str | None = None) -> None:
    """Refuse the operation (``DomainError(message, field)``) unless the
    policy allowed the actor; the portal's own work (``SYSTEM``) is not refused."""
    if not (ctx.is_system or allowed):
        raise DomainError(message, field=field)


# What the database says when two transactions changed the same thing at
# once: a version check lost (StaleDataError), a unique constraint hit
# (IntegrityError). The web layer answers them with a 409, never a 500.
CONCURRENT_CHANGES = (StaleDataError, IntegrityError)


def lock_row(instance) -> None:
    """Lock ``instance``'s row until the transaction ends, then read it again:
    two changes of one row at the same moment take turns, and the second
    checks what the first left (PostgreSQL ``SELECT … FOR UPDATE``; SQLite
    lets one writer at a time anyway). Call it before checking what the
    row's state allows, with no change of the row pending."""
    state = inspect(instance)
    key = state.mapper.primary_key[0]
    db.session.execute(select(key).where(key == state.identity[0]).with_for_update())
    db.session.refresh(instance)


def discard_changes() -> None:
    """Roll back the current transaction (after a refused concurrent change)."""
    db.session.rollback()


def operation(func):
    """Run ``func`` as one transaction: commit on success, roll back on any
    error. Inside another operation, ``func`` joins its transaction: the
    outermost operation commits or rolls back for both."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        info = db.session().info
        depth = info.get(_DEPTH, 0)
        info[_DEPTH] = depth + 1
        try:
            result = func(*args, **kwargs)
            if depth == 0:
                db.session.commit()
        except BaseException:
            if depth == 0:
                db.session.rollback()
            raise
        finally:
            info[_DEPTH] = depth
        return result

    return wrapper
