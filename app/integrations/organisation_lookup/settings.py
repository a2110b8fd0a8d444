"""The lookup's configuration, read from a plain mapping whose keys are the
Flask config's (so ``app.config`` can be passed as it is; each key can be set
as ``FLASK_<KEY>`` in the environment).

=====================================  ==========================================================
key                                    meaning (default)
=====================================  ==========================================================
``ORGANISATION_LOOKUP_PROVIDERS``      ordered list, or comma-separated string, of
                                       ``api_entreprise``, ``recherche_entreprises``,
                                       ``bac_a_sable`` (production: the first two; otherwise
                                       ``bac_a_sable``)
``ORGANISATION_LOOKUP_CACHE_SECONDS``  how long a record found is reused (86400; 0: never)
``ENV_IS_PRODUCTION``                  refuses the bac à sable when true (default: derived from
                                       ``PORTAIL_ENV``, production unless it says otherwise)
``API_ENTREPRISE_URL``                 https://entreprise.api.gouv.fr
``API_ENTREPRISE_TOKEN``               bearer token (none: API Entreprise is "misconfigured")
``API_ENTREPRISE_RECIPIENT``           the council's SIRET (none: "misconfigured")
``API_ENTREPRISE_CONTEXT``             "Portail des aides"
``API_ENTREPRISE_OBJECT``              under 50 characters
``API_ENTREPRISE_TIMEOUT``             seconds (5)
``API_ENTREPRISE_MAX_CALLS_PER_MINUTE``  this process's budget (250)
``RECHERCHE_ENTREPRISES_URL``          https://recherche-entreprises.api.gouv.fr
``RECHERCHE_ENTREPRISES_TIMEOUT``      seconds (5)
=====================================  ==========================================================

Values that cannot work (an unknown provider, the bac à sable in production,
a recipient that is not a SIRET, an object of 50 characters or more) raise
:class:`LookupConfigurationError` when the service is built, so that a wrong
deployment fails at start-up rather than on an applicant's form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .identifiers import InvalidIdentifier, normalize_siret
from .providers import api_entreprise, recherche_entreprises
from .records import Source

DEFAULT_CACHE_SECONDS = 86400
DEFAULT_TIMEOUT = 5.0
DEFAULT_DEADLINE = 8.0  # seconds for one look-up, every provider together
PRODUCTION_PROVIDERS = (Source.API_ENTREPRISE, Source.RECHERCHE_ENTREPRISES)
DEVELOPMENT_PROVIDERS = (Source.BAC_A_SABLE,)


class LookupConfigurationError(ValueError):
    """The organisation lookup cannot run with this configuration."""


def _providers(value: Any, production: bool) -> tuple[Source, ...]:
    if value is None or value == "" or value == []:
        value = PRODUCTION_PROVIDERS if production else DEVELOPMENT_PROVIDERS
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [str(name).strip() for name in names if str(name).strip()]
    try:
        sources = tuple(Source(name) for name in names)
    except ValueError as exc:
        allowed = ", ".join(source.value for source in Source)
        raise LookupConfigurationError(
            f"ORGANISATION_LOOKUP_PROVIDERS: {exc} (allowed: {allowed})"
        ) from None
    if len(set(sources)) != len(sources):
        raise LookupConfigurationError("ORGANISATION_LOOKUP_PROVIDERS lists a provider twice")
    if production and Source.BAC_A_SABLE in sources:
        raise LookupConfigurationError(
            "the bac à sable (demo data) provider cannot be used in production: "
            "remove bac_a_sable from ORGANISATION_LOOKUP_PROVIDERS"
        )
    return sources


def _number(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LookupConfigurationError(f"{key} must be a number, not {value!r}") from None
    if number < 0:
        raise LookupConfigurationError(f"{key} must not be negative")
    return number


def _is_production(settings: Mapping[str, Any]) -> bool:
    flag = settings.get("ENV_IS_PRODUCTION")
    if flag is None:
        return str(settings.get("PORTAIL_ENV") or "production") == "production"
    if isinstance(flag, str):
        return flag.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(flag)


def _recipient(value: Any) -> str | None:
    if not value:
        return None
    try:
        return normalize_siret(str(value))
    except InvalidIdentifier:
        raise LookupConfigurationError(
            f"API_ENTREPRISE_RECIPIENT must be the council's SIRET, not {value!r}"
        ) from None


def _object(value: Any) -> str:
    text = str(value or api_entreprise.DEFAULT_OBJECT).strip()
    if len(text) > api_entreprise.MAX_OBJECT_LENGTH:
        raise LookupConfigurationError("API_ENTREPRISE_OBJECT must be under 50 characters")
    return text


@dataclass(frozen=True)
class LookupSettings:
    """Validated lookup configuration (see the module docstring for the keys)."""

    providers: tuple[Source, ...]
    cache_max_age: timedelta
    production: bool
    api_entreprise_url: str
    api_entreprise_token: str | None
    api_entreprise_recipient: str | None
    api_entreprise_context: str
    api_entreprise_object: str
    api_entreprise_timeout: float
    api_entreprise_max_calls_per_minute: int
    recherche_entreprises_url: str
    recherche_entreprises_timeout: float
    deadline: float = DEFAULT_DEADLINE

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> LookupSettings:
        """Read and check ``settings``; raises :class:`LookupConfigurationError`."""
        production = _is_production(settings)
        return cls(
            providers=_providers(settings.get("ORGANISATION_LOOKUP_PROVIDERS"), production),
            cache_max_age=timedelta(
                seconds=_number(
                    settings, "ORGANISATION_LOOKUP_CACHE_SECONDS", DEFAULT_CACHE_SECONDS
                )
            ),
            production=production,
            api_entreprise_url=settings.get("API_ENTREPRISE_URL") or api_entreprise.DEFAULT_URL,
            api_entreprise_token=settings.get("API_ENTREPRISE_TOKEN") or None,
            api_entreprise_recipient=_recipient(settings.get("API_ENTREPRISE_RECIPIENT")),
            api_entreprise_context=str(
                settings.get("API_ENTREPRISE_CONTEXT") or api_entreprise.DEFAULT_CONTEXT
            ).strip(),
            api_entreprise_object=_object(settings.get("API_ENTREPRISE_OBJECT")),
            api_entreprise_timeout=_number(settings, "API_ENTREPRISE_TIMEOUT", DEFAULT_TIMEOUT),
            api_entreprise_max_calls_per_minute=max(
                1,
                int(
                    _number(
                        settings,
                        "API_ENTREPRISE_MAX_CALLS_PER_MINUTE",
                        api_entreprise.DEFAULT_MAX_CALLS_PER_MINUTE,
                    )
                ),
            ),
            recherche_entreprises_url=settings.get("RECHERCHE_ENTREPRISES_URL")
            or recherche_entreprises.DEFAULT_URL,
            recherche_entreprises_timeout=_number(
                settings, "RECHERCHE_ENTREPRISES_TIMEOUT", DEFAULT_TIMEOUT
            ),
            deadline=_number(settings, "ORGANISATION_LOOKUP_DEADLINE", DEFAULT_DEADLINE),
        )
