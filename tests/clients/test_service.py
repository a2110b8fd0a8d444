"""The service's own rules: validation first, cache, configuration, bac à sable."""

import socket
from datetime import timedelta

import pytest

from app.integrations.organisation_lookup import (
    FailureKind,
    IdentifierKind,
    InMemoryLookupCache,
    LookupConfigurationError,
    LookupFailure,
    OrganisationLookupService,
    OrganisationRecord,
    Source,
)
from tests.fakes.api_entreprise import API_ENTREPRISE, Fault

SNCF = "55204944776279"


def test_cache_hit_makes_no_second_call(service, fake, cache):
    first = service.lookup_siret(SNCF)
    assert isinstance(first, OrganisationRecord)
    assert len(cache) == 1
    second = service.lookup_siret("552 049 447 76279")  # same number, typed differently
    assert second == first
    assert fake.call_count() == 1


def test_cache_is_per_kind(service, fake):
    service.lookup_siret(SNCF)
    service.lookup_siren("552049447")
    assert fake.call_count() == 2


def test_stale_cache_entry_is_fetched_again(service, fake, clock):
    service.lookup_siret(SNCF)
    clock.advance(hours=23, minutes=59)
    service.lookup_siret(SNCF)
    assert fake.call_count() == 1
    clock.advance(minutes=2)
    refreshed = service.lookup_siret(SNCF)
    assert fake.call_count() == 2
    assert refreshed.fetched_at == clock()


def test_cache_lifetime_is_configurable(make_service, fake, clock):
    service = make_service(ORGANISATION_LOOKUP_CACHE_SECONDS=60)
    service.lookup_siret(SNCF)
    clock.advance(seconds=61)
    service.lookup_siret(SNCF)
    assert fake.call_count() == 2


def test_failures_are_not_cached(service, fake):
    fake.inject(Fault.http(404), times=1)
    assert service.lookup_siret(SNCF).kind is FailureKind.NOT_FOUND
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
    assert fake.call_count(service=API_ENTREPRISE) == 2


def test_cached_record_survives_the_provider_going_down(service, fake):
    service.lookup_siret(SNCF)
    fake.inject(Fault.http(502))
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)


def test_shared_cache_serves_another_service_instance(make_service, fake):
    make_service().lookup_siret(SNCF)
    make_service().lookup_siret(SNCF)
    assert fake.call_count() == 1


def test_cached_record_of_a_provider_no_longer_configured_is_not_served(
    make_service, fake, cache, clock
):
    sandbox = make_service(ENV_IS_PRODUCTION=False, ORGANISATION_LOOKUP_PROVIDERS="bac_a_sable")
    assert sandbox.lookup_siret(SNCF).source is Source.BAC_A_SABLE
    real = make_service()
    assert real.lookup_siret(SNCF).source is Source.API_ENTREPRISE
    assert fake.call_count() == 1


@pytest.mark.parametrize(
    ("method", "raw"),
    [
        ("lookup_siret", "55204944776278"),  # checksum
        ("lookup_siret", "5520494477627"),  # length
        ("lookup_siren", "552049448"),
        ("lookup_rna", "751004076"),
        ("lookup_siret", ""),
    ],
)
def test_invalid_identifier_makes_no_call_and_is_not_cached(service, fake, cache, method, raw):
    failure = getattr(service, method)(raw)
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.INVALID
    assert failure.message  # French, from the validation
    assert fake.call_count() == 0
    assert len(cache) == 0


def test_invalid_checksum_message(service):
    assert service.lookup_siret("552 049 447 76278").message == (
        "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."
    )


class BrokenCache:
    def get(self, kind, identifier, max_age):
        raise RuntimeError("database down")

    def put(self, kind, identifier, record):
        raise RuntimeError("database down")


def test_a_broken_cache_does_not_break_lookups(settings, clock, fake):
    service = OrganisationLookupService(settings, BrokenCache(), clock=clock)
    try:
        assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
    finally:
        service.close()


# -- configuration -------------------------------------------------------------


def test_bac_a_sable_is_refused_in_production(settings, cache):
    with pytest.raises(LookupConfigurationError, match="production"):
        OrganisationLookupService(
            {**settings, "ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise,bac_a_sable"}, cache
        )


