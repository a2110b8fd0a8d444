"""Fils de discussion: « Nouveau message » on both sides, the emails (never
the content), unread counts and their reset, bad input (empty, too long,
refused files), attachments, who may not write, and when a thread opens."""

import html
import io
import re
import secrets

import pytest
from sqlalchemy import func, select

from app.domain import files, memberships, messages
from app.domain.base import SYSTEM, DomainError, OperationContext
from app.extensions import db
from app.models import Attachment, AuditEvent, Demande, Membership, Message, OutgoingMail, Side, Thread, ThreadRead
from tests.support.accounts import login, make_account, make_agent
from tests.support.mail import link_in, outbox
from tests.support.structures import ASSOCIATION, attach, make_structure
from tests.support.web import error_messages, page_text
from tests.support.wizard import PDF, make_filed_demande, transmit_demande

COUNCIL = "instruction@region.example"
NEW_TAG = '<strong class="govuk-tag">Nouveau</strong>'
SECRET = "Le budget transport comprend le car du 12 mars"


@pytest.fixture
def app_config():
    return {"MESSAGES_COUNCIL_EMAIL": COUNCIL, "ATTACHMENT_MAX_BYTES": 50_000}


@pytest.fixture
def demande(demande_in):
    """A demande the teacher filed and the référent transmitted: its thread is open."""
    return demande_in("transmise", intitule="Les métiers de la mer")


@pytest.fixture
def referent(lycee):
    return lycee.referent


@pytest.fixture
def teacher(lycee):
    return lycee.teacher


@pytest.fixture
def agent(agent_factory, demande):
    return agent_factory()


def client_of(app, identifiant):
    client = app.test_client()
    login(client, identifiant)
    return client


def post(client, demande, mode=None, message=SECRET, depuis="demande", file=None, side="", envoi=None):
    """« Envoyer le message » from the applicant side (``side="/instruction"``: from the back office);
    ``envoi``: the form's key (a fresh form each time when not given)."""
    data = {"message": message, "depuis": depuis, "envoi": envoi or secrets.token_urlsafe(32)}
    if file is not None:
        data["piece_jointe"] = (io.BytesIO(file[0]), file[1])
    headers = mode.headers if mode else {}
    return client.post(f"{side}/demandes/{demande.id}/messages", data=data, headers=headers, content_type="multipart/form-data")


def agent_says(demande, agent, body="Merci de préciser le nombre d'élèves."):
    return messages.post_as_agent(OperationContext(actor=agent), demande, body)


def stored_files(app) -> set[str]:
    directory = files.attachments_directory(app)
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


# Posting, both sides, and the emails ---------------------------------------


