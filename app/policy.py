"""Authorisation: the one place that says who may do what.

Every rule is a plain function of an account (and of the object it would
act on), reading only the models: the domain refuses an operation the
policy refuses, views answer 403 or 404 with the same rules
(``app.blueprints.common.access``), and templates ask them through the
``policy`` global. What a demande's *status* allows is the lifecycle
table's (``app.models.lifecycle``); the rules here add *who*. The whole
matrix (role × rule × status, detached members and agents included) is
tested in ``tests/unit/test_policy.py``.

An account detached from a structure loses every right that came from it
at its very next request: memberships are read from the database, never
from the session.
"""

from sqlalchemy import and_, exists, false, or_

from app.models import Account, AgentRole, Demande, Membership, MembershipRole
from app.models.lifecycle import BACK_OFFICE_STATUSES, RECAPITULATIF, Action

# --- Who someone is ----------------------------------------------------------------------


def is_usager(account) -> bool:
    """An applicant (not a council agent), logged in."""
    return account is not None and account.is_authenticated and not account.is_agent


def can_use_espace_personnel(account) -> bool:
    return is_usager(account)


def can_access_back_office(account) -> bool:
    return account is not None and account.is_authenticated and account.is_agent


def can_administer(account) -> bool:
    return can_access_back_office(account) and account.agent_role == AgentRole.ADMIN


def can_lookup_organisations(account) -> bool:
    """Who may query API Entreprise by SIRET / RNA: agents (structures) and
    usagers (the wizard's « Bénéficiaire » step)."""
    return account is not None and account.is_authenticated


# --- Structures ---------------------------------------------------------------------------


def can_manage_structures(account) -> bool:
    """Agents create, edit and import structures and invite their référents."""
    return can_access_back_office(account)


def membership_of(account, structure) -> Membership | None:
    """The running membership of a usager in ``structure`` (None otherwise)."""
    if not is_usager(account) or structure is None:
        return None
    return structure.active_membership_of(account)


def has_left(account, structure) -> bool:
    """A usager who belonged to ``structure`` and has been detached from it
    (and not attached again)."""
    if not is_usager(account) or structure is None or membership_of(account, structure) is not None:
        return False
    return any(m.account_id == account.id and not m.is_active for m in structure.memberships)


def can_view_structure(account, structure) -> bool:
    """Agents, and the accounts attached to it right now."""
    return can_access_back_office(account) or membership_of(account, structure) is not None


def can_manage_members(account, structure) -> bool:
    """Only a référent invites, detaches, hands over its role and edits the
    contact fields of its structure."""
    membership = membership_of(account, structure)
    return membership is not None and membership.role == MembershipRole.REFERENT


def can_invite(account, structure, role: str) -> bool:
    """Agents invite référents (and anyone); a référent invites the members
    of its structure's « communauté éducative »."""
    if can_manage_structures(account):
        return True
    return role == MembershipRole.MEMBRE and can_manage_members(account, structure)


def can_manage_invitations(account, structure) -> bool:
    """Resend or cancel a structure's invitations: agents, its référents."""
    return can_manage_structures(account) or can_manage_members(account, structure)


def can_accept_invitation(account) -> bool:
    return is_usager(account)


# --- Demandes -----------------------------------------------------------------------------


def _is_attached_author(account, demande: Demande) -> bool:
    """The demande's author, still attached to its structure (a particulier's
    demande has none)."""
    if not is_usager(account) or demande.author_id != account.id:
        return False
    return demande.structure is None or membership_of(account, demande.structure) is not None


def can_view_demande(account, demande: Demande) -> bool:
    """Its author while attached to its structure, the structure's référents
    (every demande of the structure, those of detached members included);
    agents once it has been transmitted to the Région."""
    if can_access_back_office(account):
        return demande.lifecycle.back_office
    if not is_usager(account):
        return False
    if demande.structure is None:
        return demande.author_id == account.id
    membership = membership_of(account, demande.structure)
    return membership is not None and (membership.role == MembershipRole.REFERENT or demande.author_id == account.id)


