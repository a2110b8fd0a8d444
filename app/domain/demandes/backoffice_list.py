"""The back office's list of demandes (« Demandes »): filters, sorts and
keyset pages, for the list page, its bulk actions and its exports.

One query reads a page's rows, joining the téléservice, the structure, the
assigned agent and the author (no query per row); it selects columns, never
the large JSON ones (answers, definitions). The count is a second query,
without joins (a filter on another table is a sub-select), answered from
indexes alone.

Pages are keyset pages: a page starts after (or ends before) the sort key of
a row, carried by an opaque cursor, so a deep page costs what the first one
does. Every sort ends with a unique column (the reference, or the id) and
runs in one direction, so its key is compared as a row value,
``(key, id) > (:key, :id)``, which SQLite and PostgreSQL both read from an
index (migration 0007_list_indexes adds those the sorts and counts need). A
key that may be missing (the amount asked, the structure of a particulier's
demande) is a second segment after the rows that have one (« missing last »
in both directions, the same on both databases): the page that reaches it
takes one more query.

Which index leads a page depends on how many rows the filters keep, which
the count has just said: many, and the page is read along the sort's index
(the filters only check the rows met, and 25 are soon found); few, and the
filters' indexes lead, the rows found being sorted (see ``conditions``).

Pure query code: no Flask request objects (the views parse the URL).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Account, Demande, DemandeStatus, FamilleTiers, Structure, Teleservice, TeleserviceVersion
from app.models.lifecycle import BACK_OFFICE_STATUSES
from app.models.types import utcnow

PARIS = ZoneInfo("Europe/Paris")
PAGE_SIZE = 25
# Up to this many rows kept by the filters, they lead the plan (the rows
# found are then sorted); above, the sort's index does (see ``conditions``).
FEW = 2000
UNASSIGNED = "aucun"  # the « agent » filter's value for « Non attribuées »


@dataclass(frozen=True)
class Filters:
    """What the agent asked for; ``None`` everywhere is every demande listed."""

    teleservice: str | None = None  # code
    statut: str | None = None
    structure_id: int | None = None
    famille: str | None = None
    agent: int | str | None = None  # an agent's id, or UNASSIGNED
    du: date | None = None  # transmitted on or after (Paris time)
    au: date | None = None  # transmitted on or before
    q: str | None = None  # a reference (or its beginning), a raison sociale, a SIRET
    inchangee: int | None = None  # no change of any kind for more than this many days


def unchanged_for_more_than(days: int) -> ColumnElement:
    """Demandes not changed for more than ``days`` days — no action of the
    council (status, assignment), no change by the applicant; messages and
    internal notes do not count, they leave ``updated_at`` as it was — for
    the list's filter and the dashboard's « en attente » figures, so that
    both count the same demandes."""
    return Demande.updated_at < utcnow() - timedelta(days=days)


# The author of a particulier's demande and the assigned agent, in the same query.
Agent = aliased(Account, name="agent")
Author = aliased(Account, name="author")

ROW_COLUMNS = (
    Demande.id,
    Demande.reference,
    Demande.intitule,
    Demande.montant_demande,
    Demande.status,
    Demande.transmitted_at,
    Demande.structure_id,
    Demande.assigned_agent_id,
    Teleservice.code.label("teleservice_code"),
    Structure.raison_sociale,
    Structure.raison_sociale_key,
    Structure.famille,
    Structure.siret,
    Agent.prenom.label("agent_prenom"),
    Agent.nom.label("agent_nom"),
    Author.prenom.label("author_prenom"),
    Author.nom.label("author_nom"),
)


@dataclass(frozen=True)
class ListRow:
    """One line of the list (or of an export)."""

    id: int
    reference: str
    intitule: str | None
    montant_demande: Decimal | None
    status: str
    transmitted_at: datetime | None
    structure_id: int | None
    assigned_agent_id: int | None
    teleservice_code: str
    raison_sociale: str | None
    raison_sociale_key: str | None
    famille: str | None
    siret: str | None
    agent_prenom: str | None
    agent_nom: str | None
    author_prenom: str | None
    author_nom: str | None

    @property
    def lifecycle(self):
        return DemandeStatus(self.status).rules

    @property
    def status_label(self) -> str:
        return self.lifecycle.label

    @property
    def famille_label(self) -> str:
        """A demande without structure is a particulier's."""
        return FamilleTiers(self.famille or FamilleTiers.PARTICULIER).label

    @property
    def demandeur(self) -> str:
        """The structure, or the particulier who filed the demande."""
        if self.raison_sociale:
            return self.raison_sociale
        return " ".join(p for p in (self.author_prenom, self.author_nom) if p)

    @property
    def agent_name(self) -> str:
        return " ".join(p for p in (self.agent_prenom, self.agent_nom) if p)


