"""Files: the one home of everything a file goes through — an upload
checked, stored, recorded as an ``Attachment``, kept only if the transaction
that records it commits, read back, and deleted.

A file is recognised by its content (the ``filetype`` signatures, and for
ODT and DOCX the archive's own members read with ``zipfile``), never by the
browser's content type; its name must agree with what it is, so a PDF
renamed « photo.png » or a text renamed « devis.pdf » is refused with a
message that says so.

Stored files live outside ``static/`` (``ATTACHMENTS_DIR``, by default
``<instance>/pieces-jointes``) under random names that say nothing of the
person or the demande; the original name is kept by the caller, in the
database, and only used again as the download name.

Files and transactions: a file is written before the row that names it is
committed. ``store_upload`` / ``store_generated`` note every file they write
in the session (``session.info``); when the transaction commits the files
stay, when it ends any other way (a refusal, an error, a request that never
commits) they are deleted again, so no file outlives a change that did not
happen. Likewise a file whose row is deleted is removed only once that
deletion is committed (``delete_after_commit``). Views hand uploads over as
they came (anything with ``filename`` and ``stream``); domain operations
call ``attach``, which checks, stores and builds the ``Attachment`` row.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO, NamedTuple, Protocol

from filetype.types.archive import Pdf
from filetype.types.base import Type
from filetype.types.document import Docx, Odt
from filetype.types.image import Jpeg, Png
from flask import Flask, current_app
from sqlalchemy import event

from app.domain.base import DomainError, OperationContext
from app.extensions import db
from app.models import Attachment

log = logging.getLogger(__name__)

HEADER_BYTES = 8192  # what filetype's signatures look at
CHUNK_BYTES = 64 * 1024
STORED_NAME_RE = re.compile(r"[0-9a-f]{32}")  # secrets.token_hex(16)
MAX_DOWNLOAD_NAME = 200
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _is_odt(archive: zipfile.ZipFile) -> bool:
    """An ODT's first member, ``mimetype``, is stored uncompressed and names the type."""
    info = archive.getinfo("mimetype")
    return info.compress_type == zipfile.ZIP_STORED and info.file_size == len(ODT_MIMETYPE) and archive.read(info) == ODT_MIMETYPE


def _is_docx(archive: zipfile.ZipFile) -> bool:
    return "word/document.xml" in archive.namelist()


@dataclass(frozen=True)
class Format:
    label: str  # « PDF », as the messages name it
    signature: Type
    extensions: tuple[str, ...]  # the first is the one stored files are known by
    archive_check: Callable[[zipfile.ZipFile], bool] | None = None


FORMATS = (
    Format("PDF", Pdf(), ("pdf",)),
    Format("JPEG", Jpeg(), ("jpg", "jpeg")),
    Format("PNG", Png(), ("png",)),
    Format("ODT", Odt(), ("odt",), _is_odt),
    Format("DOCX", Docx(), ("docx",), _is_docx),
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


def _read_as_archive(stream: BinaryIO, check: Callable[[zipfile.ZipFile], bool]) -> bool:
    """Whether the stream opens as a ZIP archive that passes ``check``."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            return check(archive)
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, EOFError, OSError):
        return False


def _detect(stream: BinaryIO) -> Format | None:
    """The accepted format the content is, if any."""
    stream.seek(0)
    header = bytearray(stream.read(HEADER_BYTES))
    for fmt in FORMATS:
        if fmt.signature.match(header):
            if fmt.archive_check is None or _read_as_archive(stream, fmt.archive_check):
                return fmt
            return None
    return None


def _stream_size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(file_storage, max_bytes: int) -> UploadCheck:
    """Check a werkzeug ``FileStorage`` (or None): not empty, not above
    ``max_bytes``, an accepted format by content, and named as what it is.
    The stream is left at its start for ``store``."""
    if file_storage is None or not file_storage.filename:
        return UploadCheck(False, None, None, 0, None)
    name = file_storage.filename
    stream = file_storage.stream
    size = _stream_size(stream)

    def refused(message: str) -> UploadCheck:
        return UploadCheck(False, None, None, size, message)

    if size == 0:
        return refused(f"Le fichier « {name} » est vide : choisissez un autre fichier.")
    if size > max_bytes:
        return refused(f"Le fichier dépasse la taille maximale de {format_size(max_bytes)}.")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    claimed = next((f for f in FORMATS if extension in f.extensions), None)
    if claimed is None:
        return refused(f"Le fichier « {name} » n'est pas dans un format accepté. Formats acceptés : {ACCEPTED}.")
    detected = _detect(stream)
    stream.seek(0)
    if detected is not claimed:
        return refused(
            f"Le fichier « {name} » n'est pas un {claimed.label} : son contenu ne correspond pas à son nom. "
            f"Formats acceptés : {ACCEPTED}."
        )
    return UploadCheck(True, claimed.signature.mime, claimed.extensions[0], size, None)


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


def safe_download_name(original_name: str | None) -> str:
    """The original name, fit for ``send_file(download_name=...)``: the last
    path component only, spaces of any kind as one, no control or
    bidirectional-override characters, no leading dots, at most 200
    characters (extension kept). Accents stay: Flask writes them as RFC 5987
    ``filename*``."""
    name = unicodedata.normalize("NFC", original_name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"\s+", " ", name)  # tabs and line breaks too
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf")).strip(" .")
    if len(name) > MAX_DOWNLOAD_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: MAX_DOWNLOAD_NAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_DOWNLOAD_NAME]
    return name or "piece-jointe"


# --- Files and transactions ------------------------------------------------------------

_PENDING = "files_written"  # session.info: files written by the transaction under way
_DOOMED = "files_to_delete"  # session.info: files to delete once the transaction commits


def directory() -> Path:
    """The current application's attachments directory."""
    return attachments_directory(current_app)


def _note(key: str, stored_name: str) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the end of this transaction is seen, whatever it is
    session.info.setdefault(key, []).append((str(directory()), stored_name))


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
    """Watch the sessions' transactions (once per process, for every application)."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_transaction_end", _after_transaction_end)


# --- Attachments -------------------------------------------------------------------------


def refusal_of(upload: Upload | None, max_bytes: int | None = None) -> str | None:
    """Why an upload cannot be attached (French, for its field), or None when
    it can — or when no file was sent."""
    check = check_upload(upload, max_bytes or current_app.config["ATTACHMENT_MAX_BYTES"])
    return check.error


def attach(ctx: OperationContext, slot: str, upload: Upload, field: str | None = None) -> Attachment:
    """Check an upload, store it and build its ``Attachment`` (not yet added
    to a demande: the caller appends it). A refused file raises a
    ``DomainError`` at ``field``."""
    check = check_upload(upload, current_app.config["ATTACHMENT_MAX_BYTES"])
    if not check.ok:
        raise DomainError(check.error or "Choisissez un fichier.", field=field)
    stored = store_upload(upload)
    return Attachment(
        slot=slot,
        original_name=safe_download_name(upload.filename or "document"),
        stored_name=stored.stored_name,
        content_type=check.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=ctx.actor_id,
    )
