"""Throttles: how often one client may try something that an attacker would
repeat (a password for an identifiant, an account creation, a recovery or
an activation email), counted per what the attempt names — (client address,
identifiant), an address, an email — so that an attacker's attempts slow
the attacker and never lock the owner out from elsewhere.

Each throttle has one or several tiers (« 5 per 5 minutes; 10 per hour;
20 per day »), read from the configuration at each use: the more attempts,
the longer the wait (progressive delays). An attempt is *counted before it
is made* (``attempt``), with the moving-window ``hit`` of the ``limits``
library on Flask-Limiter's storage: one atomic operation per tier (a lock
in the in-memory storage; one Lua script in Redis), so parallel attempts
cannot all pass a check made before any of them is counted — at most the
limit is ever evaluated. Successful logins clear their pair's count
(``clear``). With several processes or servers the storage must be shared
(``RATELIMIT_STORAGE_URI = "redis://…"``): the in-memory storage counts per
process. ``RATELIMIT_ENABLED = False`` (the test suite's default) turns the
throttles off with the route limits.

Why the limiter's storage and not a database row: it is where the portal's
other limits already live, its hit is atomic on every storage the portal
supports, entries expire by themselves (no table to purge), and a refused
attempt costs no database write.
"""

import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from app.extensions import limiter


@dataclass(frozen=True)
class Wait:
    """An attempt refused: how long until one is allowed again."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))

    @property
    def text(self) -> str:
        """« 3 minutes », « 1 minute », « 2 heures »: how long to wait, in French."""
        minutes = self.minutes
        if minutes < 120:
            return f"{minutes} minute{'s' if minutes > 1 else ''}"
        hours = math.ceil(minutes / 60)
        return f"{hours} heures"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled and getattr(limiter, "_storage", None) is not None


def _strategy():
    storage = limiter.storage
    if hasattr(storage, "acquire_entry") or hasattr(storage, "get_moving_window"):
        return MovingWindowRateLimiter(storage)
    return FixedWindowRateLimiter(storage)  # a storage without moving windows (memcached)


def _key(part: object) -> str:
    """One identifier of a count, bounded (a 5 000-character identifiant
    names the same count as its first 200) and without the separator."""
    return str(part if part is not None else "-").strip().casefold()[:200].replace("/", "_")


@dataclass(frozen=True)
class Throttle:
    """A named throttle whose tiers are the configuration value ``config_key``."""

    name: str
    config_key: str

    def _tiers(self):
        return parse_many(current_app.config[self.config_key])

    def attempt(self, *key: object) -> Wait | None:
        """Count one attempt for ``key``, atomically, before it is made; a
        ``Wait`` when a tier is already full (the attempt must not be made).
        Tiers are counted in order and the first full one stops the count, so
        attempts refused while waiting do not lengthen the wait."""
        if not _enabled():
            return None
        strategy, parts = _strategy(), [self.name, *map(_key, key)]
        for tier in self._tiers():
            if not strategy.hit(tier, *parts):
                reset_at = strategy.get_window_stats(tier, *parts).reset_time
                return Wait(max(1, math.ceil(reset_at - time.time())))
        return None

    def clear(self, *key: object) -> None:
        """Forget the attempts counted for ``key`` (a login that succeeded)."""
        if not _enabled():
            return
        strategy, parts = _strategy(), [self.name, *map(_key, key)]
        for tier in self._tiers():
            strategy.clear(tier, *parts)


# Wrong passwords from one client address for one identifiant.
LOGIN = Throttle("login", "LOGIN_THROTTLE_PER_ADDRESS_AND_IDENTIFIANT")
# Accounts created (activation emails sent) from one client address, and for one email.
REGISTRATION_PER_ADDRESS = Throttle("registration-address", "REGISTRATION_RATE_LIMIT_PER_IP")
REGISTRATION_PER_EMAIL = Throttle("registration-email", "REGISTRATION_RATE_LIMIT_PER_EMAIL")
# Recovery emails for one address (the route also limits each client address).
RECOVERY_PER_EMAIL = Throttle("recovery-email", "RECOVERY_RATE_LIMIT_PER_EMAIL")
# New activation emails for one account.
ACTIVATION_RESEND = Throttle("activation-resend", "ACTIVATION_RESEND_RATE_LIMIT_PER_ACCOUNT")
# Confirmation links sent to an invited address (for another account to accept).
INVITATION_CONFIRMATION = Throttle("invitation-confirmation", "INVITATION_CONFIRMATION_RATE_LIMIT")
# Organisation look-ups by one account (they spend the council's API Entreprise budget).
LOOKUP_PER_ACCOUNT = Throttle("lookup-account", "ORGANISATION_LOOKUP_RATE_LIMIT_PER_ACCOUNT")
