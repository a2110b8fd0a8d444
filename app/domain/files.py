"""Files: the one home of everything a file goes through — an upload
checked, scanned, stored, recorded as an ``Attachment``, kept only if the
transaction that records it commits, read back (unless held), and deleted.

A file is recognised by its content (the ``filetype`` signatures, and for
ODT and DOCX the archive's own structure), never by the browser's content
type; its name must agree with what it is, so a PDF renamed « photo.png »
or a text renamed « devis.pdf » is refused with a message that says so.

ODT and DOCX are ZIP archives: they are accepted only when the archive is
sane, judged from its central directory alone, in bounded time, without
decompressing anything (``_archive_problem``): at most
``MAX_ARCHIVE_ENTRIES`` parts (counted from the end-of-archive record
before anything else is read, so 150 000 entries are refused in
microseconds), at most ``MAX_UNCOMPRESSED_BYTES`` once expanded, no part
expanding more than ``MAX_COMPRESSION_RATIO`` times, no duplicate or
encrypted part, and the parts the format requires: ``[Content_Types].xml``
and ``word/document.xml`` for DOCX; for ODT a first part ``mimetype``,
stored uncompressed, that says ``application/vnd.oasis.opendocument.text``,
and ``content.xml``.

Names (``display_name``): what the browser sent is only data
(``Attachment.name_as_sent``, escaped); the name shown and given on
download is made safe — NFC, the last path component only (``/`` and
``\\``), no control, format (bidirectional: U+202A–U+202E, U+2066–U+2069,
U+200E/F, U+061C…), surrogate, private-use or unassigned characters, runs of
dots as one (no ``..``), no leading or trailing dots and spaces, at most
``MAX_DOWNLOAD_NAME`` characters with the extension kept — and it always
ends with an extension of the type detected. Since a name must already
claim the type the content is, ``facture\\u202efdp.exe`` holding a PDF is
refused (« facturefdp.exe » is not in an accepted format: the message shows
the name without the override, so nobody reads « factureexe.pdf »), and
``facture\\u202efdp.pdf`` is kept as « facturefdp.pdf ».

Antivirus: every upload is scanned by clamd (``app.integrations.antivirus``)
after the checks above and before it is stored. Infected: refused at its
field (« Ce fichier contient un virus (…) : il n'a pas été enregistré. »)
and an audit event ``file.infected`` is written even though the refusal
rolls the operation back. No verdict (clamd down, slow, in error): the file
is stored but held (``ScanStatus.PENDING``, « en cours d'analyse »), never
served, until ``rescan_held`` (``flask files rescan``, or the future job
queue) marks it clean or, infected, deletes its bytes. With ``ANTIVIRUS =
"off"`` (development, tests) files are stored ``NOT_SCANNED`` and served.

Stored files live outside ``static/`` (``ATTACHMENTS_DIR``, by default
``<instance>/pieces-jointes``) under random names that say nothing of the
person or the demande.

Files and transactions: a file is written before the row that names it is
committed. ``store_upload`` / ``store_generated`` note every file they write
in the session (``session.info``); when the transaction commits the files
stay, when it ends any other way (a refusal, an error, a request that never
commits) they are deleted again, so no file outlives a change that did not
happen. Likewise a file whose row is deleted is removed only once that
deletion is committed (``delete_after_commit``). Views hand uploads over as
they came (anything with ``filename`` and ``stream``); domain operations
call ``attach``, which checks, scans, stores and builds the ``Attachment`` row.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO, NamedTuple, Protocol

from filetype.types.archive import Pdf
from filetype.types.base import Type
from filetype.types.document import Docx, Odt
from filetype.types.image import Jpeg, Png
from flask import Flask, current_app
from sqlalchemy import event, select

from app.domain.audit import record_event, record_refusal
from app.domain.base import SYSTEM, DomainError, OperationContext, operation
from app.extensions import db
from app.integrations import antivirus
from app.models import Attachment
from app.models.demandes import ScanStatus
from app.models.types import utcnow

log = logging.getLogger(__name__)

HEADER_BYTES = 8192  # what filetype's signatures look at
CHUNK_BYTES = 64 * 1024
STORED_NAME_RE = re.compile(r"[0-9a-f]{32}")  # secrets.token_hex(16)
MAX_DOWNLOAD_NAME = 200
MAX_NAME_AS_SENT = 255  # Attachment.name_as_sent
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# ZIP archives (ODT, DOCX). A real document has tens of parts (a few hundred
# with many images) and expands a few times; these bounds leave a wide margin.
MAX_ARCHIVE_ENTRIES = 1000
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024  # what zipfile reads and parses, whatever the entry count claims
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # per part, for parts above RATIO_CHECKED_FROM once expanded
RATIO_CHECKED_FROM = 1024 * 1024
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


class _UnsafeArchive(Exception):
    """The archive is of the claimed kind but not one the portal opens (a bomb, a trap)."""


def _odt_parts(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """An ODT's first part, ``mimetype``, is stored uncompressed and names the type; ``content.xml`` holds the text."""
    first = archive.infolist()[0]
    return (
        first.filename == "mimetype"
        and first.compress_type == zipfile.ZIP_STORED
        and first.file_size == first.compress_size == len(ODT_MIMETYPE)
        and archive.read(first) == ODT_MIMETYPE
        and "content.xml" in names
    )


