"""Forms of the suivi blueprint."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.field_values import date_value
from app.models.demandes import STATUS_LABELS
from app.validators import Required, strip

SORTS = {
    "reference": "Référence",
    "teleservice": "Téléservice",
    "intitule": "Intitulé",
    "statut": "Statut",
    "auteur": "Auteur",
    "modification": "Dernière modification",
}


class ListForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    statut = SelectField("Statut", choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()], validators=[Optional()])
    tri = SelectField("Trier par", choices=[SelectChoice(k, v) for k, v in SORTS.items()], validators=[Optional()], default="modification")
    ordre = SelectField("Ordre", choices=[SelectChoice("desc", "Décroissant"), SelectChoice("asc", "Croissant")], validators=[Optional()], default="desc")


class FrenchDateField(StringField):
    """A date typed « 15/09/2026 » (or ISO): ``parsed`` holds the date."""

    parsed = None

    def pre_validate(self, form):
        if self.data:
            self.parsed, error = date_value(self.data)
            if error:
                raise ValidationError(error)


class TransmitForm(FlaskForm):
    ca_date = FrenchDateField("Date du Conseil d'Administration", filters=[strip], validators=[Required("Saisissez la date du Conseil d'Administration")])
    pv = FileField("Extrait du procès-verbal ou délibération du Conseil d'Administration")
    confirm = BooleanField(
        "Je confirme que le Conseil d'Administration a approuvé ce projet, et je transmets la demande à la Région",
        validators=[Required("Confirmez la transmission à la Région")],
    )


class SendBackForm(FlaskForm):
    message = TextAreaField(
        "Message à l'auteur",
        filters=[strip],
        validators=[Required("Expliquez à l'auteur ce qu'il faut modifier"), Length(max=5000, message="5 000 caractères au maximum")],
    )
