"""« Fils de discussion »: one thread per demande between the applicant side
(its author and the structure's référent) and the council; messages are
kept forever with the demande."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Side(enum.StrEnum):
    APPLICANT = "applicant"
    COUNCIL = "council"


class Thread(db.Model):
    __tablename__ = "thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    demande = relationship("Demande")
    messages: Mapped[list["Message"]] = relationship(back_populates="thread", order_by="Message.id")


class Message(db.Model):
    """``submission_key``: the random key of the form it was sent from, so
    that the same form sent twice (a double click, a resend after a network
    error) makes one message (``app.domain.messages``)."""

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("thread_id", "submission_key", name="uq_message_thread_submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submission_key: Mapped[str | None] = mapped_column(String(43))

    thread: Mapped[Thread] = relationship(back_populates="messages")
    author = relationship("Account")
    attachment = relationship("Attachment")


class ThreadRead(db.Model):
    """The last message an account has seen in a thread (unread counts)."""

    __tablename__ = "thread_read"
    __table_args__ = (UniqueConstraint("thread_id", "account_id", name="uq_thread_read_thread_account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