def _docx_parts(archive: zipfile.ZipFile, names: set[str]) -> bool:
    return "[Content_Types].xml" in names and "word/document.xml" in names


@dataclass(frozen=True)
class Format:
    label: str  # « PDF », as the messages name it
    signature: Type
    extensions: tuple[str, ...]  # the first is the one stored files are known by
    archive_check: Callable[[zipfile.ZipFile, set[str]], bool] | None = None


FORMATS = (
    Format("PDF", Pdf(), ("pdf",)),
    Format("JPEG", Jpeg(), ("jpg", "jpeg")),
    Format("PNG", Png(), ("png",)),
    Format("ODT", Odt(), ("odt",), _odt_parts),
    Format("DOCX", Docx(), ("docx",), _docx_parts),
)
ACCEPTED = ", ".join(f.label for f in FORMATS)


class UploadCheck(NamedTuple):
    """What a sent file is. ``ok`` False with ``error`` None: no file was sent."""

    ok: bool
    content_type: str | None
    extension: str | None
    size: int
    error: str | None


class Upload(Protocol):
    """A file as a browser sent it (a werkzeug ``FileStorage`` is one)."""

    filename: str | None
    stream: BinaryIO


class StoredFile(NamedTuple):
    stored_name: str
    size: int
    sha256: str


def format_size(size: int) -> str:
    """« 10 Mo », « 2,5 Mo », « 500 ko », « 12 octets » (1 Mo = 1 024 ko), with a no-break space."""
    for unit, factor in (("Mo", 1024 * 1024), ("ko", 1024)):
        if size >= factor:
            number = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{number}\u00a0{unit}"
    return f"{size}\u00a0octet{'s' if size > 1 else ''}"


# --- Names ---------------------------------------------------------------------------------

# Control, format (every bidirectional mark and override, zero-width characters),
# surrogate, private-use and unassigned code points: none belongs in a name.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _printable(name: str) -> str:
    """NFC, spaces of any kind as one, no character of ``_DROPPED_CATEGORIES``."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s+", " ", name)  # tabs, line breaks, U+2028 too
    return "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)


def _bounded(name: str, limit: int = MAX_DOWNLOAD_NAME) -> str:
    """At most ``limit`` characters, a short extension kept."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and len(extension) <= 10:
        return stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:limit]


def _clean_name(original_name: str | None) -> str:
    """The safe form of a name ("" when nothing is left): see the module's docstring."""
    name = _printable(original_name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"\.{2,}", ".", name).strip(" .")
    return _bounded(name).strip(" ")


