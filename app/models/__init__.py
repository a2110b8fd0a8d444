"""SQLAlchemy models, one module per noun family. Importing this package
registers every table on ``db.metadata`` (for Alembic)."""

from app.models.accounts import Account, AccountStatus, AgentRole, Civilite
from app.models.audit import AuditEvent
from app.models.lookups import OrganisationLookupCacheEntry
from app.models.mail import MailStatus, OutgoingMail
from app.models.structures import (
    FamilleTiers,
    Invitation,
    InvitationStatus,
    Membership,
    MembershipRole,
    Structure,
)

__all__ = [
    "Account",
    "AccountStatus",
    "AgentRole",
    "AuditEvent",
    "Civilite",
    "FamilleTiers",
    "Invitation",
    "InvitationStatus",
    "MailStatus",
    "Membership",
    "MembershipRole",
    "OrganisationLookupCacheEntry",
    "OutgoingMail",
    "Structure",
]
