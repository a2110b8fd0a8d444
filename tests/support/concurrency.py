"""Races between two transactions on PostgreSQL, made deterministic: the
first holds its transaction open at a chosen point, the second starts, and
the test waits until PostgreSQL shows a session waiting for a lock (or the
second is done, which means it did not wait). ``postgres``: the fixture of
such tests (skipped on SQLite, which has no row locks)."""

import threading
import time

import pytest
import sqlalchemy as sa

from app.domain.base import DomainError
from app.extensions import db

WAIT = 10  # seconds: how long anything may take before the test fails


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (FLASK_SQLALCHEMY_DATABASE_URI)")


def someone_waits_for_a_lock() -> bool:
    with db.engine.connect() as connection:
        waiting = connection.execute(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        ).scalar()
    return waiting > 0


def wait_until_someone_waits_for_a_lock(second) -> bool:
    """Whether the ``second`` thread ended up waiting for a lock (polled, at most WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    while second.is_alive() and not someone_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    return second.is_alive() and someone_waits_for_a_lock()


def race(app, monkeypatch, held_in, attribute: str, attempt) -> tuple[dict, bool]:
    """Run ``attempt(name)`` for « first » and « second », each in its own
    thread, application context and transaction. The first is held open in
    ``held_in.attribute`` (a function it calls after taking its locks) until
    the second has started and is seen waiting for a lock, or is done.
    Returns each one's outcome (what ``attempt`` returned, or the message of
    the ``DomainError`` it raised) and whether the second waited."""
    paused, release = threading.Event(), threading.Event()
    real = getattr(held_in, attribute)

    def held_open(*args, **kwargs):
        if threading.current_thread().name == "first":
            paused.set()
            assert release.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(held_in, attribute, held_open)
    results = {}

    def run(name):
        with app.app_context():
            try:
                results[name] = attempt(name)
            except DomainError as refusal:
                results[name] = refusal.message
            finally:
                db.session.remove()

    threads = {name: threading.Thread(target=run, args=(name,), name=name) for name in ("first", "second")}
    threads["first"].start()
    assert paused.wait(WAIT)
    threads["second"].start()
    waited = wait_until_someone_waits_for_a_lock(threads["second"])
    release.set()
    for thread in threads.values():
        thread.join(WAIT)
    return results, waited
