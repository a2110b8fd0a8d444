"""The organisation lookup's cache: the last record found for an identifier.

One row per (kind, identifier) — ``("siret", "55204944776279")``,
``("rna", "W751004076")`` — holding the :class:`OrganisationRecord` as
``to_dict()`` JSON, its provider and when it was fetched. Written and read by
:class:`app.integrations.organisation_lookup.db_cache.DatabaseLookupCache`.
"""

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class OrganisationLookupCacheEntry(db.Model):
    __tablename__ = "organisation_lookup_cache"
    __table_args__ = (UniqueConstraint("kind", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # IdentifierKind: siret, siren, rna
    identifier: Mapped[str] = mapped_column(String(14))  # normalised
    record: Mapped[dict] = mapped_column(JSON)  # OrganisationRecord.to_dict()
    source: Mapped[str] = mapped_column(String(32))  # Source value
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
