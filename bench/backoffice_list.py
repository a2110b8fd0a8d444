"""Benchmark of the back office's « Demandes » list at a Région's scale.

Seeds 100 000 demandes and 5 000 structures (bulk inserts, not the domain
operations; the téléservices and their versions through the real loader)
into a fresh database, migrated with Alembic, then times every query shape
of the list — through the query layer and through the Flask test client
(the whole page: login check, filters, count, rows, rendering) — and prints
p50 / p95 over N runs with the number of SQL queries per page; then the
CSV export of every row (time, and Python's peak memory with tracemalloc)
and the XLSX export.

    .venv/bin/python -m bench.backoffice_list                       # SQLite file under /tmp
    .venv/bin/python -m bench.backoffice_list --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

On PostgreSQL everything happens in a schema of its own, created here and
dropped at the end (the database is left as it was found); the SQLite file
is deleted at the end unless ``--keep``. Not a test: it stops by itself
after a bounded number of runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.domain import agents  # noqa: E402
from app.domain.base import SYSTEM  # noqa: E402
from app.domain.demandes import backoffice_list  # noqa: E402
from app.domain.demandes.backoffice_list import Cursor, Filters, Sort  # noqa: E402
from app.domain.passwords import hash_password  # noqa: E402
from app.domain.teleservices import DEFINITIONS_DIR, load_definitions  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Account,
    AgentRole,
    Demande,
    DemandeStatus,
    Message,
    Side,
    Structure,
    Teleservice,
    TeleserviceVersion,
    Thread,
    ThreadRead,
)

PASSWORD = "Bench-Portail-2026!"
DEFAULT_SQLITE = "sqlite:////tmp/portail-bench-backoffice.db"

# How demandes are spread over the lifecycle (a few years of a Région).
STATUS_WEIGHTS = {
    DemandeStatus.BROUILLON: 8,
    DemandeStatus.DEPOSEE: 4,
    DemandeStatus.TRANSMISE: 12,
    DemandeStatus.EN_INSTRUCTION: 18,
    DemandeStatus.COMPLEMENTS_DEMANDES: 5,
    DemandeStatus.ACCEPTEE: 35,
    DemandeStatus.REFUSEE: 12,
    DemandeStatus.CLASSEE_SANS_SUITE: 6,
}
FAMILLE_WEIGHTS = {
    "association": 50, "entreprise": 18, "collectivite": 10, "lycee_public": 10, "lycee_prive": 7, "etablissement_public": 5,
}
TELESERVICES_BY_FAMILLE = {"lycee_public": ["TRAJ"], "lycee_prive": ["TRAJ"]}
OTHER_TELESERVICES = ["SPRO", "PVILLE"]

WORDS_ORG = ["Association", "Comité", "Union", "Fédération", "Maison", "Centre", "Foyer", "Collectif", "Société", "Atelier"]
WORDS_NAME = [
    "des Jeunes", "Sportive", "Culturelle", "du Quartier", "de l'Entraide", "des Métiers", "Solidaire", "Numérique",
    "des Arts", "de la Mer", "Rurale", "d'Éducation Populaire", "des Familles", "Occitane", "du Patrimoine",
]
COMMUNES = [
    ("Toulouse", "31000"), ("Montpellier", "34000"), ("Nîmes", "30000"), ("Perpignan", "66000"), ("Béziers", "34500"),
    ("Montauban", "82000"), ("Narbonne", "11100"), ("Albi", "81000"), ("Carcassonne", "11000"), ("Castres", "81100"),
    ("Rodez", "12000"), ("Tarbes", "65000"), ("Auch", "32000"), ("Cahors", "46000"), ("Foix", "09000"), ("Mende", "48000"),
]
INTITULES = [
    "Découvrir les métiers de la mer", "Atelier d'orientation", "Forum des métiers", "Rencontres professionnelles",
    "Stage de découverte", "Fête du quartier", "Accompagnement scolaire", "Chantier jeunes", "Festival des sciences",
    "Résidence d'artistes", "Parcours citoyen", "Tremplin emploi",
]
LYCEE_NAMES = ["Lycée Jean-Jaurès", "Lycée Pierre-de-Fermat", "Lycée Saint-Exupéry", "Lycée Joffre", "Lycée Champollion", "Lycée Déodat-de-Séverac"]


# Database set-up ----------------------------------------------------------------


@contextmanager
def bench_database(url: str, keep: bool):
    """A fresh database: a schema of its own on PostgreSQL, a new file on SQLite."""
    if url.startswith("postgresql"):
        schema = f"bench_backoffice_{os.getpid()}"
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in url else "?"
        try:
            yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
        finally:
            if keep:
                print(f"Schéma {schema} gardé (--keep) : DROP SCHEMA {schema} CASCADE pour le supprimer.")
            else:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                print(f"Schéma {schema} supprimé.")
            admin.dispose()
    else:
        path = Path(sa.engine.make_url(url).database)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        try:
            yield url
        finally:
            if not keep:
                path.unlink(missing_ok=True)


def make_bench_app(url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "PORTAIL_ENV": "production",
            "PUBLIC_URL": "http://localhost",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
        }
    )


# Seeding ------------------------------------------------------------------------


def load_teleservice_versions() -> None:
    """The three shipped téléservices through the real loader, then changed
    definitions loaded twice more: each gets three versions."""
    load_definitions()
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in (2, 3):
            for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                data["description"] = f"{data['description']}\n\n(Version {round_} de la définition.)"
                (Path(tmp) / path.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            load_definitions(tmp)


def _batches(rows, size=5000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed_messages(rng: random.Random, agent_ids: list[int], now: datetime) -> int:
    """Fils de discussion on a third of the transmitted demandes (1 to 6
    messages each, both sides), some read by the bench's agent, so that the
    list's unread counts run on a realistic message table."""
    listed = db.session.execute(
        select(Demande.id, Demande.author_id, Demande.transmitted_at).where(Demande.transmitted_at.is_not(None))
    ).all()
    chosen = [row for row in listed if rng.random() < 0.33]
    for batch in _batches([{"demande_id": d.id, "created_at": d.transmitted_at} for d in chosen]):
        db.session.execute(insert(Thread.__table__), batch)
    threads = {demande_id: thread_id for demande_id, thread_id in db.session.execute(select(Thread.demande_id, Thread.id))}
    message_rows = []
    for demande in chosen:
        for n in range(rng.randint(1, 6)):
            council = rng.random() < 0.4
            message_rows.append({
                "thread_id": threads[demande.id], "author_id": rng.choice(agent_ids) if council else demande.author_id,
                "side": (Side.COUNCIL if council else Side.APPLICANT).value, "body": f"Message {n} au sujet de la demande.",
                "created_at": min(now, demande.transmitted_at + timedelta(days=n + 1)),
            })
    for batch in _batches(message_rows):
        db.session.execute(insert(Message.__table__), batch)
    newest = db.session.execute(select(Message.thread_id, func.max(Message.id)).group_by(Message.thread_id)).all()
    read_rows = [{"thread_id": thread_id, "account_id": agent_ids[0], "last_read_message_id": last}
                 for thread_id, last in newest if rng.random() < 0.5]  # the bench's agent read half of them
    for batch in _batches(read_rows):
        db.session.execute(insert(ThreadRead.__table__), batch)
    return len(message_rows)


