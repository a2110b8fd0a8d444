"""Structures (« tiers »), their members and the invitations to join them."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.reference import forme_juridique_label, naf_label
from app.reference.familles import FamilleTiers


def _coded(code: str | None, label: str | None) -> str | None:
    if not code:
        return None
    return f"{code} – {label}" if label else code

class Structure(db.Model):
    """An organisation the council funds, created by an agent from the
    « fiche renseignements » it emailed."""

    __tablename__ = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    famille: Mapped[str] = mapped_column(String(24), index=True)
    raison_sociale: Mapped[str] = mapped_column(String(255))
    raison_sociale_key: Mapped[str] = mapped_column(String(255), index=True)  # lower case, for search
    sigle: Mapped[str | None] = mapped_column(String(50))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    rna: Mapped[str | None] = mapped_column(String(10), index=True)
    uai: Mapped[str | None] = mapped_column(String(8), index=True)
    naf_code: Mapped[str | None] = mapped_column(String(6))
    forme_juridique_code: Mapped[str | None] = mapped_column(String(4))
    adresse: Mapped[str] = mapped_column(Text)
    code_postal: Mapped[str] = mapped_column(String(10))
    commune: Mapped[str] = mapped_column(String(100), index=True)
    email: Mapped[str] = mapped_column(String(254))
    telephone: Mapped[str | None] = mapped_column(String(30))
    representant_civilite: Mapped[str | None] = mapped_column(String(10))
    representant_nom: Mapped[str | None] = mapped_column(String(100))
    representant_prenom: Mapped[str | None] = mapped_column(String(100))
    representant_fonction: Mapped[str | None] = mapped_column(String(100))
    organisme_gestion_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    # What the organisation look-up returned when the structure was created
    # (source, date), or a manual entry marked unverified.
    lookup_snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    organisme_gestion: Mapped["Structure | None"] = relationship(remote_side=[id])
    memberships: Mapped[list["Membership"]] = relationship(back_populates="structure", order_by="Membership.since")
    invitations: Mapped[list["Invitation"]] = relationship(back_populates="structure", order_by="Invitation.id.desc()")

    @property
    def famille_enum(self) -> FamilleTiers:
        return FamilleTiers(self.famille)

    @property
    def famille_label(self) -> str:
        return self.famille_enum.label

    @property
    def naf_text(self) -> str | None:
        """« 85.31Z – Enseignement secondaire général » (the code alone if unknown)."""
        return _coded(self.naf_code, naf_label(self.naf_code))

    @property
    def forme_juridique_text(self) -> str | None:
        """« 9220 – Association déclarée » (the code alone if unknown)."""
        return _coded(self.forme_juridique_code, forme_juridique_label(self.forme_juridique_code))

    @property
    def active_memberships(self) -> list["Membership"]:
        return [m for m in self.memberships if m.until is None]

    def active_membership_of(self, account) -> "Membership | None":
        """``account``'s running membership of this structure, if any."""
        return next((m for m in self.active_memberships if m.account_id == account.id), None)

    @property
    def referents(self) -> list["Membership"]:
        return [m for m in self.active_memberships if m.role == MembershipRole.REFERENT]

    @property
    def representant(self) -> str:
        parts = [self.representant_prenom, self.representant_nom]
        name = " ".join(p for p in parts if p)
        if name and self.representant_fonction:
            return f"{name}, {self.representant_fonction}"
        return name

    def __repr__(self) -> str:
        return f"<Structure {self.raison_sociale}>"


class MembershipRole(enum.StrEnum):
    REFERENT = "referent"
    MEMBRE = "membre"

    @property
    def label(self) -> str:
        return {"referent": "Référent de la structure", "membre": "Membre"}[self.value]


class Membership(db.Model):
    """An account attached to a structure with a role, from ``since`` until
    ``until`` (None while it lasts). Detaching sets ``until``: the account
    remains, and so do the demandes it wrote."""

    __tablename__ = "membership"
    __table_args__ = (
        # One running membership per account and structure.
        Index(
            "uq_membership_active",
            "account_id",
            "structure_id",
            unique=True,
            sqlite_where=text("until IS NULL"),
            postgresql_where=text("until IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    account = relationship("Account", foreign_keys=[account_id], lazy="joined")
    structure: Mapped[Structure] = relationship(back_populates="memberships")

    @property
    def role_label(self) -> str:
        return MembershipRole(self.role).label

    @property
    def is_active(self) -> bool:
        return self.until is None


class InvitationStatus(enum.StrEnum):
    SENT = "envoyee"
    ACCEPTED = "acceptee"
    CANCELLED = "annulee"
    # « expirée » is not stored: it is a sent invitation older than its max age.


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Invitation(db.Model):
    """An invitation to join a structure, carried by a signed link valid
    72 hours. Resending changes ``nonce`` (the old link stops working);
    the link works once (status leaves « envoyée »)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structure.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    nom: Mapped[str | None] = mapped_column(String(100))
    prenom: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=InvitationStatus.SENT)
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An account registered from this invitation, attached once activated.
    pending_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    structure: Mapped[Structure] = relationship(back_populates="invitations")
    invited_by = relationship("Account", foreign_keys=[invited_by_id])
    accepted_account = relationship("Account", foreign_keys=[accepted_account_id])

    @property
    def role_label(self) -> str:
        return MembershipRole(self.role).label

    @property
    def is_pending(self) -> bool:
        """Sent and neither accepted nor cancelled (it may have expired)."""
        return self.status == InvitationStatus.SENT

    @property
    def invitee_name(self) -> str:
        return " ".join(p for p in (self.prenom, self.nom) if p)
