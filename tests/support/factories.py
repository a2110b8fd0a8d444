"""Plugin: named factory fixtures that build the portal's objects the way
people do, through the real domain operations — an account, an agent, the
three téléservices open today, a lycée privé with its people, a demande in
any status of its lifecycle — and clients logged in as someone.

Every fixture here works in the test's application (``app``); a test
module changes that application's configuration by defining
``app_config``."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.domain.base import OperationContext
from app.domain.demandes import instruction
from app.models import Account, AgentRole, Demande, DemandeStatus, Structure
from tests.support.accounts import PASSWORD, login, make_account, make_agent
from tests.support.wizard import lycee_with_people, make_filed_demande, open_teleservices, transmit_demande


@dataclass(frozen=True)
class Lycee:
    """A lycée privé with its organisme de gestion, its référent « ref » and
    a teacher « prof » (a membre)."""

    structure: Structure
    referent: Account
    teacher: Account

    @property
    def ogec(self) -> Structure:
        return self.structure.organisme_gestion


@pytest.fixture
def account_factory(app):
    """``account_factory(identifiant=…, email=…)``: an active usager account."""
    return make_account


@pytest.fixture
def agent_factory(app):
    """``agent_factory("identifiant", AgentRole.ADMIN)``: an active agent."""
    return make_agent


@pytest.fixture
def teleservices_open(app, tmp_path):
    """The three shipped téléservices, loaded by the real loader, open today."""
    open_teleservices(tmp_path)


@pytest.fixture
def lycee(app) -> Lycee:
    structure, referent, teacher = lycee_with_people()
    return Lycee(structure, referent, teacher)


# What the council does, in order, to bring a transmitted demande to each status.
_COUNCIL_STEPS = {
    DemandeStatus.TRANSMISE: [],
    DemandeStatus.EN_INSTRUCTION: ["instruct"],
    DemandeStatus.COMPLEMENTS_DEMANDES: ["instruct", "complements"],
    DemandeStatus.ACCEPTEE: ["instruct", "accept"],
    DemandeStatus.REFUSEE: ["instruct", "refuse"],
    DemandeStatus.CLASSEE_SANS_SUITE: ["instruct", "close"],
}


@pytest.fixture
def demande_in(app, teleservices_open, lycee):
    """``demande_in(status, intitule=…, author=…, agent=…)``: a demande of the
    lycée in ``status``, brought there by the real operations — filed by its
    teacher (or ``author``), transmitted by the référent after the CA, then
    instructed and decided by ``agent`` (an instructeur made on first need)."""
    made = {}

    def council() -> Account:
        if "agent" not in made:
            made["agent"] = make_agent("instructeur.demandes", AgentRole.INSTRUCTEUR)
        return made["agent"]

    def factory(status: str = DemandeStatus.DEPOSEE, *, intitule: str = "Projet déposé", author: Account | None = None, agent=None,
                beneficiaire: dict | None = None) -> Demande:
        status = DemandeStatus(status)
        if status == DemandeStatus.BROUILLON:
            raise ValueError("a draft is started with drafts.start_demande, not filed")
        demande = make_filed_demande(author or lycee.teacher, lycee.structure, intitule=intitule, beneficiaire=beneficiaire)
        if status == DemandeStatus.DEPOSEE:
            return demande
        transmit_demande(lycee.referent, demande)
        ctx = OperationContext(actor=agent or council())
        for step in _COUNCIL_STEPS[status]:
            if step == "instruct":
                instruction.start_instruction(ctx, demande)
            elif step == "complements":
                instruction.request_complements(ctx, demande, "Merci de joindre un second devis.", ["dossier"])
            elif step == "accept":
                instruction.accept(ctx, demande, montant=Decimal("100.00"), decision_date=None, instance="Commission permanente")
            elif step == "refuse":
                instruction.refuse(ctx, demande, motif="Hors du dispositif.")
            elif step == "close":
                instruction.close_without_follow_up(ctx, demande, motif="Projet abandonné.")
        return demande

    return factory


@pytest.fixture
def login_as(app):
    """``login_as("identifiant")``: a test client logged in as that account."""

    def client_of(identifiant: str, password: str = PASSWORD):
        client = app.test_client()
        login(client, identifiant, password)
        return client

    return client_of


@pytest.fixture
def referent_client(login_as, lycee):
    """A client logged in as the lycée's référent « ref »."""
    return login_as("ref")


@pytest.fixture
def teacher_client(login_as, lycee):
    """A client logged in as the lycée's teacher « prof »."""
    return login_as("prof")
