"""Forms of the agent's actions on a demande."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.blueprints.common.fields import AmountField, FrenchDateField
from app.blueprints.common.validators import Required, strip
from app.domain.wizard.steps import REOPENABLE_STEPS, STEPS_BY_SLUG


class AssignForm(FlaskForm):
    agent = SelectField("Attribuer à", validators=[Required("Choisissez un agent")])


class ComplementsForm(FlaskForm):
    message = TextAreaField(
        "Compléments attendus", filters=[strip],
        validators=[Required("Indiquez les compléments attendus"), Length(max=5000, message="5 000 caractères au maximum")],
    )
    steps = SelectMultipleField(
        "Étapes que le demandeur pourra modifier",
        choices=[SelectChoice(slug, STEPS_BY_SLUG[slug].title) for slug in REOPENABLE_STEPS],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        validators=[Required("Choisissez au moins une étape à rouvrir")],
    )


class AcceptForm(FlaskForm):
    montant = AmountField("Montant accordé", filters=[strip], validators=[Required("Saisissez le montant accordé")])
    decision_date = FrenchDateField("Date de la décision", filters=[strip], validators=[Required("Saisissez la date de la décision")])
    instance = StringField(
        "Instance de décision", filters=[strip],
        validators=[Required("Indiquez l'instance de décision, par exemple Commission permanente"), Length(max=200)],
    )


class MotifForm(FlaskForm):
    motif = TextAreaField(
        "Motif", filters=[strip], validators=[Required("Indiquez le motif"), Length(max=5000, message="5 000 caractères au maximum")]
    )
    decision_date = FrenchDateField("Date de la décision", filters=[strip], validators=[Optional()])
    instance = StringField("Instance de décision", filters=[strip], validators=[Optional(), Length(max=200)])


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Nouvelle note interne", filters=[strip],
        validators=[Required("Saisissez la note"), Length(max=5000, message="5 000 caractères au maximum")],
    )
