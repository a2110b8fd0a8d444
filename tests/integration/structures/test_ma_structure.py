"""« Ma structure »: the référent's view, contact fields, inviting members,
detaching them, handing over the role; a membre's limited view; several
structures."""


import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Membership, Structure
from tests.support.accounts import login, make_account, registration
from tests.support.mail import link_in, outbox
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.web import error_messages, page_text


@pytest.fixture
def lycee(app):
    structure = make_structure()
    referent = make_account(identifiant="ref", email="ref@exemple.fr", nom="Bernard", prenom="Paul")
    teacher = make_account(identifiant="prof", email="prof@exemple.fr", nom="Martin", prenom="Aïcha")
    attach(referent, structure)
    teacher_membership = attach(teacher, structure, role="membre")
    return structure, referent, teacher, teacher_membership


def test_referent_sees_details_members_and_invitations(client, mode, lycee):
    login(client, "ref")
    text = page_text(mode.assert_page(mode.get(client, "/structure")))
    for expected in ["Lycée Saint-Exupéry", "41816609600069", "0750654D", "Paul Bernard, Chef d'établissement",
                     "Membres (2)", "Martin", "Aïcha", "prof", "prof@exemple.fr", "Membre", "Référent de la structure",
                     "Inviter un membre de la communauté éducative", "Détacher"]:
        assert expected in text, expected


def test_a_membre_sees_only_name_referent_and_its_role(client, mode, lycee):
    login(client, "prof")
    text = page_text(mode.assert_page(mode.get(client, "/structure")))
    assert "Lycée Saint-Exupéry" in text and "Paul Bernard" in text and "Votre rôle Membre" in text
    assert "41816609600069" not in text and "prof@exemple.fr" not in text and "Inviter" not in text
    for path in ["/structure/inviter", "/structure/coordonnees", f"/structure/membres/{lycee[3].id}/detacher"]:
        assert mode.get(client, path).status_code == 403


def test_referent_edits_the_contact_fields(client, mode, lycee):
    login(client, "ref")
    body = mode.assert_invalid(mode.post(client, "/structure/coordonnees", {"email": "x", "telephone": "05 61 11 22 33"}))
    assert any("adresse électronique valide" in m for m in error_messages(body))
    assert 'value="05 61 11 22 33"' in body
    mode.assert_redirect(mode.post(client, "/structure/coordonnees", {"email": "accueil@lycee.example", "telephone": ""}), "/structure")
    structure = lycee[0]
    db.session.refresh(structure)
    assert (structure.email, structure.telephone) == ("accueil@lycee.example", None)


def test_invite_a_teacher_who_joins_as_membre(make_app, mode):
    app = make_app()
    referent_client, teacher_client = app.test_client(), app.test_client()
    with app.app_context():
        structure = make_structure()
        attach(make_account(identifiant="ref", email="ref@exemple.fr"), structure)
        login(referent_client, "ref")
        body = mode.assert_invalid(mode.post(referent_client, "/structure/inviter", {"email": "", "nom": "", "prenom": ""}))
        assert len(error_messages(body)) == 3
        mode.assert_redirect(
            mode.post(referent_client, "/structure/inviter", {"email": "nouveau.prof@exemple.fr", "nom": "Durand", "prenom": "Léo"}), "/structure"
        )
        mail = outbox("nouveau.prof@exemple.fr")[0]
        assert "vous invite à rejoindre cette structure" in mail.body_text and "72 heures" in mail.body_text
        token = link_in(mail.body_text, "/invitation/").rsplit("/", 1)[1]
        teacher_client.post(f"/creer-un-compte?invitation={token}", data=registration(identifiant="ldurand", nom="Durand", prenom="Léo"))
        activation = link_in(outbox("nouveau.prof@exemple.fr", "Activez")[0].body_text, "/activation/")
        teacher_client.get(activation.removeprefix("http://localhost"))
        assert "Durand" in page_text(referent_client.get("/structure").get_data(as_text=True))
        membership = db.session.scalar(select(Membership).where(Membership.role == "membre"))
        assert membership.account.identifiant == "ldurand"


def test_referent_resends_and_cancels_member_invitations(client, mode, lycee):
    login(client, "ref")
    client.post("/structure/inviter", data={"email": "a@exemple.fr", "nom": "Abel", "prenom": "Anne"})
    invitation = lycee[0].invitations[0]
    mode.assert_redirect(mode.post(client, f"/structure/invitations/{invitation.id}/renvoyer"), "/structure")
    assert len(outbox("a@exemple.fr")) == 2
    mode.assert_redirect(mode.post(client, f"/structure/invitations/{invitation.id}/annuler"), "/structure")
    db.session.refresh(invitation)
    assert invitation.status == "annulee"


