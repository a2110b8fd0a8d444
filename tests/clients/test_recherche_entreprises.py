"""The public Recherche d'entreprises API, alone and as the fallback."""

from datetime import date

import pytest

from app.integrations.organisation_lookup import EtatAdministratif, FailureKind, LookupFailure, OrganisationRecord, Source
from tests.fakes.api_entreprise import API_ENTREPRISE, RECHERCHE_ENTREPRISES, Fault

DINUM = "13002526500013"


@pytest.fixture
def search_only(make_service):
    return make_service(ORGANISATION_LOOKUP_PROVIDERS="recherche_entreprises")


def test_exact_siret_match(search_only, fake, clock):
    record = search_only.lookup_siret("130 025 265 00013")
    assert isinstance(record, OrganisationRecord), record
    (request,) = fake.requests
    assert (request.path, request.query) == ("/search", {"q": DINUM})
    assert "Authorization" not in request.headers
    assert record.source is Source.RECHERCHE_ENTREPRISES
    assert (record.siret, record.siren) == (DINUM, "130025265")
    assert (record.raison_sociale, record.sigle) == (
        "DIRECTION INTERMINISTERIELLE DU NUMERIQUE",
        "DINUM",
    )
    assert (record.naf_code, record.naf_label) == ("84.11Z", "Administration publique générale")
    assert (record.forme_juridique_code, record.forme_juridique_label) == (
        "7120",
        "Service central d'un ministère",
    )
    assert record.address_lines == ("20 AV DE SEGUR",)
    assert (record.code_postal, record.commune, record.pays) == ("75007", "PARIS 7", "France")
    assert record.date_creation == date(2017, 5, 24)
    assert record.etat_administratif is EtatAdministratif.ACTIF
    assert record.fetched_at == clock()


def test_fuzzy_result_with_another_siret_is_not_found(search_only, fake):
    # Asked another (valid) SIRET, the search answers with the DINUM anyway.
    fake.set_search_response("13002526500021", fake.search_body(DINUM))
    failure = search_only.lookup_siret("13002526500021")
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.NOT_FOUND
    assert failure.message == "Aucun établissement ne correspond à ce numéro SIRET."


def test_match_among_several_results(search_only, fake):
    body = fake.search_body(DINUM)
    other = {
        **body["results"][0],
        "siren": "999999999",
        "matching_etablissements": [],
        "siege": {"siret": "x"},
    }
    body["results"].insert(0, other)
    fake.set_search_response(DINUM, body)
    record = search_only.lookup_siret(DINUM)
    assert isinstance(record, OrganisationRecord) and record.siren == "130025265"


def test_closed_establishment_and_non_diffusible_unit(search_only, fake):
    body = fake.search_body(DINUM)
    result = body["results"][0]
    result["statut_diffusion"] = "P"
    result["matching_etablissements"][0]["etat_administratif"] = "F"
    result["siege"]["siret"] = "13002526500021"  # the match is not the head office
    fake.set_search_response(DINUM, body)
    record = search_only.lookup_siret(DINUM)
    assert isinstance(record, OrganisationRecord)
    assert record.is_closed
    assert record.diffusible is False
    assert record.raison_sociale is None and record.address_lines == ()


def test_siren_lookup_takes_the_head_office(search_only, fake):
    fake.set_search_response("130025265", fake.search_body(DINUM))
    record = search_only.lookup_siren("130025265")
    assert isinstance(record, OrganisationRecord)
    assert record.siret == DINUM


def test_rna_is_not_asked_to_this_provider(search_only, fake):
    failure = search_only.lookup_rna("W751004076")
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.UNAVAILABLE  # nobody could answer: manual entry
    assert fake.call_count() == 0


def test_search_failures_map_like_api_entreprise(search_only, fake):
    fake.inject(Fault.malformed_json(), service=RECHERCHE_ENTREPRISES)
    assert search_only.lookup_siret(DINUM).kind is FailureKind.UNAVAILABLE
    fake.clear_faults()
    fake.set_search_response(DINUM, {"unexpected": "shape"})
    assert search_only.lookup_siret(DINUM).kind is FailureKind.UNAVAILABLE


def test_fallback_when_api_entreprise_is_down(service, fake):
    fake.inject(Fault.http(502), service=API_ENTREPRISE)
    record = service.lookup_siret(DINUM)
    assert isinstance(record, OrganisationRecord), record
    assert record.source is Source.RECHERCHE_ENTREPRISES
    assert fake.call_count(service=API_ENTREPRISE) == 1
    assert fake.call_count(service=RECHERCHE_ENTREPRISES) == 1


@pytest.mark.parametrize("fault", [Fault.http(429, retry_after=60), Fault.http(401), Fault.slow(3)])
def test_fallback_on_every_provider_side_failure(make_service, fake, fault):
    service = make_service(API_ENTREPRISE_TIMEOUT=0.3)
    fake.inject(fault, service=API_ENTREPRISE)
    record = service.lookup_siret(DINUM)
    assert isinstance(record, OrganisationRecord), record
    assert record.source is Source.RECHERCHE_ENTREPRISES


def test_fallback_keeps_only_an_exact_match(service, fake):
    fake.inject(Fault.http(502), service=API_ENTREPRISE)
    fake.set_search_response("13002526500021", fake.search_body(DINUM))
    failure = service.lookup_siret("13002526500021")
    assert isinstance(failure, LookupFailure) and failure.kind is FailureKind.NOT_FOUND


@pytest.mark.parametrize("status", [404, 451])
def test_answers_about_the_organisation_do_not_fall_back(service, fake, status):
    fake.inject(Fault.http(status), service=API_ENTREPRISE)
    failure = service.lookup_siret(DINUM)
    assert isinstance(failure, LookupFailure)
    assert fake.call_count(service=RECHERCHE_ENTREPRISES) == 0


def test_when_every_provider_fails_the_last_failure_is_returned(service, fake):
    fake.inject(Fault.http(429, retry_after=60), service=API_ENTREPRISE)
    fake.inject(Fault.http(503), service=RECHERCHE_ENTREPRISES)
    failure = service.lookup_siret(DINUM)
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.UNAVAILABLE
    assert failure.source is Source.RECHERCHE_ENTREPRISES
    assert failure.message.startswith("Le service API Entreprise ne répond pas pour le moment")


def test_order_is_configurable(make_service, fake):
    service = make_service(
        ORGANISATION_LOOKUP_PROVIDERS=["recherche_entreprises", "api_entreprise"]
    )
    record = service.lookup_siret(DINUM)
    assert isinstance(record, OrganisationRecord) and record.source is Source.RECHERCHE_ENTREPRISES
    assert fake.call_count(service=API_ENTREPRISE) == 0
