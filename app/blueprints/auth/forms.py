"""Forms of the auth blueprint."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from app.blueprints.common.forms import ProfileFieldsMixin, email_confirmation_field, email_field, new_password_fields
from app.blueprints.common.validators import Required, ValueRule, strip
from app.domain import values


class RegisterForm(ProfileFieldsMixin):
    """« Créer un compte », field for field as in the council's guide."""

    identifiant = StringField(
        "Identifiant", filters=[strip], validators=[Required("Saisissez un identifiant"), ValueRule(values.identifiant)]
    )
    password, password_confirmation = new_password_fields(identifiant_field="identifiant")
    email = email_field()
    email_confirmation = email_confirmation_field()


class LoginForm(FlaskForm):
    identifiant = StringField("Identifiant", filters=[strip], validators=[Required("Saisissez votre identifiant")])
    password = PasswordField("Mot de passe", validators=[Required("Saisissez votre mot de passe")])


class RecoveryForm(FlaskForm):
    email = email_field(message="Saisissez l'adresse électronique de votre compte")


class ResetPasswordForm(FlaskForm):
    password, password_confirmation = new_password_fields(label="Nouveau mot de passe")
