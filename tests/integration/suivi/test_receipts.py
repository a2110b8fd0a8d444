"""The « accusé de réception et récapitulatif » PDF and « Vérifier un accusé
de réception »: a demande filed through the wizard, transmitted here by
setting its status and calling ``make_receipt`` (the transmission operation
lives elsewhere), its PDF read back with pypdf, checked byte for byte,
downloaded by those who may see the demande."""

import hashlib
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.domain import files
from app.domain.demandes.receipts import content_fingerprint, format_fingerprint, make_receipt
from app.extensions import db
from app.models import Attachment, Demande, DemandeStatus, Message, Receipt, Thread
from tests.support.accounts import login, make_account
from tests.support.receipts import TRANSMITTED_AT, file_through_wizard, pdf_bytes, pdf_text, transmit
from tests.support.web import error_messages, page_text

PUBLIC_URL = "http://aides.region.example"
@pytest.fixture
def app_config(tmp_path):
    return {"PUBLIC_URL": PUBLIC_URL, "REGION_NAME": "Région Occitanie", "ATTACHMENTS_DIR": str(tmp_path / "pj")}


@pytest.fixture
def receipt(teleservices_open, lycee, teacher_client) -> Receipt:
    """The receipt of a demande the teacher filed and the référent transmitted."""
    return transmit(file_through_wizard(teacher_client), lycee.referent)


@pytest.fixture
def demande(receipt) -> Demande:
    return receipt.demande


def test_the_pdf_states_every_answer_the_documents_the_fingerprint_and_where_to_check_it(demande, receipt, app):
    data = pdf_bytes(app, receipt)
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == receipt.pdf_sha256
    text = pdf_text(data)
    for expected in [
        "Accusé de réception et récapitulatif",
        "Région Occitanie",
        "Portail des aides",
        demande.reference,
        "le 15/01/2030 à 14 h 05",
        "Lycée-Projets « Trajectoires »",
        "Lycée Saint-Exupéry",
        "41816609600069",
        "Aïcha Martin",  # the author, and an answer
        "Paul Bernard",  # transmitted by
        "10/01/2030",  # the CA date
        "1. Préambule",
        "5. Votre dossier",
        "Découvrir les métiers de la mer",
        "Visites d'entreprises et rencontres avec des professionnels.",
        "Seconde",
        "1 234,50",
        "Transport",
        "Total des dépenses",
        "prof@exemple.fr",
        "Documents transmis",
        "devis-transport.pdf",
        files.format_size(demande.attachments[0].size).replace("\u00a0", " "),
        format_fingerprint(receipt.content_fingerprint),
        f"{PUBLIC_URL}/verification",
        "Et maintenant ?",
        "Page 1 sur",
    ]:
        assert expected in text, f"{expected!r} not in the PDF:\n{text}"
    assert "Récapitulatif" not in text.replace("Accusé de réception et récapitulatif", "")
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2


def test_the_fingerprint_is_deterministic_and_changes_with_what_was_transmitted(demande, receipt):
    assert re.fullmatch(r"[0-9a-f]{64}", receipt.content_fingerprint)
    assert content_fingerprint(demande) == receipt.content_fingerprint
    db.session.expire_all()  # read back from the database: the same
    demande = db.session.get(Demande, demande.id)
    assert content_fingerprint(demande) == receipt.content_fingerprint

    answers = {step: dict(values) for step, values in demande.answers.items()}
    answers["dossier"]["intitule"] = "Découvrir les métiers de la montagne"
    demande.answers = answers
    assert content_fingerprint(demande) != receipt.content_fingerprint
    db.session.rollback()

    demande.attachments[0].original_name = "autre.pdf"
    assert content_fingerprint(demande) != receipt.content_fingerprint
    db.session.rollback()

    demande.ca_date = date(2030, 1, 11)
    assert content_fingerprint(demande) != receipt.content_fingerprint
    db.session.rollback()
    assert content_fingerprint(db.session.get(Demande, demande.id)) == receipt.content_fingerprint


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_transmission_not_committed_leaves_neither_row_nor_file(receipt, teacher_client, tmp_path, end):
    other = file_through_wizard(teacher_client)
    other_id = other.id
    before = set((tmp_path / "pj").iterdir())
    other.status = DemandeStatus.TRANSMISE
    other.transmitted_at = TRANSMITTED_AT
    make_receipt(other)
    assert set((tmp_path / "pj").iterdir()) - before  # written...
    getattr(db.session, end)()  # ...then the transmission fails
    assert set((tmp_path / "pj").iterdir()) == before
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1
    assert db.session.get(Demande, other_id).status == DemandeStatus.DEPOSEE


