"""The look-up block's form, what a page embedding it reads from the
request, and the organisation form the chosen record fills."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from app import organisations, reference
from app.integrations.organisation_lookup import IdentifierKind, InvalidIdentifier, normalize
from app.organisations import CHOICE_FIELD, LookupOutcome
from app.validators import CodePostal, OrganisationIdentifier, Required, collapse_spaces, strip

KINDS = (IdentifierKind.SIRET.value, IdentifierKind.RNA.value)
KIND_MESSAGE = "Choisissez une recherche par SIRET ou par RNA"


class LookupForm(FlaskForm):
    """« Recherche par * » SIRET / RNA and the number. Its fields are named
    ``lookup-…`` so that it can sit on a page beside the page's own form."""

    class Meta:
        csrf = False  # CSRFProtect checks every POST (the block sends csrf_token)

    kind = RadioField(
        "Recherche par",
        choices=[SelectChoice(IdentifierKind.SIRET.value, "SIRET"), SelectChoice(IdentifierKind.RNA.value, "RNA")],
        default=IdentifierKind.SIRET.value,
        validate_choice=False,
        validators=[Required(KIND_MESSAGE), AnyOf(KINDS, message=KIND_MESSAGE)],
    )
    siret = StringField("SIRET", filters=[strip])
    rna = StringField("N° RNA", filters=[strip])
    target = HiddenField()  # the page the block sits on (where « Utiliser ces informations » posts)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="lookup", **kwargs)

    @property
    def number(self):
        """The number field of the kind chosen (None without a valid kind)."""
        return self[self.kind.data] if self.kind.data in KINDS else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        field = self.number
        if field is not None:
            try:
                field.data = normalize(self.kind.data, field.data)
            except InvalidIdentifier as error:
                field.errors = [*field.errors, error.message]
                valid = False
        return valid


@dataclass
class LookupPanel:
    """What a page embedding the look-up block reads from the request.

    ``handled`` is true when the request was for the block (« Rechercher »
    without JavaScript, or « Utiliser ces informations »): the page then shows
    ``form`` and ``outcome`` in the block and does not process its own form.
    ``chosen`` is the look-up whose record the user chose (read back from the
    cache): the page prefills its form with ``organisations.prefill_from``.
    """

    form: LookupForm
    outcome: LookupOutcome | None = None
    chosen: LookupOutcome | None = None
    handled: bool = False

    @classmethod
    def from_request(cls) -> LookupPanel:
        if request.method != "POST":  # a GET carries at most the kind and numbers typed so far
            return cls(LookupForm(formdata=request.args if request.args else None))
        if CHOICE_FIELD in request.form:
            outcome = organisations.chosen(request.form[CHOICE_FIELD])
            data = {"kind": outcome.kind.value, outcome.kind.value: outcome.identifier} if outcome else {}
            chosen = outcome if outcome is not None and outcome.can_be_chosen else None
            return cls(LookupForm(formdata=None, data=data), outcome, chosen, handled=True)
        form = LookupForm()
        if form.kind.name not in request.form:  # the page's own form was sent
            return cls(LookupForm(formdata=None))
        if not form.validate():
            return cls(form, handled=True)
        return cls(form, organisations.search(form.kind.data, form.number.data), handled=True)


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
        "SIRET", filters=[strip], validators=[Required("Saisissez le numéro SIRET"), OrganisationIdentifier("siret")]
    )
    rna = StringField("N° RNA", filters=[strip], validators=[OrganisationIdentifier("rna")])
    adresse = TextAreaField(
        "Adresse",
        filters=[strip],
        validators=[Required("Saisissez l'adresse"), Length(max=500, message="500 caractères au maximum")],
    )
    code_postal = StringField(
        "Code postal", filters=[strip], validators=[Required("Saisissez le code postal"), CodePostal()]
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
