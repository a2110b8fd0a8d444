"""The shape of a step's stored answers — one home for it.

A draft keeps what was typed, valid or not: its *values* may be wrong. Its
*shape* never is: each field of the step is stored in its type's raw form —
a string; a list of strings for check boxes; for a budget, its two sides,
each a list of lines whose cells are strings — and nothing else is stored.
``normalise`` brings anything to that shape (what a hostile post, the
conflict page's hidden copy, or an older version of the code left); readers
go through ``stored_answers``, so a row stored before this rule cannot break
a page either (``flask demandes repair`` rewrites such rows).
"""

import logging
import re

from app.domain.wizard.answers import BUDGET_SIDES
from app.domain.wizard.steps import (
    BENEFICIAIRE_CHOICE_FIELDS,
    BENEFICIAIRE_ETRANGER_FIELDS,
    BENEFICIAIRE_FRANCE_FIELDS,
    EST_BENEFICIAIRE_FIELD,
    step_fields,
)

log = logging.getLogger(__name__)

# Bounds of what a draft stores: far above any real answer, low enough that
# no post can store a blob (the form itself is bounded by MAX_FORM_MEMORY_SIZE).
MAX_TEXT = 20_000
MAX_LINES = 200
MULTI_VALUED = ("checkboxes",)
# NUL, the Unicode non-characters and lone surrogates: never text a person
# typed, and what PostgreSQL refuses in text and JSON (refused at the door,
# ``app.blueprints.common.input_guard``; stripped here from anything older).
UNREADABLE = re.compile("[\x00\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
) + "]")


def step_field_types(definition, step: str) -> dict[str, str]:
    """Every field a step may store, whatever was answered (the beneficiary's
    fields for both domiciles included), by code: its type."""
    if step == "beneficiaire":
        fields = (EST_BENEFICIAIRE_FIELD, *BENEFICIAIRE_CHOICE_FIELDS, *BENEFICIAIRE_FRANCE_FIELDS, *BENEFICIAIRE_ETRANGER_FIELDS)
    else:
        fields = step_fields(definition, step, {})
    return {field.code: field.type for field in fields}


def clean_text(value) -> str:
    """A stored string: numbers written out, anything else empty, the
    unreadable characters removed, the length bounded."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return ""
    return UNREADABLE.sub("", value)[:MAX_TEXT]


def _choices(value) -> list[str]:
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [clean_text(item) for item in items[:MAX_LINES] if isinstance(item, str)]


def _budget(value) -> dict:
    value = value if isinstance(value, dict) else {}
    budget = {}
    for side, label_column in BUDGET_SIDES.items():
        lines = value.get(side) if isinstance(value.get(side), list) else []
        budget[side] = [
            {label_column: clean_text(line.get(label_column)), "montant": clean_text(line.get("montant"))}
            for line in lines[:MAX_LINES]
            if isinstance(line, dict)
        ]
    return budget


def normalise(definition, step: str, answers) -> dict:
    """``answers`` in the step's shape: known fields only, each in its type's
    raw form (see the module's docstring)."""
    if not isinstance(answers, dict):
        return {}
    shaped = {}
    for code, kind in step_field_types(definition, step).items():
        if code not in answers:
            continue
        value = answers[code]
        if kind == "budget":
            shaped[code] = _budget(value)
        elif kind in MULTI_VALUED:
            shaped[code] = _choices(value)
        else:
            shaped[code] = clean_text(value)
    return shaped


def stored_answers(demande, step: str) -> dict:
    """What a demande holds for a step, in the step's shape; a stored row of
    another shape is read as far as it fits, and logged."""
    raw = (demande.answers or {}).get(step) if isinstance(demande.answers, dict) else None
    shaped = normalise(demande.definition, step, raw)
    if raw and shaped != raw:
        log.warning("demande %s: answers of step %s not in the step's shape, read as %s", demande.id, step, sorted(shaped))
    return shaped
