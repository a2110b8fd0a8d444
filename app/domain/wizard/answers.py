"""Reading a step's answers from a posted form, exactly as typed, and the
budget's repeatable lines (added and removed with or without JavaScript)."""

import re
from dataclasses import dataclass

from app.domain.wizard.pages import page_fields

BUDGET_SIDES = {"depenses": "nature", "recettes": "origine"}
# What a page posts besides the answers: its token, the button pressed, the
# version it was loaded with, the look-up block, the questions it showed.
NOT_ANSWERS = ("csrf_token", "action", "version", "lookup", "affiche")
_LINE = re.compile(r"^(?P<field>[a-z_]+)-(?P<side>depenses|recettes)-(?P<index>[0-9]{1,3})-(?P<column>[a-z]+)$")


def _budget_lines(form, code: str) -> dict:
    lines: dict[str, dict[int, dict]] = {side: {} for side in BUDGET_SIDES}
    for name in form:
        match = _LINE.match(name)
        if match and match["field"] == code and match["column"] in ("nature", "origine", "montant"):
            lines[match["side"]].setdefault(int(match["index"]), {})[match["column"]] = form.get(name, "")
    return {side: [lines[side][i] for i in sorted(lines[side])] for side in BUDGET_SIDES}


def read_answers(definition, page: str, form, stored: dict) -> dict:
    """What the page sent, over what was stored (fields not on the page keep
    their value: switching an answer back and forth loses nothing)."""
    answers = dict(stored)
    posted = {name: form.get(name) for name in form if not name.startswith(NOT_ANSWERS)}
    for field in page_fields(definition, page, {**answers, **posted}):
        if field.type == "budget":
            answers[field.code] = _budget_lines(form, field.code)
        elif field.type == "checkboxes":
            if field.code in form:  # a hidden marker says the group was on the page
                answers[field.code] = [value for value in form.getlist(field.code) if value]
        elif field.code in form:
            answers[field.code] = form.get(field.code, "")
    return answers


@dataclass(frozen=True)
class LineChange:
    """A budget line added or removed: what the page then points the person to."""

    added: bool
    code: str
    side: str
    index: int  # the line added, or the line removed

    @property
    def column(self) -> str:
        return BUDGET_SIDES[self.side]


def apply_line_action(answers: dict, action: str) -> LineChange | None:
    """« Ajouter une ligne » / « Supprimer la ligne »: ``add-budget-depenses``,
    ``remove-budget-recettes-2``. Returns the change, or None when the action
    was not one."""
    match = re.fullmatch(r"(add|remove)-([a-z_]+)-(depenses|recettes)(?:-([0-9]{1,3}))?", action or "")
    if not match:
        return None
    verb, code, side, index = match.groups()
    budget = answers.setdefault(code, {"depenses": [], "recettes": []})
    lines = list(budget.get(side) or [])
    if verb == "add":
        lines.append({BUDGET_SIDES[side]: "", "montant": ""})
        position = len(lines) - 1
    else:
        position = int(index) if index is not None else len(lines)
        if position < len(lines):
            lines.pop(position)
    budget[side] = lines
    return LineChange(verb == "add", code, side, position)
