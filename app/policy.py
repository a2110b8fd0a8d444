"""Authorisation: the one place that says who may do what.

Views use ``permission_required(rule)``; templates use the same rules
through the ``can`` global. Every rule is a plain function of the account
(and, later, of the object), tested as a matrix.
"""

import functools

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models import AgentRole


def is_usager(account) -> bool:
    return account.is_authenticated and not account.is_agent


def can_use_espace_personnel(account) -> bool:
    return is_usager(account)


def can_access_back_office(account) -> bool:
    return account.is_authenticated and account.is_agent


def can_administer(account) -> bool:
    return account.is_authenticated and account.agent_role == AgentRole.ADMIN


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
