"""What every provider offers the service, and the lookup logic shared by the
two that speak API Entreprise v4 (the real API and the bac à sable).

A provider receives identifiers already validated and normalised, and never
raises for an outside problem: it returns a record or a :class:`LookupFailure`.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable
from typing import Any, Protocol

from ..identifiers import IdentifierKind
from ..payloads import ASSOCIATION, ENDPOINT_FOR_KIND, PAYLOAD_ERRORS, Endpoint, is_association, with_association_details
from ..records import FailureKind, LookupFailure, LookupResult, OrganisationRecord, Source
from ..throttling import Clock

logger = logging.getLogger(__name__)


class OrganisationProvider(Protocol):
    """A source of organisation records."""

    source: Source

    def supports(self, kind: IdentifierKind) -> bool:
        """Whether this provider can look up identifiers of ``kind`` at all."""

    def lookup(self, kind: IdentifierKind, identifier: str) -> LookupResult:
        """The record for a normalised identifier, or why there is none."""

    def close(self) -> None:
        """Release network resources."""


def parsed(
    parse: Callable[[], LookupResult], *, source: Source, kind: IdentifierKind, what: str
) -> LookupResult:
    """``parse()``, or "unavailable" when the body does not have the expected
    shape (a provider's change of format must not break the form)."""
    try:
        return parse()
    except PAYLOAD_ERRORS as exc:
        logger.warning("%s: unexpected payload for %s: %r", source.value, what, exc)
        return LookupFailure.of(
            FailureKind.UNAVAILABLE, kind, detail=f"unexpected payload: {exc!r}", source=source
        )


class ApiEntrepriseV4Provider(abc.ABC):
    """Lookups over the API Entreprise v4 endpoints, whatever fetches the bodies.

    A SIRET lookup of an association also asks the association endpoint for
    the Journal officiel and RNA dates INSEE does not have; when that second
    answer fails, the INSEE record is returned as it is.
    """

    source: Source

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def supports(self, kind: IdentifierKind) -> bool:
        return kind in ENDPOINT_FOR_KIND

    def close(self) -> None:  # noqa: B027 (optional hook: nothing to release by default)
        pass

    @abc.abstractmethod
    def _fetch(
        self, endpoint: Endpoint, identifier: str, kind: IdentifierKind
    ) -> Any | LookupFailure:
        """The decoded JSON body for ``identifier`` at ``endpoint``, or a failure."""

    def _record(self, endpoint: Endpoint, identifier: str, kind: IdentifierKind) -> LookupResult:
        body = self._fetch(endpoint, identifier, kind)
        if isinstance(body, LookupFailure):
            return body
        return parsed(
            lambda: endpoint.parse(body, self.source, self._clock()),
            source=self.source,
            kind=kind,
            what=endpoint.path(identifier),
        )

    def lookup(self, kind: IdentifierKind, identifier: str) -> LookupResult:
        result = self._record(ENDPOINT_FOR_KIND[kind], identifier, kind)
        if (
            kind is IdentifierKind.SIRET
            and isinstance(result, OrganisationRecord)
            and is_association(result)
        ):
            association = self._record(ASSOCIATION, result.rna or result.siren, IdentifierKind.RNA)
            if isinstance(association, OrganisationRecord):
                return with_association_details(result, association)
        return result