@pytest.mark.parametrize("side", ["", "/instruction"], ids=["applicant", "council"])
def test_the_same_form_sent_twice_makes_one_message(app, demande, teacher_client, agent, mode, side):
    """A double click or a resend after a network error (issue 12): « Déjà envoyé », one message, one set of emails."""
    client = teacher_client if not side else client_of(app, agent.identifiant)
    page = client.get(f"{side}/demandes/{demande.id}").get_data(as_text=True)
    key = re.search(r'name="envoi" value="([^"]+)"', page).group(1)
    first = post(client, demande, mode, side=side, envoi=key, file=(PDF, "photo.pdf"))
    assert first.status_code in (200, 303)
    mails = db.session.scalar(select(func.count()).select_from(OutgoingMail))
    again = post(client, demande, mode, side=side, envoi=key, file=(PDF, "photo.pdf"))
    assert again.status_code in (200, 303)
    shown = page_text(again.get_data(as_text=True)) if mode.htmx else page_text(client.get(f"{side}/demandes/{demande.id}").get_data(as_text=True))
    assert "Déjà envoyé : ce message a déjà été enregistré une fois" in shown
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == mails
    assert len([a for a in db.session.scalars(select(Attachment)) if a.original_name == "photo.pdf"]) == 1
    # the next form shown has a key of its own: a new message goes through
    next_key = re.search(r'name="envoi" value="([^"]+)"', client.get(f"{side}/demandes/{demande.id}").get_data(as_text=True)).group(1)
    assert next_key != key
    post(client, demande, mode, side=side, envoi=next_key)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_the_author_writes_and_the_council_is_told_without_the_content(app, demande, referent, teacher, agent, teacher_client, mode):
    response = post(teacher_client, demande, mode, message=SECRET + "\nDeuxième ligne <b>gras</b>")
    if mode.htmx:  # the thread re-rendered in place, the new message focused
        body = mode.assert_page(response)
        assert 'id="fil-de-discussion"' in body and "<title>" in body and "Erreur" not in body
        (message,) = db.session.scalars(select(Message)).all()
        assert re.search(rf'id="message-{message.id}"[^>]*tabindex="-1" autofocus', body)
        assert 'data-hx-swap-oob="innerHTML">Votre message est envoyé.' in body
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/demandes/{demande.id}#fil-de-discussion")
        body = teacher_client.get(f"/demandes/{demande.id}").get_data(as_text=True)
        assert "Votre message est envoyé." in body
    (message,) = db.session.scalars(select(Message)).all()
    assert message.side == Side.APPLICANT and message.author_id == teacher.id
    assert message.body == SECRET + "\nDeuxième ligne <b>gras</b>"
    assert f"{SECRET}<br>Deuxième ligne &lt;b&gt;gras&lt;/b&gt;" in body  # line breaks kept, escaped
    (mail,) = outbox(COUNCIL)
    assert mail.subject == f"Nouveau message sur la demande {demande.reference}"
    for text in (mail.body_text, mail.body_html):
        assert "car du 12 mars" not in text and "gras" not in text
        assert demande.reference in text
    assert link_in(mail.body_text, "/instruction")
    assert outbox("prof@exemple.fr", "Nouveau message") == [] and outbox("ref@exemple.fr", "Nouveau message") == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.applicant"))
    assert event.actor_id == teacher.id and event.object_id == demande.id and event.structure_id == demande.structure_id
    assert "car du 12 mars" not in str(event.details)


def test_without_a_council_address_the_assistance_address_is_told(app, demande, referent_client, mode):
    app.config["MESSAGES_COUNCIL_EMAIL"] = None
    post(referent_client, demande, mode)
    (mail,) = outbox(app.config["ASSISTANCE_EMAIL"])
    assert "Nouveau message" in mail.subject and SECRET not in mail.body_text


def test_the_assigned_agent_is_told_instead_of_the_council_address(app, demande, referent, teacher, agent, teacher_client):
    demande.assigned_agent_id = agent.id
    db.session.commit()
    post(teacher_client, demande)
    assert outbox(COUNCIL) == []
    (mail,) = outbox(agent.email)
    assert demande.reference in mail.subject and SECRET not in mail.body_text


def test_an_agent_message_tells_the_author_and_the_referent_once_each(app, demande, referent, teacher, agent, teacher_client, mode):
    second_referent = make_account(identifiant="ref2", email="ref2@exemple.fr")
    attach(second_referent, demande.structure)
    message = agent_says(demande, agent, "Le rapport du CA mentionne un montant différent.")
    assert message.side == Side.COUNCIL and message.author_id == agent.id
    for email in ("prof@exemple.fr", "ref@exemple.fr", "ref2@exemple.fr"):
        (mail,) = outbox(email, "Nouveau message")
        assert mail.subject == f"Nouveau message sur votre demande {demande.reference}"
        assert "montant différent" not in mail.body_text and "montant différent" not in mail.body_html
        assert link_in(mail.body_text, f"/demandes/{demande.id}#fil-de-discussion")
    assert outbox(COUNCIL) == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.council")).actor_id == agent.id
    text = page_text(mode.assert_page(mode.get(teacher_client, f"/demandes/{demande.id}/fil-de-discussion")))
    assert "La Région" in text and "Le rapport du CA mentionne un montant différent." in text


def test_the_referent_author_of_a_demande_is_told_once(app, demande, referent, teacher, agent):
    own = transmit_demande(referent, make_filed_demande(referent, demande.structure, intitule="Projet du référent"))
    agent_says(own, agent)
    assert len(outbox("ref@exemple.fr", f"Nouveau message sur votre demande {own.reference}")) == 1
    assert outbox("prof@exemple.fr", own.reference) == []


def test_a_detached_author_is_no_longer_told(app, demande, referent, teacher, agent):
    membership = db.session.scalar(select(Membership).where(Membership.account_id == teacher.id))
    memberships.detach(SYSTEM, membership)
    agent_says(demande, agent)
    assert outbox("prof@exemple.fr", "Nouveau message") == []
    assert len(outbox("ref@exemple.fr", "Nouveau message")) == 1


