"""Two agents deciding the same demande at the same moment (issue 12), each
in its own transaction on its own connection: the first holds its
transaction open (paused in its email to the applicant) while the second
starts; the second must wait for it — seen in PostgreSQL's
``pg_stat_activity`` — then be told the demande's new status, instead of a
StaleDataError; one decision, one email. PostgreSQL only."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.domain.base import OperationContext
from app.domain.demandes import instruction
from app.extensions import db
from app.models import Account, AgentRole, Demande, DemandeStatus, OutgoingMail
from tests.support.accounts import make_agent
from tests.support.concurrency import race


def test_two_decisions_at_once_make_one(app, postgres, demande_in, monkeypatch):
    demande = demande_in("en_instruction")
    agents = {"first": make_agent("premier.agent", AgentRole.INSTRUCTEUR).id, "second": make_agent("second.agent", AgentRole.INSTRUCTEUR).id}

    def decide(name):
        agent, target = db.session.get(Account, agents[name]), db.session.get(Demande, demande.id)
        if name == "first":
            instruction.accept(OperationContext(actor=agent), target, montant=Decimal("50"), decision_date=date(2026, 12, 1), instance="CP")
        else:
            instruction.refuse(OperationContext(actor=agent), target, motif="Hors champ", decision_date=None, instance="")
        return "décidée"

    results, waited = race(app, monkeypatch, instruction, "_notify", decide)  # the first is held in its email

    assert waited, "the second decision did not wait for the first"
    assert results == {"first": "décidée", "second": "Impossible de décider sur une demande au statut « Acceptée »."}
    db.session.expire_all()
    assert db.session.get(Demande, demande.id).status == DemandeStatus.ACCEPTEE
    decisions = db.session.scalars(sa.select(OutgoingMail.recipient).where(OutgoingMail.subject.startswith("Décision sur votre demande"))).all()
    assert decisions and len(decisions) == len(set(decisions))  # one decision email to each person, not two
