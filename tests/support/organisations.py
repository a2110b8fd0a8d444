"""Plugin: a fake API Entreprise on loopback (the ``fake`` fixture), the
configuration that points the portal at it (``lookup_config``; a module
asks for it with ``app_config``), and the numbers its staging payloads
answer for."""

import pytest

from tests.fakes.api_entreprise import EXAMPLE_RECIPIENT, FakeApiEntreprise

SNCF = "55204944776279"  # personne morale, active
NON_DIFFUSIBLE = "35004292500031"  # personne physique, diffusion partielle
UNKNOWN_SIRET = "00000000000000"  # valid checksum, 404
CLOSED_RNA = "W604004799"  # association, "active": false
UNAVAILABLE_MESSAGE = (
    "Le service API Entreprise ne répond pas pour le moment : "
    "vous pouvez saisir les informations vous-même."
)


def lookup_config(fake: FakeApiEntreprise, **overrides) -> dict:
    """App configuration asking only API Entreprise, served by ``fake``."""
    return {
        "ORGANISATION_LOOKUP_PROVIDERS": "api_entreprise",
        "API_ENTREPRISE_URL": fake.url,
        "API_ENTREPRISE_TOKEN": fake.token,
        "API_ENTREPRISE_RECIPIENT": EXAMPLE_RECIPIENT,
        "API_ENTREPRISE_TIMEOUT": 1,
        **overrides,
    }


@pytest.fixture
def fake():
    with FakeApiEntreprise() as server:
        yield server
