"""Validation and normalisation of the identifiers an organisation is looked up by.

Every lookup starts here: an identifier that fails these checks never reaches
a provider (no call is made, nothing is cached), and the person typing it gets
a French message saying what is wrong.

- SIRET: 14 digits, Luhn checksum, or La Poste's rule (SIREN 356000000, digits
  summing to a multiple of 5) — both from ``stdnum.fr.siret``.
- SIREN: 9 digits, Luhn checksum (``stdnum.fr.siren``).
- RNA: ``W`` followed by 9 letters or digits (associations of Alsace-Moselle
  have none).

Spaces (including the non-breaking ones that copies from PDFs carry) are
removed and letters upper-cased before checking.
"""

from __future__ import annotations

import enum
import re

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret


class IdentifierKind(enum.StrEnum):
    """What the number typed is; the value is also the cache's key prefix."""

    SIRET = "siret"
    SIREN = "siren"
    RNA = "rna"

    @property
    def label(self) -> str:
        return "RNA" if self is IdentifierKind.RNA else self.value.upper()


class InvalidIdentifier(ValueError):
    """An identifier that cannot be a real one; ``message`` is for the user."""

    def __init__(self, kind: IdentifierKind, raw: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.raw = raw
        self.message = message


_RNA_PATTERN = re.compile(r"^W[0-9A-Z]{9}$")

_DIGITS = {IdentifierKind.SIRET: 14, IdentifierKind.SIREN: 9}
_CHECKERS = {IdentifierKind.SIRET: stdnum_siret, IdentifierKind.SIREN: stdnum_siren}


def _compact(raw: str | None) -> str:
    """Drop every whitespace character and upper-case what is left."""
    return "".join((raw or "").split()).upper()


def _normalize_number(kind: IdentifierKind, raw: str | None) -> str:
    value = _compact(raw)
    length = _DIGITS[kind]
    if not value:
        raise InvalidIdentifier(kind, raw or "", f"Saisissez le numéro {kind.label}.")
    if len(value) != length or not value.isdigit():
        raise InvalidIdentifier(
            kind, raw or "", f"Le numéro {kind.label} doit comporter {length} chiffres."
        )
    if not _CHECKERS[kind].is_valid(value):
        raise InvalidIdentifier(
            kind,
            raw or "",
            # A checksum says the number is mistyped, not that nobody has it: only a look-up can say that.
            f"Ce numéro {kind.label} n'est pas valide : vérifiez les chiffres saisis.",
        )
    return value


def normalize_siret(raw: str | None) -> str:
    """Return the 14-digit SIRET, or raise :class:`InvalidIdentifier`."""
    return _normalize_number(IdentifierKind.SIRET, raw)


def normalize_siren(raw: str | None) -> str:
    """Return the 9-digit SIREN, or raise :class:`InvalidIdentifier`."""
    return _normalize_number(IdentifierKind.SIREN, raw)


def normalize_rna(raw: str | None) -> str:
    """Return the RNA number (``W`` + 9 characters), or raise :class:`InvalidIdentifier`."""
    value = _compact(raw)
    if not value:
        raise InvalidIdentifier(IdentifierKind.RNA, raw or "", "Saisissez le numéro RNA.")
    if not _RNA_PATTERN.match(value):
        raise InvalidIdentifier(
            IdentifierKind.RNA,
            raw or "",
            "Le numéro RNA commence par la lettre W suivie de 9 chiffres ou lettres "
            "(par exemple W751004076).",
        )
    return value


_NORMALIZERS = {
    IdentifierKind.SIRET: normalize_siret,
    IdentifierKind.SIREN: normalize_siren,
    IdentifierKind.RNA: normalize_rna,
}


def normalize(kind: IdentifierKind | str, raw: str | None) -> str:
    """Normalise ``raw`` as an identifier of ``kind`` (raises :class:`InvalidIdentifier`)."""
    return _NORMALIZERS[IdentifierKind(kind)](raw)
