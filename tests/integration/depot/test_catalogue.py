"""« Choix du téléservice »: the famille filter defaults to the current
structure's, text search, closed / not yet open / not admitted téléservices
cannot be started, who may see the page; as a plain page and with htmx."""

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Demande, MembershipRole
from tests.support.accounts import login, make_account, make_agent
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.teleservices import TRAJECTOIRES, load_teleservices, minimal_definition, write_definitions
from tests.support.web import page_text

CATALOGUE = "/demandes/teleservices"
TODAY = "2026-11-27 09:00:00+00:00"

# Two more téléservices for lycées privés: one closed, one not yet open.
ANCIEN = minimal_definition(
    code="ANCIEN", titre="Projets 2025-2026", description="L'appel à projets de l'an dernier.",
    ouverture=date(2025, 9, 1), cloture=date(2026, 3, 31),
)
AVENIR = minimal_definition(
    code="AVENIR", titre="Voyages scolaires 2027", description="Aide aux voyages scolaires.",
    ouverture=date(2027, 1, 15), cloture=date(2027, 5, 31),
)


SPRO = "Service Public Régional de l'Orientation"
PVILLE = "Territoire - Dispositif régional de soutien aux actions en matière de politique de la ville"


@pytest.fixture
def catalogue(app, tmp_path):
    """The shipped téléservices plus ANCIEN and AVENIR, on 27/11/2026."""
    load_teleservices(write_definitions(tmp_path, extra={"ancien.yaml": ANCIEN, "avenir.yaml": AVENIR}))
    with time_machine.travel(TODAY, tick=True):
        yield


def _usager(client, famille=None, role=MembershipRole.REFERENT, identifiant="jdupont"):
    """An account logged in, attached (with ``role``) to a structure of
    ``famille`` (None: no structure)."""
    account = make_account(identifiant=identifiant, email=f"{identifiant}@exemple.fr")
    structure = None
    if famille == "lycee_prive":
        structure = make_structure()
    elif famille == "association":
        structure = make_structure(**ASSOCIATION)
    if structure is not None:
        attach(account, structure, role)
    login(client, identifiant)
    return account, structure


def _cards(body: str) -> dict[str, str]:
    """Each téléservice card's text, by title."""
    cards = re.findall(r'<section class="govuk-summary-card".*?</section>', body, re.S)
    found = {}
    for card in cards:
        text = page_text(card).strip()
        title = page_text(re.search(r"<h3[^>]*>(.*?)</h3>", card, re.S).group(1)).strip()
        found[title] = text
    return found


def _start_forms(body: str) -> list[str]:
    return re.findall(r'<form method="post" action="/demandes/nouvelle/([A-Z0-9]+)"', body)


def _selected_famille(body: str) -> str | None:
    select_html = re.search(r'<select[^>]*id="famille".*?</select>', body, re.S).group(0)
    selected = re.search(r'<option value="([^"]*)"\s+selected', select_html)
    return selected.group(1) if selected else None


def test_a_lycee_prive_sees_the_teleservices_of_its_famille(client, mode, catalogue):
    _usager(client, "lycee_prive")
    body = mode.assert_page(mode.get(client, CATALOGUE))
    text = page_text(body)
    if not mode.htmx:
        assert "<title>Choix du téléservice – " in body
    for words in ("Déposer une demande d'aide", "Choix du téléservice",
                  "Vous pouvez sélectionner un téléservice parmi la liste des téléservices disponibles.",
                  "Recherche par téléservice", "Filtrer par famille de tiers", "Liste des téléservices"):
        assert words in text
    assert _selected_famille(body) == "lycee_prive"
    assert 'role="status" id="teleservice-count"' in body
    # The seed's three téléservices (« Lycée privé » filter), then the future and the closed ones.
    assert "5 téléservices correspondent à votre recherche." in text
    cards = _cards(body)
    assert set(list(cards)[:3]) == {TRAJECTOIRES, SPRO, PVILLE}  # open first
    assert list(cards)[3:] == ["Voyages scolaires 2027", "Projets 2025-2026"]
    assert "Date limite de dépôt : 30/06/2027" in cards[TRAJECTOIRES]
    assert "Aide aux projets des lycées" in cards[TRAJECTOIRES]
    assert "Ouvre le 15/01/2027" in cards["Voyages scolaires 2027"]
    assert "Clos depuis le 31/03/2026" in cards["Projets 2025-2026"]
    assert sorted(_start_forms(body)) == ["PVILLE", "SPRO", "TRAJ"]  # neither the closed one nor the future one
    assert "Commencer ma demande" in cards[TRAJECTOIRES]


def test_an_association_defaults_to_its_own_famille(client, mode, catalogue):
    _usager(client, "association")
    body = mode.assert_page(mode.get(client, CATALOGUE))
    assert _selected_famille(body) == "association"
    cards = _cards(body)
    assert set(cards) == {SPRO, PVILLE}
    assert sorted(_start_forms(body)) == ["PVILLE", "SPRO"]


def test_an_account_without_structure_is_a_particulier(client, mode, catalogue):
    _usager(client, None)
    body = mode.assert_page(mode.get(client, CATALOGUE))
    assert _selected_famille(body) == "particulier"
    text = page_text(body)
    assert "Aucun téléservice ne correspond à votre recherche." in text
    assert 'href="/demandes/teleservices?famille="' in body
    everything = mode.assert_page(mode.get(client, CATALOGUE + "?famille="))
    assert len(_cards(everything)) == 5 and _start_forms(everything) == []


