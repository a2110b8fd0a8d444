"""The organisation look-up block (« Recherche par * » SIRET / RNA), which
sits on several pages (« Créer une structure », the wizard's « Bénéficiaire »,
« Rechercher une organisation »): its form, and what a page embedding it
reads from the request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from app.blueprints.common.validators import Required, strip
from app.domain import organisations
from app.domain.organisations import CHOICE_FIELD, LookupOutcome
from app.integrations.organisation_lookup import IdentifierKind, InvalidIdentifier, normalize

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
    def showing(cls, outcome: LookupOutcome | None, handled: bool = False) -> LookupPanel:
        """The block as it was when ``outcome`` was found: its kind (SIRET or
        RNA) and number typed, the record's card, chosen if it can be."""
        data = {"kind": outcome.kind.value, outcome.kind.value: outcome.identifier} if outcome else {}
        chosen = outcome if outcome is not None and outcome.can_be_chosen else None
        return cls(LookupForm(formdata=None, data=data), outcome, chosen, handled=handled)

    @classmethod
    def from_request(cls) -> LookupPanel:
        if request.method != "POST":  # a GET carries at most the kind and numbers typed so far
            return cls(LookupForm(formdata=request.args if request.args else None))
        if CHOICE_FIELD in request.form:
            return cls.showing(organisations.chosen(request.form[CHOICE_FIELD]), handled=True)
        form = LookupForm()
        if form.kind.name not in request.form:  # the page's own form was sent
            return cls(LookupForm(formdata=None))
        if not form.validate():
            return cls(form, handled=True)
        return cls(form, organisations.search(form.kind.data, form.number.data, account_id=current_user.get_id()), handled=True)
