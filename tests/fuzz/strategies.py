"""Hypothesis strategies for hostile posts, and how a drawn post is sent.

A post is drawn before the example's state exists (Hypothesis draws first),
so what only that state knows — the draft's version, a real row id, a
valid token — is drawn as a ``Ref`` and resolved when the post is sent.
Values that are not text at all (bytes that are not UTF-8) are drawn as
``Raw`` and percent-encoded as they are into a hand-made body; files as
``File``.

Each field of a route's form is, independently: missing, sent once, or
sent two or three times (a MultiDict with repeated keys); its values are
edge cases (empty, blank, ``²``, ``'{}'``, NUL, non-characters, RTL
override, lone-surrogate bytes…), 5 000-digit and 20–30-digit integers,
100 000-character strings, JSON of wrong shapes, random text, or a value
the route may accept (so that the deeper code runs too). Random extra
field names are added."""

import io
import json
import os
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

# Examples per test (one test per route and per mode, html or htmx). CI uses
# the default; a long run sets FUZZ_EXAMPLES (e.g. 1000).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))

fuzz_settings = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run: a fixed seed per test
    database=None,  # nothing written under .hypothesis/, nothing replayed from an earlier run
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


@dataclass(frozen=True)
class Ref:
    """A value known once the example's state is built (``Target.refs[name]``)."""

    name: str

    def __repr__(self):
        return f"<{self.name}>"


@dataclass(frozen=True)
class Raw:
    """Bytes sent as they are (percent-encoded) in a form or a URL: not UTF-8."""

    data: bytes


@dataclass(frozen=True)
class File:
    content: bytes
    filename: str
    content_type: str = "application/octet-stream"

    def __repr__(self):
        return f"File({self.content[:20]!r}…{len(self.content)} bytes, {self.filename!r}, {self.content_type!r})"


@dataclass(frozen=True)
class Post:
    """One hostile request: the URL's arguments, the query string, the body's
    fields (name, value) in order, and how the body is encoded."""

    path_args: dict = field(default_factory=dict)
    query: tuple = ()
    fields: tuple = ()
    encoding: str = "urlencoded"

    def __repr__(self):
        short = lambda pairs: ", ".join(f"({_short(n)}, {_short(v)})" for n, v in pairs)  # noqa: E731
        args = ", ".join(f"{name}={_short(value)}" for name, value in self.path_args.items())
        return f"Post(path_args={{{args}}}, query=[{short(self.query)}], fields=[{short(self.fields)}], encoding={self.encoding!r})"

    def _repr_pretty_(self, printer, cycle):  # Hypothesis's printer of failing examples
        printer.text(repr(self))


def _short(value) -> str:
    """A value's repr, long strings abridged (a failing example stays readable)."""
    text = repr(value)
    if len(text) <= 120:
        return text
    if isinstance(value, str) and len(set(value)) == 1:
        return f"{value[0]!r} * {len(value)}"
    return f"{text[:60]}…({len(value) if isinstance(value, str) else len(text)} chars)…{text[-20:]}"


# --- values ---------------------------------------------------------------------------------

FIVE_THOUSAND_DIGITS = "9" * 5000
EDGE_TEXTS = (
    "", " ", "   ", "\t", "\r\n", "²", "²³", "¹", "½", "Ⅻ", "١٢٣", "𝟏𝟐", "{}", "[]", "null", "true", "0", "00", "-1", "+1",
    "1.5", "1,5", "1e309", "-1e309", "nan", "NaN", "inf", "-0", "0x1F", "1_000", "١", "\x00", "a\x00b", "\x00" * 3,
    "\uffff", "\ufffe", "\U0010ffff", "\U0001fffe", "\ufdd0", "\ufeff", "\u200b", "\u202e", "facture\u202efdp.exe",
    "\u202egnp.exe", "e\u0301", "🏳️‍🌈", "\x01\x02\x1b[31m", "../../../etc/passwd", "..\\..\\boot.ini", "<script>alert(1)</script>",
    "{{7*7}}", "' OR 1=1 --", "%00", "%", "%%", "+", "oui", "non", "on", "y", "remove-budget-depenses-99999",
    FIVE_THOUSAND_DIGITS, "-" + FIVE_THOUSAND_DIGITS, "1" + "0" * 4300, "1" * 20, "9" * 25, "1" * 30, str(2**31), str(2**63),
    str(2**64), "999999999999999999", "-9223372036854775809", "31/02/2027", "00/00/0000", "15/01/99999", "9999-12-31",
    "0001-01-01", "32/13/2027", "x" * 256, "x" * 5001, "x" * 100_000, "é" * 50_000, "\u202e" * 1000, " " * 100_000,
)
RAW_BYTES = (
    b"\xed\xa0\x80",  # a lone surrogate (U+D800) in UTF-8 form: not valid UTF-8
    b"\xed\xbf\xbf",
    b"\xff\xfe",
    b"\xc0\x80",  # an overlong NUL
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xf4\x8f\xbf\xbf",  # U+10FFFF, a non-character
    b"a\xe9b",  # latin-1
)

