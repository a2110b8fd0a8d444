"""Field validators shared by every form, with French messages.

Each validator is a small WTForms validator class; the rules themselves
(identifiant, names, email, password) live here once and are unit-tested.
"""

import re

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import DataRequired, StopValidation, ValidationError

from app.integrations.organisation_lookup import IdentifierKind, InvalidIdentifier, normalize
from app.reference import formes_juridiques, normalize_naf
from app.security.passwords import password_policy_errors

IDENTIFIANT_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# Letters of any alphabet (accents included), separated by single spaces,
# apostrophes or hyphens: « Le Bihan », « N'Diaye », « Jean-Éric ».
PERSON_NAME_RE = re.compile(r"^[^\W\d_]+(?:(?: |'|’|-|' |’ |- | -)[^\W\d_]+)*\.?$")
# A phone number once spaces, dots, hyphens and brackets are removed: French
# (10 digits from 0) or international (+ and 8 to 15 digits).
PHONE_RE = re.compile(r"0\d{9}|\+\d{8,15}")


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


class OrganisationIdentifier:
    """SIRET or RNA, checked (checksum, La Poste exception, RNA format) and
    normalised by the organisation look-up's own rules, so a number accepted
    here is one the look-up accepts."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize(IdentifierKind(self.kind), field.data)
        except InvalidIdentifier as error:
            raise ValidationError(error.message) from None


UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai_is_valid(value: str) -> bool:
    """An UAI (ex-RNE) is 7 digits and a check letter: the 23 letters
    without I, O, Q indexed by the number modulo 23."""
    return bool(re.fullmatch(r"\d{7}[A-Z]", value)) and UAI_LETTERS[int(value[:7]) % 23] == value[7]


class Uai:
    def __call__(self, form, field):
        if not field.data:
            return
        value = "".join(field.data.split()).upper()
        if not re.fullmatch(r"\d{7}[A-Z]", value):
            raise ValidationError("Le numéro UAI comporte 7 chiffres suivis d'une lettre, par exemple 0750654D")
        if not uai_is_valid(value):
            raise ValidationError("Ce numéro UAI n'existe pas : vérifiez les chiffres et la lettre saisis")
        field.data = value


class CodePostal:
    def __call__(self, form, field):
        if field.data and not re.fullmatch(r"\d{5}", field.data.replace(" ", "")):
            raise ValidationError("Le code postal comporte 5 chiffres, par exemple 31000")
        if field.data:
            field.data = field.data.replace(" ", "")


class Telephone:
    def __call__(self, form, field):
        if not field.data:
            return
        compact = re.sub(r"[\s.\-()]", "", field.data)
        if not PHONE_RE.fullmatch(compact):
            raise ValidationError("Saisissez un numéro de téléphone valide, par exemple 05 61 00 00 00 ou +33 5 61 00 00 00")


class NafCode:
    """A NAF rev. 2 code of the INSEE list, normalised to « 84.11Z »."""

    def __call__(self, form, field):
        if not field.data:
            return
        code = normalize_naf(field.data)
        if code is None:
            raise ValidationError("Ce code NAF n'existe pas : saisissez un code de la nomenclature NAF rév. 2, par exemple 85.31Z")
        field.data = code


class FormeJuridique:
    """A catégorie juridique code of the INSEE list (4 digits)."""

    def __call__(self, form, field):
        if field.data and field.data.strip() not in formes_juridiques():
            raise ValidationError("Ce code de forme juridique n'existe pas dans la nomenclature de l'INSEE, par exemple 9220")
        if field.data:
            field.data = field.data.strip()


class DayCount:
    """A number of days from 1 to 3 650 (ten years), as typed in a filter."""

    MAX = 3650

    def __call__(self, form, field):
        text = field.data or ""
        if not (text.isdecimal() and 1 <= int(text) <= self.MAX):  # isdigit() would take « ² »
            raise ValidationError("Saisissez un nombre de jours entre 1 et 3 650, par exemple 30")
