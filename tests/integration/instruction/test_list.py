"""Back office « Demandes » (issue 7 §1 and the bulk actions of §2): the
list of transmitted demandes with its filters, search, sorts and keyset
pages; bulk actions confirmed then applied by the domain operations; the
CSV and XLSX exports parsed back. Every route as a plain request and as an
htmx request."""

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import openpyxl
import pytest
from sqlalchemy import event, select

from app.domain import messages
from app.domain.base import OperationContext
from app.domain.demandes import backoffice_list
from app.domain.demandes.backoffice_list import SORTS, Filters, Sort
from app.extensions import db
from app.models import AgentRole, AuditEvent, Demande, DemandeStatus
from tests.support.accounts import login, make_account, make_agent
from tests.support.backoffice_list import add_demande, association, current_version_id
from tests.support.mail import outbox
from tests.support.structures import attach, make_structure
from tests.support.web import error_messages, input_value, page_text
from tests.support.wizard import make_filed_demande

LIST = "/instruction/demandes"


@pytest.fixture(autouse=True)
def teleservices(teleservices_open):
    """Every demande of this module is of one of the three téléservices, open."""


@pytest.fixture
def agent(app):
    return make_agent("agent.region")


@pytest.fixture
def client(app, agent):
    client = app.test_client()
    login(client, "agent.region")
    return client


def ids_in(body: str) -> list[int]:
    """The demandes of a list page, in order (their links)."""
    return [int(i) for i in re.findall(r'href="/instruction/demandes/(\d+)"', body)]


def references_in(body: str) -> list[str]:
    return re.findall(r'href="/instruction/demandes/\d+">([^<]+)</a>', body)


def link(body: str, rel: str) -> str | None:
    match = re.search(rf'href="([^"]+)" rel="{rel}"', body)
    return html.unescape(match.group(1)) if match else None


# The list ---------------------------------------------------------------------------


def test_every_demande_past_the_applicant_side_is_listed_with_its_columns(app, client, agent, mode):
    asso = association()
    hidden = [add_demande(asso, status=s) for s in ("brouillon", "deposee")]
    shown = add_demande(asso, intitule="Forum des métiers", montant="1234.5", agent=agent,
                        transmitted_at=datetime(2026, 9, 15, 22, 30, tzinfo=UTC))
    others = [add_demande(asso, status=s) for s in ("en_instruction", "complements_demandes", "acceptee", "refusee", "classee_sans_suite")]
    body = mode.assert_page(mode.get(client, LIST))
    assert set(ids_in(body)) == {shown.id, *(d.id for d in others)}
    assert not set(ids_in(body)) & {d.id for d in hidden}
    row = re.search(rf'<tr class="govuk-table__row">\s*<td[^>]*>.*?value="{shown.id}".*?</tr>', body, re.S).group(0)
    text = page_text(row)
    for expected in (shown.reference, "Service Public Régional de l'Orientation", "Association Les Pieds dans l'Eau", "Association",
                     "Forum des métiers", "1 234,50 €", "Transmise à la Région", "Région Agent", "16/09/2026"):  # Paris time
        assert expected in text, (expected, text)
    assert f'href="/instruction/demandes/{shown.id}"' in row
    assert f'<span class="govuk-visually-hidden">Sélectionner {shown.reference}</span>' in row
    assert "6 demandes." in page_text(body)


def test_a_demande_filed_through_the_wizard_is_listed(app, client):
    asso = association()
    author = make_account(identifiant="auteur", email="auteur@exemple.fr")
    attach(author, asso)
    demande = make_filed_demande(author, asso, code="SPRO", intitule="Les métiers de la mer")
    assert demande.status == DemandeStatus.TRANSMISE
    body = client.get(LIST).get_data(as_text=True)
    assert ids_in(body) == [demande.id] and "Les métiers de la mer" in body