def _shown(original_name: str | None) -> str:
    """A sent name as a message quotes it: printable, bounded, nothing else changed."""
    return _bounded(_printable(original_name or "").strip()) or "sans nom"


def safe_download_name(original_name: str | None) -> str:
    """The original name, fit for ``send_file(download_name=...)`` and for
    display: see ``_clean_name``; « piece-jointe » when nothing is left.
    Accents stay: Flask writes them as RFC 5987 ``filename*``."""
    return _clean_name(original_name) or "piece-jointe"


def _extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def display_name(original_name: str | None, extension: str) -> str:
    """The name an attachment is shown and downloaded with: the safe name,
    ending with an extension of the detected type (``extension``, as
    ``check_upload`` gives it), added when the name does not end with one."""
    fmt = next(f for f in FORMATS if extension in f.extensions)
    name = _clean_name(original_name) or "piece-jointe"
    if _extension_of(name) not in fmt.extensions:
        name = _bounded(f"{name}.{fmt.extensions[0]}")
    return name


def name_as_sent(original_name: str | None) -> str:
    """What the browser sent, as data: every character ``_printable`` would
    drop (NUL, overrides…) written as ``\\uXXXX``, so that any database
    stores it and nobody is misled when reading it; bounded."""
    escaped = "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _DROPPED_CATEGORIES else ch for ch in original_name or ""
    )
    return escaped[:MAX_NAME_AS_SENT]


# --- Content ---------------------------------------------------------------------------------


def _stream_size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _central_directory(stream: BinaryIO, size: int) -> tuple[int, int]:
    """(entries, bytes) of a ZIP's central directory, read from its end
    records only (the last 64 kio at most). Raises ``zipfile.BadZipFile``
    when there is no such record."""
    tail_size = min(size, _EOCD.size + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or position + _EOCD.size > len(tail):
        raise zipfile.BadZipFile("no end of central directory")
    _, disk, cd_disk, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, position)
    if disk or cd_disk:
        raise _UnsafeArchive("multi-disk archive")
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:  # Zip64: the real numbers are in its own record
        locator_at = position - _ZIP64_LOCATOR.size
        if locator_at < 0 or tail[locator_at : locator_at + 4] != b"PK\x06\x07":
            raise zipfile.BadZipFile("Zip64 locator missing")
        _, _, record_offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if record_offset + _ZIP64_EOCD.size > size:
            raise zipfile.BadZipFile("Zip64 record out of the file")
        stream.seek(record_offset)
        record = stream.read(_ZIP64_EOCD.size)
        if record[:4] != b"PK\x06\x06":
            raise zipfile.BadZipFile("Zip64 record missing")
        entries, cd_size = _ZIP64_EOCD.unpack(record)[7:9]
    return entries, cd_size


def _archive_problem(stream: BinaryIO, fmt: Format) -> str | None:
    """Whether the stream is a sane archive of ``fmt``: None when it is,
    "format" when it is not that format at all, "unsafe" when it is a
    trap (see the module's docstring). Reads the end records first, then
    the central directory only when those are small; never decompresses a
    part (but the 39-byte ``mimetype`` of an ODT)."""
    size = _stream_size(stream)
    try:
        entries, cd_size = _central_directory(stream, size)
        if entries > MAX_ARCHIVE_ENTRIES or cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
            return "unsafe"
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if not infos:
                return "format"
            names = {info.filename for info in infos}
            if len(infos) > MAX_ARCHIVE_ENTRIES or len(names) != len(infos):
                return "unsafe"  # the end record lied about the count; or a part hidden behind its duplicate
            expanded = 0
            for info in infos:
                expanded += info.file_size
                if info.flag_bits & 0x1:  # encrypted: no scanner can read it
                    return "unsafe"
                if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                    return "unsafe"
            if expanded > MAX_UNCOMPRESSED_BYTES:
                return "unsafe"
            return None if fmt.archive_check(archive, names) else "format"
    except _UnsafeArchive:
        return "unsafe"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, RuntimeError, NotImplementedError, EOFError, OSError, ValueError, struct.error):
        return "format"
    finally:
        stream.seek(0)


