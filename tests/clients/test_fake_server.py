"""The fake API Entreprise itself checks what the real one checks, so that
the client tests above prove something."""

import httpx
import pytest

from tests.fakes.api_entreprise import API_ENTREPRISE, EXAMPLE_RECIPIENT, RECHERCHE_ENTREPRISES, FakeApiEntreprise, Fault

PATH = "/v4/insee/sirene/etablissements/55204944776279"
PARAMS = {"context": "Tests", "recipient": EXAMPLE_RECIPIENT, "object": "Vérification"}


@pytest.fixture
def client(fake):
    with httpx.Client(base_url=fake.url, headers={"Authorization": f"Bearer {fake.token}"}) as http:
        yield http


def test_serves_the_staging_payload(client):
    response = client.get(PATH, params=PARAMS)
    assert response.status_code == 200
    assert response.json()["data"]["siret"] == "55204944776279"


def test_refuses_a_missing_or_wrong_token(fake):
    assert httpx.get(fake.url + PATH, params=PARAMS).status_code == 401
    wrong = httpx.get(fake.url + PATH, params=PARAMS, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["title"]


@pytest.mark.parametrize("missing", ["context", "recipient", "object"])
def test_refuses_a_missing_mandatory_parameter(client, missing):
    params = {key: value for key, value in PARAMS.items() if key != missing}
    response = client.get(PATH, params=params)
    assert response.status_code == 422
    assert missing in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {**PARAMS, "recipient": "55204944776279"},  # the SIRET looked up
        {**PARAMS, "recipient": "12345678901234"},  # not a SIRET
        {**PARAMS, "object": "x" * 50},
    ],
)
def test_refuses_bad_parameter_values(client, params):
    assert client.get(PATH, params=params).status_code == 422


def test_refuses_a_malformed_identifier_and_unknown_ones_are_404(client):
    assert (
        client.get("/v4/insee/sirene/etablissements/5520494477627", params=PARAMS).status_code
        == 422
    )
    assert (
        client.get("/v4/insee/sirene/etablissements/13002526500013", params=PARAMS).status_code
        == 404
    )


def test_counts_calls_per_path_service_and_identifier(client, fake):
    client.get(PATH, params=PARAMS)
    client.get(PATH, params=PARAMS)
    client.get("/search", params={"q": "13002526500013"})
    assert fake.call_count(PATH) == 2
    assert fake.call_count(service=API_ENTREPRISE) == 2
    assert fake.call_count(service=RECHERCHE_ENTREPRISES) == 1
    assert fake.call_count(identifier="13002526500013") == 1
    fake.reset()
    assert fake.call_count() == 0


def test_faults_by_identifier_service_and_times(client, fake):
    fake.inject(Fault.http(429, retry_after=30), identifier="55204944776279", times=1)
    limited = client.get(PATH, params=PARAMS)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert client.get(PATH, params=PARAMS).status_code == 200  # only once
    fake.inject(Fault.malformed_json(), service=RECHERCHE_ENTREPRISES)
    with pytest.raises(ValueError):
        client.get("/search", params={"q": "13002526500013"}).json()
    assert client.get(PATH, params=PARAMS).status_code == 200  # another service


def test_search_answers_empty_results_for_unknown_queries(fake):
    body = httpx.get(fake.url + "/search", params={"q": "nothing"}).json()
    assert body["results"] == [] and body["total_results"] == 0


def test_url_requires_a_running_server():
    fake = FakeApiEntreprise()
    with pytest.raises(RuntimeError):
        _ = fake.url
    with fake:
        assert fake.url.startswith("http://127.0.0.1:")