def seed(n_demandes: int, n_structures: int, rng: random.Random) -> dict:
    """Bulk inserts; returns what the query shapes need (ids, a reference…)."""
    started = time.perf_counter()
    load_teleservice_versions()
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    password_hash = hash_password(PASSWORD)

    bench_agent = agents.create_agent(
        SYSTEM, identifiant="bench.agent", email="bench.agent@region.example", role=AgentRole.INSTRUCTEUR,
        password=PASSWORD, nom="Banc", prenom="Agent",
    )
    db.session.commit()

    def account(i, identifiant, agent_role=None):
        return {
            "identifiant": identifiant, "identifiant_key": identifiant.casefold(), "password_hash": password_hash,
            "civilite": "madame", "nom": f"Nom{i}", "prenom": f"Prénom{i}", "email": f"{identifiant}@exemple.fr",
            "status": "active", "agent_role": agent_role, "session_nonce": f"n{i}", "created_at": now, "activated_at": now,
        }

    agent_rows = [account(i, f"agent{i}", AgentRole.INSTRUCTEUR.value) for i in range(40)]
    usager_rows = [account(1000 + i, f"usager{i}") for i in range(n_structures + 1000)]
    for batch in _batches(agent_rows + usager_rows):
        db.session.execute(insert(Account.__table__), batch)
    agent_ids = [bench_agent.id, *db.session.scalars(select(Account.id).where(Account.agent_role.is_not(None), Account.id != bench_agent.id))]
    usager_ids = list(db.session.scalars(select(Account.id).where(Account.agent_role.is_(None)).order_by(Account.id)))

    familles = rng.choices(list(FAMILLE_WEIGHTS), weights=list(FAMILLE_WEIGHTS.values()), k=n_structures)
    structure_rows = []
    for i, famille in enumerate(familles):
        commune, code_postal = COMMUNES[i % len(COMMUNES)]
        if famille.startswith("lycee"):
            name = f"{rng.choice(LYCEE_NAMES)} {commune} {i}"
        else:
            name = f"{rng.choice(WORDS_ORG)} {rng.choice(WORDS_NAME)} de {commune} {i}"
        structure_rows.append({
            "famille": famille, "raison_sociale": name, "raison_sociale_key": name.casefold(), "siret": f"{30000000000000 + i * 7919:014d}",
            "adresse": f"{i} rue de la République", "code_postal": code_postal, "commune": commune,
            "email": f"contact{i}@structure.example", "created_at": now,
        })
    for batch in _batches(structure_rows):
        db.session.execute(insert(Structure.__table__), batch)
    structures = db.session.execute(select(Structure.id, Structure.famille).order_by(Structure.id)).all()

    versions = {}
    for code, version_id in db.session.execute(select(Teleservice.code, TeleserviceVersion.id).join(TeleserviceVersion)):
        versions.setdefault(code, []).append(version_id)

    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=n_demandes)
    counters: dict[tuple[str, int], int] = {}
    demande_rows = []
    for i, status in enumerate(statuses):
        if rng.random() < 0.03:  # a particulier, without structure
            structure_id, famille, author = None, "particulier", usager_ids[n_structures + rng.randrange(1000)]
        else:
            index = rng.randrange(len(structures))
            structure_id, famille = structures[index]
            author = usager_ids[index]
        code = rng.choice(TELESERVICES_BY_FAMILLE.get(famille, OTHER_TELESERVICES))
        created = now - timedelta(days=rng.uniform(0, 3 * 365))
        listed = status not in (DemandeStatus.BROUILLON, DemandeStatus.DEPOSEE)
        deposited = created + timedelta(days=rng.uniform(0, 10)) if status != DemandeStatus.BROUILLON else None
        transmitted = deposited + timedelta(days=rng.uniform(0, 20)) if listed else None
        reference = None
        if deposited is not None:
            key = (code, deposited.year)
            counters[key] = counters.get(key, 0) + 1
            reference = f"{code}-{deposited.year}-{counters[key]:06d}"
        assigned = None
        if listed and (status != DemandeStatus.TRANSMISE or rng.random() < 0.2) and rng.random() < 0.9:
            assigned = rng.choice(agent_ids)
        intitule = f"{rng.choice(INTITULES)} {i}"
        if i % 997 == 0:
            intitule = f'Projet « {i} » ; "guillemets"\net retour à la ligne'
        demande_rows.append({
            "reference": reference, "teleservice_version_id": rng.choice(versions[code]), "structure_id": structure_id,
            "author_id": author, "status": status.value, "answers": {}, "intitule": intitule,
            "montant_demande": None if rng.random() < 0.02 else Decimal(rng.randrange(50000, 15000000)) / 100,
            "version": 1, "created_at": created, "updated_at": transmitted or deposited or created,
            "deposited_at": deposited, "transmitted_at": transmitted, "assigned_agent_id": assigned,
            "decided_at": transmitted + timedelta(days=60) if status in (DemandeStatus.ACCEPTEE, DemandeStatus.REFUSEE, DemandeStatus.CLASSEE_SANS_SUITE) else None,
        })
    for batch in _batches(demande_rows):
        db.session.execute(insert(Demande.__table__), batch)
    n_messages = seed_messages(rng, agent_ids, now)
    db.session.commit()
    print(f"Données : {n_demandes} demandes, {n_structures} structures, {len(agent_ids)} agents, {n_messages} messages, "
          f"{sum(len(v) for v in versions.values())} versions de téléservices, en {time.perf_counter() - started:.1f} s.")
    sample = db.session.execute(
        select(Demande.reference, Demande.structure_id).where(Demande.status == DemandeStatus.EN_INSTRUCTION, Demande.structure_id.is_not(None)).limit(1)
    ).one()
    return {"agent_id": agent_ids[1], "reference": sample.reference, "structure_id": sample.structure_id}


