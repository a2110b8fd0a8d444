"""Bulk onboarding of structures from a CSV file (command line and upload page).

Every row is validated with the same form as « Créer une structure ». If any
row is rejected, nothing is created and the report says why, field by field;
otherwise every valid row is created in one transaction (rows whose SIRET is
already on the portal, or earlier in the file, are skipped) and each new
structure's contact receives its invitation.
"""

import csv
import io
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from app.blueprints.instruction.forms import StructureForm
from app.domain.base import OperationContext
from app.domain.structures import STRUCTURE_FIELDS, ImportReport, find_by_siret, import_structures
from app.models import FamilleTiers
from app.models.structures import FAMILLE_LABELS

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
    values = dict(row)
    values["famille"] = FAMILLE_BY_TEXT.get(values.get("famille", "").casefold(), values.get("famille", ""))
    og_siret = "".join(values.pop(OG_COLUMN, "").split())
    form = StructureForm(formdata=MultiDict(values), meta={"csrf": False})
    valid = form.validate()
    errors = {name: list(messages) for name, messages in form.errors.items()}
    if og_siret:
        if values["famille"] != FamilleTiers.LYCEE_PRIVE:
            errors.setdefault(OG_COLUMN, []).append("Seul un lycée privé peut avoir un organisme de gestion")
        elif og_siret not in sirets_in_file and find_by_siret(og_siret) is None:
            errors.setdefault(OG_COLUMN, []).append(f"Aucune structure du portail ni du fichier n'a le SIRET {og_siret}")
    if not valid or errors:
        return RejectedRow(line, row.get("raison_sociale", ""), errors), None
    return None, (line, form.structure_data(), og_siret or None)


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
