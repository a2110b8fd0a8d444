"""Every way API Entreprise can fail, over real sockets, with only API
Entreprise configured so that each failure is seen as it is."""

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.integrations.organisation_lookup import (
    FailureKind,
    InMemoryLookupCache,
    LookupFailure,
    OrganisationLookupService,
    OrganisationRecord,
)
from tests.fakes.api_entreprise import Fault

SNCF = "55204944776279"
CROIX_ROUGE = "77567227221138"
UNAVAILABLE_MESSAGE = (
    "Le service API Entreprise ne répond pas pour le moment : "
    "vous pouvez saisir les informations vous-même."
)


@pytest.fixture
def api_only(make_service):
    return make_service(ORGANISATION_LOOKUP_PROVIDERS=["api_entreprise"])


def _failure(result) -> LookupFailure:
    assert isinstance(result, LookupFailure), result
    return result


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, FailureKind.NOT_FOUND),
        (422, FailureKind.INVALID),
        (451, FailureKind.NOT_DIFFUSIBLE),
        (401, FailureKind.MISCONFIGURED),
        (403, FailureKind.MISCONFIGURED),
        (500, FailureKind.UNAVAILABLE),
        (502, FailureKind.UNAVAILABLE),
        (504, FailureKind.UNAVAILABLE),
    ],
)
def test_status_mapping(api_only, fake, status, kind):
    fake.inject(Fault.http(status))
    failure = _failure(api_only.lookup_siret(SNCF))
    assert failure.kind is kind
    assert fake.call_count() == 1


def test_502_says_the_service_does_not_answer(api_only, fake):
    fake.inject(Fault.http(502), identifier=SNCF)
    assert _failure(api_only.lookup_siret(SNCF)).message == UNAVAILABLE_MESSAGE


def test_451_explains_the_unit_is_not_diffusible(api_only, fake):
    fake.inject(Fault.http(451))
    message = _failure(api_only.lookup_siret(SNCF)).message
    assert "ne soient pas rendues publiques" in message
    assert "Saisissez-les vous-même" in message


def test_wrong_token_is_misconfigured(make_service, fake):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise", API_ENTREPRISE_TOKEN="expired"
    )
    failure = _failure(service.lookup_siret(SNCF))
    assert failure.kind is FailureKind.MISCONFIGURED
    assert fake.requests[0].headers["Authorization"] == "Bearer expired"


def test_missing_token_is_misconfigured_without_a_call(make_service, fake):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise", API_ENTREPRISE_TOKEN=None
    )
    assert _failure(service.lookup_siret(SNCF)).kind is FailureKind.MISCONFIGURED
    assert fake.call_count() == 0


def test_timeout_is_unavailable_and_quick(make_service, fake):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise", API_ENTREPRISE_TIMEOUT=0.5
    )
    fake.inject(Fault.slow(3))
    started = time.monotonic()
    failure = _failure(service.lookup_siret(SNCF))
    elapsed = time.monotonic() - started
    assert failure.kind is FailureKind.UNAVAILABLE
    assert "timeout" in failure.detail
    assert 0.4 < elapsed < 2


def test_slow_but_within_the_timeout_is_fine(api_only, fake):
    fake.inject(Fault.slow(0.2))
    assert isinstance(api_only.lookup_siret(SNCF), OrganisationRecord)


def test_malformed_json_is_unavailable(api_only, fake):
    fake.inject(Fault.malformed_json())
    failure = _failure(api_only.lookup_siret(SNCF))
    assert failure.kind is FailureKind.UNAVAILABLE
    assert "malformed JSON" in failure.detail


def test_nothing_listening_is_unavailable(make_service):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise",
        API_ENTREPRISE_URL=f"http://127.0.0.1:{port}",
    )
    failure = _failure(service.lookup_siret(SNCF))
    assert failure.kind is FailureKind.UNAVAILABLE
    assert "network" in failure.detail


def test_429_blocks_every_call_until_retry_after_has_passed(api_only, fake, clock):
    fake.inject(Fault.http(429, retry_after=120), times=1)
    failure = _failure(api_only.lookup_siret(SNCF))
    assert failure.kind is FailureKind.RATE_LIMITED
    assert failure.retry_at == clock() + timedelta(seconds=120)
    assert "trop de demandes" in failure.message
    assert fake.call_count() == 1

    # During the block, no call at all, whatever the identifier or endpoint.
    clock.advance(seconds=119)
    assert _failure(api_only.lookup_siret(CROIX_ROUGE)).kind is FailureKind.RATE_LIMITED
    assert _failure(api_only.lookup_rna("W604004799")).kind is FailureKind.RATE_LIMITED
    assert fake.call_count() == 1

    clock.advance(seconds=1)
    assert isinstance(api_only.lookup_siret(SNCF), OrganisationRecord)
    assert fake.call_count() == 2


