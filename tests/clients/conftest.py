"""Fixtures for the organisation look-up's clients (``app.integrations``),
against the fake API Entreprise on loopback (the ``fake`` fixture of
``tests.support.organisations``): a clock the tests move by hand, an
in-memory cache and a factory of services pointed at the fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.integrations.organisation_lookup import InMemoryLookupCache, OrganisationLookupService
from tests.fakes.api_entreprise import EXAMPLE_RECIPIENT, FakeApiEntreprise


class FakeClock:
    """An aware-UTC clock that only moves when told to."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> InMemoryLookupCache:
    return InMemoryLookupCache(clock)


@pytest.fixture
def settings(fake: FakeApiEntreprise) -> dict[str, Any]:
    """Production-like settings: API Entreprise, then Recherche d'entreprises,
    both served by the fake; a 1 s timeout keeps the timeout test short."""
    return {
        "ENV_IS_PRODUCTION": True,
        "ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise,recherche_entreprises",
        "API_ENTREPRISE_URL": fake.url,
        "API_ENTREPRISE_TOKEN": fake.token,
        "API_ENTREPRISE_RECIPIENT": EXAMPLE_RECIPIENT,  # the council's SIRET
        "API_ENTREPRISE_CONTEXT": "Portail des aides - tests",
        "API_ENTREPRISE_OBJECT": "Pré-remplissage d'un formulaire",
        "API_ENTREPRISE_TIMEOUT": 1,
        "RECHERCHE_ENTREPRISES_URL": fake.url,
        "RECHERCHE_ENTREPRISES_TIMEOUT": 1,
    }


@pytest.fixture
def make_service(
    settings: dict[str, Any], cache: InMemoryLookupCache, clock: FakeClock
) -> Iterator[Callable[..., OrganisationLookupService]]:
    """``make_service(KEY=value, ...)``: a service on the test settings with overrides."""
    services: list[OrganisationLookupService] = []

    def make(**overrides: Any) -> OrganisationLookupService:
        service = OrganisationLookupService({**settings, **overrides}, cache, clock=clock)
        services.append(service)
        return service

    yield make
    for service in services:
        service.close()


@pytest.fixture
def service(make_service: Callable[..., OrganisationLookupService]) -> OrganisationLookupService:
    return make_service()