@pytest.fixture
def varied(app, agent):
    """Demandes that differ by each filter."""
    other_agent = make_agent("autre.agent")
    asso = association()
    lycee = make_structure(siret="41816609600069")  # Lycée Saint-Exupéry, lycée privé
    particulier = make_account(identifiant="particulier", email="p@exemple.fr", nom="Durand", prenom="Lucie")
    d = {
        "spro": add_demande(asso, code="SPRO", transmitted_at=datetime(2026, 9, 10, 9, tzinfo=UTC)),
        "pville": add_demande(asso, code="PVILLE", status="en_instruction", agent=agent, transmitted_at=datetime(2026, 9, 20, 9, tzinfo=UTC)),
        "traj": add_demande(lycee, code="TRAJ", status="acceptee", agent=other_agent, transmitted_at=datetime(2026, 10, 5, 9, tzinfo=UTC)),
        # Transmitted at 23:30 in Paris on 30/09 (21:30 UTC): it belongs to 30/09.
        "late": add_demande(lycee, code="TRAJ", status="refusee", agent=agent, transmitted_at=datetime(2026, 9, 30, 21, 30, tzinfo=UTC)),
        "particulier": add_demande(None, code="SPRO", author=particulier, transmitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC)),
    }
    d["ref"] = add_demande(asso, code="SPRO", reference="SPRO-2025-000777", transmitted_at=datetime(2025, 12, 1, 9, tzinfo=UTC))
    return d, agent, asso, lycee


FILTERS = [
    ({"teleservice": "TRAJ"}, {"traj", "late"}),
    ({"teleservice": "PVILLE"}, {"pville"}),
    ({"statut": "en_instruction"}, {"pville"}),
    ({"statut": "refusee"}, {"late"}),
    ({"famille": "lycee_prive"}, {"traj", "late"}),
    ({"famille": "particulier"}, {"particulier"}),
    ({"agent": "aucun"}, {"spro", "particulier", "ref"}),
    ({"du": "01/10/2026"}, {"traj", "particulier"}),
    ({"au": "30/09/2026"}, {"spro", "pville", "late", "ref"}),
    ({"du": "15/09/2026", "au": "30/09/2026"}, {"pville", "late"}),
    ({"du": "2026-09-15", "au": "2026-09-30"}, {"pville", "late"}),  # what <input type=date> would send
    ({"q": "SPRO-2025-000777"}, {"ref"}),
    ({"q": "spro-2025"}, {"ref"}),
    ({"q": "saint-exupéry"}, {"traj", "late"}),
    ({"q": "SAINT-EXUPÉRY"}, {"traj", "late"}),
    ({"q": "418 166"}, {"traj", "late"}),  # the beginning of a SIRET
    ({"q": "pieds dans"}, {"spro", "pville", "ref"}),
    ({"q": "100%_"}, set()),  # LIKE wildcards are searched as text
    ({"teleservice": "SPRO", "agent": "aucun", "du": "01/11/2026"}, {"particulier"}),
    ({"teleservice": "INCONNU", "statut": "brouillon", "famille": "x", "agent": "999999", "tri": "x", "ordre": "x"},
     {"spro", "pville", "traj", "late", "particulier", "ref"}),  # unknown values are ignored
]


@pytest.mark.parametrize(("args", "expected"), FILTERS, ids=[urlencode(a) for a, _ in FILTERS])
def test_each_filter(varied, client, mode, args, expected):
    d, agent, *_ = varied
    body = mode.assert_page(mode.get(client, f"{LIST}?{urlencode(args)}"))
    assert set(ids_in(body)) == {d[k].id for k in expected}
    count = re.search(r'id="demande-count">([^<]*)<', body).group(1)
    assert count.startswith(f"{len(expected)} demande") or (not expected and count.startswith("0 demande"))


def test_agent_filter_and_structure_link(varied, client, mode):
    d, agent, asso, lycee = varied
    body = mode.assert_page(mode.get(client, f"{LIST}?agent={agent.id}"))
    assert set(ids_in(body)) == {d["pville"].id, d["late"].id}
    body = mode.assert_page(mode.get(client, f"{LIST}?structure={lycee.id}"))
    assert set(ids_in(body)) == {d["traj"].id, d["late"].id}
    assert f'name="structure" value="{lycee.id}"' in body  # kept by the form
    assert "Demandes de la structure" in page_text(body) and "Lycée Saint-Exupéry" in body
    assert 'href="/instruction/demandes"' in body  # « voir toutes les structures »