def test_make_receipt_raises_when_rendering_fails_and_adds_nothing(receipt, teacher_client, monkeypatch):
    from app.domain.demandes import receipts

    other = file_through_wizard(teacher_client)

    def broken(html):
        raise RuntimeError("rendu impossible")

    monkeypatch.setattr(receipts, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        make_receipt(other)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_the_ca_extract_is_listed_and_files_of_the_discussion_are_not(receipt, teacher_client, app, lycee, tmp_path):
    other = file_through_wizard(teacher_client)
    for slot, name in (("pv_ca", "pv-ca-novembre.pdf"), ("message", "photo-du-projet.pdf")):
        stored = files.store_bytes(b"%PDF-1.4 " + name.encode(), tmp_path / "pj")
        other.attachments.append(
            Attachment(slot=slot, original_name=name, stored_name=stored.stored_name, content_type="application/pdf", size=stored.size, sha256=stored.sha256)
        )
    db.session.flush()
    thread = Thread(demande_id=other.id)
    db.session.add(thread)
    db.session.flush()
    db.session.add(Message(thread_id=thread.id, side="applicant", body="Une photo", attachment_id=other.attachments[-1].id))
    db.session.commit()
    fingerprint_before = content_fingerprint(other)
    text = pdf_text(pdf_bytes(app, transmit(other, lycee.referent)))
    assert "Extrait du procès-verbal" in text and "pv-ca-novembre.pdf" in text, text
    assert "devis-transport.pdf" in text and "photo-du-projet.pdf" not in text
    db.session.delete(db.session.scalar(select(Message)))
    db.session.commit()
    assert content_fingerprint(other) != fingerprint_before  # now one more document counts


def _post_pdf(mode, client, content, name="accuse.pdf"):
    return mode.post(client, "/verification", data={"fichier": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_the_verification_page_is_public(app, mode):
    anonymous = app.test_client()
    body = mode.assert_page(mode.get(anonymous, "/verification"))
    assert "<title>Vérifier un accusé de réception – Portail des aides</title>" in body
    assert 'enctype="multipart/form-data"' in body and 'data-hx-encoding="multipart/form-data"' in body
    assert 'type="file"' in body and 'name="fichier"' in body
    assert "Comparer l'empreinte à la main" in page_text(body)


def test_the_exact_pdf_is_conforme(app, demande, receipt, mode):
    anonymous = app.test_client()
    body = mode.assert_page(_post_pdf(mode, anonymous, pdf_bytes(app, receipt)))
    text = page_text(body)
    assert (
        f"Conforme : ce document est l'accusé de réception de la demande {demande.reference}, transmise le 15/01/2030 à 14 h 05."
        in text
    )
    assert format_fingerprint(receipt.content_fingerprint) in text
    assert "<title>Conforme – Vérifier un accusé de réception" in body
    assert "Non conforme" not in text


@pytest.mark.parametrize("change", ["one byte", "appended bytes", "truncated"])
def test_a_modified_copy_is_non_conforme(app, demande, receipt, mode, change):
    anonymous = app.test_client()
    data = bytearray(pdf_bytes(app, receipt))
    if change == "one byte":
        data[len(data) // 2] ^= 0x01
    elif change == "appended bytes":
        data += b"\n%%EOF\n"
    else:
        data = data[:-10]
    body = mode.assert_page(_post_pdf(mode, anonymous, bytes(data)))
    text = page_text(body)
    assert "Non conforme : ce document n'est pas identique à un accusé de réception délivré par le portail." in text
    assert demande.reference not in text  # nothing told about any demande
    assert "<title>Non conforme – Vérifier un accusé de réception" in body


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Ceci n'est pas un PDF.", "accuse.pdf", "Le fichier « accuse.pdf » n'est pas un PDF : un accusé de réception délivré par le portail est un fichier PDF."),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "photo.png", "Le fichier « photo.png » n'est pas un PDF"),
        (b"", "vide.pdf", "Le fichier « vide.pdf » est vide"),
    ],
    ids=["text", "image", "empty"],
)
def test_an_upload_that_is_not_a_pdf_is_refused_at_the_field(app, mode, content, name, message):
    anonymous = app.test_client()
    body = mode.assert_invalid(_post_pdf(mode, anonymous, content, name))
    assert any(m.startswith(message) for m in error_messages(body)), error_messages(body)
    assert 'href="#fichier"' in body and 'aria-invalid="true"' in body
    assert "Conforme" not in page_text(body)


def test_no_file_chosen_is_refused_at_the_field(app, mode):
    anonymous = app.test_client()
    body = mode.assert_invalid(mode.post(anonymous, "/verification", data={}, content_type="multipart/form-data"))
    assert error_messages(body) == ["Choisissez l'accusé de réception à vérifier (fichier PDF)"]


def test_uploads_are_rate_limited(make_app, tmp_path):
    app = make_app(RATELIMIT_ENABLED=True, ATTACHMENTS_DIR=str(tmp_path / "pj"))
    client = app.test_client()
    with app.app_context():
        assert client.get("/verification").status_code == 200
        for _ in range(30):
            assert client.post("/verification", data={"fichier": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")}).status_code == 200
        refused = client.post("/verification", data={"fichier": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")})
        assert refused.status_code == 429 and "Trop de tentatives" in page_text(refused.get_data(as_text=True))
        assert client.get("/verification").status_code == 200  # reading the page is not limited


def _download(client, demande):
    return client.get(f"/demandes/{demande.id}/accuse-de-reception.pdf")


def test_the_author_and_the_referent_download_the_pdf_as_issued(demande, receipt, teacher_client, app):
    for client in (teacher_client, _logged_in(app, "ref")):
        response = _download(client, demande)
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and f"accuse-de-reception-{demande.reference}.pdf" in disposition
        assert hashlib.sha256(response.data).hexdigest() == receipt.pdf_sha256
        response.close()


def _logged_in(app, identifiant):
    client = app.test_client()
    login(client, identifiant)
    return client


def test_others_do_not_get_the_pdf(demande, app):
    make_account(identifiant="inconnu", email="inconnu@exemple.fr")
    assert _download(_logged_in(app, "inconnu"), demande).status_code == 404
    anonymous = _download(app.test_client(), demande)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/connexion")
    assert app.test_client().get("/demandes/999999/accuse-de-reception.pdf").status_code == 302


def test_a_demande_without_receipt_has_no_pdf(receipt, teacher_client):
    filed = file_through_wizard(teacher_client)
    assert _download(teacher_client, filed).status_code == 404
    assert teacher_client.get("/demandes/999999/accuse-de-reception.pdf").status_code == 404
