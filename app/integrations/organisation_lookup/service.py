"""The organisation lookup as the rest of the portal uses it.

``lookup_siret`` / ``lookup_siren`` / ``lookup_rna`` take what a person typed
and return an :class:`OrganisationRecord` or a :class:`LookupFailure`, never
raising for bad input or an outside service's trouble:

1. validate and normalise the number — an invalid one makes no call and is
   not cached;
2. return the cached record if one is fresh (no call);
3. ask the providers in the configured order. Only a provider-side problem
   (unavailable, rate limited, misconfigured) passes the question to the next
   one; "not found", "not diffusible" and "invalid" are answers about the
   organisation and are returned as they are. When every provider failed, the
   last failure is returned, and the form offers manual entry;
4. keep a record found in the cache.

Flask-free: the application builds one service per process from
``app.config`` and a database-backed :class:`LookupCache`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from .cache import LookupCache
from .identifiers import IdentifierKind, InvalidIdentifier, normalize
from .providers import ApiEntrepriseProvider, OrganisationProvider, RechercheEntreprisesProvider, SandboxProvider
from .providers.http import within_deadline
from .records import FailureKind, LookupFailure, LookupResult, OrganisationRecord, Source
from .settings import LookupSettings
from .throttling import Clock, utc_now

logger = logging.getLogger(__name__)


def build_provider(
    source: Source,
    settings: LookupSettings,
    clock: Clock,
    transport: httpx.BaseTransport | None = None,
) -> OrganisationProvider:
    """The provider named ``source``, configured from ``settings``."""
    if source is Source.API_ENTREPRISE:
        return ApiEntrepriseProvider(
            base_url=settings.api_entreprise_url,
            token=settings.api_entreprise_token,
            recipient=settings.api_entreprise_recipient,
            context=settings.api_entreprise_context,
            object_=settings.api_entreprise_object,
            timeout=settings.api_entreprise_timeout,
            max_calls_per_minute=settings.api_entreprise_max_calls_per_minute,
            clock=clock,
            transport=transport,
        )
    if source is Source.RECHERCHE_ENTREPRISES:
        return RechercheEntreprisesProvider(
            base_url=settings.recherche_entreprises_url,
            timeout=settings.recherche_entreprises_timeout,
            clock=clock,
            transport=transport,
        )
    return SandboxProvider(clock=clock)


class OrganisationLookupService:
    """Looks organisations up by SIRET, SIREN or RNA (see the module docstring).

    ``settings`` is a mapping with the Flask config's keys (see
    :mod:`.settings`); a configuration that cannot work raises
    :class:`~.settings.LookupConfigurationError` here. ``clock`` returns an
    aware UTC datetime; ``transport`` is handed to httpx (tests, proxies).
    """

    def __init__(
        self,
        settings: Mapping[str, Any],
        cache: LookupCache,
        clock: Clock = utc_now,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = LookupSettings.from_mapping(settings)
        self._cache = cache
        self.providers: tuple[OrganisationProvider, ...] = tuple(
            build_provider(source, self.settings, clock, transport)
            for source in self.settings.providers
        )

    @property
    def sources(self) -> tuple[Source, ...]:
        """The configured providers, in the order they are asked."""
        return self.settings.providers

    @property
    def uses_sandbox(self) -> bool:
        """Whether demo data may be shown (the UI then says « bac à sable »)."""
        return Source.BAC_A_SABLE in self.sources

    def close(self) -> None:
        for provider in self.providers:
            provider.close()

    def lookup_siret(self, raw: str | None) -> LookupResult:
        """The établissement with this SIRET (spaces allowed)."""
        return self.lookup(IdentifierKind.SIRET, raw)

    def lookup_siren(self, raw: str | None) -> LookupResult:
        """The legal unit with this SIREN, with its head office's SIRET."""
        return self.lookup(IdentifierKind.SIREN, raw)

    def lookup_rna(self, raw: str | None) -> LookupResult:
        """The association with this RNA number (spaces and lower case allowed)."""
        return self.lookup(IdentifierKind.RNA, raw)

    def lookup(self, kind: IdentifierKind | str, raw: str | None) -> LookupResult:
        """Validate, then cache, then providers in order (see the module docstring)."""
        kind = IdentifierKind(kind)
        try:
            identifier = normalize(kind, raw)
        except InvalidIdentifier as exc:
            return LookupFailure(FailureKind.INVALID, exc.message, detail=f"invalid {kind.value}")
        cached = self._cached(kind, identifier)
        if cached is not None:
            return cached
        result = self._ask_providers(kind, identifier)
        if isinstance(result, OrganisationRecord):
            self._store(kind, identifier, result)
        return result

    def _cached(self, kind: IdentifierKind, identifier: str) -> OrganisationRecord | None:
        if not self.settings.cache_max_age:
            return None
        try:
            record = self._cache.get(kind, identifier, self.settings.cache_max_age)
        except Exception:  # a broken cache must not break the form
            logger.exception("organisation lookup cache: read failed")
            return None
        # A record from a provider no longer configured (e.g. demo data after
        # switching to the real API) is not served.
        return record if record is not None and record.source in self.sources else None

    def _store(self, kind: IdentifierKind, identifier: str, record: OrganisationRecord) -> None:
        if not self.settings.cache_max_age:
            return
        try:
            self._cache.put(kind, identifier, record)
        except Exception:  # the record is still good to show
            logger.exception("organisation lookup cache: write failed")

    def _ask_providers(self, kind: IdentifierKind, identifier: str) -> LookupResult:
        with within_deadline(self.settings.deadline):
            return self._ask_each_provider(kind, identifier)

    def _ask_each_provider(self, kind: IdentifierKind, identifier: str) -> LookupResult:
        """Providers in order, all within one deadline (``LOOKUP_DEADLINE``)."""
        last_failure: LookupFailure | None = None
        for provider in self.providers:
            if not provider.supports(kind):
                continue
            result = provider.lookup(kind, identifier)
            if isinstance(result, OrganisationRecord) or not result.kind.lets_next_provider_try:
                return result
            last_failure = result
        return last_failure or LookupFailure.of(
            FailureKind.UNAVAILABLE, kind, detail=f"no configured provider looks up {kind.value}"
        )