def rows_query(with_structure: bool = False) -> Select:
    """Every listed column, joined in one statement (no filter, no order).
    ``with_structure``: only the demandes of a structure, by an inner join
    (which a planner may start from, e.g. to read structures in name order)."""
    query = (
        select(*ROW_COLUMNS)
        .select_from(Demande)
        .join(TeleserviceVersion, TeleserviceVersion.id == Demande.teleservice_version_id)
        .join(Teleservice, Teleservice.id == TeleserviceVersion.teleservice_id)
    )
    if with_structure:
        query = query.join(Structure, Structure.id == Demande.structure_id)
    else:
        query = query.outerjoin(Structure, Structure.id == Demande.structure_id)
    return query.outerjoin(Agent, Agent.id == Demande.assigned_agent_id).outerjoin(Author, Author.id == Demande.author_id)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _prefix_range(column, prefix: str) -> ColumnElement:
    """``column`` starts with ``prefix``, as a range an index can answer
    (LIKE 'X%' cannot use a plain index on SQLite)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PARIS)


def search_condition(q: str, column=lambda c: c) -> ColumnElement | None:
    """A reference or its beginning (« TRAJ-2026-0001 »), or part of a
    raison sociale, or the beginning of a SIRET: the ids of the demandes
    found each way (each through its index), so that the search can lead
    the plan on both databases (an OR of the two would not)."""
    text = " ".join(q.split())
    if not text:
        return None
    named = Structure.raison_sociale_key.like(_like_pattern(text.casefold()), escape="\\")
    digits = "".join(text.split())
    if digits.isdigit():
        named = or_(named, _prefix_range(Structure.siret, digits))
    by_reference = select(Demande.id).where(_prefix_range(Demande.reference, text.upper()))
    by_structure = select(Demande.id).where(Demande.structure_id.in_(select(Structure.id).where(named)))
    return column(Demande.id).in_(union_all(by_reference, by_structure))


def _unindexed(column):
    """``column`` inside an expression that no index answers (``id + 0``,
    ``status || ''``): the condition still filters, but cannot lead the plan."""
    return column.concat("") if isinstance(column.type, String) else column + 0


def conditions(filters: Filters, ordered: bool = False) -> list[ColumnElement]:
    """The WHERE clause of ``filters``, on ``demande`` alone (other tables
    through sub-selects, so the count needs no join).

    ``ordered``: the filters keep many rows, so the page is best read along
    the sort's index, stopping after 25 rows kept. SQLite, whose planner
    knows only average statistics (migration 0007), would still let an
    index on a filter lead and sort every row it finds (all the demandes
    « non attribuées »…): on SQLite the conditions on status, téléservice,
    structure, famille, agent and the search are then written so that no
    index answers them. PostgreSQL weighs the LIMIT with its own statistics
    and gets the conditions as they are (an expression would only blur its
    estimates). Dates stay free either way: a range is weighed well."""
    column = _unindexed if ordered and db.session.get_bind().dialect.name == "sqlite" else (lambda c: c)
    status, version, structure, agent = (
        column(Demande.status), column(Demande.teleservice_version_id), column(Demande.structure_id), column(Demande.assigned_agent_id)
    )
    where: list[ColumnElement] = []
    if filters.statut in BACK_OFFICE_STATUSES:
        where.append(status == filters.statut)
    else:
        where.append(status.in_([s.value for s in BACK_OFFICE_STATUSES]))
    if filters.teleservice:
        versions = select(TeleserviceVersion.id).join(Teleservice).where(Teleservice.code == filters.teleservice)
        where.append(version.in_(versions))
    if filters.structure_id is not None:
        where.append(structure == filters.structure_id)
    if filters.famille:
        of_famille = structure.in_(select(Structure.id).where(Structure.famille == filters.famille))
        if filters.famille == FamilleTiers.PARTICULIER:
            of_famille = or_(structure.is_(None), of_famille)
        where.append(of_famille)
    if filters.agent == UNASSIGNED:
        where.append(agent.is_(None))
    elif filters.agent is not None:
        where.append(agent == filters.agent)
    if filters.du:
        where.append(Demande.transmitted_at >= paris_midnight(filters.du))
    if filters.au:
        where.append(Demande.transmitted_at < paris_midnight(filters.au + timedelta(days=1)))
    if filters.inchangee:
        where.append(unchanged_for_more_than(filters.inchangee))
    if filters.q and (condition := search_condition(filters.q, column)) is not None:
        where.append(condition)
    return where


def count(filters: Filters) -> int:
    return db.session.scalar(select(func.count()).select_from(Demande).where(*conditions(filters)))


# Sorts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One column of a sort key: how to read it from a row and from a cursor;
    ``missing``: the column of ``demande`` that is NULL when the key is
    missing (the key's own column by default)."""

    column: Any
    attribute: str
    decode: Callable[[Any], Any]
    missing: Any = None


