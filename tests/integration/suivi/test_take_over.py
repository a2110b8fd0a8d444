"""« Confier la demande »: the référent gives the demande of an author who was
detached to itself or to another member; the person who left is told, on
its next visit, who has it now; nobody else may do it, nor at any status."""

import pytest
from sqlalchemy import select

from app.domain import memberships
from app.domain.base import SYSTEM, OperationContext
from app.domain.demandes import drafts
from app.domain.teleservices import teleservice_by_code
from app.extensions import db
from app.models import AuditEvent, Demande
from tests.support.accounts import make_account
from tests.support.mail import outbox
from tests.support.structures import attach
from tests.support.web import error_messages, page_text


@pytest.fixture
def draft(app, teleservices_open, lycee):
    """The teacher's draft, then the teacher detached from the lycée."""
    demande = drafts.start_demande(OperationContext(actor=lycee.teacher), teleservice_by_code("TRAJ"), lycee.structure)
    memberships.detach(SYSTEM, lycee.structure.active_membership_of(lycee.teacher))
    return demande


def _url(demande):
    return f"/demandes/{demande.id}/confier"


def test_the_referent_takes_over_a_detached_authors_draft(app, draft, lycee, referent_client, login_as, mode):
    page = page_text(mode.assert_page(mode.get(referent_client, f"/demandes/{draft.id}")))
    assert "Aïcha Martin, auteur de cette demande, n'est plus rattaché(e) à la structure" in page and "Confier la demande" in page
    form = page_text(mode.assert_page(mode.get(referent_client, _url(draft))))
    assert "Paul Bernard (référent de la structure)" in form and "Aïcha Martin" not in form.split("À qui confier la demande ?")[1]

    body = mode.assert_invalid(mode.post(referent_client, _url(draft), {"auteur": ""}))
    assert error_messages(body) == ["Choisissez le membre à qui confier la demande"]
    body = mode.assert_invalid(mode.post(referent_client, _url(draft), {"auteur": str(lycee.teacher.id)}))  # detached: not a choice
    assert error_messages(body) == ["Choisissez le membre à qui confier la demande"]

    mode.assert_redirect(mode.post(referent_client, _url(draft), {"auteur": str(lycee.referent.id)}), f"/demandes/{draft.id}")
    db.session.refresh(draft)
    assert draft.author_id == lycee.referent.id
    assert referent_client.get(f"/demandes/{draft.id}/etapes/preambule").status_code == 200  # the référent writes it now
    assert "Demande confiée à Paul Bernard" in page_text(referent_client.get(f"/demandes/{draft.id}").get_data(as_text=True))
    assert not outbox(lycee.referent.email, "confiée")  # no email to oneself
    assert referent_client.get(_url(draft)).status_code == 403  # its author is attached now

    teacher = login_as("prof")
    response = teacher.get(f"/demandes/{draft.id}")
    assert response.status_code == 404
    text = page_text(response.get_data(as_text=True))
    assert "Vous n'êtes plus rattaché(e)" in text and "Le référent de la structure a confié cette demande à Paul Bernard le " in text


def test_given_to_another_member_who_is_told_by_email(app, draft, lycee, referent_client, mode):
    colleague = make_account(identifiant="prof2", email="prof2@exemple.fr", nom="Durand", prenom="Marie")
    attach(colleague, lycee.structure, role="membre")
    mode.assert_redirect(mode.post(referent_client, _url(draft), {"auteur": str(colleague.id)}), f"/demandes/{draft.id}")
    db.session.refresh(draft)
    assert draft.author_id == colleague.id
    (mail,) = outbox("prof2@exemple.fr", "Une demande vous est confiée")
    assert "Paul Bernard, référent de la structure" in mail.body_text and f"/demandes/{draft.id}/etapes/preambule" in mail.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demande.confiee"))
    assert event.details["previous_author_id"] == lycee.teacher.id and event.details["confiee_a"] == "Marie Durand"


def test_only_the_referent_only_for_a_detached_author_only_before_transmission(app, teleservices_open, lycee, referent_client, login_as, demande_in):
    attached = drafts.start_demande(OperationContext(actor=lycee.teacher), teleservice_by_code("TRAJ"), lycee.structure)
    assert referent_client.get(_url(attached)).status_code == 403  # its author is still there
    assert "Confier la demande" not in page_text(referent_client.get(f"/demandes/{attached.id}").get_data(as_text=True))

    colleague = make_account(identifiant="prof2", email="prof2@exemple.fr")
    attach(colleague, lycee.structure, role="membre")
    transmitted = demande_in("transmise")
    filed = demande_in("deposee", intitule="Déposée")
    memberships.detach(SYSTEM, lycee.structure.active_membership_of(lycee.teacher))
    assert login_as("prof2").get(_url(attached)).status_code == 404  # a membre does not see another's demande
    assert referent_client.get(_url(transmitted)).status_code == 403  # with the council: no longer the structure's to give
    assert referent_client.get(_url(filed)).status_code == 200  # « déposée », waiting for the CA: it can be given
    assert db.session.get(Demande, transmitted.id).author_id == lycee.teacher.id
