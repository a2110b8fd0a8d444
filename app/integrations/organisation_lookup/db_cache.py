"""The portal's :class:`~.cache.LookupCache`: records kept in the
``organisation_lookup_cache`` table (:class:`app.models.OrganisationLookupCacheEntry`).

Reads and writes go through their own short connection, committed at once,
never through the request's session: a cache problem (table missing, lock,
lost connection) must not leave the caller's transaction aborted, and the
service catches what is raised here and carries on without the cache.
Writes are one upsert (``INSERT … ON CONFLICT DO UPDATE`` on SQLite and
PostgreSQL), so two processes caching the same number at once both succeed.

Unlike the rest of this package, this module uses the portal's models; it is
imported by :mod:`app.domain.organisations`, not by the package's ``__init__``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.models import OrganisationLookupCacheEntry

from .identifiers import IdentifierKind
from .records import OrganisationRecord
from .throttling import Clock, utc_now

# The portal runs on these two; both have INSERT … ON CONFLICT DO UPDATE.
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DatabaseLookupCache:
    """A :class:`~.cache.LookupCache` on the ``organisation_lookup_cache`` table.

    ``engine`` is called at each use (the Flask-SQLAlchemy engine of the
    current application); ``clock`` returns an aware UTC datetime.
    """

    def __init__(self, engine: Callable[[], Engine], clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock
        self._table = OrganisationLookupCacheEntry.__table__

    def get(
        self, kind: IdentifierKind, identifier: str, max_age: timedelta
    ) -> OrganisationRecord | None:
        table = self._table
        query = select(table.c.record, table.c.fetched_at).where(
            table.c.kind == IdentifierKind(kind).value, table.c.identifier == identifier
        )
        with self._engine().connect() as connection:
            row = connection.execute(query).first()
        if row is None or row.fetched_at < self._clock() - max_age:
            return None
        return OrganisationRecord.from_dict(row.record)

    def put(self, kind: IdentifierKind, identifier: str, record: OrganisationRecord) -> None:
        values = {
            "kind": IdentifierKind(kind).value,
            "identifier": identifier,
            "record": record.to_dict(),
            "source": record.source.value,
            "fetched_at": record.fetched_at,
        }
        statement = _UPSERT[self._engine().dialect.name](self._table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "identifier"],
            set_={name: statement.excluded[name] for name in ("record", "source", "fetched_at")},
        )
        with self._engine().begin() as connection:
            connection.execute(statement)
