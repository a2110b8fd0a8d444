"""The sanity of ODT and DOCX archives, judged from their central directory
in bounded time, and the names attachments are shown and kept under."""

import io
import struct
import time
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from app.domain import files
from app.domain.files import check_upload, display_name, name_as_sent
from tests.support.files import CONTENT_TYPES, WORD, docx, docx_bomb, docx_with_entries, odt

BIG = 32 * 1024 * 1024
ABNORMAL = "a une structure anormale"


def check(content: bytes, name: str = "lettre.docx"):
    return check_upload(FileStorage(io.BytesIO(content), name), BIG)


def _set_central_flag(archive: bytes, name: bytes, flag: int) -> bytes:
    """The archive with ``flag`` set in the general-purpose bits of ``name``'s central directory entry."""
    at = archive.index(b"PK\x01\x02")
    while True:
        at = archive.index(b"PK\x01\x02", at)
        name_length = struct.unpack_from("<H", archive, at + 28)[0]
        if archive[at + 46 : at + 46 + name_length] == name:
            flags = struct.unpack_from("<H", archive, at + 8)[0] | flag
            return archive[: at + 8] + struct.pack("<H", flags) + archive[at + 10 :]
        at += 4


@pytest.mark.parametrize(
    ("count", "accepted"),
    [(files.MAX_ARCHIVE_ENTRIES, True), (files.MAX_ARCHIVE_ENTRIES + 1, False), (70_000, False), (150_000, False)],
)
def test_the_number_of_parts_is_bounded(count, accepted):
    result = check(docx_with_entries(count))
    assert result.ok is accepted, result.error
    if not accepted:
        assert ABNORMAL in result.error


def test_the_count_is_read_before_anything_else():
    content = docx_with_entries(150_000)
    started = time.perf_counter()
    for _ in range(10):
        assert not check(content).ok
    assert (time.perf_counter() - started) / 10 < 0.02


def test_an_end_record_that_lies_about_the_count():
    """It says 3 parts; the central directory it points to is 7 Mo of entries: refused unread."""
    assert ABNORMAL in check(docx_with_entries(150_000, claimed=3)).error
    assert ABNORMAL in check(docx_with_entries(20_000, claimed=3)).error  # under 1 Mo of directory: read, then counted


def test_a_zip_bomb():
    assert ABNORMAL in check(docx_bomb()).error
    assert ABNORMAL in check(docx_bomb(files.MAX_UNCOMPRESSED_BYTES + 1024 * 1024)).error


def test_a_part_that_expands_too_much():
    """2 Mo of zeros in a few ko (a ratio of about 1 000): refused though the total is small."""
    content = docx(extra=[("word/media/blanc.bmp", bytes(2 * 1024 * 1024))])
    assert ABNORMAL in check(content).error
    small = docx(extra=[("word/media/blanc.bmp", bytes(512 * 1024))])  # under 1 Mo expanded: the ratio is not looked at
    assert check(small).ok


def test_zip64_archives_are_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(WORD.format("Zip64").encode())
    assert check(buffer.getvalue()).ok


def test_duplicate_parts_are_refused():
    """Two « word/document.xml »: a reader would show one, a scanner might read the other."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", WORD.format("Visible"))
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("word/document.xml", WORD.format("Caché"))
    assert ABNORMAL in check(buffer.getvalue()).error


def test_encrypted_parts_are_refused():
    assert ABNORMAL in check(_set_central_flag(docx(), b"word/document.xml", 0x1)).error


def test_real_documents():
    assert check(docx()).ok and check(odt(), "budget.odt").ok


# Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "extension", "shown"),
    [
        ("devis.pdf", "pdf", "devis.pdf"),
        ("photo.JPEG", "jpg", "photo.JPEG"),  # an extension of the type, as typed
        ("", "pdf", "piece-jointe.pdf"),
        ("...", "png", "piece-jointe.png"),
        ("facture\u202efdp.pdf", "pdf", "facturefdp.pdf"),
        ("a" * 250 + ".docx", "docx", "a" * 195 + ".docx"),
        ("sans extension à la fin", "odt", "sans extension à la fin.odt"),
    ],
)
def test_display_name_ends_with_the_detected_type(sent, extension, shown):
    assert display_name(sent, extension) == shown


def test_name_as_sent_is_data_any_database_stores():
    assert name_as_sent("facture\u202efdp.exe") == "facture\\u202efdp.exe"
    assert name_as_sent("de\x00vis\u2066.pdf") == "de\\u0000vis\\u2066.pdf"
    assert name_as_sent("é" * 400) == "é" * 255
    assert name_as_sent(None) == ""


def test_messages_quote_the_name_without_its_tricks():
    error = check(b"%PDF-1.4\n", "facture\u202efdp.exe").error
    assert error.startswith("Le fichier « facturefdp.exe » n'est pas dans un format accepté")
