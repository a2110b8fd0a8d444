"""WTForms validators and filters, with French messages.

The rules themselves live once in ``app.domain.values`` (also used by the
wizard and the structure import); ``ValueRule`` applies one to a WTForms
field, keeping the normalised value. What is left here is what only a form
has: « required », a confirmation that must match, the password policy
against the identifiant typed beside it, and the file fields.
"""

import re

from wtforms.validators import DataRequired, StopValidation, ValidationError

from app.blueprints.common.responses import operation_context
from app.domain import files
from app.domain.passwords import password_policy_errors


def strip(value):
    return value.strip() if isinstance(value, str) else value


def collapse_spaces(value):
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


class Required(DataRequired):
    """A required field, with its own French message (« Saisissez votre nom »)."""

    def __call__(self, form, field):
        if field.data is None or field.data is False or field.data == [] or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class ValueRule:
    """One rule of ``app.domain.values`` (``ValueRule(values.uai)``): a blank
    field passes (``Required`` says whether it may be blank), a wrong value
    gets the rule's message, a good one is replaced by its normalised form
    (« 0750654d » → « 0750654D »)."""

    def __init__(self, rule, **options):
        self.rule = rule
        self.options = options

    def __call__(self, form, field):
        parsed = self.rule(field.data, **self.options)
        if parsed.error:
            raise ValidationError(parsed.error)
        if parsed.value is not None and isinstance(field.data, str):
            field.data = parsed.value if isinstance(parsed.value, str) else field.data


class Matches:
    """A confirmation field must equal the field it confirms (``ignore_case``:
    as email addresses are compared, « A@exemple.fr » confirming « a@exemple.fr »)."""

    def __init__(self, other: str, message: str, ignore_case: bool = False):
        self.other = other
        self.message = message
        self.fold = (lambda text: text.casefold() if isinstance(text, str) else text) if ignore_case else (lambda text: text)

    def __call__(self, form, field):
        # Compare what was typed: the other field may already be normalised.
        other = _typed(form[self.other])
        if other and self.fold(_typed(field)) != self.fold(other):
            raise ValidationError(self.message)


def _typed(field) -> str:
    raw = field.raw_data[0] if field.raw_data else field.data
    return raw.strip() if isinstance(raw, str) else raw


class PasswordPolicy:
    """The CNIL password policy; ``identifiant`` names the field (or gives
    the value) the password must not contain."""

    def __init__(self, identifiant_field: str | None = None):
        self.identifiant_field = identifiant_field

    def __call__(self, form, field):
        identifiant = None
        if self.identifiant_field:
            identifiant = form[self.identifiant_field].data
        elif getattr(form, "identifiant_value", None):
            identifiant = form.identifiant_value
        problems = password_policy_errors(field.data or "", identifiant)
        if problems:
            raise ValidationError(". ".join(problems))


class AcceptedFile:
    """A file field: if a file was sent, it must be one the portal accepts
    (``app.domain.files``: format by content, size, antivirus), so that its
    refusal shows with the form's other errors; an infected file is
    recorded as sent by the current account."""

    def __call__(self, form, field):
        refusal = files.refusal_of(field.data, ctx=operation_context())
        if refusal:
            raise ValidationError(refusal)
