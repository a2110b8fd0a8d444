"""The whole authorisation matrix: every rule of ``app.policy``, for every
kind of account (applicant side, detached members, other structures,
agents, anonymous) and every status of a demande.

The expectations are written out here, status by status: they are the
specification the policy must meet. The models are built in memory (the
policy reads only them); ``tests/integration/policy/test_visible_demandes_clause.py``
checks that the SQL form of ``can_view_demande`` agrees on a database.
"""

from datetime import UTC, datetime

import pytest
from flask_login import AnonymousUserMixin

from app import policy
from app.models import Account, AccountStatus, AgentRole, Demande, DemandeStatus, Membership, MembershipRole, Structure

ALL = {s.value for s in DemandeStatus}
BACK_OFFICE = {"transmise", "en_instruction", "complements_demandes", "acceptee", "refusee", "classee_sans_suite"}
AGENTS = ("instructeur", "admin")
APPLICANTS = ("author", "referent", "colleague", "detached_author", "detached_referent", "stranger", "particulier")
ACTORS = (*APPLICANTS, *AGENTS, "anonymous")
ENDED = datetime(2026, 1, 1, tzinfo=UTC)


def _account(id_, role=None):
    return Account(id=id_, identifiant=f"compte{id_}", agent_role=role, status=AccountStatus.ACTIVE)


def _membership(account, structure, role, ended=False):
    return Membership(account_id=account.id, account=account, structure_id=structure.id, role=role, until=ENDED if ended else None)


@pytest.fixture(scope="module")
def people():
    """A lycée with its référent, the author (a teacher), a colleague, an
    author and a référent who have left; another structure's référent; a
    particulier; two agents."""
    lycee, other = Structure(id=1, raison_sociale="Lycée"), Structure(id=2, raison_sociale="Autre")
    accounts = {name: _account(n) for n, name in enumerate(APPLICANTS, start=1)}
    accounts["instructeur"] = _account(20, AgentRole.INSTRUCTEUR)
    accounts["admin"] = _account(21, AgentRole.ADMIN)
    accounts["anonymous"] = AnonymousUserMixin()
    lycee.memberships = [
        _membership(accounts["referent"], lycee, MembershipRole.REFERENT),
        _membership(accounts["author"], lycee, MembershipRole.MEMBRE),
        _membership(accounts["colleague"], lycee, MembershipRole.MEMBRE),
        _membership(accounts["detached_author"], lycee, MembershipRole.MEMBRE, ended=True),
        _membership(accounts["detached_referent"], lycee, MembershipRole.REFERENT, ended=True),
    ]
    other.memberships = [_membership(accounts["stranger"], other, MembershipRole.REFERENT)]
    return accounts, lycee


def _demande(people, status, author="author", structure=True):
    accounts, lycee = people
    writer = accounts[author]
    return Demande(
        id=7, status=status, author_id=writer.id, author=writer, structure=lycee if structure else None,
        structure_id=lycee.id if structure else None, reopened_steps=["dossier"] if status == "complements_demandes" else None,
    )


def _allowed(people, rule, demande) -> dict[str, bool]:
    return {actor: bool(rule(people[0][actor], demande)) for actor in ACTORS}


def _matrix(people, rule, expected: dict[str, set[str]], **demande_options):
    """For every status and actor: ``rule`` allows exactly what ``expected`` says."""
    for status in ALL:
        demande = _demande(people, status, **demande_options)
        allowed = _allowed(people, rule, demande)
        wanted = {actor: status in expected.get(actor, set()) for actor in ACTORS}
        assert allowed == wanted, f"{rule.__name__} on a demande « {status} »"


# --- Demandes of a structure ---------------------------------------------------------------


def test_who_sees_a_demande(people):
    """Its author while attached, the structure's référents (every status);
    agents once it is transmitted; nobody else — not a detached member, not
    a colleague, not another structure."""
    _matrix(people, policy.can_view_demande, {"author": ALL, "referent": ALL, "instructeur": BACK_OFFICE, "admin": BACK_OFFICE})


def test_a_detached_authors_demande_stays_with_the_referent(people):
    _matrix(
        people, policy.can_view_demande, {"referent": ALL, "instructeur": BACK_OFFICE, "admin": BACK_OFFICE}, author="detached_author"
    )


def test_who_edits_a_demande(people):
    """Only the attached author: a draft, or under « compléments demandés »."""
    _matrix(people, policy.can_edit_demande, {"author": {"brouillon", "complements_demandes"}})


@pytest.mark.parametrize(
    ("step", "statuses"),
    [
        ("dossier", {"brouillon", "complements_demandes"}),  # reopened by the council
        ("etablissement", {"brouillon"}),  # not reopened
        ("recapitulatif", {"brouillon", "complements_demandes"}),  # to send the compléments back
        ("preambule", {"brouillon"}),
    ],
)
def test_which_steps_the_author_edits(people, step, statuses):
    _matrix(people, lambda account, demande: policy.can_edit_demande(account, demande, step), {"author": statuses})