def test_filters_are_kept_in_the_form(varied, client):
    body = client.get(f"{LIST}?q=pieds&statut=transmise&du=01/09/2026&tri=montant&ordre=asc").get_data(as_text=True)
    assert input_value(body, "q") == "pieds" and input_value(body, "du") == "01/09/2026"
    assert '<option value="transmise" selected>' in body and '<option value="montant" selected>' in body
    assert '<option value="asc" selected>' in body
    assert 'href="/instruction/demandes/export.csv?q=pieds&amp;statut=transmise&amp;du=01/09/2026&amp;tri=montant&amp;ordre=asc"' in body


BAD_DATES = [
    ({"du": "31/02/2026"}, "du", "Cette date n'existe pas"),
    ({"au": "demain"}, "au", "Saisissez une date valide"),
    ({"du": "15/10/2026", "au": "01/10/2026"}, "au", "La date de fin doit être la même que la date de début ou après"),
]


@pytest.mark.parametrize(("args", "field", "message"), BAD_DATES)
def test_bad_dates_are_explained_at_the_field_and_nothing_is_lost(varied, client, mode, args, field, message):
    query = {"q": "pieds", "statut": "transmise", "teleservice": "SPRO", **args}
    body = mode.assert_invalid(mode.get(client, f"{LIST}?{urlencode(query)}"))
    assert any(message in m for m in error_messages(html.unescape(body))), error_messages(body)
    assert f'href="#{field}"' in body and f'id="{field}" name="{field}" type="text" value="' in body
    assert 'aria-invalid="true"' in body
    assert input_value(body, "q") == "pieds" and '<option value="transmise" selected>' in body and '<option value="SPRO" selected>' in body
    for name, value in args.items():
        assert input_value(body, name) == value
    assert ids_in(body) == []
    assert "Corrigez les filtres signalés" in body
    # The pieces htmx swaps: the results, the count, the errors and the dates.
    for piece in ('id="demande-results"', 'id="demande-count"', 'id="demande-errors"', 'id="demande-dates"'):
        assert piece in body


def test_unchanged_for_more_than_n_days(varied, client, mode):
    d, agent, *_ = varied
    for key, age in (("spro", 40), ("pville", 31), ("traj", 29)):
        d[key].updated_at = datetime.now(UTC) - timedelta(days=age)
    db.session.commit()
    body = mode.assert_page(mode.get(client, f"{LIST}?inchangee=30"))
    assert set(ids_in(body)) == {d["spro"].id, d["pville"].id}
    assert input_value(body, "inchangee") == "30"
    body = mode.assert_page(mode.get(client, f"{LIST}?inchangee=35&statut=transmise"))
    assert set(ids_in(body)) == {d["spro"].id}
    export = client.get("/instruction/demandes/export.csv?inchangee=30").get_data(as_text=True)
    assert d["spro"].reference in export and d["traj"].reference not in export
    # A message is not a change of the demande (as the field's hint says).
    messages.post_as_agent(OperationContext(actor=agent), d["spro"], "Où en est le projet ?")
    assert d["spro"].id in ids_in(client.get(f"{LIST}?inchangee=30").get_data(as_text=True))


@pytest.mark.parametrize("typed", ["abc", "0", "-3", "4000", "1.5", "²"])
def test_a_bad_number_of_days_is_explained_at_the_field(varied, client, mode, typed):
    body = mode.assert_invalid(mode.get(client, f"{LIST}?{urlencode({'inchangee': typed, 'q': 'pieds'})}"))
    assert "Saisissez un nombre de jours entre 1 et 3 650, par exemple 30" in error_messages(html.unescape(body))
    assert 'href="#inchangee"' in body and input_value(body, "inchangee") == typed and input_value(body, "q") == "pieds"
    assert ids_in(body) == []


# Sorts and pages ------------------------------------------------------------------


