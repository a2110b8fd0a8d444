"""Rate limits on the routes that need them (login, recovery, the public
verification), their values read from the configuration at each request
(``LOGIN_RATE_LIMIT_PER_IP``…). The one place the views reach the limiter.
Limits per value typed (an identifiant, an email) are the domain's
throttles (``app.domain.throttles``): they count per (address, value), so
nobody can lock another person out by typing their identifiant."""

from flask import current_app

from app.extensions import limiter


def _configured(key: str):
    return lambda: current_app.config[key]


def per_address(config_key: str, **options):
    """At most the configured number of requests per client address."""
    return limiter.limit(_configured(config_key), **options)


def fixed(limit: str, **options):
    """A limit written in the code (« 30 per hour »)."""
    return limiter.limit(limit, **options)
