"""SQLAlchemy models, one module per noun family. Importing this package
registers every table on ``db.metadata`` (for Alembic)."""

from app.models.accounts import Account, AccountStatus, AgentRole, Civilite
from app.models.audit import AuditEvent
from app.models.mail import MailStatus, OutgoingMail

__all__ = [
    "Account",
    "AccountStatus",
    "AgentRole",
    "AuditEvent",
    "Civilite",
    "MailStatus",
    "OutgoingMail",
]