def _detect(stream: BinaryIO) -> tuple[Format | None, str | None]:
    """(the accepted format the content is, None) — or (the format its
    signature claims or None, "format" | "unsafe") when it is none."""
    stream.seek(0)
    header = bytearray(stream.read(HEADER_BYTES))
    stream.seek(0)
    for fmt in FORMATS:
        if fmt.signature.match(header):
            if fmt.archive_check is None:
                return fmt, None
            problem = _archive_problem(stream, fmt)
            return (fmt, None) if problem is None else (fmt if problem == "unsafe" else None, problem)
    return None, "format"


def check_upload(file_storage, max_bytes: int) -> UploadCheck:
    """Check a werkzeug ``FileStorage`` (or None): not empty, not above
    ``max_bytes``, named as an accepted format, and that format by content
    (for ODT and DOCX, a sane archive). Messages quote the name without
    its control and bidirectional characters. The stream is left at its
    start for ``store``."""
    if file_storage is None or not file_storage.filename:
        return UploadCheck(False, None, None, 0, None)
    name = _shown(file_storage.filename)
    stream = file_storage.stream
    size = _stream_size(stream)

    def refused(message: str) -> UploadCheck:
        return UploadCheck(False, None, None, size, message)

    if size == 0:
        return refused(f"Le fichier « {name} » est vide : choisissez un autre fichier.")
    if size > max_bytes:
        return refused(f"Le fichier dépasse la taille maximale de {format_size(max_bytes)}.")
    claimed = next((f for f in FORMATS if _extension_of(_clean_name(file_storage.filename)) in f.extensions), None)
    if claimed is None:
        return refused(f"Le fichier « {name} » n'est pas dans un format accepté. Formats acceptés : {ACCEPTED}.")
    detected, problem = _detect(stream)
    stream.seek(0)
    if problem == "unsafe" and detected is claimed:
        return refused(
            f"Le fichier « {name} » ne peut pas être accepté : ce {claimed.label} a une structure anormale "
            f"(trop de parties, ou trop volumineux une fois décompressé). "
            f"Enregistrez-le à nouveau depuis votre traitement de texte, ou joignez-le en PDF."
        )
    if detected is not claimed or problem:
        return refused(
            f"Le fichier « {name} » n'est pas un {claimed.label} : son contenu ne correspond pas à son nom. "
            f"Formats acceptés : {ACCEPTED}."
        )
    return UploadCheck(True, claimed.signature.mime, claimed.extensions[0], size, None)


# --- Antivirus -----------------------------------------------------------------------------

ANTIVIRUS_MODES = ("clamd", "off")
_VERDICT = "_portail_antivirus_verdict"  # attribute of an upload: its verdict, once scanned


def check_antivirus_configuration(app: Flask) -> None:
    """Resolve ``ANTIVIRUS`` (None → "clamd" in production, "off" in
    development and under TESTING) and refuse to start a production portal
    that scans nothing, unless ``ANTIVIRUS_OFF_IN_PRODUCTION`` says so."""
    config = app.config
    mode = config.get("ANTIVIRUS")
    production = config.get("PORTAIL_ENV") == "production" and not config.get("TESTING")
    if mode is None:
        mode = "clamd" if production else "off"
    mode = "off" if mode is False else str(mode).strip().lower()
    if mode not in ANTIVIRUS_MODES:
        raise RuntimeError(f"FLASK_ANTIVIRUS : valeur inconnue « {config.get('ANTIVIRUS')} » (clamd ou off).")
    if mode == "off" and production:
        if not config.get("ANTIVIRUS_OFF_IN_PRODUCTION"):
            raise RuntimeError(
                "FLASK_ANTIVIRUS=off est refusé en production : installez clamav-daemon et gardez FLASK_ANTIVIRUS=clamd, "
                "ou, si les fichiers sont analysés ailleurs, définissez FLASK_ANTIVIRUS_OFF_IN_PRODUCTION=true."
            )
        log.warning("antivirus off in production (ANTIVIRUS_OFF_IN_PRODUCTION): uploads are not scanned")
    config["ANTIVIRUS"] = mode


