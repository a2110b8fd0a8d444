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
    agents once it has left the draft stage."""
    if can_access_back_office(account):
        return demande.status != DemandeStatus.BROUILLON
    if not is_usager(account):
        return False
    if demande.structure is None:
        return demande.author_id == account.id
    membership = _membership(account, demande.structure)
    if membership is None:
        return False
    return membership.role == MembershipRole.REFERENT or demande.author_id == account.id


def can_edit_demande(account, demande) -> bool:
    """Only its author, while it is a draft and the author still belongs to the structure."""
    return (
        is_usager(account)
        and demande.author_id == account.id
        and demande.status == DemandeStatus.BROUILLON
        and (demande.structure is None or _membership(account, demande.structure) is not None)
    )


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