def test_who_files_removes_documents_and_returns_complements(people):
    _matrix(people, policy.can_file_demande, {"author": {"brouillon"}})
    _matrix(people, policy.can_remove_document, {"author": {"brouillon"}})
    _matrix(people, policy.can_return_complements, {"author": {"complements_demandes"}})


def test_who_transmits_or_sends_back(people):
    """The structure's référent, still attached, a « déposée » demande."""
    _matrix(people, policy.can_transmit, {"referent": {"deposee"}})
    _matrix(people, policy.can_send_back, {"referent": {"deposee"}})


@pytest.mark.parametrize(
    ("action", "statuses"),
    [
        ("instruire", {"transmise"}),
        ("attribuer", {"transmise", "en_instruction", "complements_demandes"}),
        ("demander_complements", {"en_instruction"}),
        ("decider", {"en_instruction"}),
    ],
)
def test_what_agents_do(people, action, statuses):
    agents_only = {agent: statuses for agent in AGENTS}
    _matrix(people, lambda account, demande: policy.can_process(account, demande, action), agents_only)


def test_internal_notes_and_the_thread(people):
    _matrix(people, policy.can_add_internal_note, {"instructeur": BACK_OFFICE, "admin": BACK_OFFICE})
    both_sides = {"author": BACK_OFFICE, "referent": BACK_OFFICE, "instructeur": BACK_OFFICE, "admin": BACK_OFFICE}
    _matrix(people, policy.can_write_in_thread, both_sides)


# --- A particulier's demande (no structure) ------------------------------------------------------


def test_a_particuliers_demande_is_its_own(people):
    options = {"author": "particulier", "structure": False}
    _matrix(people, policy.can_view_demande, {"particulier": ALL, "instructeur": BACK_OFFICE, "admin": BACK_OFFICE}, **options)
    _matrix(people, policy.can_edit_demande, {"particulier": {"brouillon", "complements_demandes"}}, **options)
    _matrix(people, policy.can_transmit, {}, **options)


# --- Structures, members, invitations ---------------------------------------------------------------


def test_structure_rules(people):
    accounts, lycee = people
    expected = {
        policy.can_view_structure: {"author", "referent", "colleague", "instructeur", "admin"},
        policy.can_manage_members: {"referent"},
        policy.can_manage_invitations: {"referent", "instructeur", "admin"},
        (lambda a, s: policy.can_invite(a, s, MembershipRole.MEMBRE)): {"referent", "instructeur", "admin"},
        (lambda a, s: policy.can_invite(a, s, MembershipRole.REFERENT)): {"instructeur", "admin"},
    }
    for rule, allowed in expected.items():
        assert {actor for actor in ACTORS if rule(accounts[actor], lycee)} == allowed


def test_who_someone_is(people):
    accounts, _ = people
    assert {a for a in ACTORS if policy.is_usager(accounts[a])} == set(APPLICANTS)
    assert {a for a in ACTORS if policy.can_use_espace_personnel(accounts[a])} == set(APPLICANTS)
    assert {a for a in ACTORS if policy.can_access_back_office(accounts[a])} == set(AGENTS)
    assert {a for a in ACTORS if policy.can_manage_structures(accounts[a])} == set(AGENTS)
    assert {a for a in ACTORS if policy.can_administer(accounts[a])} == {"admin"}
    assert {a for a in ACTORS if policy.can_lookup_organisations(accounts[a])} == {*APPLICANTS, *AGENTS}
    assert {a for a in ACTORS if policy.can_accept_invitation(accounts[a])} == set(APPLICANTS)
    assert {a for a in ACTORS if policy.can_receive_demandes(accounts[a])} == set(AGENTS)


def test_a_disabled_agent_receives_no_demande(people):
    disabled = _account(30, AgentRole.INSTRUCTEUR)
    disabled.status = AccountStatus.DISABLED
    assert not policy.can_receive_demandes(disabled)


# --- Who is told ---------------------------------------------------------------------------------------


def test_the_applicant_side_is_who_may_still_see_the_demande(people):
    """The recipients of every applicant-side email: the référents and the
    author, once each, never a detached one."""
    accounts, _ = people
    assert policy.applicant_side(_demande(people, "transmise")) == [accounts["referent"], accounts["author"]]
    assert policy.applicant_side(_demande(people, "transmise", author="detached_author")) == [accounts["referent"]]
    assert policy.applicant_side(_demande(people, "transmise", author="referent")) == [accounts["referent"]]
    assert policy.applicant_side(_demande(people, "acceptee", author="particulier", structure=False)) == [accounts["particulier"]]
