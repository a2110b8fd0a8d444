"""« The last référent stays » under concurrency (issue 12): two référents
detaching each other at the same moment, each in its own transaction on its
own connection. The first holds its transaction open (paused in its email)
while the second starts; the second must wait for it — seen in
PostgreSQL's ``pg_stat_activity`` — then count again and refuse. Without
the row lock both would pass their check and the structure would be left
with no référent.

PostgreSQL only: SQLite has no row locks (one writer at a time)."""

import threading
import time

import pytest
import sqlalchemy as sa

from app.domain import memberships
from app.domain.base import DomainError, OperationContext
from app.extensions import db
from app.models import Account, Membership, MembershipRole
from tests.support.accounts import make_account
from tests.support.structures import attach, make_structure

WAIT = 10  # seconds: how long anything may take before the test fails


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (FLASK_SQLALCHEMY_DATABASE_URI)")


def _someone_waits_for_a_lock() -> bool:
    with db.engine.connect() as connection:
        waiting = connection.execute(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        ).scalar()
    return waiting > 0


def test_two_referents_detaching_each_other_at_once_leave_one(app, postgres, monkeypatch):
    structure = make_structure()
    first = make_account(identifiant="premier", email="premier@exemple.fr")
    second = make_account(identifiant="second", email="second@exemple.fr")
    first_membership, second_membership = attach(first, structure), attach(second, structure)
    ids = {"first": (first.id, second_membership.id), "second": (second.id, first_membership.id)}

    paused, release = threading.Event(), threading.Event()
    queue_mail = memberships.queue_mail

    def mail_held_open(*args, **kwargs):
        if threading.current_thread().name == "first":  # the first detach keeps its transaction (and lock) open
            paused.set()
            assert release.wait(WAIT)
        return queue_mail(*args, **kwargs)

    monkeypatch.setattr(memberships, "queue_mail", mail_held_open)
    results = {}

    def detach(name):
        actor_id, membership_id = ids[name]
        with app.app_context():
            try:
                memberships.detach(OperationContext(actor=db.session.get(Account, actor_id)), db.session.get(Membership, membership_id))
                results[name] = "détaché"
            except DomainError as refusal:
                results[name] = refusal.message
            finally:
                db.session.remove()

    threads = {name: threading.Thread(target=detach, args=(name,), name=name) for name in ids}
    threads["first"].start()
    assert paused.wait(WAIT)
    threads["second"].start()
    deadline = time.monotonic() + WAIT
    while not _someone_waits_for_a_lock() and time.monotonic() < deadline and threads["second"].is_alive():
        time.sleep(0.02)
    waited = threads["second"].is_alive()
    release.set()
    for thread in threads.values():
        thread.join(WAIT)

    assert waited, "the second detach did not wait for the first"
    assert results["first"] == "détaché"
    assert "Le dernier référent de la structure ne peut pas être détaché" in results["second"]
    db.session.expire_all()
    referents = db.session.scalars(
        sa.select(Membership).where(Membership.structure_id == structure.id, Membership.until.is_(None), Membership.role == MembershipRole.REFERENT)
    ).all()
    assert [m.account_id for m in referents] == [first.id]
