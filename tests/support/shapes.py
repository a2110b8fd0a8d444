"""The shape a demande's stored answers must always have, checked from the
step field declarations (``app.domain.wizard.steps`` and the téléservice's
« Votre dossier »), independently of the code that normalises them: a draft
may hold invalid *values* (drafts keep what was typed), never an invalid
*shape* (issue 12).

- ``demande.answers`` is a dict keyed by step slugs;
- each step's answers are a dict keyed by fields that step declares (both
  beneficiary variants for « Bénéficiaire »);
- a check-box group is a list of strings; a budget is
  ``{"depenses": [{"nature": str, "montant": str}], "recettes": [{"origine": str, "montant": str}]}``
  (a side or a cell may be missing); every other field is a string;
- no stored string holds NUL, a non-character or a lone surrogate (what
  PostgreSQL refuses in JSON and nobody types);
- ``reopened_steps`` is None or a list of reopenable step slugs.

``shape_problems(demande)`` lists what is wrong (empty when well-formed);
``assert_well_formed(demande)`` fails with that list."""

import re

from app.domain.wizard.answers import BUDGET_SIDES
from app.domain.wizard.steps import (
    BENEFICIAIRE_CHOICE_FIELDS,
    BENEFICIAIRE_ETRANGER_FIELDS,
    BENEFICIAIRE_FRANCE_FIELDS,
    EST_BENEFICIAIRE_FIELD,
    ETABLISSEMENT_FIELDS,
    PREAMBULE_FIELDS,
    RECAPITULATIF_FIELDS,
    REOPENABLE_STEPS,
    STEP_SLUGS,
    criteria_fields,
)

_UNREADABLE = re.compile(
    "[\x00\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)


def declared_fields(definition, step: str) -> dict[str, str]:
    """Every field ``step`` may store, by code: its type (from the declarations)."""
    if step == "preambule":
        fields = PREAMBULE_FIELDS
    elif step == "criteres":
        fields = criteria_fields(definition)
    elif step == "etablissement":
        fields = ETABLISSEMENT_FIELDS
    elif step == "beneficiaire":
        fields = (EST_BENEFICIAIRE_FIELD, *BENEFICIAIRE_CHOICE_FIELDS, *BENEFICIAIRE_FRANCE_FIELDS, *BENEFICIAIRE_ETRANGER_FIELDS)
    elif step == "dossier":
        fields = definition.dossier
    else:
        fields = RECAPITULATIF_FIELDS
    return {field.code: field.type for field in fields}


def _text_problem(where: str, value) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {type(value).__name__} where a string is expected"]
    if _UNREADABLE.search(value):
        return [f"{where}: holds NUL, a non-character or a lone surrogate"]
    return []


def _budget_problems(where: str, value) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} where a budget (dict of sides) is expected"]
    problems = [f"{where}: unknown side {side!r}" for side in value if side not in BUDGET_SIDES]
    for side, label_column in BUDGET_SIDES.items():
        lines = value.get(side, [])
        if not isinstance(lines, list):
            problems.append(f"{where}.{side}: {type(lines).__name__} where a list of lines is expected")
            continue
        for index, line in enumerate(lines):
            at = f"{where}.{side}[{index}]"
            if not isinstance(line, dict):
                problems.append(f"{at}: {type(line).__name__} where a line (dict) is expected")
                continue
            problems += [f"{at}: unknown cell {cell!r}" for cell in line if cell not in (label_column, "montant")]
            for cell in (label_column, "montant"):
                if cell in line:
                    problems += _text_problem(f"{at}.{cell}", line[cell])
    return problems


def step_shape_problems(definition, step: str, answers) -> list[str]:
    """What is wrong with the shape of one step's stored answers."""
    if not isinstance(answers, dict):
        return [f"{step}: {type(answers).__name__} where a dict of answers is expected"]
    declared = declared_fields(definition, step)
    problems = []
    for code, value in answers.items():
        where = f"{step}.{code}"
        kind = declared.get(code)
        if kind is None:
            problems.append(f"{where}: not a field of the step")
        elif kind == "budget":
            problems += _budget_problems(where, value)
        elif kind == "checkboxes":
            if not isinstance(value, list):
                problems.append(f"{where}: {type(value).__name__} where a list of strings is expected")
            else:
                for index, item in enumerate(value):
                    problems += _text_problem(f"{where}[{index}]", item)
        else:
            problems += _text_problem(where, value)
    return problems


def shape_problems(demande) -> list[str]:
    """What is wrong with the shape of everything a demande stores as answers."""
    answers = demande.answers
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        return [f"answers: {type(answers).__name__} where a dict of steps is expected"]
    problems = []
    for step, step_answers in answers.items():
        if step not in STEP_SLUGS:
            problems.append(f"answers: unknown step {step!r}")
            continue
        problems += step_shape_problems(demande.definition, step, step_answers)
    reopened = demande.reopened_steps
    if reopened is not None and (not isinstance(reopened, list) or any(step not in REOPENABLE_STEPS for step in reopened)):
        problems.append(f"reopened_steps: {reopened!r} is not a list of reopenable steps")
    return problems


def assert_well_formed(demande) -> None:
    problems = shape_problems(demande)
    assert not problems, f"demande {demande.id} stores answers of a wrong shape:\n" + "\n".join(problems[:20])
