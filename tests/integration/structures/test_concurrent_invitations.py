"""Two acceptances of one invitation at the same moment (issue 12), each in
its own transaction on its own connection: the first holds its transaction
open (paused in its audit event) while the second starts; the second must
wait for it — seen in PostgreSQL's ``pg_stat_activity`` — then find the
invitation used and say so, instead of an IntegrityError on the unique
running membership. PostgreSQL only: SQLite has no row locks."""

import sqlalchemy as sa

from app.domain import invitations
from app.domain.base import OperationContext
from app.extensions import db
from app.models import Account, Invitation, Membership
from tests.support.accounts import make_account
from tests.support.concurrency import race
from tests.support.structures import make_structure


def test_two_acceptances_at_once_make_one_membership(app, postgres, monkeypatch):
    make_structure()  # invites direction@lycee-saint-exupery.example as référent
    account = make_account(identifiant="direction", email="direction@lycee-saint-exupery.example")
    token = invitations.invitation_token(db.session.scalar(sa.select(Invitation)))

    def accept(name):
        invitations.accept(OperationContext(actor=db.session.get(Account, account.id)), token, db.session.get(Account, account.id))
        return "acceptée"

    results, waited = race(app, monkeypatch, invitations, "record_event", accept)  # the first is held in its audit event

    assert waited, "the second acceptance did not wait for the first"
    assert results == {"first": "acceptée", "second": "Ce lien d'invitation a déjà été utilisé : l'invitation est acceptée."}
    db.session.expire_all()
    assert len(db.session.scalars(sa.select(Membership)).all()) == 1
