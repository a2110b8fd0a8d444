"""« The last référent stays » under concurrency (issue 12): two référents
detaching each other at the same moment, each in its own transaction on its
own connection. The first holds its transaction open (paused in its email)
while the second starts; the second must wait for it — seen in
PostgreSQL's ``pg_stat_activity`` — then count again and refuse. Without
the row lock both would pass their check and the structure would be left
with no référent.

PostgreSQL only: SQLite has no row locks (one writer at a time)."""

import sqlalchemy as sa

from app.domain import memberships
from app.domain.base import OperationContext
from app.extensions import db
from app.models import Account, Membership, MembershipRole
from tests.support.accounts import make_account
from tests.support.concurrency import race
from tests.support.structures import attach, make_structure


def test_two_referents_detaching_each_other_at_once_leave_one(app, postgres, monkeypatch):
    structure = make_structure()
    first = make_account(identifiant="premier", email="premier@exemple.fr")
    second = make_account(identifiant="second", email="second@exemple.fr")
    first_membership, second_membership = attach(first, structure), attach(second, structure)
    ids = {"first": (first.id, second_membership.id), "second": (second.id, first_membership.id)}

    def detach(name):
        actor_id, membership_id = ids[name]
        memberships.detach(OperationContext(actor=db.session.get(Account, actor_id)), db.session.get(Membership, membership_id))
        return "détaché"

    results, waited = race(app, monkeypatch, memberships, "queue_mail", detach)  # the first is held in its email

    assert waited, "the second detach did not wait for the first"
    assert results["first"] == "détaché"
    assert "Le dernier référent de la structure ne peut pas être détaché" in results["second"]
    db.session.expire_all()
    referents = db.session.scalars(
        sa.select(Membership).where(Membership.structure_id == structure.id, Membership.until.is_(None), Membership.role == MembershipRole.REFERENT)
    ).all()
    assert [m.account_id for m in referents] == [first.id]
