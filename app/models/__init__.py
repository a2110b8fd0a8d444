"""SQLAlchemy models, one module per noun family. Importing this package
registers every table on ``db.metadata`` (for Alembic)."""

from app.models.accounts import Account, AccountStatus, AgentRole, Civilite
from app.models.audit import AuditEvent
from app.models.demandes import Attachment, Demande, InternalNote, Receipt, ReferenceCounter
from app.models.lifecycle import Action, DemandeStatus
from app.models.lookups import OrganisationLookupCacheEntry
from app.models.mail import MailStatus, OutgoingMail
from app.models.messages import Message, Side, Thread, ThreadRead
from app.models.structures import Invitation, InvitationStatus, Membership, MembershipRole, Structure
from app.models.teleservices import Teleservice, TeleserviceVersion
from app.reference.familles import FamilleTiers

__all__ = [
    "Account",
    "Action",
    "AccountStatus",
    "AgentRole",
    "Attachment",
    "AuditEvent",
    "Civilite",
    "Demande",
    "DemandeStatus",
    "FamilleTiers",
    "InternalNote",
    "Invitation",
    "InvitationStatus",
    "MailStatus",
    "Membership",
    "Message",
    "MembershipRole",
    "OrganisationLookupCacheEntry",
    "OutgoingMail",
    "Receipt",
    "ReferenceCounter",
    "Side",
    "Structure",
    "Teleservice",
    "TeleserviceVersion",
    "Thread",
    "ThreadRead",
]
