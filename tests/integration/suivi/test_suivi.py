"""After filing: the list, the demande page, transmission by the référent
(CA date, PV), sending back to the author, every refusal, atomicity."""

import html
import io

import pytest
from sqlalchemy import select

from app.domain import memberships
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import AuditEvent, Demande, DemandeStatus, Membership, OutgoingMail, Receipt
from tests.support.accounts import login, make_account
from tests.support.mail import link_in, outbox
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.web import error_messages, page_text
from tests.support.wizard import PDF, make_filed_demande, post_page


@pytest.fixture
def app_config():
    return {"REGION_NAME": "La Région Occitanie"}


@pytest.fixture
def demande(demande_in):
    """A demande the teacher filed, « déposée », waiting for the référent."""
    return demande_in("deposee", intitule="Les métiers de la mer")


def _pv():
    return (io.BytesIO(PDF), "pv-ca.pdf")


def _transmit(client, demande, mode=None, **overrides):
    data = {"ca_date": "10/11/2026", "pv": _pv(), "confirm": "y", **overrides}
    if isinstance(data["pv"][0], bytes):  # a fresh stream for each request
        data["pv"] = (io.BytesIO(data["pv"][0]), data["pv"][1])
    headers = mode.headers if mode else {}
    return client.post(f"/demandes/{demande.id}/transmettre", data=data, headers=headers, content_type="multipart/form-data")


def test_referent_sees_every_demande_of_the_structure(app, demande, referent_client, mode):
    text = page_text(mode.assert_page(mode.get(referent_client, "/demandes")))
    assert demande.reference in text and "Les métiers de la mer" in text and "Déposée" in text and "Aïcha Martin" in text


def test_membre_sees_only_what_it_wrote(app, demande, mode):
    other = make_account(identifiant="prof2", email="prof2@exemple.fr")
    attach(other, demande.structure, role="membre")
    client = app.test_client()
    login(client, "prof2")
    assert demande.reference not in page_text(mode.get(client, "/demandes").get_data(as_text=True))
    assert client.get(f"/demandes/{demande.id}").status_code == 404


def test_list_filters_sorts_and_pages(app, demande, referent_client, mode):
    teacher = demande.author
    for number in range(22):
        make_filed_demande(teacher, demande.structure, intitule=f"Projet {number:02d}")
    body = mode.get(referent_client, "/demandes?tri=intitule&ordre=asc").get_data(as_text=True)
    text = page_text(body)
    assert "23 demandes" in text and "govuk-pagination" in body
    assert text.index("Les métiers de la mer") < text.index("Projet 00")
    assert "Projet 19" not in text  # page 2
    assert "Projet 19" in page_text(mode.get(referent_client, "/demandes?tri=intitule&ordre=asc&page=2").get_data(as_text=True))
    assert "0 demande" in page_text(mode.get(referent_client, "/demandes?statut=transmise").get_data(as_text=True))


def test_demande_page_shows_status_history_answers_documents(app, demande, referent_client, mode):
    body = mode.assert_page(mode.get(referent_client, f"/demandes/{demande.id}"))
    assert '<strong class="govuk-tag govuk-tag--teal">Déposée</strong>' in body  # a tag, not escaped markup
    text = page_text(body)
    for expected in [f"Demande {demande.reference}", "Déposée", "Brouillon commencé", "Demande déposée", "Les métiers de la mer",
                     "devis.pdf", "Transmettre à la Région", "Renvoyer à l'auteur pour modification"]:
        assert expected in text, expected


def test_transmission_with_ca_date_and_pv(app, demande, referent_client, mode):
    page = page_text(mode.assert_page(mode.get(referent_client, f"/demandes/{demande.id}/transmettre")))
    assert "Date du Conseil d'Administration *" in page
    response = _transmit(referent_client, demande, mode)
    mode.assert_redirect(response, f"/demandes/{demande.id}")
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.TRANSMISE and str(demande.ca_date) == "2026-11-10"
    assert demande.transmitted_by.identifiant == "ref"
    assert [a.slot for a in demande.attachments] == ["devis", "pv_ca"]
    assert db.session.scalar(select(Receipt).where(Receipt.demande_id == demande.id)) is not None
    for email in ("ref@exemple.fr", "prof@exemple.fr"):
        (mail,) = outbox(email, "Accusé de réception")
        assert demande.reference in mail.body_text and "transmise à la Région le" in mail.body_text
        assert link_in(mail.body_text, "/accuse-de-reception.pdf")
    text = page_text(referent_client.get(f"/demandes/{demande.id}").get_data(as_text=True))
    assert "Demande transmise à la Région" in text and "Télécharger l'accusé de réception" in text