def test_production_is_assumed_unless_said_otherwise(cache):
    with pytest.raises(LookupConfigurationError):
        OrganisationLookupService({"ORGANISATION_LOOKUP_PROVIDERS": "bac_a_sable"}, cache)
    with pytest.raises(LookupConfigurationError):
        OrganisationLookupService(
            {"PORTAIL_ENV": "production", "ORGANISATION_LOOKUP_PROVIDERS": ["bac_a_sable"]}, cache
        )
    service = OrganisationLookupService({"PORTAIL_ENV": "development"}, cache)
    assert service.sources == (Source.BAC_A_SABLE,)
    assert service.uses_sandbox


def test_production_default_providers(cache):
    service = OrganisationLookupService({"ENV_IS_PRODUCTION": True}, cache)
    try:
        assert service.sources == (Source.API_ENTREPRISE, Source.RECHERCHE_ENTREPRISES)
        assert not service.uses_sandbox
        assert service.settings.cache_max_age == timedelta(hours=24)
        assert service.settings.api_entreprise_timeout == 5
        assert service.settings.api_entreprise_context == "Portail des aides"
    finally:
        service.close()


@pytest.mark.parametrize(
    "overrides",
    [
        {"ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise,insee"},
        {"ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise,api_entreprise"},
        {"API_ENTREPRISE_RECIPIENT": "12345678901234"},
        {"API_ENTREPRISE_OBJECT": "x" * 50},
        {"API_ENTREPRISE_TIMEOUT": "soon"},
        {"ORGANISATION_LOOKUP_CACHE_SECONDS": -1},
    ],
)
def test_impossible_configurations_fail_at_start(settings, cache, overrides):
    with pytest.raises(LookupConfigurationError):
        OrganisationLookupService({**settings, **overrides}, cache)


def test_values_from_environment_strings_are_accepted(make_service):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS=" recherche_entreprises , api_entreprise ",
        ORGANISATION_LOOKUP_CACHE_SECONDS="3600",
        API_ENTREPRISE_TIMEOUT="2.5",
        API_ENTREPRISE_RECIPIENT="100 000 017 00010",
        ENV_IS_PRODUCTION="false",
    )
    assert service.sources == (Source.RECHERCHE_ENTREPRISES, Source.API_ENTREPRISE)
    assert service.settings.cache_max_age == timedelta(hours=1)
    assert service.settings.api_entreprise_timeout == 2.5
    assert service.settings.api_entreprise_recipient == "10000001700010"
    assert service.settings.production is False


# -- bac à sable -----------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the bac à sable must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def sandbox(clock, no_network):
    service = OrganisationLookupService(
        {"ENV_IS_PRODUCTION": False, "ORGANISATION_LOOKUP_PROVIDERS": "bac_a_sable"},
        InMemoryLookupCache(clock),
        clock=clock,
    )
    yield service
    service.close()


def test_bac_a_sable_serves_the_staging_payloads_offline(sandbox):
    record = sandbox.lookup_siret("30613890001294")
    assert isinstance(record, OrganisationRecord)
    assert record.source is Source.BAC_A_SABLE
    assert record.source.label.startswith("bac à sable")
    assert (record.raison_sociale, record.naf_code) == (
        "DIRECTION INTERMINISTERIELLE DU NUMERIQUE",
        "84.11Z",
    )


def test_bac_a_sable_knows_associations_by_rna(sandbox):
    record = sandbox.lookup_rna("w301 000 624")
    assert isinstance(record, OrganisationRecord)
    assert record.raison_sociale == "ASSOCIATION SPORTIVE SALINDROISE"
    assert record.siren == "389486242"


def test_bac_a_sable_unknown_and_recorded_404(sandbox):
    assert sandbox.lookup_siret("13002526500013").kind is FailureKind.NOT_FOUND
    assert sandbox.lookup_siret("00000000000000").kind is FailureKind.NOT_FOUND
    assert (
        sandbox.lookup_rna("W751004076").message
        == "Aucune association ne correspond à ce numéro RNA."
    )


def test_bac_a_sable_lists_its_identifiers(sandbox):
    (provider,) = sandbox.providers
    assert provider.known_identifiers(IdentifierKind.SIRET) == [
        "30613890001294",
        "35004292500031",
        "47846480300319",
        "55204944776279",
        "77567227221138",
    ]
    assert provider.known_identifiers(IdentifierKind.RNA) == ["W301000624", "W604004799"]
    for siret in provider.known_identifiers(IdentifierKind.SIRET):
        assert isinstance(sandbox.lookup_siret(siret), OrganisationRecord)
