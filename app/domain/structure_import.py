"""Bulk onboarding of structures from a CSV file (command line and upload page).

Every row is checked with the same rules as « Créer une structure »
(``app.domain.structures.read_fiche``). If any row is rejected, nothing is created and the report says why, field by field;
otherwise every valid row is created in one transaction (rows whose SIRET is
already on the portal, or earlier in the file, are skipped) and each new
structure's contact receives its invitation.
"""

import csv
import io
from dataclasses import dataclass, field

from app.domain.base import OperationContext, operation
from app.domain.structures import ONLY_LYCEE_PRIVE, STRUCTURE_FIELDS, create_structure, find_by_siret, read_fiche
from app.models import Structure
from app.reference.familles import FAMILLE_LABELS, FamilleTiers

OG_COLUMN = "organisme_gestion_siret"
COLUMNS = (*STRUCTURE_FIELDS, OG_COLUMN)
REQUIRED_COLUMNS = ("famille", "raison_sociale", "siret", "adresse", "code_postal", "commune", "email")
FAMILLE_BY_TEXT = {
    **{f.value: f.value for f in FamilleTiers},
    **{label.casefold(): f.value for f, label in FAMILLE_LABELS.items()},
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, columns)."""


@dataclass
class RejectedRow:
    line: int
    raison_sociale: str
    errors: dict[str, list[str]]


@dataclass
class ImportReport:
    created: list[Structure] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


@dataclass
class ImportOutcome:
    rejected: list[RejectedRow] = field(default_factory=list)
    report: ImportReport | None = None  # set when the import took place
    rows_read: int = 0


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 / Latin-1 as spreadsheets save."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """The rows of the file as (line number, {column: value})."""
    text = _decode(data)
    if not text.strip():
        raise ImportFileError("Le fichier est vide.")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t")
    except csv.Error:
        raise ImportFileError("Le fichier n'est pas un CSV lisible : séparez les colonnes par des points-virgules.") from None
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().casefold() for name in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("colonnes manquantes : " + ", ".join(missing))
        if unknown:
            parts.append("colonnes inconnues : " + ", ".join(unknown))
        raise ImportFileError(
            "Les colonnes du fichier ne sont pas celles attendues (" + " ; ".join(parts) + "). "
            "Colonnes attendues : " + ";".join(COLUMNS) + "."
        )
    reader.fieldnames = header
    return [
        (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]


def _validate(line: int, row: dict, sirets_in_file: set[str]) -> tuple[RejectedRow | None, tuple | None]:
    cells = dict(row)
    cells["famille"] = FAMILLE_BY_TEXT.get(cells.get("famille", "").casefold(), cells.get("famille", ""))
    og_siret = "".join(cells.pop(OG_COLUMN, "").split())
    fiche = read_fiche(cells)
    if og_siret:
        # The organisme de gestion may come later in the file: it is looked up at import.
        if fiche.values["famille"] != FamilleTiers.LYCEE_PRIVE:
            fiche.refuse(OG_COLUMN, ONLY_LYCEE_PRIVE)
        elif og_siret not in sirets_in_file and find_by_siret(og_siret) is None:
            fiche.refuse(OG_COLUMN, f"Aucune structure du portail ni du fichier n'a le SIRET {og_siret}")
    if not fiche.ok:
        return RejectedRow(line, row.get("raison_sociale", ""), fiche.errors), None
    return None, (line, fiche.values, og_siret or None)


@operation
def import_structures(ctx: OperationContext, rows: list[tuple[int, dict, str | None]]) -> ImportReport:
    """Create the structures of checked import rows (line, data,
    organisme de gestion SIRET) in one transaction; a SIRET already on the
    portal, or seen earlier in the file, is skipped. Any error rolls back
    the whole import: nothing is half-imported."""
    report = ImportReport()
    seen: dict[str, Structure] = {}
    # Rows naming an organisme de gestion come last: it may be further down the file.
    for line, data, og_siret in sorted(rows, key=lambda row: row[2] is not None):
        siret = data.get("siret")
        if siret and (siret in seen or find_by_siret(siret)):
            report.skipped.append((line, f"SIRET {siret} déjà présent"))
            continue
        organisme_gestion = (seen.get(og_siret) or find_by_siret(og_siret)) if og_siret else None
        structure = create_structure(ctx, data, organisme_gestion)
        if siret:
            seen[siret] = structure
        report.created.append(structure)
    report.skipped.sort()
    return report


def import_csv(ctx: OperationContext, data: bytes) -> ImportOutcome:
    """Validate every row, then import all or nothing (see module doc)."""
    rows = read_rows(data)
    sirets_in_file = {"".join(r.get("siret", "").split()) for _, r in rows}
    outcome = ImportOutcome(rows_read=len(rows))
    valid_rows = []
    for line, row in rows:
        rejected, valid = _validate(line, row, sirets_in_file)
        if rejected:
            outcome.rejected.append(rejected)
        else:
            valid_rows.append(valid)
    if not outcome.rejected:
        outcome.report = import_structures(ctx, valid_rows)
    return outcome
