"""The portal pointed at a fake API Entreprise on loopback, and the numbers
its staging payloads answer for. Test modules import the fixtures:
``from tests.support.organisations import app, fake  # noqa: F401``
(``app`` then replaces the conftest's one in that module)."""

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


@pytest.fixture
def app(make_app, fake):
    """The application (in its app context) asking only the fake API Entreprise."""
    application = make_app(**lookup_config(fake))
    with application.app_context():
        yield application
