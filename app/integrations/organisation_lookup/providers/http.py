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

import contextlib
import contextvars
import functools
import logging
import ssl
import time
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
# A Retry-After longer than this (« 99999999 », a date in 2099) is read as this:
# the portal asks again within the hour rather than never.
MAX_RETRY_AFTER = timedelta(hours=1)
# The circuit breaker: after this many calls in a row that timed out or found
# nothing listening, the provider is not called for BREAKER_COOLDOWN — pages
# offer manual entry at once instead of each waiting for the timeout.
BREAKER_THRESHOLD = 3
BREAKER_COOLDOWN = timedelta(seconds=60)

# The deadline of the look-up under way (``monotonic()`` seconds), across
# providers and calls: set by the service (``within_deadline``).
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("organisation_lookup_deadline", default=None)


@contextlib.contextmanager
def within_deadline(seconds: float):
    """Every call made inside ends by ``seconds`` from now, all providers together."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left() -> float | None:
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()

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
    """``Retry-After`` as a delay: ASCII seconds or an HTTP date, at most
    ``MAX_RETRY_AFTER``; the default for anything else (« ² », « -1 », junk)."""
    if value:
        value = value.strip()
        if value.isascii() and value.isdigit():
            return min(timedelta(seconds=int(value[:12])), MAX_RETRY_AFTER)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None and when.tzinfo is not None:
            return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)
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
        self._breaker = RetryAfterGate(clock)  # open after BREAKER_THRESHOLD failures in a row
        self._failures_in_a_row = 0
        self._timeout = timeout
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

    def _unanswered(self, identifier_kind: IdentifierKind, detail: str) -> LookupFailure:
        """A call that got no answer; the breaker opens after too many in a row."""
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= BREAKER_THRESHOLD:
            self._breaker.close_for(BREAKER_COOLDOWN)
            self._failures_in_a_row = 0
            detail += f" (circuit opened for {BREAKER_COOLDOWN})"
        return self._failure(FailureKind.UNAVAILABLE, identifier_kind, detail)

    def _refusal_before_call(self, identifier_kind: IdentifierKind) -> LookupFailure | None:
        """A rate-limit failure when a call must not be made now, else None."""
        open_until = self._breaker.closed_until()
        if open_until is not None:
            return self._failure(
                FailureKind.UNAVAILABLE,
                identifier_kind,
                f"circuit open until {open_until.isoformat()} after {BREAKER_THRESHOLD} failed calls in a row",
            )
        left = _time_left()
        if left is not None and left <= 0:
            return self._failure(FailureKind.UNAVAILABLE, identifier_kind, "the look-up's deadline has passed")
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
        left = _time_left()
        timeout = self._timeout if left is None else max(0.05, min(self._timeout, left))
        try:
            response = self._client.get(path, params=params, timeout=timeout)
        except httpx.TimeoutException as exc:
            return self._unanswered(identifier_kind, f"timeout: {exc!r}")
        except httpx.HTTPError as exc:
            return self._unanswered(identifier_kind, f"network: {exc!r}")
        self._failures_in_a_row = 0
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