def test_a_teacher_detached_before_the_transmission_gets_no_accuse(app, demande, referent_client, mode):
    """Regression (issue 10): the accusé de réception follows the one
    recipient rule of applicant-side emails — who may still see the demande."""
    teacher = demande.author
    membership = db.session.scalar(select(Membership).where(Membership.account_id == teacher.id))
    memberships.detach(SYSTEM, membership)
    mode.assert_redirect(_transmit(referent_client, demande, mode), f"/demandes/{demande.id}")
    assert outbox("prof@exemple.fr", "Accusé de réception") == []
    (mail,) = outbox("ref@exemple.fr", "Accusé de réception")
    assert demande.reference in mail.body_text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ca_date": ""}, "ca_date", "Saisissez la date du Conseil d'Administration"),
        ({"ca_date": "31/02/2026"}, "ca_date", "Cette date n'existe pas"),
        ({"ca_date": "01/01/2099"}, "ca_date", "ne peut pas être dans le futur"),
        ({"pv": (b"", "")}, "pv", "Joignez l'extrait du procès-verbal"),
        ({"pv": (b"texte", "pv.pdf")}, "pv", "n'est pas un PDF"),
        ({"confirm": ""}, "confirm", "Confirmez la transmission"),
    ],
)
def test_transmission_refusals_keep_the_demande_as_it_was(app, demande, referent_client, mode, overrides, field, message):
    body = html.unescape(mode.assert_invalid(_transmit(referent_client, demande, mode, **overrides)))
    assert any(message in m for m in error_messages(body)), error_messages(body)
    assert 'value="' + (overrides.get("ca_date") or "") in body or field != "ca_date"
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.DEPOSEE and [a.slot for a in demande.attachments] == ["devis"]


def test_a_repeated_transmission_is_already_done(app, demande, referent_client, mode):
    """Sent twice (a second click, the back button, another tab): one transmission, « Déjà fait » (issue 12)."""
    mode.assert_redirect(_transmit(referent_client, demande, mode), f"/demandes/{demande.id}")
    mails = len(db.session.scalars(select(OutgoingMail)).all())
    again = _transmit(referent_client, demande, mode)
    mode.assert_redirect(again, f"/demandes/{demande.id}")
    page = page_text(referent_client.get(f"/demandes/{demande.id}").get_data(as_text=True))
    assert f"Déjà fait : la demande {demande.reference} est au statut « Transmise à la Région »." in page
    db.session.refresh(demande)
    assert [a.slot for a in demande.attachments].count("pv_ca") == 1
    assert len(db.session.scalars(select(OutgoingMail)).all()) == mails  # no second accusé


def test_a_membre_cannot_transmit_or_send_back(app, demande, teacher_client, mode):
    assert mode.get(teacher_client, f"/demandes/{demande.id}/transmettre").status_code == 403
    assert _transmit(teacher_client, demande, mode).status_code == 403
    assert mode.post(teacher_client, f"/demandes/{demande.id}/renvoyer", {"message": "x"}).status_code == 403


def test_the_referent_of_another_structure_cannot(app, demande, mode):
    other = make_structure(**{**ASSOCIATION, "siret": "21310555400017", "raison_sociale": "Autre association"})
    attach(make_account(identifiant="autre.ref", email="autre.ref@exemple.fr"), other)
    client = app.test_client()
    login(client, "autre.ref")
    assert mode.get(client, f"/demandes/{demande.id}/transmettre").status_code == 404
    assert _transmit(client, demande, mode).status_code == 404


