"""Files as a browser sends them, for the operations that take uploads, and
the hostile ones the portal must refuse: ZIP bombs, archives of 150 000
parts, fake ODT, the EICAR test string inside a PDF or a DOCX."""

import functools
import io
import struct
import zipfile
import zlib
from types import SimpleNamespace

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The antivirus test file (eicar.org): harmless, and detected as a virus by
# every scanner — here by the test clamd's own signature (tests/support/clamd.py).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_PDF = b"%PDF-1.4\n% " + EICAR + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
WORD = '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>'
CONTENT = '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
MANIFEST = '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'


def upload(name: str = "document.pdf", content: bytes = PDF):
    """An upload (``filename`` and ``stream``), like a werkzeug ``FileStorage``."""
    return SimpleNamespace(filename=name, stream=io.BytesIO(content))


def zip_of(members, *, mimetype: bytes | None = None, mimetype_compressed: bool = False) -> bytes:
    """A ZIP archive of ``members`` ((name, bytes or str) pairs, deflated),
    after a first ``mimetype`` part when given (stored, as ODF wants, unless
    ``mimetype_compressed``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            compress = zipfile.ZIP_DEFLATED if mimetype_compressed else zipfile.ZIP_STORED
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=compress)
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(text: str = "Bonjour", extra=()) -> bytes:
    """A small, real DOCX (the parts Word needs to open it)."""
    return zip_of([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS), ("word/document.xml", WORD.format(text)), *extra])


def odt(extra=()) -> bytes:
    """A small, real ODT."""
    return zip_of([("content.xml", CONTENT), ("META-INF/manifest.xml", MANIFEST), *extra], mimetype=ODT_MIMETYPE)


EICAR_DOCX = docx(extra=[("word/media/eicar.bin", EICAR)])


@functools.cache
def docx_bomb(expanded: int = 200 * 1024 * 1024) -> bytes:
    """A DOCX that expands to ``expanded`` bytes (zeros: about 200 ko sent for 200 Mo)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", WORD.format("Bombe"))
        with archive.open("word/media/image1.bmp", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(expanded // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


@functools.cache
def docx_with_entries(count: int = 150_000, claimed: int | None = None) -> bytes:
    """A DOCX whose archive has ``count`` parts (the two a DOCX needs, then
    empty ones; 12 Mo for 150 000), written directly in the ZIP format
    (zipfile takes seconds for as many), with Zip64 end records above
    65 535 parts as zipfile writes them. ``claimed``: the count its end
    record states instead (a lie)."""
    local, central = io.BytesIO(), io.BytesIO()

    def add(name: bytes, data: bytes) -> None:
        crc, offset = zlib.crc32(data), local.tell()
        local.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0) + name + data)
        central.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0, 0, 0, 0, 0, offset)
            + name
        )

    add(b"[Content_Types].xml", CONTENT_TYPES.encode())
    add(b"word/document.xml", WORD.format("Beaucoup").encode())
    for number in range(count - 2):
        add(f"{number:x}".encode(), b"")
    directory, directory_at = central.getvalue(), local.tell()
    entries = count if claimed is None else claimed
    end = b""
    if entries >= 0xFFFF:
        record_at = directory_at + len(directory)
        end += struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, len(directory), directory_at)
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1)
        entries = 0xFFFF
    end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, len(directory), directory_at, 0)
    return local.getvalue() + directory + end


def fake_odts() -> dict[str, bytes]:
    """Archives that look like an ODT at first sight, by what is wrong with them."""
    return {
        "sans-content-xml": zip_of([("META-INF/manifest.xml", MANIFEST)], mimetype=ODT_MIMETYPE),
        "mimetype-compresse": zip_of([("content.xml", CONTENT)], mimetype=ODT_MIMETYPE, mimetype_compressed=True),
        "autre-opendocument": zip_of([("content.xml", CONTENT)], mimetype=b"application/vnd.oasis.opendocument.spreadsheet"),
        "mimetype-pas-en-premier": _central_directory_reordered(odt()),
        "zip-quelconque": zip_of([("content.xml", CONTENT)]),
    }


def _central_directory_reordered(archive: bytes) -> bytes:
    """The same archive, its central directory listing ``mimetype`` last:
    the first bytes still say ODT (filetype is satisfied), the directory does not."""
    start = archive.index(b"PK\x01\x02")
    end = archive.index(b"PK\x05\x06")
    records, position = [], start
    while position < end:
        name_length, extra_length, comment_length = struct.unpack_from("<3H", archive, position + 28)
        size = 46 + name_length + extra_length + comment_length
        records.append(archive[position : position + size])
        position += size
    reordered = b"".join(records[1:] + records[:1])
    return archive[:start] + reordered + archive[end:]
