"""Forms of « Ma structure »."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField

from app.blueprints.common.forms import email_field
from app.blueprints.common.validators import ValueRule, strip
from app.domain import values


class ContactForm(FlaskForm):
    """The contact fields a référent may change itself."""

    email = email_field("Adresse électronique de contact", "Saisissez l'adresse électronique de contact")
    telephone = StringField("Téléphone", filters=[strip], validators=[ValueRule(values.telephone)])


class ChooseStructureForm(FlaskForm):
    structure_id = IntegerField()
