"""The policy's SQL form agrees with its rule: ``visible_demandes_clause``
lists exactly what ``can_view_demande`` lets each account see (the matrix
of the rule itself is ``tests/unit/test_policy.py``)."""

from sqlalchemy import select

from app.domain import memberships
from app.domain.base import SYSTEM, OperationContext
from app.domain.demandes import drafts
from app.domain.teleservices import teleservice_by_code
from app.extensions import db
from app.models import Demande
from app.policy import can_view_demande, visible_demandes_clause
from tests.support.accounts import make_account
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.wizard import make_filed_demande


def test_visible_demandes_clause_agrees_with_can_view_demande(app, demande_in, lycee, agent_factory):
    """Every kind of account, every kind of demande of a structure: the
    list's SQL condition keeps exactly the demandes the policy lets see."""
    demande_in("transmise", intitule="Les métiers de la mer")
    referent, teacher, agent = lycee.referent, lycee.teacher, agent_factory()
    lycee = lycee.structure
    colleague = make_account(identifiant="prof2", email="prof2@exemple.fr")
    attach(colleague, lycee, role="membre")
    other = make_structure(**{**ASSOCIATION, "siret": "21310555400017", "raison_sociale": "Autre association"})
    stranger = make_account(identifiant="autre.ref", email="autre.ref@exemple.fr")
    attach(stranger, other)
    make_filed_demande(teacher, lycee, intitule="Déposée")
    make_filed_demande(colleague, lycee, intitule="De la collègue")
    make_filed_demande(referent, lycee, intitule="Du référent")
    drafts.start_demande(OperationContext(actor=teacher), teleservice_by_code("TRAJ"), lycee)
    detached = make_account(identifiant="parti", email="parti@exemple.fr")
    membership = attach(detached, lycee, role="membre")
    make_filed_demande(detached, lycee, intitule="D'un membre parti")
    memberships.detach(SYSTEM, membership)
    loner = make_account(identifiant="seul", email="seul@exemple.fr")
    everything = db.session.scalars(select(Demande)).all()
    assert len(everything) == 6
    for account in (referent, teacher, colleague, stranger, detached, agent, loner):
        expected = {d.id for d in everything if can_view_demande(account, d)}
        assert set(db.session.scalars(select(Demande.id).where(visible_demandes_clause(account)))) == expected, account.identifiant
