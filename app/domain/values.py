"""Reading what people type: the one home of every value rule, one function
per kind of value — each field type of a téléservice definition
(``app/teleservices/schema.py``, FIELD_TYPES), and the identifiers, codes,
names and numbers of the portal's own forms (accounts, structures, filters).

Each function takes the raw string (or list, for checkboxes) and returns a
``Parsed(value, error)``: the normalised Python value, or a French message to
show at the field. Blank input gives ``Parsed(None, None)``: whether a field
is required is the form's business, not the value's. The wizard calls these
functions by field type (``app.domain.wizard.fields``); the WTForms forms
through ``app.blueprints.common.validators.ValueRule``.

Numbers are written the French way: digits grouped by three with a narrow
no-break space (U+202F, as CLDR's ``fr`` locale does), a comma before the
decimals, and a no-break space (U+00A0) before « € », so « 1 234,50 € » never
breaks across lines. What people type may use a regular, a no-break or a
narrow no-break space to group digits.

Pure functions: no Flask, no database (the reference tables are files).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, ValidationError

from app.integrations.organisation_lookup import IdentifierKind, InvalidIdentifier, normalize
from app.reference import formes_juridiques, normalize_naf

IDENTIFIANT_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# Letters of any alphabet (accents included), separated by single spaces,
# apostrophes or hyphens: « Le Bihan », « N'Diaye », « Jean-Éric ».
PERSON_NAME_RE = re.compile(r"^[^\W\d_]+(?:(?: |'|’|-|' |’ |- | -)[^\W\d_]+)*\.?$")
# A phone number once spaces, dots, hyphens and brackets are removed: French
# (10 digits from 0) or international (+ and 8 to 15 digits).
PHONE_RE = re.compile(r"0\d{9}|\+\d{8,15}")
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
MAX_DAYS = 3650  # ten years: the longest delay a filter takes

NNBSP = "\u202f"  # narrow no-break space: groups digits
NBSP = "\u00a0"  # no-break space: before « € »
CENT = Decimal("0.01")
# At most 15 digits before the decimals: no real demande comes near, and it
# keeps every accepted value inside the database's numeric columns.
MAX_DIGITS = 15

AMOUNT_EXAMPLE = "par exemple 1 234,50"
DATE_MESSAGE = "Saisissez une date valide, par exemple 15/09/2026"
IBAN_EXAMPLE = "par exemple FR76 3000 6000 0112 3456 7890 189"


class Parsed(NamedTuple):
    """A field's normalised value (None when blank or wrong) and its error."""

    value: Any
    error: str | None


BLANK = Parsed(None, None)


# The largest id or version a database row can have: the schema's ids and
# versions are SQL INTEGER, 32-bit signed on PostgreSQL (SQLite's would hold
# more; the bound is the schema's, the same on both).
MAX_ROW_NUMBER = 2**31 - 1


def row_number(raw) -> int | None:
    """An id or a version as a request sends it (« 42 »), or None for
    anything else: « ² » and other Unicode digits, signs, spaces, or a
    number no row can have (5 000 digits, 20 digits) — never an exception."""
    text_value = raw if isinstance(raw, str) else str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else ""
    if not (0 < len(text_value) <= len(str(MAX_ROW_NUMBER)) and text_value.isascii() and text_value.isdigit()):
        return None
    number = int(text_value)
    return number if number <= MAX_ROW_NUMBER else None


def is_blank(raw) -> bool:
    """Nothing typed: None, only spaces, or a list of such (checkboxes)."""
    if raw is None:
        return True
    if isinstance(raw, (list, tuple)):
        return all(is_blank(item) for item in raw)
    return not str(raw).strip()


def _spaces_to_regular(raw: str) -> str:
    """The typed string stripped, every run of spaces (no-break ones included) as one regular space."""
    return re.sub(r"\s+", " ", str(raw)).strip()