@pytest.fixture
def sortable(app, agent):
    """Demandes with distinct (and missing) keys for every sort."""
    zeta = association("Zeta Sport", siret="11111111111111")
    alpha = association("Alpha Culture", siret="22222222222222")
    particulier = make_account(identifiant="particulier", email="p@exemple.fr")
    base = datetime(2026, 9, 1, 8, tzinfo=UTC)
    specs = [
        (zeta, "SPRO-2026-000005", "transmise", 3, "500"),
        (alpha, "SPRO-2026-000001", "acceptee", 1, "1500"),
        (zeta, "PVILLE-2026-000002", "en_instruction", 5, None),
        (alpha, "TRAJ-2026-000009", "refusee", 2, "99.99"),
        (None, "SPRO-2026-000003", "transmise", 4, "1500"),
        (zeta, "SPRO-2026-000004", "acceptee", 6, None),
        (alpha, "PVILLE-2026-000001", "transmise", 7, "20000"),
    ]
    demandes = []
    for structure, reference, status, day, montant in specs:
        code = reference.split("-")[0]
        demandes.append(add_demande(structure, code=code, reference=reference, status=status, montant=montant,
                                    author=particulier if structure is None else None,
                                    transmitted_at=base + timedelta(days=day)))
    return demandes


def expected_order(demandes, sort: Sort) -> list[int]:
    """The list order, computed in Python: keys ascending or descending, the
    id breaking ties, rows without a key (amount, structure) last."""
    def key(d):
        if sort.name == "reference":
            return (d.reference,)
        if sort.name == "transmission":
            return (d.transmitted_at, d.id)
        if sort.name == "statut":
            return (d.status, d.transmitted_at, d.id)
        if sort.name == "montant":
            return (d.montant_demande, d.id)
        return ((d.structure.raison_sociale_key if d.structure else None), d.id)

    with_key = [d for d in demandes if key(d)[0] is not None]
    without = [d for d in demandes if key(d)[0] is None]
    ordered = sorted(with_key, key=key, reverse=sort.descending) + sorted(without, key=lambda d: d.id, reverse=sort.descending)
    return [d.id for d in ordered]


SORT_CASES = [Sort(name, descending) for name in SORTS for descending in (False, True)]


@pytest.mark.parametrize("sort", SORT_CASES, ids=[f"{s.name}-{'desc' if s.descending else 'asc'}" for s in SORT_CASES])
def test_sorts_and_keyset_pages_forward_and_back(sortable, sort):
    """Every sort, walked page by page (3 rows a page) forward then back:
    the pages join up to the whole list, in order, without repeats."""
    expected = expected_order(sortable, sort)
    forward, page, cursors = [], backoffice_list.page(Filters(), sort, size=3), []
    assert page.previous_cursor is None and page.first
    while True:
        forward.extend(r.id for r in page.rows)
        cursors.append(page)
        if page.next_cursor is None:
            break
        page = backoffice_list.page(Filters(), sort, after=page.next_cursor, size=3)
    assert forward == expected
    backward = [r.id for r in page.rows]
    while page.previous_cursor is not None:
        page = backoffice_list.page(Filters(), sort, before=page.previous_cursor, size=3)
        backward = [r.id for r in page.rows] + backward
    assert backward == expected and page.first


@pytest.mark.parametrize("sort", SORT_CASES, ids=[f"{s.name}-{'desc' if s.descending else 'asc'}" for s in SORT_CASES])
def test_sorts_in_the_page(sortable, client, sort):
    body = client.get(f"{LIST}?tri={sort.name}&ordre={'desc' if sort.descending else 'asc'}").get_data(as_text=True)
    assert ids_in(body) == expected_order(sortable, sort)


def test_pages_by_links_forward_and_back(app, client, mode):
    asso = association()
    demandes = [add_demande(asso, transmitted_at=datetime(2026, 9, 1, tzinfo=UTC) + timedelta(hours=i)) for i in range(60)]
    newest_first = [d.id for d in reversed(demandes)]
    body = mode.assert_page(mode.get(client, f"{LIST}?teleservice=SPRO"))
    assert ids_in(body) == newest_first[:25] and link(body, "prev") is None
    assert "60 demandes correspondant aux filtres." in body
    seen = list(ids_in(body))
    while (next_url := link(body, "next")) is not None:
        assert parse_qs(urlsplit(next_url).query)["teleservice"] == ["SPRO"]  # the filters stay
        body = mode.assert_page(mode.get(client, next_url))
        seen.extend(ids_in(body))
    assert seen == newest_first and ids_in(body) == newest_first[50:]
    body = mode.assert_page(mode.get(client, link(body, "prev")))
    assert ids_in(body) == newest_first[25:50]
    body = mode.assert_page(mode.get(client, link(body, "prev")))
    assert ids_in(body) == newest_first[:25] and link(body, "prev") is None