def scanner():
    """The current application's scanner (``NoScanner`` when the antivirus is off)."""
    return antivirus.scanner_from_config(current_app.config)


def scan_upload(upload: Upload) -> antivirus.Verdict | None:
    """The antivirus verdict on an upload (None: the antivirus is off). The
    verdict is kept on the upload, so that a form's validation and the
    operation that stores the file scan it once."""
    cached = getattr(upload, _VERDICT, None)
    if cached is not None:
        return cached[0]
    stream = upload.stream
    stream.seek(0)
    try:
        verdict = scanner().scan(stream)
    finally:
        stream.seek(0)
    try:
        setattr(upload, _VERDICT, (verdict,))
    except AttributeError:  # an upload object that takes no attribute: scanned again next time
        pass
    return verdict


def infected_message(verdict: antivirus.Verdict) -> str:
    return f"Ce fichier contient un virus ({verdict.virus}) : il n'a pas été enregistré."


def _refuse_infected(ctx: OperationContext, upload: Upload, verdict: antivirus.Verdict, field: str | None) -> str:
    """Record the refusal (written even if the transaction under way rolls
    back) and return the message for the field."""
    stream = upload.stream
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
    stream.seek(0)
    log.warning("upload refused: %s found by clamd (sha256 %s)", verdict.virus, digest.hexdigest())
    record_refusal(
        ctx,
        "file.infected",
        Attachment.__tablename__,
        name=safe_download_name(upload.filename),
        name_as_sent=name_as_sent(upload.filename),
        virus=verdict.virus,
        sha256=digest.hexdigest(),
        size=_stream_size(stream),
        field=field,
    )
    return infected_message(verdict)


# --- Storage ---------------------------------------------------------------------------------


def attachments_directory(app) -> Path:
    """Where the application stores attachments: ``ATTACHMENTS_DIR``, or
    ``<instance>/pieces-jointes``."""
    return Path(app.config["ATTACHMENTS_DIR"] or Path(app.instance_path) / "pieces-jointes")


def _stored_path(directory, stored_name: str) -> Path:
    """The path of a stored file; anything but a name ``store`` made is refused
    (no ``..``, no separators, no other file of the directory)."""
    if not isinstance(stored_name, str) or not STORED_NAME_RE.fullmatch(stored_name):
        raise ValueError(f"Nom de fichier stocké invalide : {stored_name!r}")
    return Path(directory) / stored_name


def _fsync_directory(directory: Path) -> None:
    """Make the new directory entry durable, not only the file's bytes."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store(file_storage, directory) -> StoredFile:
    """Write the upload under ``directory`` (created if need be) with a new
    random name, in chunks, hashing as it goes, flushed to disk before
    returning. A failed write leaves no partial file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = _stored_path(directory, stored_name)
    stream = file_storage.stream
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    try:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return StoredFile(stored_name, size, digest.hexdigest())


def store_bytes(data: bytes, directory) -> StoredFile:
    """Write bytes the portal made itself (a generated PDF) exactly as
    ``store`` writes an upload: new random name, flushed to disk, no partial file."""
    return store(SimpleNamespace(stream=io.BytesIO(data)), directory)


def open_stored(directory, stored_name: str) -> BinaryIO:
    """The stored file, open for reading in binary (for ``send_file``)."""
    return open(_stored_path(directory, stored_name), "rb")


def delete_stored(directory, stored_name: str) -> None:
    """Remove a stored file; one already gone is not an error."""
    _stored_path(directory, stored_name).unlink(missing_ok=True)


