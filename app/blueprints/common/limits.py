"""Rate limits on the routes that need them (login, recovery, the public
verification), their values read from the configuration at each request
(``LOGIN_RATE_LIMIT_PER_IP``…). The one place the views reach the limiter."""

from flask import current_app, request

from app.extensions import limiter


def _configured(key: str):
    return lambda: current_app.config[key]


def per_address(config_key: str, **options):
    """At most the configured number of requests per client address."""
    return limiter.limit(_configured(config_key), **options)


def per_form_value(config_key: str, field: str, **options):
    """At most the configured number per value typed in ``field`` (an
    identifiant, an email), whoever sends it."""
    return limiter.limit(
        _configured(config_key),
        key_func=lambda: f"{request.endpoint}:{request.form.get(field, '').strip().casefold()}",
        **options,
    )


def fixed(limit: str, **options):
    """A limit written in the code (« 30 per hour »)."""
    return limiter.limit(limit, **options)
