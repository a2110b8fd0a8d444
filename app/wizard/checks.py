"""Checking what was typed in a field, whatever the step: the type's rule
(``app.field_values``), « required », and the rules between fields
(a date not before another, an amount not above the budget's need)."""

from decimal import Decimal
from urllib.parse import urlparse

from app import field_values
from app.integrations.organisation_lookup import IdentifierKind, InvalidIdentifier, normalize
from app.reference import formes_juridiques, normalize_naf
from app.teleservices.schema import Field

REQUIRED_MESSAGES = {
    "select": "Choisissez une réponse pour « {label} »",
    "checkboxes": "Cochez au moins une case pour « {label} »",
}


def _identifier(kind):
    def check(raw):
        try:
            return normalize(kind, raw), None
        except InvalidIdentifier as error:
            return None, error.message

    return check


def _naf(raw):
    code = normalize_naf(raw)
    return (code, None) if code else (None, "Ce code NAF n'existe pas : saisissez un code de la nomenclature NAF rév. 2, par exemple 94.99Z")


def _forme_juridique(raw):
    code = str(raw).strip()
    if code in formes_juridiques():
        return code, None
    return None, "Ce code de forme juridique n'existe pas dans la nomenclature de l'INSEE, par exemple 9220"


def _url(raw):
    value = str(raw).strip()
    candidate = value if "://" in value else f"https://{value}"
    parsed = urlparse(candidate)
    if parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in value:
        return candidate, None
    return None, "Saisissez une adresse de site valide, par exemple www.exemple.fr"


def _by_type(field: Field, raw):
    kind = field.type
    if kind in ("text", "textarea"):
        return field_values.text(raw, max_length=field.max_length)
    if kind == "integer":
        return field_values.integer(raw, min=field.min, max=field.max)
    if kind == "amount":
        return field_values.amount(raw, min=field.min, max=field.max)
    if kind == "date":
        return field_values.date_value(raw)
    if kind == "select":
        return field_values.choice(raw, field.choices)
    if kind == "checkboxes":
        return field_values.choices(raw, field.choices)
    if kind == "iban":
        return field_values.iban(raw)
    if kind == "email":
        return field_values.email(raw)
    if kind == "telephone":
        return field_values.telephone(raw)
    extra = {
        "siret": _identifier(IdentifierKind.SIRET),
        "rna": _identifier(IdentifierKind.RNA),
        "naf": _naf,
        "forme_juridique": _forme_juridique,
        "url": _url,
    }
    return extra[kind](raw)


def is_blank(raw) -> bool:
    if isinstance(raw, list):
        return not any(str(item).strip() for item in raw)
    return field_values.is_blank(raw)


def check_field(field: Field, raw) -> tuple[object, str | None]:
    """The value and the error (French, for the field) of one answer."""
    if field.type == "budget":
        return None, None  # checked as a whole by check_budget
    if is_blank(raw):
        if field.required:
            template = REQUIRED_MESSAGES.get(field.type, "Renseignez « {label} »")
            return None, template.format(label=field.label)
        return None, None
    return _by_type(field, raw)


def check_fields(fields, answers: dict) -> tuple[dict, dict]:
    """Values and errors (``{code: message}``) of a set of fields, with the
    rules between fields."""
    values, errors = {}, {}
    for field in fields:
        value, error = check_field(field, answers.get(field.code))
        values[field.code] = value
        if error:
            errors[field.code] = error
    for field in fields:
        if field.code in errors or values.get(field.code) is None:
            continue
        if field.after and values.get(field.after) and values[field.code] < values[field.after]:
            other = next(f for f in fields if f.code == field.after)
            errors[field.code] = f"« {field.label} » ne peut pas précéder « {other.label} »"
        if field.max_from:
            budget = check_budget(answers.get(field.max_from))
            need = budget.net if budget else None
            if need is not None and values[field.code] > need:
                errors[field.code] = (
                    f"Le montant demandé ne peut pas dépasser le total des dépenses moins les autres recettes "
                    f"({field_values.format_amount(need)})"
                )
    return values, errors


def check_budget(raw):
    """Totals and line errors of a budget answer ``{"depenses": [...], "recettes": [...]}``."""
    raw = raw or {}
    return field_values.budget_totals(raw.get("depenses") or [], raw.get("recettes") or [])


def budget_errors(field: Field, raw) -> dict:
    """Errors of a budget field, keyed like the inputs (``budget-depenses-0-montant``)."""
    result = check_budget(raw)
    errors = {f"{field.code}-{name}": message for name, message in result.errors.items()}
    if field.required and (result.total_depenses or Decimal(0)) <= 0 and not errors:
        errors[field.code] = "Ajoutez au moins une ligne de dépense au budget prévisionnel"
    return errors