# --- Files and transactions ------------------------------------------------------------

_PENDING = "files_written"  # session.info: files written by the transaction under way
_DOOMED = "files_to_delete"  # session.info: files to delete once the transaction commits


def directory() -> Path:
    """The current application's attachments directory."""
    return attachments_directory(current_app)


def _session_info() -> dict:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the end of this transaction is seen, whatever it is
    return session.info


def _note(key: str, stored_name: str) -> None:
    _session_info().setdefault(key, []).append((str(directory()), stored_name))


def store_upload(upload: Upload) -> StoredFile:
    """Write an upload (already checked) to the attachments directory; the
    file is deleted again unless the current transaction commits."""
    stored = store(upload, directory())
    _note(_PENDING, stored.stored_name)
    return stored


def store_generated(data: bytes) -> StoredFile:
    """Write bytes the portal made (a PDF), kept only if the transaction commits."""
    return store_upload(SimpleNamespace(filename="", stream=io.BytesIO(data)))


def delete_after_commit(stored_name: str) -> None:
    """Remove a stored file once the deletion of its row is committed."""
    _note(_DOOMED, stored_name)


def open_file(stored_name: str) -> BinaryIO:
    """A stored file of the current application, open for reading."""
    return open_stored(directory(), stored_name)


def _after_commit(session) -> None:
    session.info.pop(_PENDING, None)
    for folder, stored_name in session.info.pop(_DOOMED, []):
        _delete_quietly(folder, stored_name, "a file whose row was deleted")


def _after_transaction_end(session, transaction) -> None:
    """A transaction ended without a commit: the files it wrote must not stay."""
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    for folder, stored_name in session.info.pop(_PENDING, []):
        _delete_quietly(folder, stored_name, "a file of a change that was not committed")


def _delete_quietly(folder: str, stored_name: str, what: str) -> None:
    try:
        delete_stored(folder, stored_name)
    except OSError:
        log.exception("could not delete %s (%s)", what, stored_name)


def init_app(app: Flask) -> None:
    """Check the antivirus configuration; watch the sessions' transactions
    (once per process, for every application)."""
    check_antivirus_configuration(app)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


# --- Attachments -------------------------------------------------------------------------


def refusal_of(upload: Upload | None, max_bytes: int | None = None, ctx: OperationContext | None = None) -> str | None:
    """Why an upload cannot be attached (French, for its field), or None when
    it can — or when no file was sent. A file that passes the checks is
    scanned (the verdict is kept for ``attach``); an infected one is refused
    and recorded as done by ``ctx``."""
    check = check_upload(upload, max_bytes or current_app.config["ATTACHMENT_MAX_BYTES"])
    if not check.ok:
        return check.error
    verdict = scan_upload(upload)
    if verdict is not None and verdict.infected:
        return _refuse_infected(ctx or SYSTEM, upload, verdict, None)
    return None


def attach(ctx: OperationContext, slot: str, upload: Upload, field: str | None = None) -> Attachment:
    """Check an upload, scan it, store it and build its ``Attachment`` (not
    yet added to a demande: the caller appends it). A refused file raises a
    ``DomainError`` at ``field``; an infected one is also recorded; a file
    the scanner gave no verdict on is stored held (``ScanStatus.PENDING``)."""
    check = check_upload(upload, current_app.config["ATTACHMENT_MAX_BYTES"])
    if not check.ok:
        raise DomainError(check.error or "Choisissez un fichier.", field=field)
    verdict = scan_upload(upload)
    if verdict is None:
        status, scanned_at = ScanStatus.NOT_SCANNED, None
    elif verdict.infected:
        raise DomainError(_refuse_infected(ctx, upload, verdict, field), field=field)
    elif verdict.clean:
        status, scanned_at = ScanStatus.CLEAN, utcnow()
    else:
        log.warning("no antivirus verdict (%s): the file is stored but held until a rescan", verdict.detail)
        status, scanned_at = ScanStatus.PENDING, None
    stored = store_upload(upload)
    return Attachment(
        slot=slot,
        original_name=display_name(upload.filename, check.extension),
        name_as_sent=name_as_sent(upload.filename),
        stored_name=stored.stored_name,
        content_type=check.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=ctx.actor_id,
        scan_status=status,
        scanned_at=scanned_at,
    )


