"""Forms of the suivi blueprint."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from app.blueprints.common.fields import FrenchDateField
from app.blueprints.common.validators import AcceptedFile, Required, strip
from app.domain.demandes.queries import APPLICANT_SORTS, DEFAULT_APPLICANT_SORT
from app.models import DemandeStatus


class ListForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    statut = SelectField("Statut", choices=[SelectChoice(s.value, s.label) for s in DemandeStatus], validators=[Optional()])
    tri = SelectField(
        "Trier par", choices=[SelectChoice(k, v.label) for k, v in APPLICANT_SORTS.items()], validators=[Optional()], default=DEFAULT_APPLICANT_SORT
    )
    ordre = SelectField("Ordre", choices=[SelectChoice("desc", "Décroissant"), SelectChoice("asc", "Croissant")], validators=[Optional()], default="desc")


class TransmitForm(FlaskForm):
    ca_date = FrenchDateField("Date du Conseil d'Administration", filters=[strip], validators=[Required("Saisissez la date du Conseil d'Administration")])
    pv = FileField("Extrait du procès-verbal ou délibération du Conseil d'Administration", validators=[AcceptedFile()])
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


TAKE_OVER_MESSAGE = "Choisissez le membre à qui confier la demande"


class TakeOverForm(FlaskForm):
    """« Confier la demande »: one of the structure's members now."""

    auteur = RadioField("À qui confier la demande ?", validate_choice=False, validators=[Required(TAKE_OVER_MESSAGE)])

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auteur.choices = [SelectChoice(str(m.account_id), f"{m.account.display_name} ({m.role_label.lower()})") for m in members]
        self.auteur.validators = [Required(TAKE_OVER_MESSAGE), AnyOf([c.value for c in self.auteur.choices], message=TAKE_OVER_MESSAGE)]
