"""Forms shared by several blueprints: the account fields."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from app.models import Civilite
from app.validators import EmailAddress, Matches, PasswordPolicy, PersonName, Required, collapse_spaces, strip

CIVILITE_CHOICES = [SelectChoice(c.value, c.label) for c in Civilite]


def civilite_field():
    return RadioField("Civilité", choices=CIVILITE_CHOICES, validators=[Required("Sélectionnez votre civilité")])


def nom_field():
    return StringField(
        "Nom", filters=[collapse_spaces], validators=[Required("Saisissez votre nom"), PersonName("Le nom")]
    )


def prenom_field():
    return StringField(
        "Prénom",
        filters=[collapse_spaces],
        validators=[Required("Saisissez votre prénom"), PersonName("Le prénom")],
    )


def email_field(label="Adresse électronique", message="Saisissez votre adresse électronique"):
    return EmailField(label, filters=[strip], validators=[Required(message), EmailAddress()])


def email_confirmation_field(other="email"):
    return EmailField(
        "Confirmation de l'adresse électronique",
        filters=[strip],
        validators=[
            Required("Saisissez à nouveau votre adresse électronique"),
            Matches(other, "Les deux adresses électroniques ne sont pas identiques"),
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
        "Nom", filters=[collapse_spaces], validators=[Required("Saisissez le nom de la personne"), PersonName("Le nom")]
    )
    prenom = StringField(
        "Prénom",
        filters=[collapse_spaces],
        validators=[Required("Saisissez le prénom de la personne"), PersonName("Le prénom")],
    )
