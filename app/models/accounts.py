"""Accounts: usagers (applicants) and the council's agents log in the same way."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class AccountStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"


class Civilite(enum.StrEnum):
    MADAME = "madame"
    MONSIEUR = "monsieur"

    @property
    def label(self) -> str:
        return {"madame": "Madame", "monsieur": "Monsieur"}[self.value]


class AgentRole(enum.StrEnum):
    INSTRUCTEUR = "instructeur"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"instructeur": "Agent instructeur", "admin": "Agent administrateur"}[self.value]


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class Account(UserMixin, db.Model):
    """A person who logs in. ``agent_role`` is set for council agents only."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifiant: Mapped[str] = mapped_column(String(50))
    # Lower-cased identifiant: uniqueness without regard to case on every database.
    identifiant_key: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    civilite: Mapped[str] = mapped_column(String(10))
    nom: Mapped[str] = mapped_column(String(100))
    prenom: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    status: Mapped[str] = mapped_column(String(10), default=AccountStatus.PENDING)
    agent_role: Mapped[str | None] = mapped_column(String(20))
    # Part of the Flask-Login id: changing it ends every open session of the account.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self) -> bool:  # Flask-Login: only active accounts stay logged in
        return self.status == AccountStatus.ACTIVE

    @property
    def is_pending(self) -> bool:
        """Registered, not yet activated."""
        return self.status == AccountStatus.PENDING

    @property
    def is_disabled(self) -> bool:
        return self.status == AccountStatus.DISABLED

    @property
    def is_agent(self) -> bool:
        return self.agent_role is not None

    @property
    def civilite_label(self) -> str:
        return Civilite(self.civilite).label

    @property
    def display_name(self) -> str:
        return f"{self.prenom} {self.nom}"

    def __repr__(self) -> str:
        return f"<Account {self.identifiant}>"