def test_429_with_an_http_date_retry_after(api_only, fake, clock):
    fake.inject(Fault.http(429, retry_after="Mon, 02 Mar 2026 09:05:00 GMT"), times=1)
    assert _failure(api_only.lookup_siret(SNCF)).retry_at == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    clock.advance(minutes=4, seconds=59)
    assert _failure(api_only.lookup_siret(SNCF)).kind is FailureKind.RATE_LIMITED
    clock.advance(seconds=1)
    assert isinstance(api_only.lookup_siret(SNCF), OrganisationRecord)
    assert fake.call_count() == 2


def test_429_without_retry_after_waits_a_minute(api_only, fake, clock):
    fake.inject(Fault.http(429), times=1)
    assert _failure(api_only.lookup_siret(SNCF)).retry_at == clock() + timedelta(seconds=60)


def test_retry_after_with_the_default_clock(settings, fake):
    """The same block with the real clock, moved by time-machine."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        service = OrganisationLookupService(
            {**settings, "ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise"}, InMemoryLookupCache()
        )
        try:
            fake.inject(Fault.http(429, retry_after=30), times=1)
            assert _failure(service.lookup_siret(SNCF)).kind is FailureKind.RATE_LIMITED
            traveller.shift(timedelta(seconds=29))
            assert _failure(service.lookup_siret(SNCF)).kind is FailureKind.RATE_LIMITED
            assert fake.call_count() == 1
            traveller.shift(timedelta(seconds=2))
            assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
            assert fake.call_count() == 2
        finally:
            service.close()


def test_stays_within_250_calls_a_minute(make_service, fake, clock):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise", ORGANISATION_LOOKUP_CACHE_SECONDS=0
    )
    for _ in range(250):
        assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
        clock.advance(seconds=0.2)  # 250 calls spread over 50 s
    assert fake.call_count() == 250

    refused = _failure(service.lookup_siret(SNCF))
    assert refused.kind is FailureKind.RATE_LIMITED
    assert fake.call_count() == 250  # refused before calling
    assert refused.retry_at == datetime(
        2026, 3, 2, 9, 1, tzinfo=UTC
    )  # the first call, plus a minute

    clock.advance(seconds=10)  # 60 s after the first call: one call is free again
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
    assert _failure(service.lookup_siret(SNCF)).kind is FailureKind.RATE_LIMITED
    assert fake.call_count() == 251


def test_the_budget_is_configurable(make_service, fake):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS="api_entreprise",
        ORGANISATION_LOOKUP_CACHE_SECONDS=0,
        API_ENTREPRISE_MAX_CALLS_PER_MINUTE=2,
    )
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)
    assert _failure(service.lookup_siret(SNCF)).kind is FailureKind.RATE_LIMITED
    assert fake.call_count() == 2


# Look-ups that cannot take the site down (issue 12) -----------------------------------


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [("²", timedelta(seconds=60)), ("-5", timedelta(seconds=60)), ("n'importe quoi", timedelta(seconds=60)),
     ("99999999999999999999", timedelta(hours=1)), ("Fri, 31 Dec 2099 23:59:59 GMT", timedelta(hours=1))],
    ids=["superscript", "negative", "junk", "huge", "far-date"],
)
def test_a_malformed_or_huge_retry_after_is_bounded(api_only, fake, clock, retry_after, delay):
    fake.inject(Fault.http(429, retry_after=retry_after), times=1)
    assert _failure(api_only.lookup_siret(SNCF)).retry_at == clock() + delay


def test_repeated_timeouts_open_the_circuit_then_it_closes(make_service, fake, clock):
    service = make_service(ORGANISATION_LOOKUP_PROVIDERS="api_entreprise", API_ENTREPRISE_TIMEOUT=0.3)
    fake.inject(Fault.slow(3))
    for _ in range(3):
        assert "timeout" in _failure(service.lookup_siret(SNCF)).detail
    calls = fake.call_count()
    started = time.monotonic()
    failure = _failure(service.lookup_siret(SNCF))
    assert failure.kind is FailureKind.UNAVAILABLE and "circuit open" in failure.detail
    assert time.monotonic() - started < 0.2  # no waiting for a timeout: the page offers manual entry at once
    assert fake.call_count() == calls
    fake.clear_faults()
    clock.advance(seconds=60)
    assert isinstance(service.lookup_siret(SNCF), OrganisationRecord)


def test_one_deadline_for_every_provider_together(make_service, fake):
    """Both providers slow, each with a 2 s timeout (4 s in all): the look-up ends by its 1.2 s deadline."""
    service = make_service(ORGANISATION_LOOKUP_DEADLINE=1.2, API_ENTREPRISE_TIMEOUT=2, RECHERCHE_ENTREPRISES_TIMEOUT=2)
    fake.inject(Fault.slow(3))
    started = time.monotonic()
    failure = _failure(service.lookup_siret(SNCF))
    elapsed = time.monotonic() - started
    assert failure.kind is FailureKind.UNAVAILABLE
    assert 1.0 < elapsed < 2.5, elapsed