def test_all_familles_shows_who_each_teleservice_is_for(client, mode, catalogue):
    _usager(client, "association")
    body = mode.assert_page(mode.get(client, CATALOGUE + "?famille="))
    assert _selected_famille(body) is None  # « Toutes les familles », the empty option
    cards = _cards(body)
    assert len(cards) == 5 and "5 téléservices correspondent à votre recherche." in page_text(body)
    assert "Date limite de dépôt : 31/05/2027" in cards[SPRO]
    trajectoires = cards[TRAJECTOIRES]
    assert "réservé aux familles de tiers suivantes : Lycée privé, Lycée public" in trajectoires
    assert "Votre famille de tiers (Association) n'en fait pas partie" in trajectoires
    assert "Commencer ma demande" not in trajectoires
    assert sorted(_start_forms(body)) == ["PVILLE", "SPRO"]


@pytest.mark.parametrize(
    "query, famille, expected",
    [
        ("trajectoire", "lycee_prive", [TRAJECTOIRES]),  # lower case, singular
        ("TRAJECTOIRES", "", [TRAJECTOIRES]),
        ("lycee orientation", "", [TRAJECTOIRES]),  # every word, accents ignored
        ("orientation", "", ["Service Public Régional de l'Orientation", TRAJECTOIRES]),
        ("politique ville", "", ["Territoire - Dispositif régional de soutien aux actions en matière de politique de la ville"]),
        ("orientation", "association", ["Service Public Régional de l'Orientation"]),
        ("introuvable", "", []),
    ],
)
def test_search_by_text(client, mode, catalogue, query, famille, expected):
    _usager(client, "lycee_prive")
    body = mode.assert_page(mode.get(client, CATALOGUE, query_string={"q": query, "famille": famille}))
    assert sorted(_cards(body)) == sorted(expected)
    assert f'value="{query}"' in body  # the search box keeps what was typed
    if not expected:
        assert "Aucun téléservice ne correspond à votre recherche." in page_text(body)


def test_an_unknown_famille_in_the_address_means_all(client, catalogue):
    _usager(client, "lycee_prive")
    body = client.get(CATALOGUE + "?famille=inconnue").get_data(as_text=True)
    assert len(_cards(body)) == 5


def test_starting_an_open_admitted_teleservice_opens_the_wizard(client, mode, catalogue):
    account, structure = _usager(client, "lycee_prive", role=MembershipRole.MEMBRE)
    response = mode.post(client, "/demandes/nouvelle/TRAJ")
    demande = db.session.scalar(select(Demande))
    mode.assert_redirect(response, f"/demandes/{demande.id}/etapes/preambule")
    assert demande.author_id == account.id and demande.structure_id == structure.id
    assert demande.status == "brouillon"
    assert demande.teleservice_version.teleservice.code == "TRAJ" and demande.teleservice_version.number == 1


@pytest.mark.parametrize(
    "code, famille, message",
    [
        ("ANCIEN", "lycee_prive", "Ce téléservice est clos depuis le 31/03/2026."),
        ("AVENIR", "lycee_prive", "Ce téléservice ouvrira le 15/01/2027."),
        ("SPRO", None, "Ce téléservice n'est pas ouvert à la famille de tiers de votre structure."),
        ("TRAJ", "association", "Ce téléservice n'est pas ouvert à la famille de tiers de votre structure."),
        ("TRAJ", None, "Ce téléservice n'est pas ouvert à la famille de tiers de votre structure."),
    ],
)
def test_a_teleservice_that_cannot_be_started_is_refused_with_the_reason(client, mode, catalogue, code, famille, message):
    _usager(client, famille)
    response = mode.post(client, f"/demandes/nouvelle/{code}")
    mode.assert_redirect(response, CATALOGUE)
    assert message in page_text(client.get(CATALOGUE).get_data(as_text=True))
    assert db.session.scalar(select(Demande)) is None


def test_a_closed_teleservice_after_its_closing_day(client, app):
    load_teleservices()
    with time_machine.travel("2027-07-01 08:00:00+00:00", tick=True):
        _usager(client, "lycee_prive")
        body = client.get(CATALOGUE).get_data(as_text=True)
        card = _cards(body)[TRAJECTOIRES]
        assert "Clos depuis le 30/06/2027" in card and "Commencer ma demande" not in card
        assert _start_forms(body) == []
        response = client.post("/demandes/nouvelle/TRAJ")
        assert response.status_code == 303 and response.headers["Location"].endswith(CATALOGUE)
        assert "Ce téléservice est clos depuis le 30/06/2027." in page_text(client.get(CATALOGUE).get_data(as_text=True))
    assert db.session.scalar(select(Demande)) is None


def test_an_unknown_teleservice_is_404(client, catalogue):
    _usager(client, "lycee_prive")
    assert client.post("/demandes/nouvelle/NIMPORTE").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, catalogue):
    for response in (client.get(CATALOGUE), client.post("/demandes/nouvelle/TRAJ")):
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.scalar(select(Demande)) is None


def test_agents_are_refused(client, catalogue):
    make_agent("agent.region")
    login(client, "agent.region")
    assert client.get(CATALOGUE).status_code == 403
    assert client.post("/demandes/nouvelle/TRAJ").status_code == 403


def test_the_espace_personnel_links_to_the_catalogue(client, catalogue):
    _usager(client, "lycee_prive")
    body = client.get("/espace").get_data(as_text=True)
    assert '<a class="govuk-link" href="/demandes/teleservices">Déposer une demande d\'aide</a>' in body