def test_a_detached_referent_cannot_act(app, demande, referent_client, mode):
    membership = db.session.scalar(select(Membership).where(Membership.account_id == demande.structure.referents[0].account_id))
    second = make_account(identifiant="ref2", email="ref2@exemple.fr")
    attach(second, demande.structure)
    memberships.detach(SYSTEM, membership)
    assert _transmit(referent_client, demande, mode).status_code == 404
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.DEPOSEE


def test_wrong_status_is_refused(app, demande, referent_client, mode):
    _transmit(referent_client, demande)
    mode.assert_redirect(_transmit(referent_client, demande, mode), f"/demandes/{demande.id}")  # already transmitted: « déjà fait »
    assert mode.post(referent_client, f"/demandes/{demande.id}/renvoyer", {"message": "x"}).status_code == 403


def test_a_transmission_failing_half_way_leaves_no_trace(app, demande, referent_client, monkeypatch, tmp_path):

    def broken(demande):
        raise RuntimeError("the PDF could not be made")

    monkeypatch.setattr("app.domain.demandes.receipts.make_receipt", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = _transmit(referent_client, demande)
    assert response.status_code == 500
    db.session.expire_all()
    again = db.session.get(Demande, demande.id)
    assert again.status == DemandeStatus.DEPOSEE and again.transmitted_at is None and again.ca_date is None
    assert [a.slot for a in again.attachments] == ["devis"]
    assert db.session.scalar(select(Receipt)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demande.transmise")) is None
    assert outbox(subject="Accusé de réception") == []


def test_send_back_then_correct_and_file_again(app, demande, referent_client, teacher_client, mode):
    reference = demande.reference
    body = mode.assert_invalid(mode.post(referent_client, f"/demandes/{demande.id}/renvoyer", {"message": ""}))
    assert "Expliquez à l'auteur ce qu'il faut modifier" in html.unescape(body)
    response = mode.post(referent_client, f"/demandes/{demande.id}/renvoyer", {"message": "Précisez le budget des transports."})
    mode.assert_redirect(response, f"/demandes/{demande.id}")
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.BROUILLON
    (mail,) = outbox("prof@exemple.fr", "renvoyée pour modification")
    assert "Précisez le budget des transports." in mail.body_text
    assert "Précisez le budget des transports." in page_text(teacher_client.get(f"/demandes/{demande.id}").get_data(as_text=True))
    post_page(teacher_client, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="deposer")
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.DEPOSEE and demande.reference == reference


def test_ca_date_today_is_accepted(app, demande, referent_client):
    from datetime import date

    response = _transmit(referent_client, demande, ca_date=date.today().strftime("%d/%m/%Y"))
    assert response.status_code == 303


def test_no_document_is_added_to_a_filed_demande(app, demande, tmp_path):
    """Documents go with « Votre dossier »: once filed (and unless the council
    reopens that step), the domain refuses one more."""
    from app.domain.base import DomainError, OperationContext
    from app.domain.demandes import drafts
    from tests.support.files import upload

    with pytest.raises(DomainError, match="n'est plus modifiable"):
        drafts.add_document(OperationContext(actor=demande.author), demande, "devis", upload("tard.pdf", b"%PDF-1.4 x"))
    assert "tard.pdf" not in {a.original_name for a in demande.attachments}


def test_every_transmission_error_comes_at_once(app, demande, referent_client, mode):
    """A future CA date, no PV: both at their field in one round; and a file that is not a PDF
    comes with the date's error."""
    body = mode.assert_invalid(_transmit(referent_client, demande, mode, ca_date="01/01/2099", pv=(b"", "")))
    assert error_messages(body) == [
        "La date du Conseil d'Administration ne peut pas être dans le futur",
        "Joignez l'extrait du procès-verbal ou la délibération du Conseil d'Administration",
    ]
    body = mode.assert_invalid(_transmit(referent_client, demande, mode, ca_date="01/01/2099", pv=(b"texte", "pv.pdf")))
    messages = error_messages(body)
    assert len(messages) == 2 and "ne peut pas être dans le futur" in messages[0] and "n'est pas un PDF" in messages[1]
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.DEPOSEE