def test_messages_are_listed_in_order_with_la_region_for_agents(app, demande, referent, teacher, agent, teacher_client, referent_client, mode):
    agent_says(demande, agent, "Premier message de la Région.")
    post(teacher_client, demande, message="Réponse de l'enseignante.")
    agent_says(demande, agent, "Deuxième message de la Région.")
    text = page_text(mode.assert_page(mode.get(teacher_client, f"/demandes/{demande.id}/fil-de-discussion")))
    assert f"Fil de discussion de la demande {demande.reference}" in text
    first, answer, second = (text.index(t) for t in ("Premier message", "Réponse de l'enseignante", "Deuxième message"))
    assert first < answer < second
    assert re.search(r"La Région (Nouveau )?\d\d/\d\d/\d{4} à \d\d h \d\d Premier message", text)
    assert re.search(r"Vous \d\d/\d\d/\d{4} à \d\d h \d\d Réponse de l'enseignante", text)
    referent_text = page_text(referent_client.get(f"/demandes/{demande.id}/fil-de-discussion").get_data(as_text=True))
    assert re.search(r"Aïcha Martin (Nouveau )?\d\d/\d\d/\d{4} à \d\d h \d\d Réponse de l'enseignante", referent_text)
    assert [m.body for m in messages.messages_of(messages.thread_of(demande))] == [
        "Premier message de la Région.", "Réponse de l'enseignante.", "Deuxième message de la Région."]
    assert db.session.scalar(select(db.func.count(Thread.id))) == 1  # one thread per demande


def test_the_demande_page_shows_the_last_messages_and_a_link_to_the_thread(app, demande, referent, teacher, agent, teacher_client, mode):
    for number in range(1, 6):
        agent_says(demande, agent, f"Message numéro {number}.")
    text = page_text(mode.assert_page(mode.get(teacher_client, f"/demandes/{demande.id}")))
    assert "Fil de discussion" in text and "5 nouveaux messages" in text and "Les 3 derniers messages sur 5." in text
    assert "Message numéro 2." not in text and all(f"Message numéro {n}." in text for n in (3, 4, 5))
    assert "Voir le fil de discussion de la demande" in text and "Nouveau message" in text
    assert messages.unread_count(teacher, demande) == 5  # the demande page does not mark them read
    body = teacher_client.get(f"/demandes/{demande.id}/fil-de-discussion").get_data(as_text=True)
    assert all(f"Message numéro {n}." in page_text(body) for n in range(1, 6)) and body.count(NEW_TAG) == 5


def test_posting_from_the_thread_page_comes_back_to_it(app, demande, teacher_client, mode):
    response = post(teacher_client, demande, mode, depuis="fil")
    (message,) = db.session.scalars(select(Message)).all()
    if mode.htmx:
        body = mode.assert_page(response)
        assert "<title>Fil de discussion de la demande" in body and ">Messages</h2>" in body
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/demandes/{demande.id}/fil-de-discussion#message-{message.id}")


# Unread counts ---------------------------------------------------------------


def test_unread_counts_for_the_author_and_the_referent_reset_when_the_thread_is_viewed(app, demande, referent, teacher, agent, teacher_client, referent_client, mode):
    agent_says(demande, agent)
    agent_says(demande, agent, "Et le calendrier ?")
    post(teacher_client, demande, message="Voici les précisions.")
    # Someone else's messages are unread: the council's, and a colleague's.
    assert messages.unread_count(teacher) == 2 and messages.unread_count(teacher, demande) == 2
    assert messages.unread_count(referent) == 3
    espace = page_text(mode.assert_page(mode.get(referent_client, "/espace")))
    assert "Consulter vos fils de discussion : 3 messages non lus" in espace
    listing = page_text(mode.get(referent_client, "/demandes").get_data(as_text=True))
    assert f"3 messages non lus sur la demande {demande.reference}" in listing
    threads = page_text(mode.assert_page(mode.get(referent_client, "/fils-de-discussion")))
    assert demande.reference in threads and "3 non lus" in threads and "Les métiers de la mer" in threads

    page = mode.assert_page(mode.get(referent_client, f"/demandes/{demande.id}/fil-de-discussion"))
    assert page.count(NEW_TAG) == 3  # what was unread is marked, this time
    assert messages.unread_count(referent) == 0 and messages.unread_count(teacher) == 2
    assert "aucun message non lu" in page_text(referent_client.get("/espace").get_data(as_text=True))
    assert "non lu" not in page_text(referent_client.get("/demandes").get_data(as_text=True))
    assert "Aucun" in page_text(referent_client.get("/fils-de-discussion").get_data(as_text=True))
    assert NEW_TAG not in referent_client.get(f"/demandes/{demande.id}/fil-de-discussion").get_data(as_text=True)

    agent_says(demande, agent, "Une dernière question.")
    assert messages.unread_count(referent) == 1 and messages.unread_by_demande(referent) == {demande.id: 1}
    assert "1 message non lu " in page_text(referent_client.get("/espace").get_data(as_text=True))


