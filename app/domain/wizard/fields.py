"""Checking what was typed in a wizard field, whatever the step: the rule
of its type (``app.domain.values``), « required », and the rules between
fields (a date not before another, an amount not above the budget's need)."""

from decimal import Decimal

from app.domain import values
from app.teleservices.schema import Field

REQUIRED_MESSAGES = {
    "select": "Choisissez une réponse pour « {label} »",
    "checkboxes": "Cochez au moins une case pour « {label} »",
    "box": "Cochez la case « {label} »",  # a single check box (a certification)
}

# The value rule of each field type (``app.teleservices.schema.FIELD_TYPES``
# and the fixed steps' own types); the budget is checked as a whole.
RULES = {
    "text": lambda field, raw: values.text(raw, max_length=field.max_length),
    "textarea": lambda field, raw: values.text(raw, max_length=field.max_length),
    "integer": lambda field, raw: values.integer(raw, min=field.min, max=field.max),
    "amount": lambda field, raw: values.amount(raw, min=field.min, max=field.max),
    "date": lambda field, raw: values.date_value(raw),
    "select": lambda field, raw: values.choice(raw, field.choices),
    "checkboxes": lambda field, raw: values.choices(raw, field.choices),
    "iban": lambda field, raw: values.iban(raw),
    "email": lambda field, raw: values.email(raw),
    "telephone": lambda field, raw: values.telephone(raw),
    "siret": lambda field, raw: values.siret(raw),
    "rna": lambda field, raw: values.rna(raw),
    "naf": lambda field, raw: values.naf(raw),
    "forme_juridique": lambda field, raw: values.forme_juridique(raw),
    "url": lambda field, raw: values.url(raw),
}


def check_field(field: Field, raw) -> tuple[object, str | None]:
    """The value and the error (French, for the field) of one answer."""
    if field.type == "budget":
        return None, None  # checked as a whole by check_budget
    if values.is_blank(raw):
        if field.required:
            kind = "box" if field.type == "checkboxes" and len(field.choices) == 1 else field.type
            template = REQUIRED_MESSAGES.get(kind, "Renseignez « {label} »")
            return None, template.format(label=field.label)
        return None, None
    return RULES[field.type](field, raw)


def check_fields(fields, answers: dict) -> tuple[dict, dict]:
    """Values and errors (``{code: message}``) of a set of fields, with the
    rules between fields."""
    found, errors = {}, {}
    for field in fields:
        value, error = check_field(field, answers.get(field.code))
        found[field.code] = value
        if error:
            errors[field.code] = error
    for field in fields:
        if field.code in errors or found.get(field.code) is None:
            continue
        if field.after and found.get(field.after) and found[field.code] < found[field.after]:
            other = next(f for f in fields if f.code == field.after)
            errors[field.code] = f"« {field.label} » ne peut pas précéder « {other.label} »"
        if field.max_from:
            budget = check_budget(answers.get(field.max_from))
            need = budget.net if budget else None
            if need is not None and found[field.code] > need:
                errors[field.code] = (
                    f"Le montant demandé ne peut pas dépasser le total des dépenses moins les autres recettes "
                    f"({values.format_amount(need)})"
                )
    return found, errors


def check_budget(raw):
    """Totals and line errors of a budget answer ``{"depenses": [...], "recettes": [...]}``."""
    raw = raw or {}
    return values.budget_totals(raw.get("depenses") or [], raw.get("recettes") or [])


def budget_errors(field: Field, raw) -> dict:
    """Errors of a budget field, keyed like the inputs (``budget-depenses-0-montant``)."""
    result = check_budget(raw)
    errors = {f"{field.code}-{name}": message for name, message in result.errors.items()}
    if field.required and (result.total_depenses or Decimal(0)) <= 0 and not errors:
        errors[field.code] = "Ajoutez au moins une ligne de dépense au budget prévisionnel"
    return errors
