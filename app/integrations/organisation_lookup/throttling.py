"""Keeping the portal a polite client: a sliding-window call budget and the
"come back later" state a 429 ``Retry-After`` imposes.

API Entreprise allows 250 calls a minute per token and bans clients that
ignore ``Retry-After``. Both guards are checked *before* a request is sent, so
that an exhausted budget or an active block costs no call at all. They live in
the provider instance, hence per process: with several worker processes each
keeps its own budget, so set the budget to the token's limit divided by the
number of processes.

Time comes from an injectable clock (an aware-UTC ``datetime`` factory), so
tests can move it without sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: now, as an aware UTC datetime."""
    return datetime.now(UTC)


class SlidingWindowLimiter:
    """At most ``max_calls`` acquisitions in any window of ``period``."""

    def __init__(self, max_calls: int, period: timedelta, clock: Clock = utc_now) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        self.max_calls = max_calls
        self.period = period
        self._clock = clock
        self._calls: deque[datetime] = deque()
        self._lock = threading.Lock()

    def _forget_old(self, now: datetime) -> None:
        while self._calls and self._calls[0] <= now - self.period:
            self._calls.popleft()

    def try_acquire(self) -> bool:
        """Spend one call of the budget if any is left; never waits."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if len(self._calls) >= self.max_calls:
                return False
            self._calls.append(now)
            return True

    def next_free_at(self) -> datetime:
        """When the next call will be allowed (now if the budget is not spent)."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if len(self._calls) < self.max_calls:
                return now
            return self._calls[0] + self.period


class RetryAfterGate:
    """Remembers until when a provider asked us not to call it."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._until: datetime | None = None
        self._lock = threading.Lock()

    def close_for(self, delay: timedelta) -> datetime:
        """Block calls for ``delay`` from now (a longer block already set wins)."""
        with self._lock:
            until = self._clock() + delay
            if self._until is None or until > self._until:
                self._until = until
            return self._until

    def closed_until(self) -> datetime | None:
        """The end of the current block, or None when calls are allowed."""
        with self._lock:
            if self._until is not None and self._clock() >= self._until:
                self._until = None
            return self._until