# Measuring ----------------------------------------------------------------------


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def filter_args(filters: Filters, sort: Sort) -> dict:
    args = {
        "teleservice": filters.teleservice, "statut": filters.statut, "structure": filters.structure_id, "famille": filters.famille,
        "agent": filters.agent, "du": filters.du.strftime("%d/%m/%Y") if filters.du else None,
        "au": filters.au.strftime("%d/%m/%Y") if filters.au else None, "q": filters.q, "tri": sort.name,
        "ordre": "desc" if sort.descending else "asc",
    }
    return {k: v for k, v in args.items() if v is not None}


def deep_cursor(filters: Filters, sort: Sort, position: int) -> str | None:
    """The cursor of the row at ``position`` of the list (set-up, not timed)."""
    rows = []
    for row in backoffice_list.iter_rows(filters, sort):
        rows.append(row)
        if len(rows) > position:
            break
    return Cursor.of_row(rows[-1], sort).encode() if rows else None


def shapes(info: dict) -> list[tuple[str, Filters, Sort, dict]]:
    month = (datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())
    default = Sort()
    result = [
        ("première page, sans filtre", Filters(), default, {}),
        ("statut = en instruction", Filters(statut="en_instruction"), default, {}),
        ("téléservice = TRAJ", Filters(teleservice="TRAJ"), default, {}),
        ("agent = un agent", Filters(agent=info["agent_id"]), default, {}),
        ("agent = non attribuées", Filters(agent="aucun"), default, {}),
        ("transmises en mars 2026", Filters(du=month[0], au=month[1]), default, {}),
        ("famille = lycée privé", Filters(famille="lycee_prive"), default, {}),
        ("structure (lien)", Filters(structure_id=info["structure_id"]), default, {}),
        ("recherche : référence exacte", Filters(q=info["reference"]), default, {}),
        ("recherche : début de référence", Filters(q=info["reference"][:-3]), default, {}),
        ("recherche : raison sociale", Filters(q="culturelle de nîmes"), default, {}),
        ("filtres combinés", Filters(teleservice="SPRO", statut="acceptee", du=datetime(2025, 1, 1).date(), au=datetime(2025, 12, 31).date()), default, {}),
        ("page profonde (50 000e ligne), suivante", Filters(), default, {"deep": 50000, "way": "apres"}),
        ("page profonde (50 000e ligne), précédente", Filters(), default, {"deep": 50000, "way": "avant"}),
    ]
    for name, spec in backoffice_list.SORTS.items():
        for descending in (False, True):
            sort = Sort(name, descending)
            label = f"tri {spec.label.lower()} {'décroissant' if descending else 'croissant'}"
            result.append((label, Filters(), sort, {}))
            result.append((label + ", page profonde", Filters(), sort, {"deep": 60000, "way": "apres"}))
    return result