def test_a_tampered_cursor_gives_the_first_page(app, client):
    asso = association()
    demandes = [add_demande(asso) for _ in range(3)]
    for cursor in ("garbage", "eyJ4IjoxfQ", "W10", "WyJ0cmFuc21pc3Npb24iLDEsOSxbXV0", "x" * 2000):
        response = client.get(f"{LIST}?apres={cursor}")
        assert response.status_code == 200
        assert set(ids_in(response.get_data(as_text=True))) == {d.id for d in demandes}


class QueryCounter:
    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)


def _count_queries(client, url):
    db.session.expire_all()  # as in a new request: the logged-in account is read again
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200
    return len(counter.statements), response.get_data(as_text=True)


def test_query_count_is_the_same_for_2_rows_and_25(app, client, mode):
    """No query per row: the structure, téléservice, agent and author come
    with the rows, the unread messages for the whole page at once (each row
    here has its own structure and agent)."""
    rows = []
    for i in range(2):
        rows.append(add_demande(association(f"Structure {i}", siret=f"{10**13 + i}"), agent=make_agent(f"agent{i}")))
    small, body = _count_queries(client, LIST)
    assert len(ids_in(body)) == 2
    for i in range(2, 30):
        add_demande(association(f"Structure {i}", siret=f"{10**13 + i}"), agent=make_agent(f"agent{i}"))
    large, body = _count_queries(client, LIST)
    assert len(ids_in(body)) == 25
    assert small == large <= 7, (small, large)  # with the unread messages of the page's demandes
    deep, body = _count_queries(client, link(body, "next"))
    assert len(ids_in(body)) == 5 and deep == large
    filtered, body = _count_queries(client, f"{LIST}?q=structure&famille=association&du=01/01/2026")
    assert filtered == large and len(ids_in(body)) == 25
    empty, body = _count_queries(client, f"{LIST}?agent=aucun")  # no row: no unread messages to look for
    assert ids_in(body) == [] and empty == large - 1
    # A sort on a key that may be missing reads the rows without one in a
    # second query, on the page that reaches them only.
    first, body = _count_queries(client, f"{LIST}?tri=montant")
    last, _ = _count_queries(client, link(body, "next"))
    assert (first, last) == (large, large + 1)


# Who may see the list ---------------------------------------------------------------


URLS = [LIST, f"{LIST}/export.csv", f"{LIST}/export.xlsx"]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_goes_to_login(app, url):
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("url", URLS)
def test_usager_is_refused(app, url, mode):
    make_account()
    usager = app.test_client()
    login(usager)
    assert mode.get(usager, url).status_code == 403
    for action in ("/instruction/demandes/actions", "/instruction/demandes/actions/confirmer"):
        assert mode.post(usager, action, {"action": "moi", "demande": "1"}).status_code == 403


def test_anonymous_bulk_action_goes_to_login(app):
    demande = add_demande(association())
    response = app.test_client().post("/instruction/demandes/actions/confirmer", data={"action": "instruire", "demande": str(demande.id)})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert db.session.get(Demande, demande.id).status == "transmise"


def test_admin_agents_use_the_list_too(app):
    make_agent("admin.region", AgentRole.ADMIN)
    admin = app.test_client()
    login(admin, "admin.region")
    assert admin.get(LIST).status_code == 200


def test_navigation_and_home_link_to_the_list(client):
    body = client.get("/instruction/").get_data(as_text=True)
    assert body.count('href="/instruction/demandes"') >= 2  # the menu and the card


# Bulk actions ----------------------------------------------------------------------


@pytest.fixture
def selection(app, agent):
    asso = association()
    author = make_account(identifiant="auteur", email="auteur@exemple.fr")
    attach(author, asso)
    return {
        "t1": add_demande(asso, author=author, intitule="Premier"),
        "t2": add_demande(asso, author=author, intitule="Deuxième"),
        "inst": add_demande(asso, author=author, status="en_instruction", agent=agent),
        "done": add_demande(asso, author=author, status="acceptee"),
    }


