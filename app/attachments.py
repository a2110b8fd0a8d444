"""Files attached to a demande: checking an upload, storing it, reading it back.

A file is recognised by its content (the ``filetype`` signatures, and for
ODT and DOCX the archive's own members read with ``zipfile``), never by the
browser's content type; its name must agree with what it is, so a PDF
renamed « photo.png » or a text renamed « devis.pdf » is refused with a
message that says so.

Stored files live outside ``static/`` (``ATTACHMENTS_DIR``, by default
``<instance>/pieces-jointes``) under random names that say nothing of the
person or the demande; the original name is kept by the caller, in the
database, and only used again as the download name.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO, NamedTuple

from filetype.types.archive import Pdf
from filetype.types.base import Type
from filetype.types.document import Docx, Odt
from filetype.types.image import Jpeg, Png

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
