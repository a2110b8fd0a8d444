"""Answers as a reader sees them (récapitulatif, demande page, PDF later):
labels with formatted values, « Non renseigné » where nothing was typed."""

from app.domain import values
from app.domain.files import format_size
from app.domain.wizard.fields import check_budget, check_field
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import STEPS, step_fields
from app.domain.wizard.validation import states, step_errors
from app.models.lifecycle import RECAPITULATIF
from app.reference import forme_juridique_label, naf_label

NOT_GIVEN = "Non renseigné"
UNKNOWN_TOTAL = "À calculer : des montants sont à corriger"


def _display(field, raw) -> str:
    if values.is_blank(raw):
        return NOT_GIVEN
    value, error = check_field(field, raw)
    if error:
        return f"{raw} (à corriger)"
    if field.type in ("select", "checkboxes"):
        labels = dict(field.choices)
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(item, str(item)) for item in items)
    if field.type == "amount":
        return values.format_amount(value)
    if field.type == "date":
        return values.format_date(value)
    if field.type == "iban":
        return values.format_iban(value)
    if field.type == "naf":
        return f"{value} – {naf_label(value)}"
    if field.type == "forme_juridique":
        return f"{value} – {forme_juridique_label(value)}"
    return str(value)


def _budget_rows(field, raw) -> list[tuple[str, str]]:
    raw = raw or {}
    rows = []
    for side, label, column in (("depenses", "Dépense", "nature"), ("recettes", "Recette", "origine")):
        for line in raw.get(side) or []:
            if not values.is_blank(line.get(column)) or not values.is_blank(line.get("montant")):
                amount, error = values.amount(line.get("montant"))
                rows.append((f"{label} : {line.get(column) or NOT_GIVEN}", values.format_amount(amount) if amount is not None else str(line.get("montant") or NOT_GIVEN)))
    totals = check_budget(raw)
    shown = (lambda amount: UNKNOWN_TOTAL) if totals.errors else values.format_amount  # a line in error counts for nothing
    rows.append(("Total des dépenses", shown(totals.total_depenses)))
    rows.append(("Total des recettes (hors Région)", shown(totals.total_recettes)))
    rows.append(("Besoin de financement", shown(totals.net)))
    return rows


def step_rows(demande, slug: str) -> list[tuple[str, str]]:
    """(label, value) for every answer of a step."""
    answers = stored_answers(demande, slug)
    rows = []
    for field in step_fields(demande.definition, slug, answers):
        if field.type == "budget":
            rows.extend(_budget_rows(field, answers.get(field.code)))
        else:
            rows.append((field.label, _display(field, answers.get(field.code))))
    if slug == "dossier":
        for document in demande.definition.documents:
            files = [a for a in demande.attachments if a.slot == document.code]
            value = ", ".join(f"{a.original_name} ({format_size(a.size)})" for a in files) or NOT_GIVEN
            rows.append((document.label, value))
    return rows


def recap_sections(demande) -> list[dict]:
    """Every answer grouped by step, with each step's state and errors
    (récapitulatif, demande page)."""
    all_states = states(demande)
    return [
        {"step": s, "state": all_states[s.slug], "rows": step_rows(demande, s.slug), "errors": step_errors(demande, s.slug)}
        for s in STEPS
        if s.slug != RECAPITULATIF
    ]
