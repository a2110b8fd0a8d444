"""Small normalisers shared by the payload parsers of every provider.

They turn the providers' loose values (empty strings, Unix timestamps, NAF
codes with or without the dot, legal-form codes) into the record's types, and
label codes from the reference data shipped with the portal rather than
trusting each provider's spelling.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app import reference

# INSEE timestamps are midnights in metropolitan French time.
_PARIS = ZoneInfo("Europe/Paris")

FRANCE = "France"


def text(value: Any) -> str | None:
    """A stripped string, or None for missing and blank values."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def iso_date(value: Any) -> date | None:
    """A date from ``"1955-07-08"`` (or a longer ISO timestamp), else None."""
    value = text(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def insee_date(value: Any) -> date | None:
    """A date from an INSEE Unix timestamp (French local date), else None.

    ISO strings are accepted too, as older API versions sent them.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return iso_date(value)
    try:
        return datetime.fromtimestamp(value, _PARIS).date()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def joined(*parts: Any) -> str | None:
    """The non-blank parts joined by one space (``"22 BIS RUE DE LA PAIX"``)."""
    return text(" ".join(part for part in map(text, parts) if part))


def address_lines(*lines: Any) -> tuple[str, ...]:
    """The non-blank lines, in order."""
    return tuple(line for line in map(text, lines) if line)


def naf_fields(code: Any, provider_label: Any = None) -> dict[str, str | None]:
    """``naf_code`` (dotted rev. 2) and ``naf_label`` for a record.

    A code outside NAF rev. 2 (an older nomenclature) gives no code at all,
    so that the form asks for a current one.
    """
    naf_code = reference.normalize_naf(text(code))
    if naf_code is None:
        return {"naf_code": None, "naf_label": None}
    return {
        "naf_code": naf_code,
        "naf_label": reference.naf_label(naf_code) or text(provider_label),
    }


def forme_juridique_fields(code: Any, provider_label: Any = None) -> dict[str, str | None]:
    """``forme_juridique_code`` and its label (reference first, provider's otherwise)."""
    code = text(code)
    label = reference.forme_juridique_label(code) or text(provider_label) if code else None
    return {"forme_juridique_code": code, "forme_juridique_label": label}