def visible_demandes_clause(account):
    """``can_view_demande`` as a SQL condition on ``Demande``, to list or count
    every demande an account may see in one query (the two are checked to
    agree over a matrix of accounts and demandes)."""
    if can_access_back_office(account):
        return Demande.status.in_(BACK_OFFICE_STATUSES)
    if not is_usager(account):
        return false()
    attached = exists().where(
        Membership.account_id == account.id,
        Membership.structure_id == Demande.structure_id,
        Membership.until.is_(None),
        or_(Membership.role == MembershipRole.REFERENT, Demande.author_id == account.id),
    )
    return or_(
        and_(Demande.structure_id.is_(None), Demande.author_id == account.id),
        and_(Demande.structure_id.is_not(None), attached),
    )


def can_edit_demande(account, demande: Demande, step: str | None = None) -> bool:
    """Only its author, still attached to the structure, and only the steps
    its status leaves editable (``step`` None: any of them)."""
    if not _is_attached_author(account, demande):
        return False
    return demande.step_is_editable(step) if step is not None else demande.has_editable_steps


def can_file_demande(account, demande: Demande) -> bool:
    """« Déposer ma demande »: its author, from a draft."""
    return _is_attached_author(account, demande) and demande.allows(Action.DEPOSER)


def can_remove_document(account, demande: Demande) -> bool:
    """Take back a file of « Votre dossier »: a draft's author (once the council
    has it, a document is only ever added)."""
    return can_edit_demande(account, demande, "dossier") and demande.allows(Action.RETIRER_DOCUMENT)


def can_return_complements(account, demande: Demande) -> bool:
    """« Renvoyer » the compléments: the author, from the récapitulatif."""
    return can_edit_demande(account, demande, RECAPITULATIF) and demande.allows(Action.RENVOYER_COMPLEMENTS)


def _referent_may(account, demande: Demande, action: Action) -> bool:
    return demande.allows(action) and demande.structure is not None and can_manage_members(account, demande.structure)


def can_transmit(account, demande: Demande) -> bool:
    """The structure's référent (still attached) transmits a « déposée »
    demande to the Région; a membre cannot."""
    return _referent_may(account, demande, Action.TRANSMETTRE)


def can_send_back(account, demande: Demande) -> bool:
    """The référent sends a « déposée » demande back to its author."""
    return _referent_may(account, demande, Action.RENVOYER_A_L_AUTEUR)


def can_take_over(account, demande: Demande) -> bool:
    """« Confier la demande »: the structure's référent gives the demande of
    an author who was detached (or whose account is gone) to itself or to
    another member, while the applicant side still works on it."""
    if not _referent_may(account, demande, Action.CONFIER):
        return False
    return demande.author is None or membership_of(demande.author, demande.structure) is None


def can_become_author(account, demande: Demande) -> bool:
    """Who a demande can be given to: a usager attached to its structure now."""
    return demande.structure is not None and membership_of(account, demande.structure) is not None


def can_process(account, demande: Demande, action: Action | str) -> bool:
    """An agent's action on a transmitted demande (« Passer en instruction »,
    « Attribuer », « Demander des compléments », the decisions), when its
    status allows it."""
    return can_access_back_office(account) and can_view_demande(account, demande) and demande.allows(action)


def can_receive_demandes(account) -> bool:
    """An agent a demande can be assigned to: active."""
    return can_access_back_office(account) and account.is_active


def can_add_internal_note(account, demande: Demande) -> bool:
    """Notes internes: agents only, never the applicant side."""
    return can_access_back_office(account) and can_view_demande(account, demande)


# --- Fils de discussion ---------------------------------------------------------------------


def can_write_in_thread(account, demande: Demande) -> bool:
    """Read the fil de discussion and write a « Nouveau message »: those who
    may see the demande (applicant side: its author while attached and the
    structure's référents; council side: agents), once its status opens the
    thread (transmitted to the Région). Which side an account writes for is
    ``is_usager`` / ``can_access_back_office``."""
    return demande.allows(Action.ECRIRE) and can_view_demande(account, demande)


def applicant_side(demande: Demande) -> list[Account]:
    """Who on the applicant side is told of what happens to a demande: the
    structure's référents and its author, once each, among those who may
    still see it (a detached author is not told, and gets no link to a page
    it can no longer open). The recipient rule of every applicant-side email."""
    people = [m.account for m in demande.structure.referents] if demande.structure is not None else []
    if demande.author is not None:
        people.append(demande.author)
    unique = {person.id: person for person in people}
    return [person for person in unique.values() if can_view_demande(person, demande)]