# JSON values of every shape, for the fields that carry JSON (and any other).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
WRONG_JSON = (
    "{}", "[]", "1", '"texte"', "null", "[1, 2]", '{"lu": 5}', '{"budget": "1 000"}', '{"budget": {"depenses": 3}}',
    '{"budget": {"depenses": [1, "a", null]}}', '{"niveaux": "seconde"}', '{"intitule": {"a": [1]}}',
    '{"contact_email": ["a@b.fr", 3]}', '{"inconnu": [1, {"deux": 2}]}', '{"description": "nul\\u0000"}', '{"x": "\\ud800"}',
    "{" * 1000, "[" * 5000, '{"a": ' * 200 + "1" + "}" * 200, "not json", json.dumps({"intitule": "x" * 400_000}),
)

text_values = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
edge_values = st.sampled_from(EDGE_TEXTS)
raw_values = st.sampled_from(RAW_BYTES).map(Raw)
json_texts = st.sampled_from(WRONG_JSON) | json_values.map(lambda v: json.dumps(v, ensure_ascii=False))


def hostile_values(plausible=(), weight=3) -> st.SearchStrategy:
    """Any value for a field; ``plausible``: values (or Refs) the field may
    accept, drawn ``weight`` times in 6 + ``weight``."""
    choices = [edge_values, edge_values, text_values, raw_values, json_texts, st.integers().map(str)]
    if plausible:
        choices += [st.sampled_from(tuple(plausible))] * weight
    return st.one_of(choices)


# --- files ----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE_NAMES = (
    "devis.pdf", "", " ", "facture\u202efdp.exe", "../../../etc/passwd", "..\\..\\x.pdf", "a/b/c.pdf", "\x01\x02.pdf", "nul\x00.pdf",
    "x" * 300 + ".pdf", "é" * 200 + ".pdf", "CON", ".pdf", "pièce jointe.PDF", "photo.png", "import.csv",
)
FILE_CONTENTS = (
    PDF, b"", b"\x00" * 100, b"<html><script>alert(1)</script></html>", b"PK\x03\x04" + b"\x00" * 40, b"\x89PNG\r\n\x1a\n",
    b"raison_sociale;siret\nA;1\n", "siret,é,\u202e\n1,2,3\n".encode(), b"\xff\xfe\x00\x00", b"%PDF-" + b"9" * 5000,
)
files = st.builds(
    File,
    content=st.sampled_from(FILE_CONTENTS) | st.binary(max_size=64),
    filename=st.sampled_from(FILE_NAMES) | text_values,
    content_type=st.sampled_from(("application/pdf", "text/csv", "application/octet-stream", "text/html", "", "image/png")),
)


# --- forms ----------------------------------------------------------------------------------

EXTRA_NAMES = (
    "csrf_token", "action", "version", "affiche", "conflict_answers", "retour", "lookup-kind", "lookup-siret", "lookup-rna",
    "organisation-choisie", "next", "id", "demande_id", "structure_id", "author_id", "status", "role", "is_admin", "answers",
    "budget-depenses-0-nature", "budget-depenses-" + FIVE_THOUSAND_DIGITS + "-montant", "", " ", "\u202e", "a" * 1000,
)
extra_names = st.sampled_from(EXTRA_NAMES) | text_values | raw_values


