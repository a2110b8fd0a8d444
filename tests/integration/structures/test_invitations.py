"""Invitation links: create the account from the link (email fixed) and be
attached once activated; or log in and accept; expired, replaced, cancelled,
used and tampered links."""

import html

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Account, Invitation, Membership
from tests.support.accounts import login, make_account, registration
from tests.support.mail import link_in, outbox
from tests.support.structures import make_structure
from tests.support.web import page_text


def _invitation_path(email="direction@lycee-saint-exupery.example"):
    return link_in(outbox(email, "Invitation")[-1].body_text, "/invitation/").removeprefix("http://localhost")


def _activation_path(email):
    return link_in(outbox(email, "Activez")[-1].body_text, "/activation/").removeprefix("http://localhost")


def test_invitee_creates_the_account_and_becomes_referent_on_activation(client, mode):
    structure = make_structure()
    path = _invitation_path()
    body = html.unescape(mode.assert_page(mode.get(client, path)))
    assert "Invitation à rejoindre Lycée Saint-Exupéry" in body and "référent de la structure" in body
    token = path.rsplit("/", 1)[1]
    form = html.unescape(mode.assert_page(mode.get(client, f"/creer-un-compte?invitation={token}")))
    assert 'value="direction@lycee-saint-exupery.example"' in form and "readonly" in form
    assert 'value="Bernard"' in form  # the name the agent typed is offered

    # whatever address is sent, the invited one is used
    data = registration(identifiant="pbernard", email="autre@exemple.fr", email_confirmation="autre@exemple.fr")
    mode.assert_redirect(mode.post(client, f"/creer-un-compte?invitation={token}", data), "/creer-un-compte/courriel-envoye")
    account = db.session.scalar(select(Account))
    assert account.email == "direction@lycee-saint-exupery.example"
    assert db.session.scalar(select(Membership)) is None  # not before activation
    assert "déjà été utilisé" in html.unescape(client.get(path).get_data(as_text=True))

    page = page_text(client.get(_activation_path(account.email)).get_data(as_text=True))
    assert "Votre compte est rattaché à Lycée Saint-Exupéry" in page
    membership = db.session.scalar(select(Membership))
    assert (membership.account_id, membership.structure_id, membership.role) == (account.id, structure.id, "referent")
    assert db.session.scalar(select(Invitation.status)) == "acceptee"


def test_an_existing_account_logs_in_and_accepts(client, mode):
    structure = make_structure()
    make_account(identifiant="deja.inscrit", email="perso@exemple.fr")
    path = _invitation_path()
    body = html.unescape(client.get(path).get_data(as_text=True))
    assert "Me connecter" in body and "/connexion?next=" in body and path.rsplit("/", 1)[1] in body
    login(client, "deja.inscrit")
    assert "Accepter l'invitation" in html.unescape(client.get(path).get_data(as_text=True))
    response = mode.post(client, path + "/accepter")
    mode.assert_redirect(response, "/structure")
    page = html.unescape(client.get("/structure").get_data(as_text=True))
    assert "Lycée Saint-Exupéry" in page and "Référent de la structure" in page
    assert db.session.scalar(select(Membership.structure_id)) == structure.id
    assert mode.post(client, path + "/accepter").status_code == 422  # works once


def test_accepting_needs_login(client):
    make_structure()
    response = client.post(_invitation_path() + "/accepter")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_expired_link(client, mode):
    with time_machine.travel("2026-06-01 09:00:00+00:00", tick=False) as traveller:
        make_structure()
        path = _invitation_path()
        traveller.shift(72 * 3600 + 60)
        body = html.unescape(mode.assert_page(mode.get(client, path), status=410))
        token = path.rsplit("/", 1)[1]
        assert client.get(f"/creer-un-compte?invitation={token}").status_code == 410
    assert "Ce lien d'invitation a expiré" in body and "contactez la Région" in body


def test_tampered_link(client, mode):
    make_structure()
    path = _invitation_path()
    body = html.unescape(mode.assert_page(mode.get(client, path[:-4] + "abcd"), status=404))
    assert "Ce lien d'invitation n'est pas valide" in body


def test_replayed_link_after_acceptance(client):
    make_structure()
    make_account(identifiant="deja.inscrit", email="perso@exemple.fr")
    path = _invitation_path()
    login(client, "deja.inscrit")
    client.post(path + "/accepter")
    client.post("/deconnexion")
    response = client.get(path)
    assert response.status_code == 410 and "déjà été utilisé" in html.unescape(response.get_data(as_text=True))


def test_invitation_to_someone_already_a_member(client, mode):
    from tests.support.structures import attach

    structure = make_structure()
    referent = make_account(identifiant="ref", email="ref@exemple.fr")
    attach(referent, structure)
    teacher = make_account(identifiant="prof", email="prof@exemple.fr")
    attach(teacher, structure, role="membre")
    login(client, "ref")
    body = html.unescape(mode.assert_invalid(mode.post(client, "/structure/inviter", {"email": "PROF@exemple.fr", "nom": "Prof", "prenom": "Jean"})))
    assert "est déjà membre de cette structure" in body


def test_agents_cannot_accept(client):
    from tests.support.accounts import make_agent

    make_structure()
    make_agent()
    login(client, "agent.region")
    path = _invitation_path()
    assert "Un compte d'agent" in html.unescape(client.get(path).get_data(as_text=True))
    assert client.post(path + "/accepter").status_code == 403


def test_pending_account_purged_frees_the_invitation(app, client):
    with time_machine.travel("2026-06-01 09:00:00+00:00", tick=False) as traveller:
        make_structure()
        path = _invitation_path()
        token = path.rsplit("/", 1)[1]
        client.post(f"/creer-un-compte?invitation={token}", data=registration(identifiant="oublie"))
        traveller.shift(8 * 86400)
        app.test_cli_runner().invoke(args=["accounts", "purge-pending"])
        assert db.session.scalar(select(Invitation.pending_account_id)) is None
        assert db.session.scalar(select(Account)) is None
