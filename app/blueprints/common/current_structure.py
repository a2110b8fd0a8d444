"""Which structure the logged-in account is working for.

An account attached to several structures picks one in the espace personnel
(kept in the session); otherwise its only structure is the current one.
Memberships are read from the database on every request, so a detached
account loses the structure on its very next page. (Used by several areas:
the espace personnel, « Ma structure », the catalogue, the applicant's list.)
"""

from flask import session
from flask_login import current_user

from app.domain.memberships import active_memberships
from app.models import Membership


def current_memberships() -> list[Membership]:
    if not current_user.is_authenticated or current_user.is_agent:
        return []
    return active_memberships(current_user)


def current_membership() -> Membership | None:
    memberships = current_memberships()
    chosen = session.get("structure_id")
    for membership in memberships:
        if membership.structure_id == chosen:
            return membership
    return memberships[0] if memberships else None


def choose(structure_id: int) -> bool:
    if any(m.structure_id == structure_id for m in current_memberships()):
        session["structure_id"] = structure_id
        return True
    return False