def _bulk(client, mode, action, demandes, confirm=False, **extra):
    url = "/instruction/demandes/actions" + ("/confirmer" if confirm else "")
    data = {"action": action, "demande": [str(d.id) for d in demandes], "retour": f"{LIST}?statut=transmise&apres=abc", **extra}
    return client.post(url, data=data, headers=mode.headers)


def test_passer_en_instruction_confirms_counts_then_applies(selection, client, agent, mode):
    chosen = [selection["t1"], selection["t2"], selection["done"]]
    body = mode.assert_page(_bulk(client, mode, "instruire", chosen))
    text = page_text(body)
    assert "Confirmer : Passer en instruction" in text
    assert "Cette action concerne 2 demandes sur 3 sélectionnées ; 1 est ignorée." in text
    assert f"{selection['done'].reference} : son statut « Acceptée » ne le permet pas" in text
    assert "Passer 2 demandes en instruction" in body
    assert db.session.get(Demande, selection["t1"].id).status == "transmise"  # nothing yet
    for d in chosen:
        assert f'name="demande" value="{d.id}"' in body

    response = _bulk(client, mode, "instruire", chosen, confirm=True)
    location = mode.assert_redirect(response, LIST)
    assert parse_qs(urlsplit(location).query) == {"statut": ["transmise"]}  # the filters, not the page
    db.session.expire_all()
    for key in ("t1", "t2"):
        demande = db.session.get(Demande, selection[key].id)
        assert demande.status == "en_instruction" and demande.assigned_agent_id == agent.id
    assert db.session.get(Demande, selection["done"].id).status == "acceptee"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "demande.en_instruction")).all()
    assert len(events) == 2
    assert len(outbox("auteur@exemple.fr", "en cours d'instruction")) == 2
    text = page_text(client.get(location).get_data(as_text=True))
    assert f"2 demandes sont passées en instruction : {selection['t1'].reference}, {selection['t2'].reference}." in text
    assert f"Non traitée (1) : {selection['done'].reference} : son statut « Acceptée » ne le permet pas." in text


def test_m_attribuer_and_attribuer_a(selection, client, agent, mode):
    other = make_agent("autre.agent")
    chosen = [selection["t1"], selection["inst"], selection["done"]]
    body = mode.assert_page(_bulk(client, mode, "moi", chosen))
    text = page_text(body)
    assert "Cette action concerne 1 demande sur 3 sélectionnées ; 2 sont ignorées." in text
    assert "elle est déjà attribuée à cet agent" in text and "« Acceptée » ne le permet pas" in text
    mode.assert_redirect(_bulk(client, mode, "moi", chosen, confirm=True), LIST)
    db.session.expire_all()
    assert db.session.get(Demande, selection["t1"].id).assigned_agent_id == agent.id

    body = mode.assert_page(_bulk(client, mode, "attribuer", chosen, agent_id=str(other.id)))
    assert "Confirmer : Attribuer à Région Agent" in page_text(body)
    assert "Attribuer 2 demandes à Région Agent" in body
    mode.assert_redirect(_bulk(client, mode, "attribuer", chosen, confirm=True, agent_id=str(other.id)), LIST)
    db.session.expire_all()
    assert db.session.get(Demande, selection["t1"].id).assigned_agent_id == other.id
    assert db.session.get(Demande, selection["inst"].id).assigned_agent_id == other.id
    assert db.session.get(Demande, selection["done"].id).assigned_agent_id is None
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "demande.attribuee")).all()) == 3


def test_nothing_applicable_offers_no_confirmation(selection, client, mode):
    body = mode.assert_page(_bulk(client, mode, "instruire", [selection["done"], selection["inst"]]))
    assert "Aucune des 2 demandes sélectionnées n'est concernée par cette action." in page_text(body)
    form = re.search(r'<form method="post" action="/instruction/demandes/actions/confirmer".*?</form>', body, re.S).group(0)
    assert "<button" not in form and "Annuler et revenir à la liste" in form