def test_detach_names_the_person_then_ends_the_membership_at_once(make_app, mode):
    app = make_app()
    referent_client, teacher_client = app.test_client(), app.test_client()
    with app.app_context():
        structure = make_structure()
        attach(make_account(identifiant="ref", email="ref@exemple.fr"), structure)
        teacher = make_account(identifiant="prof", email="prof@exemple.fr", nom="Martin", prenom="Aïcha")
        membership = attach(teacher, structure, role="membre")
        login(referent_client, "ref")
        login(teacher_client, "prof")
        assert "Lycée Saint-Exupéry" in page_text(teacher_client.get("/structure").get_data(as_text=True))

        confirm = page_text(mode.assert_page(mode.get(referent_client, f"/structure/membres/{membership.id}/detacher")))
        assert "Détacher Aïcha Martin de la structure ?" in confirm and "restent attachées à la structure" in confirm
        mode.assert_redirect(mode.post(referent_client, f"/structure/membres/{membership.id}/detacher"), "/structure")

        text = page_text(teacher_client.get("/structure").get_data(as_text=True))
        assert "Votre compte n'est rattaché à aucune structure" in text
        assert teacher_client.get("/espace").status_code == 200  # the account remains
        db.session.refresh(membership)
        assert membership.until is not None
        assert "n'est plus rattaché" in outbox("prof@exemple.fr", "plus rattaché")[0].body_text
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.ended")).structure_id == structure.id


def test_the_last_referent_cannot_be_detached(client, mode, lycee):
    structure, referent, teacher, teacher_membership = lycee
    second = make_account(identifiant="ref2", email="ref2@exemple.fr")
    second_membership = attach(second, structure)
    login(client, "ref")
    mode.assert_redirect(mode.post(client, f"/structure/membres/{second_membership.id}/detacher"), "/structure")
    # now "ref" is the only référent: no one can detach it (it cannot act on itself from the list either)
    from app.domain import memberships
    from app.domain.base import SYSTEM, DomainError

    own = db.session.scalar(select(Membership).where(Membership.account_id == referent.id))
    with pytest.raises(DomainError, match="dernier référent"):
        memberships.detach(SYSTEM, own)


def test_hand_over_the_referent_role(client, mode, lycee):
    structure, referent, teacher, teacher_membership = lycee
    login(client, "ref")
    confirm = page_text(mode.assert_page(mode.get(client, f"/structure/membres/{teacher_membership.id}/referent")))
    assert "Confier le rôle de référent à Aïcha Martin ?" in confirm
    mode.assert_redirect(mode.post(client, f"/structure/membres/{teacher_membership.id}/referent"), "/structure")
    roles = dict(db.session.execute(select(Membership.account_id, Membership.role)).all())
    assert roles == {referent.id: "membre", teacher.id: "referent"}
    assert client.get("/structure/inviter").status_code == 403


def test_membership_of_another_structure_in_the_url_is_404(client, lycee):
    other = make_structure(**ASSOCIATION)
    stranger = make_account(identifiant="autre", email="autre@exemple.fr")
    foreign = attach(stranger, other, role="membre")
    login(client, "ref")
    assert client.get(f"/structure/membres/{foreign.id}/detacher").status_code == 404
    assert client.post(f"/structure/membres/{foreign.id}/detacher").status_code == 404
    assert db.session.get(Membership, foreign.id).until is None


def test_an_account_of_several_structures_picks_the_current_one(client, mode, lycee):
    structure, referent, *_ = lycee
    other = make_structure(**ASSOCIATION)
    attach(referent, other, role="membre")
    login(client, "ref")
    espace = page_text(client.get("/espace").get_data(as_text=True))
    assert "Changer de structure" in espace
    mode.assert_redirect(mode.post(client, "/structure/choisir", {"structure_id": other.id}), "/espace")
    assert "Votre rôle Membre" in page_text(client.get("/structure").get_data(as_text=True))
    assert client.post("/structure/choisir", data={"structure_id": 999}).status_code == 404


def test_login_through_another_espace_says_which_fits(client, lycee):
    response = client.post("/connexion/entreprises", data={"identifiant": "ref", "password": "Motdepasse-2026!"})
    assert response.status_code == 303
    text = page_text(client.get("/espace").get_data(as_text=True))
    assert "relève de l'Espace Acteurs publics" in text


def test_account_without_structure(client, app):
    make_account()
    login(client)
    assert "n'est rattaché à aucune structure" in page_text(client.get("/structure").get_data(as_text=True))
    assert db.session.scalar(select(Structure)) is None