def run_shapes(app, client, runs: int, info: dict) -> list[tuple]:
    counter = QueryCounter(db.engine)
    lines = []
    for label, filters, sort, extra in shapes(info):
        cursor_args = {}
        if extra.get("deep"):
            token = deep_cursor(filters, sort, extra["deep"])
            cursor_args = {extra["way"]: token}
        layer_times, http_times = [], []
        layer_queries = http_queries = rows = 0
        for _ in range(runs):
            db.session.expunge_all()
            counter.count = 0
            start = time.perf_counter()
            page = backoffice_list.page(filters, sort, after=cursor_args.get("apres"), before=cursor_args.get("avant"))
            layer_times.append((time.perf_counter() - start) * 1000)
            layer_queries, rows = counter.count, len(page.rows)
        url = "/instruction/demandes?" + urlencode({**filter_args(filters, sort), **cursor_args})
        for _ in range(runs):
            counter.count = 0
            start = time.perf_counter()
            response = client.get(url)
            http_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:500])
            http_queries = counter.count
        lines.append((label, *percentiles(layer_times), layer_queries, *percentiles(http_times), http_queries, rows, page.total))
    event.remove(db.engine, "before_cursor_execute", counter._count)
    return lines


def measure_exports(client, xlsx_memory: bool) -> list[str]:
    out = []
    for traced in (False, True):
        if traced:
            tracemalloc.start()
        start = time.perf_counter()
        response = client.get("/instruction/demandes/export.csv", buffered=False)
        size = lines = 0
        for chunk in response.iter_encoded():
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        response.close()
        elapsed = time.perf_counter() - start
        if traced:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out.append(f"CSV (tracemalloc actif) : pic de mémoire Python {peak / 1024 / 1024:.1f} Mio pendant l'export ({elapsed:.1f} s avec tracemalloc)")
        else:
            out.append(f"CSV : {lines - 1} lignes, {size / 1024 / 1024:.1f} Mio, {elapsed:.1f} s")
    start = time.perf_counter()
    response = client.get("/instruction/demandes/export.xlsx")
    elapsed = time.perf_counter() - start
    out.append(f"XLSX : {len(response.data) / 1024 / 1024:.1f} Mio, {elapsed:.1f} s")
    if xlsx_memory:  # openpyxl under tracemalloc is several times slower
        tracemalloc.start()
        client.get("/instruction/demandes/export.xlsx")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append(f"XLSX (tracemalloc actif) : pic de mémoire Python {peak / 1024 / 1024:.1f} Mio")
    return out


