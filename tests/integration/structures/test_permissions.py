"""Who may do what with structures: every role × every action of the
structures issue, ids of another structure included. One row per role,
one column per action; the expected answer is the HTTP status."""

import pytest
from sqlalchemy import select

from app.domain import memberships
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import AgentRole, Invitation, MembershipRole
from tests.support.accounts import login, make_account, make_agent
from tests.support.structures import ASSOCIATION, attach, make_structure

LOGIN = "login"  # anonymous → the login page

ACTIONS = {
    "liste des structures": ("GET", "/instruction/structures"),
    "créer une structure": ("GET", "/instruction/structures/nouvelle"),
    "voir une structure (back office)": ("GET", "/instruction/structures/{lycee}"),
    "modifier une structure": ("GET", "/instruction/structures/{lycee}/modifier"),
    "importer des structures": ("GET", "/instruction/structures/import"),
    "annuler une invitation (back office)": ("POST", "/instruction/structures/{lycee}/invitations/{invitation}/annuler"),
    "ma structure": ("GET", "/structure"),
    "modifier les coordonnées": ("GET", "/structure/coordonnees"),
    "inviter un membre": ("GET", "/structure/inviter"),
    "annuler une invitation (référent)": ("POST", "/structure/invitations/{invitation}/annuler"),
    "détacher un membre": ("GET", "/structure/membres/{teacher}/detacher"),
    "confier le rôle de référent": ("GET", "/structure/membres/{teacher}/referent"),
    "détacher le membre d'une autre structure": ("GET", "/structure/membres/{foreign}/detacher"),
    "annuler l'invitation d'une autre structure": ("POST", "/structure/invitations/{foreign_invitation}/annuler"),
}

#                                  liste créer voir modif import annulBO ma   coord invit annulR détach confier autreDét autreInv
EXPECTED = {
    "visiteur":                     [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    "usager sans structure":        [403, 403, 403, 403, 403, 403, 200, 404, 404, 404, 404, 404, 404, 404],
    "membre":                       [403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403],
    "référent":                     [403, 403, 403, 403, 403, 403, 200, 200, 200, 303, 200, 200, 404, 404],
    "détaché":                      [403, 403, 403, 403, 403, 403, 200, 404, 404, 404, 404, 404, 404, 404],
    "instructeur":                  [200, 200, 200, 200, 200, 303, 403, 403, 403, 403, 403, 403, 403, 403],
    "admin":                        [200, 200, 200, 200, 200, 303, 403, 403, 403, 403, 403, 403, 403, 403],
}


@pytest.fixture
def url_ids(app):
    """The structures, members and invitations every URL of the matrix names (their ids)."""
    lycee = make_structure()
    other = make_structure(**ASSOCIATION)
    referent = make_account(identifiant="referent", email="referent@exemple.fr")
    attach(referent, lycee)
    teacher = attach(make_account(identifiant="membre", email="membre@exemple.fr"), lycee, role=MembershipRole.MEMBRE)
    detached_membership = attach(make_account(identifiant="detache", email="detache@exemple.fr"), lycee, role=MembershipRole.MEMBRE)
    memberships.detach(SYSTEM, detached_membership)
    foreign = attach(make_account(identifiant="etranger", email="etranger@exemple.fr"), other, role=MembershipRole.MEMBRE)
    make_account(identifiant="seul", email="seul@exemple.fr")
    make_agent("instructeur", AgentRole.INSTRUCTEUR)
    make_agent("admin", AgentRole.ADMIN)
    invitation = db.session.scalar(select(Invitation).where(Invitation.structure_id == lycee.id))
    foreign_invitation = db.session.scalar(select(Invitation).where(Invitation.structure_id == other.id))
    return {
        "lycee": lycee.id,
        "invitation": invitation.id,
        "teacher": teacher.id,
        "foreign": foreign.id,
        "foreign_invitation": foreign_invitation.id,
    }


IDENTIFIANTS = {
    "usager sans structure": "seul",
    "membre": "membre",
    "référent": "referent",
    "détaché": "detache",
    "instructeur": "instructeur",
    "admin": "admin",
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_and_action(client, url_ids, role):
    if role in IDENTIFIANTS:
        login(client, IDENTIFIANTS[role])
    for (name, (method, template)), expected in zip(ACTIONS.items(), EXPECTED[role], strict=True):
        url = template.format(**url_ids)
        response = client.open(url, method=method)
        if expected == LOGIN:
            assert response.status_code == 302 and "/connexion" in response.headers["Location"], (name, response.status_code)
        else:
            assert response.status_code == expected, (role, name, url, response.status_code)
        if method == "POST" and response.status_code == 303:
            # a successful cancel: restore the invitation for the next actions
            db.session.execute(Invitation.__table__.update().values(status="envoyee", cancelled_at=None))
            db.session.commit()
