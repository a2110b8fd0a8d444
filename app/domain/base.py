"""What every domain operation shares: its context, its errors, its commit."""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.extensions import db

if TYPE_CHECKING:
    from app.models import Account


@dataclass(frozen=True)
class OperationContext:
    """Who performs an operation and from where (for the audit trail)."""

    actor: "Account | None" = None
    ip: str | None = None

    @property
    def actor_id(self) -> int | None:
        return self.actor.id if self.actor is not None else None


SYSTEM = OperationContext()  # command-line and background work


class DomainError(Exception):
    """A business rule refused the operation; ``field`` names the form field
    the French ``message`` belongs next to (None for the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def operation(func):
    """Run ``func`` as one transaction: commit on success, roll back on any
    error (so a failure never leaves a half-done change behind)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    return wrapper