def test_mark_read_never_goes_backwards_and_keeps_one_row(app, demande, referent, teacher, agent):
    agent_says(demande, agent)
    thread = messages.thread_of(demande)
    messages.mark_read(OperationContext(actor=teacher), thread)
    newest = messages.last_read_id(teacher, thread)
    read = db.session.scalar(select(ThreadRead))
    read.last_read_message_id = newest + 10  # as if a later message had been seen
    db.session.commit()
    messages.mark_read(OperationContext(actor=teacher), thread)
    assert db.session.scalars(select(ThreadRead)).all() == [read] and read.last_read_message_id == newest + 10


def test_threads_list_newest_activity_first(app, demande, referent, teacher, agent, referent_client, mode):
    other = transmit_demande(referent, make_filed_demande(teacher, demande.structure, intitule="Un autre projet"))
    agent_says(demande, agent, "Sur la première.")
    agent_says(other, agent, "Sur la seconde.")
    text = page_text(mode.assert_page(mode.get(referent_client, "/fils-de-discussion")))
    assert "2 fils de discussion" in text and text.index(other.reference) < text.index(demande.reference)
    agent_says(demande, agent, "De nouveau sur la première.")
    text = page_text(referent_client.get("/fils-de-discussion").get_data(as_text=True))
    assert text.index(demande.reference) < text.index(other.reference)
    empty = client_of(app, "prof")  # the teacher sees only its own, and both are hers here
    assert "2 fils de discussion" in page_text(empty.get("/fils-de-discussion").get_data(as_text=True))


# Bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("", "Saisissez votre message"), ("   \r\n  ", "Saisissez votre message"), ("é" * 5001, "Votre message ne doit pas dépasser 5 000 caractères")],
    ids=["empty", "blank", "too-long"],
)
def test_an_empty_or_too_long_message_is_refused_at_its_field(app, demande, teacher_client, mode, typed, expected):
    body = html.unescape(mode.assert_invalid(post(teacher_client, demande, mode, message=typed)))
    assert error_messages(body) == [expected]
    assert 'aria-invalid="true"' in body and 'href="#message"' in body
    if typed.strip():
        assert typed in body  # what was typed is kept
    if mode.htmx:
        assert "<html" not in body and 'id="fil-de-discussion"' in body
    else:
        assert "<title>Erreur : Fil de discussion de la demande" in body
    assert db.session.scalars(select(Message)).all() == [] and outbox(COUNCIL) == []


def test_exactly_5000_characters_are_accepted(app, demande, teacher_client):
    assert post(teacher_client, demande, message="a" * 4998 + "\r\nb").status_code == 303
    assert db.session.scalar(select(Message)).body == "a" * 4998 + "\nb"  # a line break counts as one character


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ((PDF + b"0" * 60_000, "gros.pdf"), "Le fichier dépasse la taille maximale de 48,8\u00a0ko."),
        ((b"du texte, pas un PDF", "devis.pdf"), "Le fichier « devis.pdf » n'est pas un PDF : son contenu ne correspond pas à son nom."),
        ((PDF, "devis.exe"), "n'est pas dans un format accepté"),
    ],
    ids=["oversized", "content-mismatch", "format"],
)
def test_a_refused_attachment_keeps_the_message(app, demande, teacher_client, mode, file, expected):
    before = stored_files(app)
    body = html.unescape(mode.assert_invalid(post(teacher_client, demande, mode, file=file)))
    (error,) = error_messages(body)
    assert expected in error and 'href="#piece_jointe"' in body
    assert SECRET in body  # the typed message is kept
    assert db.session.scalars(select(Message)).all() == [] and stored_files(app) == before