def _decimal(value) -> Decimal:
    return Decimal(str(value))


ID = Key(Demande.id, "id", int)
REFERENCE = Key(Demande.reference, "reference", str)
TRANSMITTED = Key(Demande.transmitted_at, "transmitted_at", datetime.fromisoformat)
STATUS = Key(Demande.status, "status", str)
MONTANT = Key(Demande.montant_demande, "montant_demande", _decimal)
STRUCTURE = Key(Structure.raison_sociale_key, "raison_sociale_key", str, missing=Demande.structure_id)


@dataclass(frozen=True)
class SortSpec:
    label: str
    keys: tuple[Key, ...]
    nullable: bool = False  # the first key may be missing: a second segment of rows
    bounded: bool = True  # rows without the first key are left out (``key IS NOT NULL``: drafts, outside the list)

    def segments(self) -> list[tuple[Key, ...]]:
        """The keys of each segment, in list order; rows whose first key is
        missing come after the others, sorted by id."""
        return [self.keys, (ID,)] if self.nullable else [self.keys]


# Every listed demande has a reference (given when filed) and a transmission
# date (the list is of transmitted demandes); ``key IS NOT NULL`` only lets
# the index skip the drafts. An amount or a structure may be missing: those
# rows come last.
SORTS = {
    "transmission": SortSpec("Date de transmission", (TRANSMITTED, ID)),
    "reference": SortSpec("Référence", (REFERENCE,)),  # unique: no tie to break
    "statut": SortSpec("Statut", (STATUS, TRANSMITTED, ID), bounded=False),
    "montant": SortSpec("Montant demandé", (MONTANT, ID), nullable=True),
    "structure": SortSpec("Structure", (STRUCTURE, ID), nullable=True),
}
DEFAULT_SORT = "transmission"


@dataclass(frozen=True)
class Sort:
    name: str = DEFAULT_SORT
    descending: bool = True

    @property
    def spec(self) -> SortSpec:
        return SORTS[self.name]


