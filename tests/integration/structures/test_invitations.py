"""Invitation links: create the account from the link (email fixed) and be
attached once activated; or log in and accept; expired, replaced, cancelled,
used and tampered links."""

import html

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Account, AuditEvent, Invitation, Membership
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


INVITED = "direction@lycee-saint-exupery.example"


def test_an_existing_account_logs_in_and_accepts(client, mode):
    structure = make_structure()
    make_account(identifiant="deja.inscrit", email=INVITED.upper())  # the invited address, whatever its case
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
    make_account(identifiant="deja.inscrit", email=INVITED)
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


# Bound to the addressee (issue 12) ------------------------------------------------------


def _memberships() -> list[Membership]:
    db.session.expire_all()
    return list(db.session.scalars(select(Membership)))


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_link_used_by_another_account_is_refused_and_the_addressee_still_accepts(app, mode):
    structure = make_structure()
    make_account(identifiant="intrus", email="intrus@exemple.fr")
    make_account(identifiant="direction", email=INVITED)
    path = _invitation_path()
    other = app.test_client()
    login(other, "intrus")
    page = page_text(other.get(path).get_data(as_text=True))
    assert "Cette invitation a été envoyée à l'adresse direction@lycee-saint-exupery.example" in page
    assert "Accepter l'invitation" not in page and "Recevoir un lien de confirmation" in page
    body = html.unescape(mode.assert_page(mode.post(other, path + "/accepter"), status=422))
    assert "il ne peut pas l'accepter directement" in body and "L'invitation reste valable" in body
    assert _memberships() == [] and db.session.scalar(select(Invitation.status)) == "envoyee"
    (refused,) = _events("invitation.refused_other_account")
    assert refused.details["invited_email"] == INVITED and refused.details["account_email"] == "intrus@exemple.fr"

    addressee = app.test_client()
    login(addressee, "direction")
    mode.assert_redirect(mode.post(addressee, path + "/accepter"), "/structure")
    (membership,) = _memberships()
    assert membership.structure_id == structure.id and membership.account.identifiant == "direction"
    (started,) = _events("membership.started")
    assert started.details["proved_by"] == "adresse"
    assert started.details["invited_email"] == started.details["account_email"] == INVITED


def test_another_account_joins_through_a_confirmation_sent_to_the_invited_address(app, mode):
    structure = make_structure()
    make_account(identifiant="perso", email="perso@exemple.fr")
    make_account(identifiant="tiers", email="tiers@exemple.fr")
    path = _invitation_path()
    person = app.test_client()
    login(person, "perso")
    response = mode.post(person, path + "/confirmation")
    mode.assert_redirect(response, path)
    assert "Un lien de confirmation a été envoyé à l'adresse direction@lycee-saint-exupery.example" in page_text(
        person.get(path).get_data(as_text=True)
    )
    (mail,) = outbox(INVITED, "Confirmez le rattachement")
    assert "perso@exemple.fr" in mail.body_text and "identifiant perso" in mail.body_text
    confirmation = link_in(mail.body_text, "/invitation/").removeprefix("http://localhost")
    assert confirmation != path and outbox("perso@exemple.fr", "Confirmez") == []
    (sent,) = _events("invitation.confirmation_sent")
    assert sent.details["invited_email"] == INVITED and sent.details["account_email"] == "perso@exemple.fr"

    # The confirmation names the account: nobody else may use it.
    third = app.test_client()
    login(third, "tiers")
    assert "Accepter l'invitation" not in page_text(third.get(confirmation).get_data(as_text=True))
    assert third.post(confirmation + "/accepter").status_code == 422
    assert _memberships() == []

    assert "Accepter l'invitation" in page_text(person.get(confirmation).get_data(as_text=True))
    mode.assert_redirect(mode.post(person, confirmation + "/accepter"), "/structure")
    (membership,) = _memberships()
    assert membership.structure_id == structure.id and membership.account.identifiant == "perso"
    (started,) = _events("membership.started")
    assert started.details["proved_by"] == "lien de confirmation"
    assert (started.details["invited_email"], started.details["account_email"]) == (INVITED, "perso@exemple.fr")
    assert person.get(path).status_code == 410  # the invitation is used: its first link too


def test_confirmation_links_are_limited_per_invitation(make_app):
    app = make_app(RATELIMIT_ENABLED=True, INVITATION_CONFIRMATION_RATE_LIMIT="1 per hour")
    client = app.test_client()
    with app.app_context():
        make_structure()
        make_account(identifiant="perso", email="perso@exemple.fr")
        path = _invitation_path()
    login(client, "perso")
    assert client.post(path + "/confirmation").status_code == 303
    refused = client.post(path + "/confirmation")
    assert refused.status_code == 422
    assert "Plusieurs liens de confirmation ont déjà été envoyés" in page_text(refused.get_data(as_text=True))
    with app.app_context():
        assert len(outbox(INVITED, "Confirmez le rattachement")) == 1