@st.composite
def form_fields(draw, spec: dict, uploads=(), extras=True):
    """The body's (name, value) pairs: each field of ``spec`` ({name: strategy
    of its values, or (strategy, how many times it may be sent)}) missing,
    once, or repeated; ``uploads``: file fields; then random extra fields."""
    pairs = []
    for name, values in spec.items():
        values, counts = values if isinstance(values, tuple) else (values, (0, 1, 1, 1, 2, 3))
        count = draw(st.sampled_from(counts))
        pairs += [(name, draw(values)) for _ in range(count)]
    for name in uploads:
        count = draw(st.sampled_from((0, 1, 1, 2)))
        pairs += [(name, draw(files)) for _ in range(count)]
    if extras:
        for _ in range(draw(st.integers(0, 2))):
            pairs.append((draw(extra_names), draw(hostile_values())))
    if draw(st.integers(0, 9)) == 0:
        pairs = draw(st.permutations(pairs))
    return tuple(pairs)


def path_values(plausible: tuple, digits=False) -> st.SearchStrategy:
    """A URL argument: the real one most of the time, otherwise hostile
    (ids: 0, ids longer than any row's, 20–30 digits; strings: anything)."""
    if digits:
        hostile = st.sampled_from(("0", "00", "999999999999999999", "2147483648", "9223372036854775807", "1" * 20, "9" * 30))
        hostile = hostile | st.integers(20, 30).map(lambda n: "7" * n)
    else:
        hostile = edge_values.filter(lambda v: len(v) < 3000) | text_values.filter(bool) | raw_values
    return st.one_of([st.sampled_from(plausible)] * 4 + [hostile])


QUERY_NAMES = ("next", "invitation", "retour", "lookup-kind", "lookup-siret", "page", "enregistre", "apres", "avant")


@st.composite
def posts(draw, fields_strategy, path=None, query_names=QUERY_NAMES):
    """A Post: ``path`` ({argument: strategy}); the body from ``fields_strategy``."""
    path_args = {name: draw(strategy) for name, strategy in (path or {}).items()}
    query = ()
    if draw(st.integers(0, 4)) == 0:
        query = tuple((draw(st.sampled_from(query_names)), draw(hostile_values())) for _ in range(draw(st.integers(1, 2))))
    fields = draw(fields_strategy)
    has_files = any(isinstance(value, File) for _, value in fields)
    encodings = ("multipart",) if has_files else ("urlencoded", "urlencoded", "urlencoded", "multipart", "json", "none")
    return Post(path_args, query, fields, draw(st.sampled_from(encodings)))


# --- sending --------------------------------------------------------------------------------


def _resolve(value, refs: dict):
    return refs[value.name] if isinstance(value, Ref) else value


def _quote(value, plus=True) -> str:
    """Percent-encode a str (as UTF-8) or Raw bytes (as they are)."""
    if isinstance(value, Raw):
        return "".join(f"%{byte:02X}" for byte in value.data)
    value = "" if value is None else str(value)
    return quote_plus(value) if plus else quote(value, safe="")


def url_of(rule: str, post: Post, refs: dict) -> str:
    """The rule's URL with the post's arguments (each percent-encoded) and query."""
    url = rule
    for name, value in post.path_args.items():
        start = url.index("<")
        end = url.index(">", start)
        url = url[:start] + _quote(_resolve(value, refs), plus=False) + url[end + 1:]
        assert name in rule
    if post.query:
        url += "?" + "&".join(f"{_quote(n)}={_quote(_resolve(v, refs))}" for n, v in post.query)
    return url


def send(client, rule: str, post: Post, refs: dict, headers: dict):
    """Send ``post`` to ``rule`` with ``client``; returns the response."""
    url = url_of(rule, post, refs)
    headers = {name: _resolve(value, refs) for name, value in headers.items()}
    fields = [(_resolve(name, refs), _resolve(value, refs)) for name, value in post.fields]
    fields = [(name, value) for name, value in fields if value is not None]
    if post.encoding == "multipart":
        # Encoded in memory (the test client's own encoding spools parts above 500 ko to a
        # temporary file it never closes).
        data = []
        for name, value in fields:
            name = _quote(name) if isinstance(name, Raw) else name
            if isinstance(value, File):
                data.append((name, FileStorage(io.BytesIO(value.content), filename=value.filename, content_type=value.content_type)))
            else:
                data.append((name, _quote(value) if isinstance(value, Raw) else str(value)))
        boundary, body = encode_multipart(MultiDict(data))
        return client.post(url, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")
    body = "&".join(f"{_quote(name)}={_quote(value)}" for name, value in fields).encode("ascii")
    content_type = {"urlencoded": "application/x-www-form-urlencoded", "json": "application/json", "none": None}[post.encoding]
    return client.post(url, data=body, headers=headers, content_type=content_type)