# Cursors ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted list: the key of one row and the segment it is in."""

    sort: Sort
    segment: int
    values: tuple

    def encode(self) -> str:
        def plain(value):
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            return value

        data = [self.sort.name, int(self.sort.descending), self.segment, [plain(v) for v in self.values]]
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str | None, sort: Sort) -> Cursor | None:
        """The cursor ``token`` carries, if it is one of ``sort`` (a cursor
        from another sort, or garbage, is ignored: the first page)."""
        if not token or len(token) > 1000:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            name, descending, segment, values = json.loads(raw)
            segments = sort.spec.segments()
            if name != sort.name or bool(descending) != sort.descending or segment not in range(len(segments)):
                return None
            keys = segments[segment]
            if len(values) != len(keys) or any(v is None for v in values):
                return None
            decoded = tuple(key.decode(value) for key, value in zip(keys, values, strict=True))
            if any(isinstance(v, datetime) and v.tzinfo is None for v in decoded):
                return None
        except (ValueError, TypeError, IndexError, InvalidOperation, binascii.Error, UnicodeDecodeError):
            return None
        return cls(sort, segment, decoded)

    @classmethod
    def of_row(cls, row: ListRow, sort: Sort) -> Cursor:
        segments = sort.spec.segments()
        segment = 1 if sort.spec.nullable and getattr(row, sort.spec.keys[0].attribute) is None else 0
        return cls(sort, segment, tuple(getattr(row, key.attribute) for key in segments[segment]))


def _compare(keys: tuple[Key, ...], values: tuple, greater: bool) -> ColumnElement:
    """``(k1, k2…) > (v1, v2…)`` (or <): a range of the sort's index. When
    the key spans two tables (the structure's name, then the demande's id),
    ``k1 >= v1`` too: the range of the structures' index to start from."""
    columns = [key.column for key in keys]
    bound = [literal(value, type_=key.column.type) for key, value in zip(keys, values, strict=True)]
    if len(columns) == 1:
        return columns[0] > bound[0] if greater else columns[0] < bound[0]
    row = tuple_(*columns) > tuple_(*bound) if greater else tuple_(*columns) < tuple_(*bound)
    if columns[0].table is Demande.__table__:
        return row
    return and_(columns[0] >= bound[0] if greater else columns[0] <= bound[0], row)


def _segment_query(where: list, sort: Sort, segment: int, after: tuple | None, forward: bool, limit: int | None) -> Select:
    """The rows of one segment, in list order when ``forward`` (else in
    reverse), after (or before) the key ``after`` when given.

    With a ``limit`` (a page), the page's ids are chosen first, from
    ``demande`` alone (and ``structure`` for its sort), then joined to the
    rest: the planner has no join order to weigh while it walks the index,
    so a poor estimate (PostgreSQL's, of a row comparison) cannot turn the
    walk into a join and a sort of every row. Without (an export), one
    statement read as it comes."""
    spec = sort.spec
    keys = spec.segments()[segment]
    ascending = (not sort.descending) == forward
    with_structure = spec.keys[0] is STRUCTURE and segment == 0
    where = list(where)
    first = spec.keys[0].column
    if segment == 1:
        # « Missing » through a function: an index on the key must not lead
        # the few rows without one (it would read every draft first).
        missing = spec.keys[0].missing if spec.keys[0].missing is not None else first
        where.append(func.coalesce(missing, missing).is_(None))
    elif spec.bounded:
        where.append(first.is_not(None))
    if after is not None:
        where.append(_compare(keys, after, greater=ascending))
    order = [key.column.asc() if ascending else key.column.desc() for key in keys]
    if limit is None:
        return rows_query(with_structure).where(*where).order_by(*order)
    ids = select(Demande.id)
    if with_structure:
        ids = ids.join(Structure, Structure.id == Demande.structure_id)
    chosen = ids.where(*where).order_by(*order).limit(limit).subquery("page")
    return rows_query(with_structure).join(chosen, chosen.c.id == Demande.id).order_by(*order)


