"""Forms and fields shared by several areas: a person's account fields,
the invitation to a structure, the confirmation button."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from app.blueprints.common.validators import Matches, PasswordPolicy, Required, ValueRule, collapse_spaces, strip
from app.domain import values
from app.models import Civilite

CIVILITE_CHOICES = [SelectChoice(c.value, c.label) for c in Civilite]


def civilite_field():
    return RadioField("Civilité", choices=CIVILITE_CHOICES, validators=[Required("Sélectionnez votre civilité")])


def nom_field():
    return StringField(
        "Nom", filters=[collapse_spaces], validators=[Required("Saisissez votre nom"), ValueRule(values.person_name, what="Le nom")]
    )


def prenom_field():
    return StringField(
        "Prénom",
        filters=[collapse_spaces],
        validators=[Required("Saisissez votre prénom"), ValueRule(values.person_name, what="Le prénom")],
    )


def email_field(label="Adresse électronique", message="Saisissez votre adresse électronique"):
    return EmailField(label, filters=[strip], validators=[Required(message), ValueRule(values.email)])


def email_confirmation_field(other="email"):
    return EmailField(
        "Confirmation de l'adresse électronique",
        filters=[strip],
        validators=[
            Required("Saisissez à nouveau votre adresse électronique"),
            Matches(other, "Les deux adresses électroniques ne sont pas identiques", ignore_case=True),
        ],
    )


def new_password_fields(identifiant_field: str | None = None, label="Mot de passe"):
    """A new password and its confirmation, under the password policy."""
    password = PasswordField(
        label,
        validators=[Required("Saisissez un mot de passe"), PasswordPolicy(identifiant_field)],
    )
    confirmation = PasswordField(
        "Confirmation du mot de passe",
        validators=[
            Required("Saisissez à nouveau le mot de passe"),
            Matches("password", "Les deux mots de passe ne sont pas identiques"),
        ],
    )
    return password, confirmation


class ProfileFieldsMixin(FlaskForm):
    civilite = civilite_field()
    nom = nom_field()
    prenom = prenom_field()


class InviteForm(FlaskForm):
    """Whom to invite to a structure (agents invite référents, référents members)."""

    email = email_field(message="Saisissez l'adresse électronique de la personne")
    nom = StringField(
        "Nom", filters=[collapse_spaces], validators=[Required("Saisissez le nom de la personne"), ValueRule(values.person_name, what="Le nom")]
    )
    prenom = StringField(
        "Prénom",
        filters=[collapse_spaces],
        validators=[Required("Saisissez le prénom de la personne"), ValueRule(values.person_name, what="Le prénom")],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (confirmation buttons)."""
