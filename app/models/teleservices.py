"""Téléservices and their versions. A demande keeps the version it started
with; a changed definition (or an agent's edit) makes a new version."""

from datetime import datetime
from functools import cached_property

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.teleservices.schema import TeleserviceDefinition, definition_from_json


class Teleservice(db.Model):
    __tablename__ = "teleservice"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)

    versions: Mapped[list["TeleserviceVersion"]] = relationship(
        back_populates="teleservice", order_by="TeleserviceVersion.number"
    )

    @property
    def current_version(self) -> "TeleserviceVersion | None":
        """The newest version: what new demandes start with."""
        return self.versions[-1] if self.versions else None


class TeleserviceVersion(db.Model):
    __tablename__ = "teleservice_version"
    __table_args__ = (UniqueConstraint("teleservice_id", "number", name="uq_teleservice_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teleservice_id: Mapped[int] = mapped_column(ForeignKey("teleservice.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    definition_json: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    teleservice: Mapped[Teleservice] = relationship(back_populates="versions")

    @cached_property
    def definition(self) -> TeleserviceDefinition:
        return definition_from_json(self.definition_json)