def _ungroup(digits: str, separators: str) -> str | None:
    """``digits`` without its thousands separators (any one of
    ``separators``, used consistently, every group of three), or None when it
    is not a run of digits grouped that way: « 1 234 » → « 1234 », « 12 34 » → None."""
    if re.fullmatch(r"\d+", digits):
        return digits
    seps = re.escape(separators)
    if re.fullmatch(rf"\d{{1,3}}(?P<sep>[{seps}])\d{{3}}(?:(?P=sep)\d{{3}})*", digits):
        return re.sub(rf"[{seps}]", "", digits)
    return None


def format_number(number: int | Decimal) -> str:
    """« 10 000 »: an integer with its digits grouped by three (U+202F)."""
    return f"{number:,}".replace(",", NNBSP)


def format_amount(amount: Decimal) -> str:
    """« 1 234,50 € »: euros with two decimals, digits grouped with U+202F,
    a U+00A0 before the sign."""
    units, cents = f"{abs(amount.quantize(CENT)):.2f}".split(".")
    sign = "-" if amount < 0 else ""
    return f"{sign}{format_number(int(units))},{cents}{NBSP}€"


def duration_text(seconds: int) -> str:
    """« 72 heures », « 60 minutes », « 30 minutes »: how long a link lasts
    (in hours from two hours on, when they are whole)."""
    if seconds >= 7200 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{format_number(hours)} heure{'s' if hours > 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{format_number(minutes)} minute{'s' if minutes > 1 else ''}"


def format_date(value: date) -> str:
    """« 15/09/2026 »."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _bounds_error(value, low, high, noun: str, show) -> str | None:
    """The message when ``value`` is outside ``[low, high]`` (either may be None)."""
    low = None if low is None else Decimal(str(low))
    high = None if high is None else Decimal(str(high))
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return f"Saisissez {noun} entre {show(low)} et {show(high)}"
    if low is not None:
        return f"Saisissez {noun} supérieur ou égal à {show(low)}"
    return f"Saisissez {noun} inférieur ou égal à {show(high)}"


def _show_bound(bound: Decimal) -> str:
    return format_number(int(bound)) if bound == bound.to_integral_value() else str(bound).replace(".", ",")


def text(raw, max_length: int | None = None) -> Parsed:
    """Text and textarea: stripped, line breaks as ``\\n`` (browsers send
    ``\\r\\n`` but count a line break as one character against ``maxlength``)."""
    if is_blank(raw):
        return BLANK
    value = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if max_length is not None and len(value) > max_length:
        return Parsed(None, f"{format_number(max_length)} caractères au maximum (vous en avez saisi {format_number(len(value))})")
    return Parsed(value, None)


def integer(raw, min=None, max=None) -> Parsed:
    """A whole number, « 1 200 » accepted; decimals and letters refused."""
    if is_blank(raw):
        return BLANK
    typed = _spaces_to_regular(raw).replace("−", "-")
    sign, body = ("-", typed[1:].lstrip()) if typed.startswith("-") else ("", typed.lstrip("+"))
    digits = _ungroup(body, " ")
    if digits is None or len(digits) > MAX_DIGITS:
        if re.fullmatch(r"[\d ]+[.,]\d*", body):
            return Parsed(None, "Saisissez un nombre entier, sans virgule ni décimale")
        return Parsed(None, "Saisissez un nombre entier en chiffres, par exemple 25")
    value = int(sign + digits)
    error = _bounds_error(value, min, max, "un nombre", _show_bound)
    return Parsed(None, error) if error else Parsed(value, None)


def _amount_parts(typed: str) -> tuple[str, str] | None:
    """Units and decimals of an amount without sign nor « € »: the comma is
    the decimal separator (then spaces or dots group thousands); with no
    comma a dot is (then only spaces group them)."""
    if "," in typed:
        decimal_sep, group_seps = ",", " ."
    else:
        decimal_sep, group_seps = ".", " "
    units, _, decimals = typed.partition(decimal_sep)
    digits = _ungroup(units, group_seps)
    if digits is None or len(digits) > MAX_DIGITS or not re.fullmatch(r"\d*", decimals):
        return None
    if decimal_sep in typed and not decimals:
        return None  # « 12, »
    return digits, decimals


def amount(raw, min=None, max=None) -> Parsed:
    """Euros as a Decimal with two places: « 1 234,50 », « 1234.5 »,
    « 1 234,50 € », « 1 234 ». Refused: negatives, letters, more than two
    decimals (« 12,345 » is not silently read as twelve thousand)."""
    if is_blank(raw):
        return BLANK
    typed = _spaces_to_regular(raw).replace("−", "-")
    typed = re.sub(r"\s*(€|EUR|euros?)$", "", typed, flags=re.IGNORECASE)
    negative = typed.startswith("-")
    parts = _amount_parts(typed.lstrip("-+ "))
    if parts is None:
        return Parsed(None, f"Saisissez un montant en euros, en chiffres, {AMOUNT_EXAMPLE}")
    digits, decimals = parts
    if len(decimals) > 2:
        return Parsed(None, f"Saisissez au plus 2 chiffres après la virgule, {AMOUNT_EXAMPLE}")
    value = Decimal(f"{digits}.{decimals or '0'}").quantize(CENT)
    if negative and value:
        return Parsed(None, "Le montant ne peut pas être négatif")
    error = _bounds_error(value, min, max, "un montant", format_amount)
    return Parsed(None, error) if error else Parsed(value, None)


def date_value(raw) -> Parsed:
    """A date: ISO « 2026-09-15 » (what ``<input type=date>`` sends) or
    French « 15/09/2026 », « 15/9/2026 » (also with dots or hyphens)."""
    if is_blank(raw):
        return BLANK
    typed = _spaces_to_regular(raw)
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", typed):
        year, month, day = match.groups()
    elif match := re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", typed):
        day, _, month, year = match.groups()
    else:
        return Parsed(None, DATE_MESSAGE)
    if not 1800 <= int(year) <= 2199:
        return Parsed(None, DATE_MESSAGE)
    try:
        return Parsed(date(int(year), int(month), int(day)), None)
    except ValueError:
        return Parsed(None, "Cette date n'existe pas : vérifiez le jour et le mois, par exemple 15/09/2026")


def iban(raw) -> Parsed:
    """An IBAN, compact and upper-case (« FR7630006000011234567890189 »),
    its check digits and its country's format checked by python-stdnum."""
    if is_blank(raw):
        return BLANK
    compact = stdnum_iban.compact("".join(str(raw).split()))
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return Parsed(None, f"Saisissez un IBAN valide : 2 lettres (le pays), puis 2 chiffres, puis des chiffres et des lettres, {IBAN_EXAMPLE}")
    if compact.startswith("FR") and len(compact) != 27:
        return Parsed(None, f"Un IBAN français compte 27 caractères, vous en avez saisi {len(compact)} : vérifiez-le sur votre RIB")
    try:
        return Parsed(stdnum_iban.validate(compact), None)
    except InvalidChecksum:
        return Parsed(None, "Cet IBAN comporte une erreur : ses chiffres de contrôle ne correspondent pas. Vérifiez-le sur votre RIB")
    except ValidationError:
        return Parsed(None, f"Cet IBAN ne correspond pas au format des IBAN de son pays, {IBAN_EXAMPLE}")


def format_iban(value: str) -> str:
    """« FR76 3000 6000 0112 3456 7890 189 »: groups of four."""
    return stdnum_iban.format(value)


def email(raw) -> Parsed:
    """An email address checked by email-validator (syntax only, no DNS look-up), normalised."""
    if is_blank(raw):
        return BLANK
    try:
        return Parsed(validate_email(str(raw).strip(), check_deliverability=False).normalized, None)
    except EmailNotValidError:
        return Parsed(None, "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr")


def telephone(raw) -> Parsed:
    """A phone number, French or international; the value is kept as typed
    (spaces collapsed) so it reads as the person wrote it."""
    if is_blank(raw):
        return BLANK
    typed = _spaces_to_regular(raw)
    if not PHONE_RE.fullmatch(re.sub(r"[\s.\-()]", "", typed)):
        return Parsed(None, "Saisissez un numéro de téléphone valide, par exemple 05 61 00 00 00 ou +33 5 61 00 00 00")
    return Parsed(typed, None)


CHOICE_MESSAGE = "Choisissez une option de la liste"


def choice(raw, choices) -> Parsed:
    """One value of ``choices`` (``(value, label)`` pairs), for a select or radios."""
    if is_blank(raw):
        return BLANK
    value = str(raw).strip()
    return Parsed(value, None) if value in {v for v, _ in choices} else Parsed(None, CHOICE_MESSAGE)


def choices(raw_list, choices) -> Parsed:
    """Several values of ``choices`` (checkboxes), in the order of the
    choices, each once; any unknown value refuses the whole answer."""
    if is_blank(raw_list):
        return BLANK
    picked = {str(item).strip() for item in raw_list if not is_blank(item)}
    known = [v for v, _ in choices]
    if not picked <= set(known):
        return Parsed(None, CHOICE_MESSAGE)
    return Parsed([v for v in known if v in picked], None)


class BudgetTotals(NamedTuple):
    """The budget's totals (valid lines only) and its line errors, keyed like
    ``"depenses-0-montant"`` / ``"recettes-2-origine"`` (section, index in the
    list given, key) for the wizard to prefix with the field's code."""

    total_depenses: Decimal
    total_recettes: Decimal
    net: Decimal  # the need: dépenses minus recettes
    errors: dict[str, str]


BUDGET_SECTIONS = {
    # section: (label key, message when the label is missing, when the amount is)
    "depenses": ("nature", "Saisissez la nature de la dépense", "Saisissez le montant de la dépense"),
    "recettes": ("origine", "Saisissez l'origine de la recette", "Saisissez le montant de la recette"),
}


def _section_total(section: str, lines, errors: dict) -> Decimal:
    label_key, no_label, no_amount = BUDGET_SECTIONS[section]
    total = Decimal("0.00")
    for index, line in enumerate(lines):
        label, montant = line.get(label_key), line.get("montant")
        if is_blank(label) and is_blank(montant):
            continue
        if is_blank(label):
            errors[f"{section}-{index}-{label_key}"] = no_label
        if is_blank(montant):
            errors[f"{section}-{index}-montant"] = no_amount
            continue
        value, error = amount(montant)
        if error:
            errors[f"{section}-{index}-montant"] = error
        else:
            total += value
    return total


def budget_totals(depenses, recettes) -> BudgetTotals:
    """Totals of the budget's lines (``{"nature"|"origine": str, "montant": raw}``),
    blank lines ignored, with an error for each half-filled or wrong line."""
    errors: dict[str, str] = {}
    total_depenses = _section_total("depenses", depenses, errors)
    total_recettes = _section_total("recettes", recettes, errors)
    return BudgetTotals(total_depenses, total_recettes, total_depenses - total_recettes, errors)


# --- Identifiers and codes ---------------------------------------------------------------


def _identifier(kind: IdentifierKind, raw) -> Parsed:
    """SIRET or RNA, by the organisation look-up's own rules (checksum, La
    Poste's exception, RNA format), so a number accepted here is one the
    look-up accepts."""
    if is_blank(raw):
        return BLANK
    try:
        return Parsed(normalize(kind, raw), None)
    except InvalidIdentifier as error:
        return Parsed(None, error.message)


def siret(raw) -> Parsed:
    return _identifier(IdentifierKind.SIRET, raw)


def rna(raw) -> Parsed:
    return _identifier(IdentifierKind.RNA, raw)


def naf(raw) -> Parsed:
    """A NAF rev. 2 code of the INSEE list, normalised to « 85.31Z »."""
    if is_blank(raw):
        return BLANK
    code = normalize_naf(str(raw))
    if code is None:
        return Parsed(None, "Ce code NAF n'existe pas : saisissez un code de la nomenclature NAF rév. 2, par exemple 85.31Z")
    return Parsed(code, None)


def forme_juridique(raw) -> Parsed:
    """A catégorie juridique code of the INSEE list (4 digits)."""
    if is_blank(raw):
        return BLANK
    code = str(raw).strip()
    if code not in formes_juridiques():
        return Parsed(None, "Ce code de forme juridique n'existe pas dans la nomenclature de l'INSEE, par exemple 9220")
    return Parsed(code, None)


def uai_is_valid(value: str) -> bool:
    """An UAI (ex-RNE) is 7 digits and a check letter: the 23 letters
    without I, O, Q indexed by the number modulo 23."""
    return bool(re.fullmatch(r"\d{7}[A-Z]", value)) and UAI_LETTERS[int(value[:7]) % 23] == value[7]


def uai(raw) -> Parsed:
    if is_blank(raw):
        return BLANK
    value = "".join(str(raw).split()).upper()
    if not re.fullmatch(r"\d{7}[A-Z]", value):
        return Parsed(None, "Le numéro UAI comporte 7 chiffres suivis d'une lettre, par exemple 0750654D")
    if not uai_is_valid(value):
        return Parsed(None, "Ce numéro UAI n'est pas valide : vérifiez les chiffres et la lettre saisis")
    return Parsed(value, None)


def code_postal(raw) -> Parsed:
    if is_blank(raw):
        return BLANK
    value = str(raw).replace(" ", "")
    if not re.fullmatch(r"\d{5}", value):
        return Parsed(None, "Le code postal comporte 5 chiffres, par exemple 31000")
    return Parsed(value, None)


def url(raw) -> Parsed:
    """A web site's address; « www.exemple.fr » is read as https://www.exemple.fr."""
    if is_blank(raw):
        return BLANK
    value = str(raw).strip()
    candidate = value if "://" in value else f"https://{value}"
    parsed = urlparse(candidate)
    if parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in value:
        return Parsed(candidate, None)
    return Parsed(None, "Saisissez une adresse de site valide, par exemple www.exemple.fr")


# --- Accounts and filters ---------------------------------------------------------------


def identifiant(raw) -> Parsed:
    """An identifiant (login): 3 to 50 letters without accent, digits, ``.``, ``-``, ``_``."""
    if is_blank(raw):
        return BLANK
    value = str(raw)
    if not 3 <= len(value) <= 50:
        return Parsed(None, "L'identifiant doit contenir entre 3 et 50 caractères")
    if not IDENTIFIANT_RE.match(value):
        return Parsed(
            None,
            "L'identifiant ne peut contenir que des lettres sans accent, des chiffres, "
            "des points (.), des tirets (-) et des tirets bas (_)",
        )
    return Parsed(value, None)


def person_name(raw, what: str = "Le nom") -> Parsed:
    """A person's name or first name (``what``: « Le nom », « Le prénom »)."""
    if is_blank(raw):
        return BLANK
    value = str(raw)
    if len(value) > 100:
        return Parsed(None, f"{what} doit contenir 100 caractères au maximum")
    if not PERSON_NAME_RE.match(value):
        return Parsed(None, f"{what} ne peut contenir que des lettres, des espaces, des apostrophes et des tirets")
    return Parsed(value, None)


def day_count(raw) -> Parsed:
    """A number of days from 1 to 3 650 (ten years), as typed in a filter."""
    if is_blank(raw):
        return BLANK
    text_value = str(raw).strip()
    if not (text_value.isdecimal() and 1 <= int(text_value) <= MAX_DAYS):  # isdigit() would take « ² »
        return Parsed(None, "Saisissez un nombre de jours entre 1 et 3 650, par exemple 30")
    return Parsed(int(text_value), None)