BULK_ERRORS = [
    ({"action": "instruire"}, "demande", "Sélectionnez au moins une demande"),
    ({"action": "attribuer", "agent_id": ""}, "agent_id", "Choisissez l'agent à qui attribuer les demandes"),
    ({"action": "attribuer", "agent_id": "999999"}, "agent_id", "Choisissez l'agent à qui attribuer les demandes"),
    ({"action": "supprimer"}, None, "Choisissez une action"),
]


@pytest.mark.parametrize(("data", "field", "message"), BULK_ERRORS)
@pytest.mark.parametrize("confirm", [False, True], ids=["preview", "apply"])
def test_bulk_errors_show_the_list_again_at_422(selection, client, mode, data, field, message, confirm):
    payload = {"retour": f"{LIST}?statut=transmise", **data}
    if field != "demande":
        payload["demande"] = [str(selection["t1"].id)]
    url = "/instruction/demandes/actions" + ("/confirmer" if confirm else "")
    body = html.unescape(mode.assert_invalid(client.post(url, data=payload, headers=mode.headers)))
    assert message in body
    if field:
        assert f'href="#{field}"' in body and f'id="{field}"' in body
    # The list the agent came from, with its filter.
    assert set(ids_in(body)) == {selection["t1"].id, selection["t2"].id}
    assert '<option value="transmise" selected>' in body
    db.session.expire_all()
    assert db.session.get(Demande, selection["t1"].id).status == "transmise"


def test_apply_checks_again_what_changed_since_the_confirmation(selection, client, mode):
    chosen = [selection["t1"], selection["t2"]]
    mode.assert_page(_bulk(client, mode, "instruire", chosen))
    selection["t2"].status = DemandeStatus.CLASSEE_SANS_SUITE  # another agent, meanwhile
    db.session.commit()
    mode.assert_redirect(_bulk(client, mode, "instruire", chosen, confirm=True), LIST)
    body = page_text(client.get(LIST).get_data(as_text=True))
    assert f"1 demande est passée en instruction : {selection['t1'].reference}." in body
    assert f"{selection['t2'].reference} : son statut « Classée sans suite » ne le permet pas" in body


def test_a_demande_still_with_the_applicant_cannot_be_touched(selection, client, mode):
    draft = add_demande(association("Autre", siret="12345678901234"), status="deposee")
    body = mode.assert_page(_bulk(client, mode, "instruire", [draft, selection["t1"]]))
    assert "1 demande introuvable dans la liste" in page_text(body)
    mode.assert_redirect(_bulk(client, mode, "instruire", [draft], confirm=True), LIST)
    db.session.expire_all()
    assert db.session.get(Demande, draft.id).status == "deposee"


def test_the_return_address_is_only_the_list(selection, client):
    response = client.post("/instruction/demandes/actions/confirmer", data={
        "action": "moi", "demande": [str(selection["t1"].id)], "retour": "https://ailleurs.example/instruction/demandes?x=1"})
    assert response.headers["Location"] == LIST


def test_the_list_page_has_a_checkbox_per_row_in_a_post_form(selection, client):
    body = client.get(LIST).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/instruction/demandes/actions".*?</form>', body, re.S).group(0)
    for demande in selection.values():
        if demande.status in ("transmise", "en_instruction", "acceptee"):
            assert f'value="{demande.id}"' in form
            assert f"Sélectionner {demande.reference}" in form
    for name in ("M'attribuer", "Passer en instruction", "Attribuer"):
        assert f">{name}</button>" in html.unescape(form)
    assert 'name="csrf_token"' in form and 'name="retour" value="/instruction/demandes"' in form


# Exports --------------------------------------------------------------------------


TRICKY = 'Projet « été » ; "guillemets"\nsur deux lignes'


@pytest.fixture
def exportable(app, agent):
    asso = association("Amicale ; des « Élèves »", siret="33333333333333")
    return [
        add_demande(asso, intitule=TRICKY, montant="1234.5", agent=agent, transmitted_at=datetime(2026, 9, 15, 22, 30, tzinfo=UTC)),
        add_demande(asso, intitule="=SOMME(A1:A9)", status="acceptee", montant=None, transmitted_at=datetime(2026, 9, 1, 8, tzinfo=UTC)),
        add_demande(asso, intitule="Brouillon", status="brouillon"),
    ]


