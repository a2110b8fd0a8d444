"""Reference data shipped with the portal: NAF rev. 2 codes, INSEE legal forms,
départements and régions.

The JSON files beside this module were copied from public sources (MIT
licence, see ``LICENSE``); they are read once per process, never from outside
the package. The helpers validate and label what forms and the organisation
lookup receive, and build the option lists of the selects.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

_HERE = Path(__file__).resolve().parent

# "8411Z", "84.11Z", "84.11z", " 84 11 Z " all mean the NAF rev. 2 code 84.11Z.
_NAF_PATTERN = re.compile(r"^(\d{2})[.\s]?(\d{2})\s?([A-Za-z])$")


@functools.cache
def _load(filename: str) -> Mapping[str, str]:
    """Read one ``{code: label}`` file; labels lose stray surrounding spaces."""
    with (_HERE / filename).open(encoding="utf-8") as handle:
        data = json.load(handle)
    return MappingProxyType({str(code): str(label).strip() for code, label in data.items()})


def naf_codes() -> Mapping[str, str]:
    """The 732 NAF rev. 2 codes (``"84.11Z"``) and their French labels."""
    return _load("codes-NAF.json")


def formes_juridiques() -> Mapping[str, str]:
    """The INSEE "catégories juridiques" (``"9220"``) and their French labels."""
    return _load("natures-juridiques.json")


def departements() -> Mapping[str, str]:
    """INSEE département codes (``"2A"``, ``"971"``…) and their names."""
    return _load("departements.json")


def regions() -> Mapping[str, str]:
    """INSEE région codes (``"11"``…) and their names."""
    return _load("regions.json")


def normalize_naf(raw: str | None) -> str | None:
    """Return the canonical NAF rev. 2 code (``"84.11Z"``) for ``raw``.

    Accepts the INSEE compact form (``"8411Z"``), the dotted form and lower
    case. Returns None when ``raw`` is not one of the NAF rev. 2 codes, so a
    code from an older nomenclature is never taken for a current one.
    """
    if not raw:
        return None
    match = _NAF_PATTERN.match(raw.strip())
    if match is None:
        return None
    code = f"{match[1]}.{match[2]}{match[3].upper()}"
    return code if code in naf_codes() else None


def naf_label(code: str | None) -> str | None:
    """French label of a NAF rev. 2 code in any accepted form, or None."""
    normalized = normalize_naf(code)
    return naf_codes()[normalized] if normalized else None


def forme_juridique_label(code: str | None) -> str | None:
    """French label of an INSEE legal-form code (``"9220"``), or None."""
    if not code:
        return None
    return formes_juridiques().get(str(code).strip())


def _choices(table: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(code, f"{code} – {label}") for code, label in sorted(table.items())]


@functools.cache
def _naf_choices() -> tuple[tuple[str, str], ...]:
    return tuple(_choices(naf_codes()))


@functools.cache
def _forme_juridique_choices() -> tuple[tuple[str, str], ...]:
    return tuple(_choices(formes_juridiques()))


def naf_choices() -> list[tuple[str, str]]:
    """``(code, "code – label")`` pairs sorted by code, for the NAF select."""
    return list(_naf_choices())


def forme_juridique_choices() -> list[tuple[str, str]]:
    """``(code, "code – label")`` pairs sorted by code, for the legal-form select."""
    return list(_forme_juridique_choices())
