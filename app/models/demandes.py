"""Demandes d'aide (dossiers), their attached files, and reference counters."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.lifecycle import DONE_IN, RECAPITULATIF, Action, DemandeStatus, EditableSteps, StatusRules
from app.models.types import UTCDateTime, utcnow


class Demande(db.Model):
    """A demande d'aide. ``answers`` holds what was typed, step by step,
    exactly as typed (drafts keep even invalid values: nothing is lost);
    ``version`` is the optimistic lock that stops two tabs from overwriting
    each other silently."""

    __tablename__ = "demande"
    __table_args__ = (
        Index("ix_demande_structure_status", "structure_id", "status"),
        Index("ix_demande_author_status", "author_id", "status"),
        # The back office's list: by status and transmission date (keyset pagination).
        Index("ix_demande_status_transmitted", "status", "transmitted_at", "id"),
        Index("ix_demande_transmitted", "transmitted_at", "id"),
        # Filters and sorts of the back-office list (migration 0007).
        Index("ix_demande_agent_status", "assigned_agent_id", "status", "transmitted_at"),
        Index("ix_demande_teleservice_status", "teleservice_version_id", "status", "transmitted_at"),
        Index("ix_demande_montant", "montant_demande", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    teleservice_version_id: Mapped[int] = mapped_column(ForeignKey("teleservice_version.id"), index=True)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structure.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(24), default=DemandeStatus.BROUILLON, index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Denormalised for lists: the intitulé and the amount asked.
    intitule: Mapped[str | None] = mapped_column(String(255))
    montant_demande: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The beneficiary's look-up snapshot (source, date) or manual entry.
    beneficiary_snapshot: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deposited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transmitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Transmission after the structure's Conseil d'Administration.
    ca_date: Mapped[date | None] = mapped_column(Date)
    transmitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    # Instruction by the council (back office).
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    # Steps the agent reopened with « Demander des compléments » (answers editable again).
    reopened_steps: Mapped[list | None] = mapped_column(JSON)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    montant_accorde: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_instance: Mapped[str | None] = mapped_column(String(200))
    decision_motif: Mapped[str | None] = mapped_column(String(5000))

    teleservice_version = relationship("TeleserviceVersion", lazy="joined")
    structure = relationship("Structure")
    author = relationship("Account", foreign_keys=[author_id])
    transmitted_by = relationship("Account", foreign_keys=[transmitted_by_id])
    assigned_agent = relationship("Account", foreign_keys=[assigned_agent_id])
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="demande", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def definition(self):
        return self.teleservice_version.definition

    @property
    def lifecycle(self) -> StatusRules:
        """What the demande's status allows (``app.models.lifecycle``)."""
        return DemandeStatus(self.status).rules

    @property
    def status_label(self) -> str:
        return self.lifecycle.label

    def allows(self, action: Action | str) -> bool:
        """Whether the demande's status allows ``action`` (who may is the policy's question)."""
        return self.lifecycle.allows(action)

    def has_done(self, action: Action | str) -> bool:
        """Whether ``action`` can only have been taken already (``lifecycle.DONE_IN``)."""
        return DemandeStatus(self.status) in DONE_IN.get(Action(action), ())

    def step_is_editable(self, step: str) -> bool:
        """Whether the status lets the wizard's ``step`` be changed: every step
        of a draft; under « compléments demandés », the steps the council
        reopened and the récapitulatif (to send them back)."""
        editable = self.lifecycle.editable
        if editable is EditableSteps.ALL:
            return True
        if editable is EditableSteps.REOPENED:
            return step in (*(self.reopened_steps or []), RECAPITULATIF)
        return False

    @property
    def has_editable_steps(self) -> bool:
        return self.lifecycle.editable is not EditableSteps.NONE

    def step_answers(self, step: str) -> dict:
        """The raw stored answers of a step (a dict, whatever is stored). Read
        them through ``app.domain.wizard.shapes.stored_answers``, which also
        puts each field in its type's shape."""
        stored = self.answers.get(step) if isinstance(self.answers, dict) else None
        return dict(stored) if isinstance(stored, dict) else {}


class ScanStatus(StrEnum):
    """What the antivirus said of a stored file (``app.domain.files``)."""

    CLEAN = "clean"  # scanned, nothing found: served
    PENDING = "pending"  # the scanner did not answer: held « en cours d'analyse », not served until rescanned
    INFECTED = "infected"  # a rescan found a virus: its bytes are deleted, the row kept as a record
    NOT_SCANNED = "not_scanned"  # stored with the antivirus off (development), or before it existed: served


# What a list of documents says after the name of a file that is not served.
SCAN_NOTES = {
    ScanStatus.PENDING: "en cours d'analyse par l'antivirus, téléchargeable après l'analyse",
    ScanStatus.INFECTED: "supprimé : l'antivirus y a trouvé un virus",
}


class Attachment(db.Model):
    """A file attached to a demande, stored outside ``static/`` under a
    random name; ``slot`` is the document code it answers. ``original_name``
    is the name shown and given on download, made safe (``files.display_name``);
    ``name_as_sent`` keeps what the browser sent, as data only (never shown
    nor used as a path)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    name_as_sent: Mapped[str | None] = mapped_column(String(255))
    scan_status: Mapped[str] = mapped_column(String(16), default=ScanStatus.NOT_SCANNED, server_default=ScanStatus.NOT_SCANNED.value, index=True)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    demande: Mapped[Demande] = relationship(back_populates="attachments")

    @property
    def held(self) -> bool:
        """Not to be served: waiting for a scan, or found infected."""
        return self.scan_status in (ScanStatus.PENDING, ScanStatus.INFECTED)

    @property
    def scan_note(self) -> str | None:
        """« en cours d'analyse… » or « supprimé… » for a held file, else None."""
        return SCAN_NOTES.get(self.scan_status)


class ReferenceCounter(db.Model):
    """The last number given per téléservice and year (TRAJ-2026-000042)."""

    __tablename__ = "reference_counter"
    __table_args__ = (UniqueConstraint("prefix", "year", name="uq_reference_counter_prefix_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(db.Model):
    """The « accusé de réception et récapitulatif » PDF made when a demande is
    transmitted: kept as generated (stored file), with the SHA-256 of its
    bytes (to check a copy) and the fingerprint of the content it states."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    demande: Mapped[Demande] = relationship()


class InternalNote(db.Model):
    """« Notes internes » of the council's agents on a demande: applicants
    never see them, in no page and no email."""

    __tablename__ = "internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(5000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("Account")
