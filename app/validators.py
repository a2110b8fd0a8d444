"""Field validators shared by every form, with French messages.

Each validator is a small WTForms validator class; the rules themselves
(identifiant, names, email, password) live here once and are unit-tested.
"""

import re

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import DataRequired, StopValidation, ValidationError

from app.security.passwords import password_policy_errors

IDENTIFIANT_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# Letters of any alphabet (accents included), separated by single spaces,
# apostrophes or hyphens: « Le Bihan », « N'Diaye », « Jean-Éric ».
PERSON_NAME_RE = re.compile(r"^[^\W\d_]+(?:(?: |'|’|-|' |’ |- | -)[^\W\d_]+)*\.?$")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def collapse_spaces(value):
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


class Required(DataRequired):
    """A required field, with its own French message (« Saisissez votre nom »)."""

    def __call__(self, form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class Identifiant:
    def __call__(self, form, field):
        value = field.data or ""
        if not 3 <= len(value) <= 50:
            raise ValidationError("L'identifiant doit contenir entre 3 et 50 caractères")
        if not IDENTIFIANT_RE.match(value):
            raise ValidationError(
                "L'identifiant ne peut contenir que des lettres sans accent, des chiffres, "
                "des points (.), des tirets (-) et des tirets bas (_)"
            )


class PersonName:
    def __init__(self, what: str):
        self.what = what  # « Le nom », « Le prénom »

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) > 100:
            raise ValidationError(f"{self.what} doit contenir 100 caractères au maximum")
        if not PERSON_NAME_RE.match(value):
            raise ValidationError(
                f"{self.what} ne peut contenir que des lettres, des espaces, des apostrophes et des tirets"
            )


class EmailAddress:
    """Checks the syntax with email-validator (no DNS look-up) and keeps the
    normalised address."""

    def __call__(self, form, field):
        try:
            result = validate_email(field.data or "", check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(
                "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr"
            ) from None
        field.data = result.normalized


class Matches:
    """A confirmation field must equal the field it confirms."""

    def __init__(self, other: str, message: str):
        self.other = other
        self.message = message

    def __call__(self, form, field):
        # Compare what was typed: the other field may already be normalised.
        other = _typed(form[self.other])
        if other and _typed(field) != other:
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