def test_a_refused_attachment_and_an_empty_message_are_both_reported(app, demande, teacher_client, mode):
    body = html.unescape(mode.assert_invalid(post(teacher_client, demande, mode, message="", file=(b"texte", "devis.pdf"))))
    assert len(error_messages(body)) == 2


def test_an_attachment_is_kept_and_downloadable_by_the_applicant_side(app, demande, referent, teacher, agent, teacher_client, referent_client, mode):
    before, version = stored_files(app), demande.version
    response = post(teacher_client, demande, mode, file=(PDF, "planning détaillé.pdf"))
    assert response.status_code in (200, 303)
    db.session.refresh(demande)
    assert demande.version == version  # a message does not conflict with a tab editing the demande
    message = db.session.scalar(select(Message))
    attachment = message.attachment
    assert attachment.slot == "message" and attachment.demande_id == demande.id and attachment.original_name == "planning détaillé.pdf"
    assert attachment.uploaded_by_id == teacher.id and stored_files(app) == before | {attachment.stored_name}
    url = f"/demandes/{demande.id}/documents/{attachment.id}"
    page = mode.get(referent_client, f"/demandes/{demande.id}/fil-de-discussion").get_data(as_text=True)
    assert f'href="{url}"' in page and "Pièce jointe : planning détaillé.pdf" in page_text(page)
    for client in (teacher_client, referent_client):
        download = client.get(url)
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
    (mail,) = outbox(COUNCIL)
    assert "planning" not in mail.body_text and "planning" not in mail.body_html
    stranger = _stranger(app)
    assert stranger.get(url).status_code == 404