def vacuum_analyze(url: str) -> None:
    """On PostgreSQL, what autovacuum does after a bulk load (statistics,
    visibility map for index-only scans), done now rather than in a minute.
    SQLite keeps the statistics migration 0007 recorded."""
    if url.startswith("postgresql"):
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_SQLITE)
    parser.add_argument("--demandes", type=int, default=100_000)
    parser.add_argument("--structures", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=20, help="runs per query shape (p50 and p95 over them)")
    parser.add_argument("--no-export", action="store_true", help="skip the export measures")
    parser.add_argument("--xlsx-memory", action="store_true", help="also measure the XLSX export's peak memory (slow)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file or the PostgreSQL schema")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 1000:
        parser.error("--runs: between 1 and 1000")

    with bench_database(args.database_url, args.keep) as url:
        app = make_bench_app(url)
        with app.app_context():
            started = time.perf_counter()
            upgrade(directory=str(ROOT / "migrations"))
            db.engine.dispose()  # as when the portal starts after `flask db upgrade`
            print(f"Base {db.engine.dialect.name} {db.engine.dialect.server_version_info or ''} migrée en {time.perf_counter() - started:.1f} s.")
            info = seed(args.demandes, args.structures, random.Random(args.seed))
            vacuum_analyze(url)
            client = app.test_client()
            response = client.post("/connexion", data={"identifiant": "bench.agent", "password": PASSWORD})
            assert response.status_code == 303, response.status_code
            # One untimed page first: a running server has compiled its templates already.
            assert client.get("/instruction/demandes").status_code == 200
            lines = run_shapes(app, client, args.runs, info)
            print()
            print(f"{args.runs} passages par forme ; durées en ms ; « requêtes » : requêtes SQL pour la page.")
            header = f"{'forme':<46} {'couche p50':>10} {'p95':>7} {'req.':>4}   {'page p50':>8} {'p95':>7} {'req.':>4} {'lignes':>6} {'total':>7}"
            print(header)
            print("-" * len(header))
            for label, lp50, lp95, lq, hp50, hp95, hq, rows, total in lines:
                print(f"{label:<46} {lp50:>10.1f} {lp95:>7.1f} {lq:>4}   {hp50:>8.1f} {hp95:>7.1f} {hq:>4} {rows:>6} {total:>7}")
            if not args.no_export:
                print()
                for line in measure_exports(client, args.xlsx_memory):
                    print(line)
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
