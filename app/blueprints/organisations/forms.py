"""« Rechercher une organisation »: the organisation form the record
chosen in the look-up block (``app.blueprints.common.lookup``) fills."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app import reference
from app.blueprints.common.validators import Required, ValueRule, collapse_spaces, strip
from app.domain import values


class ReferenceCode:
    """A code of one of the reference tables (``app.reference``)."""

    def __init__(self, table, message: str):
        self.table = table
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data not in self.table():
            raise ValidationError(self.message)


def _choices(pairs):
    return [SelectChoice(code, label) for code, label in pairs]


class OrganisationDetailsForm(FlaskForm):
    """The organisation's information: prefilled from a record chosen in the
    block, or typed by hand (then « non vérifié »). Field names are the ones
    ``organisations.prefill_from`` gives."""

    raison_sociale = StringField(
        "Raison sociale",
        filters=[collapse_spaces],
        validators=[Required("Saisissez la raison sociale"), Length(max=255, message="255 caractères au maximum")],
    )
    sigle = StringField(
        "Sigle", filters=[collapse_spaces], validators=[Optional(), Length(max=50, message="50 caractères au maximum")]
    )
    siret = StringField(
        "SIRET", filters=[strip], validators=[Required("Saisissez le numéro SIRET"), ValueRule(values.siret)]
    )
    rna = StringField("N° RNA", filters=[strip], validators=[ValueRule(values.rna)])
    adresse = TextAreaField(
        "Adresse",
        filters=[strip],
        validators=[Required("Saisissez l'adresse"), Length(max=500, message="500 caractères au maximum")],
    )
    code_postal = StringField(
        "Code postal", filters=[strip], validators=[Required("Saisissez le code postal"), ValueRule(values.code_postal)]
    )
    commune = StringField(
        "Commune",
        filters=[collapse_spaces],
        validators=[Required("Saisissez la commune"), Length(max=100, message="100 caractères au maximum")],
    )
    naf_code = SelectField(
        "Code NAF",
        choices=_choices(reference.naf_choices()),
        validate_choice=False,
        validators=[Optional(), ReferenceCode(reference.naf_codes, "Choisissez un code NAF de la liste")],
    )
    forme_juridique_code = SelectField(
        "Forme juridique",
        choices=_choices(reference.forme_juridique_choices()),
        validate_choice=False,
        validators=[
            Optional(),
            ReferenceCode(reference.formes_juridiques, "Choisissez une forme juridique de la liste"),
        ],
    )
    # The look-up whose record filled the form (LookupOutcome.choice_value).
    lookup_key = HiddenField()
