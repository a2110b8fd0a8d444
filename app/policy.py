"""Authorisation: the one place that says who may do what.

Views use ``permission_required(rule)``; templates use the same rules
through the ``policy`` global. Every rule is a plain function of the account
(and, later, of the object), tested as a matrix.
"""

import functools

from flask import abort
from flask_login import current_user

from app.domain.structures import active_membership
from app.extensions import login_manager
from app.models import AgentRole, DemandeStatus, MembershipRole


def is_usager(account) -> bool:
    return account.is_authenticated and not account.is_agent


def can_use_espace_personnel(account) -> bool:
    return is_usager(account)


def can_access_back_office(account) -> bool:
    return account.is_authenticated and account.is_agent


def can_administer(account) -> bool:
    return account.is_authenticated and account.agent_role == AgentRole.ADMIN


def can_lookup_organisations(account) -> bool:
    """Who may query API Entreprise by SIRET / RNA: agents (structures) and
    usagers (the wizard's « Bénéficiaire » step)."""
    return account.is_authenticated


def can_manage_structures(account) -> bool:
    """Agents create, edit and import structures and invite their référents."""
    return can_access_back_office(account)


def _membership(account, structure):
    if not is_usager(account) or structure is None:
        return None
    return active_membership(account, structure.id)


def can_view_structure(account, structure) -> bool:
    """Agents, and the accounts attached to it right now (a detached account
    loses access on its very next request)."""
    return can_access_back_office(account) or _membership(account, structure) is not None


def can_manage_members(account, structure) -> bool:
    """Only a référent invites, detaches, hands over its role and edits the
    contact fields of its structure."""
    membership = _membership(account, structure)
    return membership is not None and membership.role == MembershipRole.REFERENT


def can_accept_invitation(account) -> bool:
    return is_usager(account)


def can_view_demande(account, demande) -> bool:
    """Its author while attached to its structure, the structure's référent
    (every demande of the structure, those of detached members included);
    agents once it has been transmitted to the Région."""
    if can_access_back_office(account):
        return demande.status not in (DemandeStatus.BROUILLON, DemandeStatus.DEPOSEE)
    if not is_usager(account):
        return False
    if demande.structure is None:
        return demande.author_id == account.id
    membership = _membership(account, demande.structure)
    if membership is None:
        return False
    return membership.role == MembershipRole.REFERENT or demande.author_id == account.id


def can_edit_demande(account, demande, step: str | None = None) -> bool:
    """Only its author, still attached to the structure: a draft, or the
    steps the council reopened with « Demander des compléments » (and the
    récapitulatif, to send them back)."""
    if not (
        is_usager(account)
        and demande.author_id == account.id
        and (demande.structure is None or _membership(account, demande.structure) is not None)
    ):
        return False
    if demande.status == DemandeStatus.BROUILLON:
        return True
    if demande.status == DemandeStatus.COMPLEMENTS_DEMANDES:
        reopened = demande.reopened_steps or []
        return step is None or step in reopened or step == "recapitulatif"
    return False


def can_transmit(account, demande) -> bool:
    """The structure's référent (still attached) transmits a « déposée »
    demande, or sends it back to its author; a membre cannot."""
    return (
        account is not None
        and demande.status == DemandeStatus.DEPOSEE
        and demande.structure is not None
        and can_manage_members(account, demande.structure)
    )


def permission_required(rule):
    """Anonymous → login page (Flask-Login); logged in without the right → 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not rule(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# « Fils de discussion » (app.domain.messages, app.blueprints.messages).


def thread_is_open(demande) -> bool:
    """A demande's fil de discussion with the council opens once the demande
    is transmitted to the Région (the council cannot see it before: a
    « brouillon », or a « déposée » waiting for the structure's CA)."""
    return demande.status not in (DemandeStatus.BROUILLON, DemandeStatus.DEPOSEE)


def can_write_in_thread(account, demande) -> bool:
    """Read the fil de discussion and write a « Nouveau message »: those who
    may see the demande (applicant side: its author while attached and the
    structure's référents; council side: agents), once the thread is open.
    Which side an account writes for is ``is_usager`` / ``can_access_back_office``."""
    return thread_is_open(demande) and can_view_demande(account, demande)


def visible_demandes_clause(account):
    """``can_view_demande`` as a SQL condition on ``Demande``, to list or count
    over every demande an account may see in one query (kept in step with
    ``can_view_demande`` by a test over a matrix of accounts and demandes)."""
    from sqlalchemy import and_, exists, false, or_

    from app.models import Demande, Membership

    if can_access_back_office(account):
        return Demande.status.not_in((DemandeStatus.BROUILLON, DemandeStatus.DEPOSEE))
    if not is_usager(account):
        return false()
    attached = exists().where(
        Membership.account_id == account.id,
        Membership.structure_id == Demande.structure_id,
        Membership.until.is_(None),
        or_(Membership.role == MembershipRole.REFERENT, Demande.author_id == account.id),
    )
    return or_(and_(Demande.structure_id.is_(None), Demande.author_id == account.id), and_(Demande.structure_id.is_not(None), attached))
