"""The upload tests' own fixtures: the real clamd and a clamd that never
answers (``tests/support/clamd.py``), and each place where files are sent
(``tests/support/uploads.py``)."""

import pytest

from tests.support.clamd import clamd, silent_clamd  # noqa: F401  (fixtures)
from tests.support.uploads import Place
from tests.support.wizard import latest_demande

PLACES = ["wizard", "complements", "message"]


@pytest.fixture(params=PLACES)
def place(request, app, teleservices_open, lycee, demande_in, login_as) -> Place:
    """Where the teacher « prof » sends a file: a new draft's « Votre dossier »,
    the same step reopened by the council for compléments, or a message in
    the fil de discussion of a transmitted demande."""
    client = login_as("prof")
    if request.param == "wizard":
        client.post("/demandes/nouvelle/TRAJ")
        demande = latest_demande()
    elif request.param == "complements":
        demande = demande_in("complements_demandes")
    else:
        demande = demande_in("transmise")
    return Place(request.param, client, demande)