def may_serve(attachment: Attachment) -> bool:
    """Whether a stored file may be sent to anyone: not while held for a
    scan, never once found infected."""
    return not attachment.held


# --- Rescanning held files ------------------------------------------------------------------


@dataclass
class RescanReport:
    """What a rescan did: files found clean, found infected (ids), still held (no verdict)."""

    clean: list[int] = field(default_factory=list)
    infected: list[int] = field(default_factory=list)
    still_held: list[int] = field(default_factory=list)


@operation
def rescan_attachment(attachment: Attachment) -> antivirus.Verdict | None:
    """Scan one stored file again and record the verdict (one transaction;
    what the future job queue calls per file). Clean: ``CLEAN``, served
    from now on. Infected: ``INFECTED``, its bytes deleted once this is
    committed, the row kept as the record (downloads say why). No verdict
    (``UNAVAILABLE``): left as it was. None: nothing could be scanned (the
    antivirus is off, or the file's bytes are missing: logged)."""
    try:
        with open_file(attachment.stored_name) as stream:
            verdict = scanner().scan(stream)
    except FileNotFoundError:
        log.error("held file %s (attachment %s) is missing from the storage", attachment.stored_name, attachment.id)
        return None
    if verdict is None or verdict.outcome is antivirus.Outcome.UNAVAILABLE:
        return verdict
    attachment.scanned_at = utcnow()
    details = {"name": attachment.original_name, "sha256": attachment.sha256, "demande_id": attachment.demande_id}
    if verdict.infected:
        attachment.scan_status = ScanStatus.INFECTED
        delete_after_commit(attachment.stored_name)
        record_event(SYSTEM, "file.infected_removed", attachment, virus=verdict.virus, **details)
        log.warning("rescan: %s found in attachment %s: bytes deleted", verdict.virus, attachment.id)
    else:
        attachment.scan_status = ScanStatus.CLEAN
        record_event(SYSTEM, "file.scanned_clean", attachment, **details)
    return verdict


ANTIVIRUS_OFF = "L'antivirus est désactivé (FLASK_ANTIVIRUS=off) : aucun fichier ne peut être analysé."


def rescan_held(*, include_not_scanned: bool = False, limit: int | None = None) -> RescanReport:
    """Scan the files held « en cours d'analyse » (and, with
    ``include_not_scanned``, those stored while the antivirus was off),
    oldest first, each in its own transaction. Stops at the first file the
    scanner gives no verdict on (it is still away: the others stay held
    too). A ``DomainError`` when the antivirus is off."""
    if isinstance(scanner(), antivirus.NoScanner):
        raise DomainError(ANTIVIRUS_OFF)
    statuses = [ScanStatus.PENDING] + ([ScanStatus.NOT_SCANNED] if include_not_scanned else [])
    query = select(Attachment.id).where(Attachment.scan_status.in_(statuses)).order_by(Attachment.id)
    if limit is not None:
        query = query.limit(limit)
    ids = list(db.session.scalars(query))
    db.session.rollback()  # the reading transaction ends here; each file gets its own
    report = RescanReport()
    for number, attachment_id in enumerate(ids):
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None:
            continue
        verdict = rescan_attachment(attachment)
        if verdict is None:  # bytes missing: logged, left held
            report.still_held.append(attachment_id)
        elif verdict.clean:
            report.clean.append(attachment_id)
        elif verdict.infected:
            report.infected.append(attachment_id)
        else:
            report.still_held.extend(ids[number:])
            break
    return report
