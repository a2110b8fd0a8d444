"""Answers and errors of a wizard step, shaped like a WTForms form so the
shared field macros (``macros/forms.html``) render them: one place for
labels, hints, inline errors, ``aria-invalid`` and the error summary."""

from dataclasses import dataclass, field

from wtforms.fields.choices import SelectChoice

from app.teleservices.schema import Field

RADIO_TYPES = ("select",)


@dataclass
class RawField:
    """One answer as typed, with its error (if any)."""

    name: str
    label: str
    data: object = None
    errors: list[str] = field(default_factory=list)
    choices: list[SelectChoice] = field(default_factory=list)
    type: str = "StringField"

    @property
    def id(self) -> str:
        return self.name

    def _value(self) -> str:
        if self.data is None or isinstance(self.data, (list, dict)):
            return ""
        return str(self.data)


class RawForm:
    """A step's fields in order, iterable like a WTForms form."""

    def __init__(self, fields: list[RawField], form_errors: list[str] | None = None):
        self._fields = {f.name: f for f in fields}
        self.form_errors = form_errors or []

    def __iter__(self):
        return iter(self._fields.values())

    def __getitem__(self, name: str) -> RawField:
        return self._fields[name]

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    @property
    def errors(self) -> dict:
        found = {f.name: f.errors for f in self if f.errors}
        if self.form_errors:
            found[None] = self.form_errors
        return found


BUDGET_SIDES = {"depenses": "des dépenses", "recettes": "des recettes"}
BUDGET_COLUMNS = {"nature": "Nature", "origine": "Origine", "montant": "Montant"}


def _budget_line_fields(field: Field, errors: dict[str, str]) -> list[RawField]:
    """The budget's line inputs that have an error (``budget-depenses-0-montant``),
    in order, so that the error summary links to each one."""
    found = []
    for name, message in errors.items():
        side, _, rest = name.removeprefix(f"{field.code}-").partition("-")
        index, _, column = rest.partition("-")
        if name.startswith(f"{field.code}-") and side in BUDGET_SIDES and index.isdigit() and column in BUDGET_COLUMNS:
            label = f"{BUDGET_COLUMNS[column]}, ligne {int(index) + 1} {BUDGET_SIDES[side]}"
            found.append(RawField(name=name, label=label, errors=[message]))
    return found


def raw_form(fields: tuple[Field, ...], answers: dict, errors: dict[str, str], extra: list[RawField] = ()) -> RawForm:
    """A RawForm for ``fields`` with ``answers`` and the errors to show, in
    the page's order (the error summary follows it): each field, a budget's
    lines with an error right after it, then ``extra`` (the documents)."""
    built = []
    for f in fields:
        built.append(
            RawField(
                name=f.code,
                label=f.label,
                data=answers.get(f.code),
                errors=[errors[f.code]] if f.code in errors else [],
                choices=[SelectChoice(value, label) for value, label in f.choices],
                type="RadioField" if f.type in RADIO_TYPES and len(f.choices) <= 6 else ("CheckboxField" if f.type == "checkboxes" else "StringField"),
            )
        )
        if f.type == "budget":
            built.extend(_budget_line_fields(f, errors))
    return RawForm([*built, *extra])
