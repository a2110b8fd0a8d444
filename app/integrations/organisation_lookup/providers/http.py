"""The HTTP side shared by the network providers: one JSON GET that never
raises, mapping every way it can go wrong to a :class:`LookupFailure`.

The mapping (API Entreprise's documented statuses, also used for the public
Recherche d'entreprises API and for the bac à sable's recorded statuses):

======================  ==================
HTTP / transport        failure kind
======================  ==================
404                     not_found
400, 422                invalid
451                     not_diffusible
429                     rate_limited (and no call until ``Retry-After`` passed)
401, 403                misconfigured
5xx, other statuses     unavailable
timeout, network error  unavailable
body not JSON           unavailable
======================  ==================
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ..identifiers import IdentifierKind
from ..records import FailureKind, LookupFailure, Source
from ..throttling import Clock, RetryAfterGate, SlidingWindowLimiter

logger = logging.getLogger(__name__)

# When a 429 carries no usable Retry-After, wait this long before calling again.
DEFAULT_RETRY_AFTER = timedelta(seconds=60)

_STATUS_FAILURES = {
    400: FailureKind.INVALID,
    401: FailureKind.MISCONFIGURED,
    403: FailureKind.MISCONFIGURED,
    404: FailureKind.NOT_FOUND,
    422: FailureKind.INVALID,
    429: FailureKind.RATE_LIMITED,
    451: FailureKind.NOT_DIFFUSIBLE,
}


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS settings, built once per process (building them
    costs ~20 ms, each client would otherwise pay it)."""
    return httpx.create_ssl_context()


def failure_kind_for_status(status: int) -> FailureKind | None:
    """The failure an HTTP status means, or None for a success (2xx)."""
    if 200 <= status < 300:
        return None
    return _STATUS_FAILURES.get(status, FailureKind.UNAVAILABLE)


def parse_retry_after(value: str | None, now: datetime) -> timedelta:
    """``Retry-After`` as a delay: seconds or an HTTP date; a default otherwise."""
    if value:
        value = value.strip()
        if value.isdigit():
            return timedelta(seconds=int(value))
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(when - now, timedelta(0))
    return DEFAULT_RETRY_AFTER


class JsonApiClient:
    """GETs JSON from one base URL within a call budget and Retry-After blocks.

    ``get_json`` returns the decoded body, or a :class:`LookupFailure`; it
    raises nothing for network or server trouble.
    """

    def __init__(
        self,
        *,
        source: Source,
        base_url: str,
        timeout: float,
        max_calls: int,
        period: timedelta,
        clock: Clock,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self._clock = clock
        self._limiter = SlidingWindowLimiter(max_calls, period, clock)
        self._gate = RetryAfterGate(clock)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", **(headers or {})},
            transport=transport,
            verify=_ssl_context(),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def _failure(
        self, kind: FailureKind, identifier_kind: IdentifierKind, detail: str, **extra: Any
    ) -> LookupFailure:
        if kind.lets_next_provider_try:
            logger.warning("%s lookup failed (%s): %s", self.source.value, kind.value, detail)
        return LookupFailure.of(kind, identifier_kind, detail=detail, source=self.source, **extra)

    def _refusal_before_call(self, identifier_kind: IdentifierKind) -> LookupFailure | None:
        """A rate-limit failure when a call must not be made now, else None."""
        blocked_until = self._gate.closed_until()
        if blocked_until is not None:
            return self._failure(
                FailureKind.RATE_LIMITED,
                identifier_kind,
                f"no call before {blocked_until.isoformat()} (Retry-After)",
                retry_at=blocked_until,
            )
        if not self._limiter.try_acquire():
            return self._failure(
                FailureKind.RATE_LIMITED,
                identifier_kind,
                f"call budget of {self._limiter.max_calls} per {self._limiter.period} spent",
                retry_at=self._limiter.next_free_at(),
            )
        return None

    def get_json(
        self, path: str, params: Mapping[str, str], identifier_kind: IdentifierKind
    ) -> Any | LookupFailure:
        """GET ``path`` and return its JSON body, or the failure it amounts to."""
        refusal = self._refusal_before_call(identifier_kind)
        if refusal is not None:
            return refusal
        try:
            response = self._client.get(path, params=params)
        except httpx.TimeoutException as exc:
            return self._failure(FailureKind.UNAVAILABLE, identifier_kind, f"timeout: {exc!r}")
        except httpx.HTTPError as exc:
            return self._failure(FailureKind.UNAVAILABLE, identifier_kind, f"network: {exc!r}")
        kind = failure_kind_for_status(response.status_code)
        if kind is FailureKind.RATE_LIMITED:
            delay = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            until = self._gate.close_for(delay)
            return self._failure(
                kind,
                identifier_kind,
                f"HTTP 429, blocked until {until.isoformat()}",
                retry_at=until,
            )
        if kind is not None:
            return self._failure(kind, identifier_kind, f"HTTP {response.status_code} on {path}")
        try:
            return response.json()
        except ValueError as exc:
            return self._failure(FailureKind.UNAVAILABLE, identifier_kind, f"malformed JSON: {exc}")
