"""Attachments: recognised by content and named as what they are, stored
under random names, read back and deleted only by those names."""

import hashlib
import io
import os
import stat
import struct
import zipfile
import zlib
from types import SimpleNamespace

import pytest
from flask import Flask, send_file
from werkzeug.datastructures import FileStorage

from app.config import DefaultConfig
from app.domain import files
from app.domain.files import check_upload, delete_stored, open_stored, safe_download_name, store

MAX = 10 * 1024 * 1024
ACCEPTED = "Formats acceptés : PDF, JPEG, PNG, ODT, DOCX."


# Real small files ------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
JPEG = (
    b"\xff\xd8"  # SOI
    + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"  # APP0
    + b"\xff\xd9"  # EOI
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))  # 1×1, 8-bit grey
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    + _png_chunk(b"IEND", b"")
)


def _zip(members, mimetype: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


ODT = _zip(
    [
        ("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
        ("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
    ],
    mimetype=b"application/vnd.oasis.opendocument.text",
)
ODS = _zip([("content.xml", "<x/>")], mimetype=b"application/vnd.oasis.opendocument.spreadsheet")
DOCX = _zip(
    [
        ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
        ("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'),
        ("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'),
    ]
)
XLSX = _zip([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<r/>"), ("xl/workbook.xml", "<workbook/>")])


def upload(content: bytes | None, filename: str | None, content_type: str | None = None) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content or b""), filename=filename, content_type=content_type)


# check_upload: accepted --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "extension"),
    [
        (PDF, "devis.pdf", "application/pdf", "pdf"),
        (PDF, "DEVIS ÉTÉ.PDF", "application/pdf", "pdf"),
        (b"\xef\xbb\xbf" + PDF, "devis.pdf", "application/pdf", "pdf"),
        (JPEG, "photo.jpg", "image/jpeg", "jpg"),
        (JPEG, "photo.jpeg", "image/jpeg", "jpg"),
        (PNG, "plan.png", "image/png", "png"),
        (ODT, "budget.odt", "application/vnd.oasis.opendocument.text", "odt"),
        (DOCX, "lettre.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ],
)
def test_accepted_formats(content, filename, content_type, extension):
    assert check_upload(upload(content, filename), MAX) == (True, content_type, extension, len(content), None)


def test_the_browser_content_type_is_ignored():
    assert check_upload(upload(PDF, "devis.pdf", content_type="text/plain"), MAX).ok
    assert not check_upload(upload(b"hello", "devis.pdf", content_type="application/pdf"), MAX).ok


def test_the_stream_is_left_at_its_start():
    sent = upload(PDF, "devis.pdf")
    check_upload(sent, MAX)
    assert sent.stream.read() == PDF


def test_a_file_exactly_at_the_limit_is_accepted():
    content = PDF + b"\0" * (1000 - len(PDF))
    assert check_upload(upload(content, "devis.pdf"), 1000).ok


# check_upload: refused ---------------------------------------------------------


@pytest.mark.parametrize("sent", [None, upload(None, ""), upload(None, None)])
def test_no_file_sent(sent):
    assert check_upload(sent, MAX) == (False, None, None, 0, None)


def test_empty_file():
    assert check_upload(upload(b"", "devis.pdf"), MAX) == (
        False, None, None, 0, "Le fichier « devis.pdf » est vide : choisissez un autre fichier."
    )


def test_oversized_file():
    content = PDF + b"\0" * (MAX + 1 - len(PDF))
    check = check_upload(upload(content, "devis.pdf"), MAX)
    assert check == (False, None, None, MAX + 1, "Le fichier dépasse la taille maximale de 10\u00a0Mo.")


@pytest.mark.parametrize(("limit", "shown"), [(5 * 1024 * 1024 // 2, "2,5\u00a0Mo"), (500 * 1024, "500\u00a0ko"), (10, "10\u00a0octets")])
def test_the_limit_is_written_in_the_message(limit, shown):
    content = PDF + b"\0" * (limit + 1 - len(PDF)) if limit > len(PDF) else PDF
    assert check_upload(upload(content, "devis.pdf"), limit).error == f"Le fichier dépasse la taille maximale de {shown}."


@pytest.mark.parametrize(
    ("content", "filename", "claimed"),
    [
        (b"Bonjour, voici le devis.\n", "devis.pdf", "PDF"),  # a text file renamed .pdf
        (PDF, "devis.png", "PNG"),  # a PDF renamed .png
        (PNG, "photo.jpg", "JPEG"),
        (JPEG, "devis.pdf", "PDF"),
        (DOCX, "lettre.odt", "ODT"),
        (ODT, "lettre.docx", "DOCX"),
        (ODS, "tableau.odt", "ODT"),  # another OpenDocument
        (XLSX, "tableau.docx", "DOCX"),  # another Office Open XML
        (_zip([("notes.txt", "x")]), "lettre.docx", "DOCX"),  # any ZIP
        (b"MZ\x90\x00" + b"\0" * 100, "devis.pdf", "PDF"),  # a Windows program
        (b"<html><script>alert(1)</script></html>", "image.png", "PNG"),
    ],
)
def test_content_that_does_not_match_the_name(content, filename, claimed):
    check = check_upload(upload(content, filename), MAX)
    assert not check.ok and check.content_type is None
    assert check.error == (
        f"Le fichier « {filename} » n'est pas un {claimed} : son contenu ne correspond pas à son nom. {ACCEPTED}"
    )


def test_an_odt_signature_on_a_broken_archive_is_refused():
    # The first bytes say ODT, but the archive has no central directory:
    # zipfile confirms what the signature claims.
    truncated = ODT[: ODT.index(b"PK\x01\x02")]
    assert check_upload(upload(truncated, "lettre.odt"), MAX).error.startswith("Le fichier « lettre.odt » n'est pas un ODT")


def test_a_word_signature_without_a_document_is_refused():
    # filetype sees « word/ » in the first member; there is no word/document.xml.
    fake = _zip([("word/styles.xml", "<w:styles/>"), ("[Content_Types].xml", "<Types/>")])
    assert check_upload(upload(fake, "lettre.docx"), MAX).error.startswith("Le fichier « lettre.docx » n'est pas un DOCX")


def test_an_odt_whose_mimetype_is_compressed_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    stored = buffer.getvalue()
    # Same bytes at the signature's offsets, but the central directory says deflated.
    central = stored.index(b"PK\x01\x02")
    tampered = stored[: central + 10] + struct.pack("<H", zipfile.ZIP_DEFLATED) + stored[central + 12 :]
    assert check_upload(upload(stored, "a.odt"), MAX).ok
    assert not check_upload(upload(tampered, "a.odt"), MAX).ok


@pytest.mark.parametrize("filename", ["notes.txt", "devis", "devis.pdf.exe", "photo.gif", "devis.", ".pdf.txt"])
def test_names_of_formats_not_accepted(filename):
    assert check_upload(upload(PDF, filename), MAX).error == (
        f"Le fichier « {filename} » n'est pas dans un format accepté. {ACCEPTED}"
    )


# store, open_stored, delete_stored -----------------------------------------------


class ChunkRecorder(io.BytesIO):
    """A stream that records how much each read asked for."""

    def __init__(self, content):
        super().__init__(content)
        self.asked = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


def test_store_writes_the_file_under_a_random_name(tmp_path):
    directory = tmp_path / "instance" / "pieces-jointes"
    stored = store(upload(PDF, "devis.pdf"), directory)
    assert len(stored.stored_name) == 32 and set(stored.stored_name) <= set("0123456789abcdef")
    assert stored.size == len(PDF)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (directory / stored.stored_name).read_bytes() == PDF
    assert stat.S_IMODE(os.stat(directory / stored.stored_name).st_mode) == 0o600
    assert os.listdir(directory) == [stored.stored_name]


def test_each_file_gets_its_own_name(tmp_path):
    names = {store(upload(PDF, "devis.pdf"), tmp_path).stored_name for _ in range(5)}
    assert len(names) == 5


def test_store_streams_in_chunks(tmp_path):
    content = os.urandom(3 * files.CHUNK_BYTES + 17)
    stream = ChunkRecorder(content)
    stream.read(10)  # left mid-way by an earlier reader
    stored = store(FileStorage(stream=stream, filename="gros.pdf"), tmp_path)
    assert (tmp_path / stored.stored_name).read_bytes() == content
    assert stored.size == len(content)
    assert all(0 < size <= files.CHUNK_BYTES for size in stream.asked[1:])


def test_store_flushes_the_file_and_its_directory_entry(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real_fsync(fd))
    stored = store(upload(PDF, "devis.pdf"), tmp_path)
    assert synced == [str(tmp_path / stored.stored_name), str(tmp_path)]


def test_a_failed_write_leaves_no_file(tmp_path):
    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= files.CHUNK_BYTES:
                raise OSError("connexion interrompue")
            return super().read(size)

    with pytest.raises(OSError):
        store(FileStorage(stream=Broken(b"x" * 3 * files.CHUNK_BYTES), filename="devis.pdf"), tmp_path)
    assert os.listdir(tmp_path) == []


def test_open_and_delete_stored(tmp_path):
    stored = store(upload(PNG, "plan.png"), tmp_path)
    with open_stored(tmp_path, stored.stored_name) as stream:
        assert stream.read() == PNG
    delete_stored(tmp_path, stored.stored_name)
    assert os.listdir(tmp_path) == []
    delete_stored(tmp_path, stored.stored_name)  # already gone: not an error
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, stored.stored_name)


@pytest.mark.parametrize(
    "name",
    [
        "../secret_key",
        "..",
        "/etc/passwd",
        "0" * 31,
        "0" * 33,
        "A" * 32,
        "g" * 32,
        "0" * 32 + "\n",
        "0" * 32 + "/",
        "../" + "0" * 32,
        "",
        None,
    ],
)
def test_names_not_made_by_store_are_refused(tmp_path, name):
    victim = tmp_path / "secret_key"
    victim.write_text("secret")
    directory = tmp_path / "pieces-jointes"
    directory.mkdir()
    with pytest.raises(ValueError):
        open_stored(directory, name)
    with pytest.raises(ValueError):
        delete_stored(directory, name)
    assert victim.read_text() == "secret"


# Download name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("devis été.pdf", "devis été.pdf"),
        ("C:\\Users\\Léa\\Documents\\devis.pdf", "devis.pdf"),
        ("../../etc/passwd", "passwd"),
        ("de\x00vis\x7f.pdf", "devis.pdf"),
        ("devis\r\nfinal.pdf", "devis final.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # right-to-left override
        ("de\u0301cembre.pdf", "décembre.pdf"),  # decomposed accent (macOS)
        ("  plan   du\tprojet .png ", "plan du projet .png"),
        (".htaccess", "htaccess"),
        ("", "piece-jointe"),
        (None, "piece-jointe"),
        ("...", "piece-jointe"),
        ("dossier/", "piece-jointe"),
    ],
)
def test_safe_download_name(original, safe):
    assert safe_download_name(original) == safe


def test_a_long_name_keeps_its_extension():
    name = safe_download_name("é" * 300 + ".docx")
    assert len(name) == 200 and name.endswith("é.docx")


def test_download_keeps_accents_in_content_disposition():
    app = Flask(__name__)
    with app.test_request_context():
        response = send_file(io.BytesIO(PDF), mimetype="application/pdf", as_attachment=True, download_name=safe_download_name("../Devis été.pdf"))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Devis%20%C3%A9t%C3%A9.pdf" in disposition
    assert "/" not in disposition


# Configuration -----------------------------------------------------------------


def test_configuration_defaults():
    assert DefaultConfig.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    assert DefaultConfig.ATTACHMENTS_DIR is None
    # A request carries one file of the maximum size and the rest of the step.
    assert DefaultConfig.MAX_CONTENT_LENGTH > DefaultConfig.ATTACHMENT_MAX_BYTES + DefaultConfig.MAX_FORM_MEMORY_SIZE


def test_attachments_directory(tmp_path):
    default = SimpleNamespace(config={"ATTACHMENTS_DIR": None}, instance_path=str(tmp_path))
    assert files.attachments_directory(default) == tmp_path / "pieces-jointes"
    chosen = SimpleNamespace(config={"ATTACHMENTS_DIR": "/srv/pieces"}, instance_path=str(tmp_path))
    assert str(files.attachments_directory(chosen)) == "/srv/pieces"
