"""Where successful lookups are kept, so that the same number asked again
within the cache lifetime (24 h by default) costs no call.

The service only needs :class:`LookupCache`; the portal stores records in
its database, tests use :class:`InMemoryLookupCache`. A record is fresh while
``record.fetched_at`` is no older than ``max_age``.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Protocol

from .identifiers import IdentifierKind
from .records import OrganisationRecord
from .throttling import Clock, utc_now


class LookupCache(Protocol):
    """Storage of the last record found for an identifier."""

    def get(
        self, kind: IdentifierKind, identifier: str, max_age: timedelta
    ) -> OrganisationRecord | None:
        """The record stored for (kind, identifier) if fetched within ``max_age``, else None."""

    def put(self, kind: IdentifierKind, identifier: str, record: OrganisationRecord) -> None:
        """Store ``record`` for (kind, identifier), replacing any older one."""


class InMemoryLookupCache:
    """A process-local :class:`LookupCache` (tests, single-process demos)."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._records: dict[tuple[IdentifierKind, str], OrganisationRecord] = {}
        self._lock = threading.Lock()

    def get(
        self, kind: IdentifierKind, identifier: str, max_age: timedelta
    ) -> OrganisationRecord | None:
        with self._lock:
            record = self._records.get((IdentifierKind(kind), identifier))
        if record is None or record.fetched_at < self._clock() - max_age:
            return None
        return record

    def put(self, kind: IdentifierKind, identifier: str, record: OrganisationRecord) -> None:
        with self._lock:
            self._records[(IdentifierKind(kind), identifier)] = record

    def __len__(self) -> int:
        return len(self._records)