def test_a_failed_operation_forgets_the_stored_file(app, demande, teacher_client, monkeypatch):
    before = stored_files(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr("app.domain.demandes.notifications.queue_mail", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert post(teacher_client, demande, file=(PDF, "planning.pdf")).status_code == 500
    db.session.expire_all()
    assert db.session.scalars(select(Message)).all() == [] and db.session.scalars(select(Thread)).all() == []
    assert [a.slot for a in db.session.get(Demande, demande.id).attachments] == ["devis", "pv_ca"]  # the transmitted ones, nothing more
    assert stored_files(app) == before


# The council's side, in the back office ------------------------------------------


def agent_post(client, demande, mode=None, **fields):
    return post(client, demande, mode, side="/instruction", **fields)


def test_an_agent_writes_from_the_back_office_and_the_applicant_side_is_told(app, demande, referent, teacher, agent, mode):
    client = client_of(app, agent.identifiant)
    page = mode.assert_page(mode.get(client, f"/instruction/demandes/{demande.id}"))
    assert 'id="fil-de-discussion"' in page and f'action="/instruction/demandes/{demande.id}/messages"' in page
    assert "Aucun message pour l'instant. Écrivez au demandeur" in page_text(page)
    response = agent_post(client, demande, mode, file=(PDF, "liste des justificatifs.pdf"))
    (message,) = db.session.scalars(select(Message)).all()
    if mode.htmx:
        body = mode.assert_page(response)
        assert f"<title>{demande.reference} – {demande.definition.titre} – Instruction – " in body
        assert re.search(rf'id="message-{message.id}"[^>]*tabindex="-1" autofocus', body)
    else:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/instruction/demandes/{demande.id}#fil-de-discussion")
        body = client.get(f"/instruction/demandes/{demande.id}").get_data(as_text=True)
        assert "Votre message est envoyé. Le demandeur en est informé par courriel." in page_text(body)
    assert message.side == Side.COUNCIL and message.author_id == agent.id and message.body == SECRET
    attachment = message.attachment
    assert f'href="/instruction/demandes/{demande.id}/documents/{attachment.id}"' in body
    assert re.search(r"Vous \d\d/\d\d/\d{4} à \d\d h \d\d " + SECRET, page_text(body))
    for email in ("prof@exemple.fr", "ref@exemple.fr"):
        (mail,) = outbox(email, "Nouveau message")
        assert link_in(mail.body_text, f"/demandes/{demande.id}")
        assert "car du 12 mars" not in mail.body_text and "justificatifs" not in mail.body_text
    applicant_page = client_of(app, "prof").get(f"/demandes/{demande.id}").get_data(as_text=True)
    assert re.search(r"La Région Nouveau \d\d/\d\d/\d{4} à \d\d h \d\d " + SECRET, page_text(applicant_page))
    assert f'href="/demandes/{demande.id}/documents/{attachment.id}"' in applicant_page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message.council")).actor_id == agent.id


def test_agents_see_who_wrote_and_the_thread_page_marks_it_read(app, demande, referent, teacher, agent, teacher_client, mode):
    colleague = make_agent("collegue.region")
    post(teacher_client, demande, message="Question de l'enseignante.")
    agent_says(demande, colleague, "Réponse d'une collègue.")
    client = client_of(app, agent.identifiant)
    text = page_text(mode.assert_page(mode.get(client, f"/instruction/demandes/{demande.id}")))
    assert "2 nouveaux messages" in text
    assert re.search(r"Aïcha Martin \(demandeur\) Nouveau \d\d/\d\d/\d{4} à \d\d h \d\d Question de l'enseignante", text)
    assert re.search(r"Région Agent \(La Région\) Nouveau \d\d/\d\d/\d{4} à \d\d h \d\d Réponse d'une collègue", text)
    assert messages.unread_count(agent, demande) == 2
    thread = page_text(mode.assert_page(mode.get(client, f"/instruction/demandes/{demande.id}/fil-de-discussion")))
    assert f"Fil de discussion de la demande {demande.reference}" in thread and "Échangez ici avec le demandeur" in thread
    assert "Mes fils de discussion" not in thread and f"Retour à la demande {demande.reference}" in thread
    assert messages.unread_count(agent, demande) == 0


def test_an_agent_empty_message_is_refused_at_its_field(app, demande, referent, teacher, agent, mode):
    client = client_of(app, agent.identifiant)
    body = html.unescape(mode.assert_invalid(agent_post(client, demande, mode, message="   ", file=(b"MZ pas un PDF", "avis.pdf"))))
    errors = error_messages(body)
    assert errors[0] == "Saisissez votre message" and "n'est pas un PDF" in errors[1]
    assert 'href="#message"' in body and 'href="#piece_jointe"' in body
    assert db.session.scalars(select(Message)).all() == [] and outbox("prof@exemple.fr", "Nouveau message") == []


def test_the_back_office_home_and_list_show_new_messages_until_read(app, demande, referent, teacher, agent, teacher_client, mode):
    from app.domain.demandes import instruction

    client = client_of(app, agent.identifiant)
    text = page_text(mode.assert_page(mode.get(client, "/instruction/")))
    assert "Aucune demande à traiter ne vous est attribuée." in text and "nouveau message" not in text
    instruction.assign(OperationContext(actor=agent), demande, agent)
    post(teacher_client, demande, message="Première question.")
    post(teacher_client, demande, message="Seconde question.")
    body = mode.assert_page(mode.get(client, "/instruction/"))
    assert "1 demande vous est attribuée et reste à traiter." in page_text(body) and "2 nouveaux messages" in page_text(body)
    assert f'href="/instruction/demandes?agent={agent.id}"' in body
    listed = mode.assert_page(mode.get(client, f"/instruction/demandes?agent={agent.id}"))
    assert re.search(rf">{demande.reference}</a> <strong class=\"govuk-tag govuk-tag--yellow\">2 nouveaux messages</strong>", listed)
    client.get(f"/instruction/demandes/{demande.id}/fil-de-discussion")  # read
    assert "nouveaux messages" not in client.get(f"/instruction/demandes?agent={agent.id}").get_data(as_text=True)
    assert "nouveau" not in page_text(client.get("/instruction/").get_data(as_text=True))


def test_an_usager_never_uses_the_back_office_thread(app, demande, teacher_client, referent_client):
    for client in (teacher_client, referent_client):
        assert client.get(f"/instruction/demandes/{demande.id}/fil-de-discussion").status_code == 403
        assert agent_post(client, demande).status_code == 403
    assert db.session.scalars(select(Message)).all() == []


# Who may not write -----------------------------------------------------------


def _stranger(app):
    other = make_structure(**{**ASSOCIATION, "siret": "21310555400017", "raison_sociale": "Autre association"})
    attach(make_account(identifiant="autre.ref", email="autre.ref@exemple.fr"), other)
    return client_of(app, "autre.ref")


def _refused_everywhere(client, demande, status):
    assert client.get(f"/demandes/{demande.id}/fil-de-discussion").status_code == status
    assert post(client, demande).status_code == status
    assert db.session.scalars(select(Message)).all() == []


def test_the_referent_of_another_structure_gets_404(app, demande, mode):
    client = _stranger(app)
    _refused_everywhere(client, demande, 404)
    assert post(client, demande, mode).status_code == 404


def test_a_membre_who_is_not_the_author_gets_404(app, demande):
    attach(make_account(identifiant="prof2", email="prof2@exemple.fr"), demande.structure, role="membre")
    _refused_everywhere(client_of(app, "prof2"), demande, 404)


def test_a_detached_author_gets_404(app, demande, referent, teacher, agent, teacher_client):
    assert teacher_client.get(f"/demandes/{demande.id}/fil-de-discussion").status_code == 200
    memberships.detach(SYSTEM, db.session.scalar(select(Membership).where(Membership.account_id == teacher.id)))
    _refused_everywhere(teacher_client, demande, 404)
    assert messages.unread_count(teacher) == 0
    with pytest.raises(DomainError):
        messages.post_message(OperationContext(actor=teacher), demande, "Encore moi.")


def test_anonymous_is_sent_to_the_login_page(app, demande):
    client = app.test_client()
    for response in (client.get(f"/demandes/{demande.id}/fil-de-discussion"), post(client, demande), client.get("/fils-de-discussion")):
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_an_agent_uses_the_back_office_not_these_pages(app, demande, referent, teacher, agent):
    client = client_of(app, agent.identifiant)
    _refused_everywhere(client, demande, 403)
    assert client.get("/fils-de-discussion").status_code == 403
    with pytest.raises(DomainError):  # nor may it write as the applicant side
        messages.post_message(OperationContext(actor=agent), demande, "Bonjour")
    with pytest.raises(DomainError):  # and an usager cannot write as the council
        messages.post_as_agent(OperationContext(actor=teacher), demande, "Bonjour")


# When a thread opens -----------------------------------------------------------


def test_no_thread_before_the_demande_is_transmitted(app, demande, referent, teacher, agent, mode):
    """Decision: the thread opens once the demande is transmitted to the
    Région (the council cannot see a brouillon, nor a « déposée » demande
    waiting for the CA): the page says so, posting is refused (403), the
    thread's page does not exist (404)."""
    deposee = make_filed_demande(teacher, demande.structure, intitule="Pas encore transmise")
    from app.domain.demandes import drafts
    from app.domain.teleservices import teleservice_by_code

    brouillon = drafts.start_demande(OperationContext(actor=teacher), teleservice_by_code("TRAJ"), demande.structure)
    client = client_of(app, "prof")
    for waiting in (deposee, brouillon):
        text = page_text(mode.assert_page(mode.get(client, f"/demandes/{waiting.id}")))
        assert "Le fil de discussion avec La Région s'ouvrira quand la demande lui sera transmise" in text
        assert "Envoyer le message" not in text
        assert post(client, waiting, mode).status_code == 403
        assert client.get(f"/demandes/{waiting.id}/fil-de-discussion").status_code == 404
        for operation, actor in ((messages.post_message, teacher), (messages.post_as_agent, agent)):
            with pytest.raises(DomainError):
                operation(OperationContext(actor=actor), waiting, "Bonjour")
    assert db.session.scalars(select(Message)).all() == [] and db.session.scalars(select(Thread)).all() == []
    text = page_text(client.get(f"/demandes/{demande.id}").get_data(as_text=True))
    assert "Aucun message pour l'instant." in text and "Envoyer le message" in text


def test_the_domain_refuses_empty_and_too_long_messages(app, demande, referent, teacher, agent):
    for body, expected in (("  \n ", "Saisissez votre message"), ("x" * 5001, "5 000 caractères")):
        with pytest.raises(DomainError, match=expected) as raised:
            messages.post_as_agent(OperationContext(actor=agent), demande, body)
        assert raised.value.field == "message"
    assert db.session.scalars(select(Message)).all() == [] and outbox("prof@exemple.fr", "Nouveau message") == []
