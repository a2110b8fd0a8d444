"""Administration forms: an agent, its role, a téléservice's dates and
texts, the dashboard's waiting delay."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from app.blueprints.common.fields import FrenchDateField
from app.blueprints.common.forms import CIVILITE_CHOICES, email_field
from app.blueprints.common.validators import Required, ValueRule, collapse_spaces, strip
from app.domain import values
from app.models import AgentRole

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in AgentRole]


def _radios(label: str, choices: list[SelectChoice], message: str) -> RadioField:
    """Radios whose every refusal (nothing chosen, an unknown value) is ``message``."""
    return RadioField(
        label,
        choices=choices,
        validate_choice=False,  # AnyOf says it in French
        validators=[Required(message), AnyOf([choice.value for choice in choices], message=message)],
    )


def role_field() -> RadioField:
    return _radios("Rôle", ROLE_CHOICES, "Choisissez le rôle de l'agent")


class AgentForm(FlaskForm):
    """« Créer un agent »: the agent chooses its own password from the link it receives."""

    identifiant = StringField(
        "Identifiant", filters=[strip], validators=[Required("Saisissez l'identifiant de l'agent"), ValueRule(values.identifiant)]
    )
    civilite = _radios("Civilité", CIVILITE_CHOICES, "Sélectionnez la civilité de l'agent")
    nom = StringField(
        "Nom", filters=[collapse_spaces], validators=[Required("Saisissez le nom de l'agent"), ValueRule(values.person_name, what="Le nom")]
    )
    prenom = StringField(
        "Prénom", filters=[collapse_spaces], validators=[Required("Saisissez le prénom de l'agent"), ValueRule(values.person_name, what="Le prénom")]
    )
    email = email_field(message="Saisissez l'adresse électronique de l'agent")
    role = role_field()


class RoleForm(FlaskForm):
    role = role_field()


class TeleserviceForm(FlaskForm):
    """The dates and texts an admin edits; ``version`` is the one the form
    was filled from (a concurrent save is refused, not overwritten)."""

    version = HiddenField()
    ouverture = FrenchDateField("Date d'ouverture", filters=[strip], validators=[Required("Saisissez la date d'ouverture")])
    cloture = FrenchDateField("Date de clôture", filters=[strip], validators=[Required("Saisissez la date de clôture")])
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Required("Saisissez la description"), Length(max=2000, message="2 000 caractères au maximum")],
    )
    preambule = TextAreaField(
        "Préambule",
        filters=[strip],
        validators=[Required("Saisissez le préambule"), Length(max=20000, message="20 000 caractères au maximum")],
    )

    def validate_cloture(self, field):
        if self.ouverture.parsed and field.parsed and field.parsed < self.ouverture.parsed:
            raise ValidationError("La date de clôture ne peut pas précéder la date d'ouverture")


class DashboardForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form

    jours = StringField("Demandes en attente depuis plus de (jours)", filters=[strip], validators=[Optional(), ValueRule(values.day_count)])

    DEFAULT_DAYS = 30

    def days(self) -> int:
        """The number of days asked for; the default when blank, or when
        not a number between 1 and 3 650 (the field then shows why)."""
        if not self.validate() or not self.jours.data:
            return self.DEFAULT_DAYS
        return int(self.jours.data)