def test_csv_export_parses_back(exportable, client):
    first, formula, _ = exportable
    response = client.get(f"{LIST}/export.csv?tri=reference&ordre=asc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.now(backoffice_list.PARIS).date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="demandes-{today}.csv"'
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["Référence", "Code du téléservice", "Téléservice", "Structure ou demandeur", "SIRET", "Famille de tiers",
                       "Intitulé", "Montant demandé (€)", "Statut", "Agent attribué", "Date de transmission"]
    assert len(rows) == 3  # the brouillon is not the back office's
    by_reference = {row[0]: row for row in rows[1:]}
    row = by_reference[first.reference]
    assert row == [first.reference, "SPRO", "Service Public Régional de l'Orientation", "Amicale ; des « Élèves »",
                   "33333333333333", "Association", TRICKY, "1234,50", "Transmise à la Région", "Région Agent", "16/09/2026 00:30"]
    # A value a spreadsheet would run as a formula is written as text.
    assert by_reference[formula.reference][6] == "'=SOMME(A1:A9)" and by_reference[formula.reference][7] == ""
    assert [r[0] for r in rows[1:]] == sorted(by_reference)


def test_csv_export_applies_every_filter(exportable, client):
    first, formula, _ = exportable
    rows = list(csv.reader(io.StringIO(client.get(f"{LIST}/export.csv?statut=acceptee&q=amicale").get_data().decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [formula.reference]
    rows = list(csv.reader(io.StringIO(client.get(f"{LIST}/export.csv?du=10/09/2026").get_data().decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [first.reference]


def test_csv_export_is_streamed(exportable, client):
    response = client.get(f"{LIST}/export.csv", buffered=False)
    assert response.is_streamed
    chunks = list(response.iter_encoded())
    response.close()
    assert chunks[0].startswith("\ufeffRéférence".encode())


def test_csv_export_of_many_rows_comes_in_batches(app, client):
    asso = association()
    for _ in range(1201):
        db.session.add(Demande(reference=None, teleservice_version_id=current_version_id("SPRO"),
                               structure_id=asso.id, status="transmise", answers={}, transmitted_at=datetime(2026, 9, 1, tzinfo=UTC)))
    db.session.flush()
    for i, demande in enumerate(db.session.scalars(select(Demande).where(Demande.reference.is_(None)))):
        demande.reference = f"SPRO-2026-{i + 1:06d}"
    db.session.commit()
    response = client.get(f"{LIST}/export.csv", buffered=False)
    chunks = list(response.iter_encoded())
    response.close()
    assert len(chunks) == 1 + 3  # headers, then 500 + 500 + 201 rows
    assert b"".join(chunks).count(b"\r\n") == 1202


def test_xlsx_export_parses_back(exportable, client):
    first, formula, _ = exportable
    response = client.get(f"{LIST}/export.xlsx?tri=reference&ordre=asc")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = datetime.now(backoffice_list.PARIS).date().isoformat()
    assert f'filename=demandes-{today}.xlsx' in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Demandes"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence" and rows[0][7] == "Montant demandé (€)" and len(rows) == 3
    by_reference = {row[0]: row for row in rows[1:]}
    row = by_reference[first.reference]
    assert row[3] == "Amicale ; des « Élèves »" and row[6] == TRICKY
    assert float(row[7]) == 1234.5 and row[10] == datetime(2026, 9, 16, 0, 30)
    formula_row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == formula.reference)
    assert formula_row[6].value == "=SOMME(A1:A9)" and formula_row[6].data_type == "s"
    assert formula_row[7].value is None


def test_export_with_a_bad_date_goes_back_to_the_list(exportable, client):
    response = client.get(f"{LIST}/export.csv?du=32/13/2026&q=x")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{LIST}?du=32/13/2026&q=x"


def test_no_demande_says_so(app, client, mode):
    body = mode.assert_page(mode.get(client, LIST))
    assert "0 demande." in body and "Aucune demande." in body and "<table" not in body
    body = mode.assert_page(mode.get(client, f"{LIST}?q=rien"))
    assert "Aucune demande ne correspond aux filtres." in body