def _fetch(where: list, sort: Sort, cursor: Cursor | None, forward: bool, limit: int) -> list[ListRow]:
    """Up to ``limit`` rows after (forward) or before the cursor, walking
    the segments in order; returned in the walking order."""
    segments = range(len(sort.spec.segments()))
    if forward:
        walk = [s for s in segments if cursor is None or s >= cursor.segment]
    else:
        walk = [s for s in reversed(segments) if cursor is None or s <= cursor.segment]
    rows: list[ListRow] = []
    for segment in walk:
        after = cursor.values if cursor is not None and segment == cursor.segment else None
        query = _segment_query(where, sort, segment, after, forward, limit - len(rows))
        rows.extend(ListRow(**row._mapping) for row in db.session.execute(query))
        if len(rows) >= limit:
            break
    return rows


@dataclass
class Page:
    rows: list[ListRow]
    total: int
    next_cursor: str | None = None
    previous_cursor: str | None = None
    first: bool = True


def page(filters: Filters, sort: Sort, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE) -> Page:
    """The page after the cursor ``after`` (« Page suivante »), before
    ``before`` (« Page précédente »), or the first one."""
    total = count(filters)
    where = conditions(filters, ordered=total > FEW)
    backward = Cursor.decode(before, sort)
    forward = Cursor.decode(after, sort) if backward is None else None
    if backward is not None:
        rows = _fetch(where, sort, backward, forward=False, limit=size + 1)
        if len(rows) < size + 1:
            # Nothing (or not a whole page) before: that is the first page.
            return page(filters, sort, size=size)
        rows = list(reversed(rows[:size]))
        has_next, has_previous = True, True
    else:
        rows = _fetch(where, sort, forward, forward=True, limit=size + 1)
        has_next, has_previous = len(rows) > size, forward is not None
        rows = rows[:size]
    result = Page(rows, total, first=not has_previous)
    if rows and has_next:
        result.next_cursor = Cursor.of_row(rows[-1], sort).encode()
    if rows and has_previous:
        result.previous_cursor = Cursor.of_row(rows[0], sort).encode()
    return result


def iter_rows(filters: Filters, sort: Sort, batch: int = 1000) -> Iterator[ListRow]:
    """Every row of the filtered list, in list order, read from the database
    in batches (server-side cursor on PostgreSQL): memory stays flat."""
    where = conditions(filters, ordered=count(filters) > FEW)
    for segment in range(len(sort.spec.segments())):
        query = _segment_query(where, sort, segment, None, True, None).execution_options(yield_per=batch)
        for row in db.session.execute(query):
            yield ListRow(**row._mapping)


# Choices for the filters --------------------------------------------------------


def teleservice_titles() -> dict[str, str]:
    """{code: title of its newest version}, for the filter and the column."""
    newest = select(TeleserviceVersion.teleservice_id, func.max(TeleserviceVersion.number).label("number")).group_by(
        TeleserviceVersion.teleservice_id
    ).subquery()
    query = (
        select(Teleservice.code, TeleserviceVersion.definition_json["titre"].as_string())
        .join(TeleserviceVersion, TeleserviceVersion.teleservice_id == Teleservice.id)
        .join(newest, and_(newest.c.teleservice_id == Teleservice.id, newest.c.number == TeleserviceVersion.number))
        .order_by(Teleservice.code)
    )
    return {code: title or code for code, title in db.session.execute(query)}


def demandes_by_ids(ids: list[int]) -> list[Demande]:
    """The listed demandes among ``ids`` (others are not the back office's), by reference."""
    if not ids:
        return []
    query = select(Demande).where(Demande.id.in_(ids), *conditions(Filters())).order_by(Demande.reference)
    return list(db.session.scalars(query))

