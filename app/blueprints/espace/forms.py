"""Forms of « Mon compte »."""

from flask_wtf import FlaskForm
from wtforms import PasswordField

from app.blueprints.common.forms import ProfileFieldsMixin, email_confirmation_field, email_field, new_password_fields
from app.blueprints.common.validators import Required


class ProfileForm(ProfileFieldsMixin):
    pass


class EmailChangeForm(FlaskForm):
    email = email_field(label="Nouvelle adresse électronique", message="Saisissez votre nouvelle adresse électronique")
    email_confirmation = email_confirmation_field()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Mot de passe actuel", validators=[Required("Saisissez votre mot de passe actuel")]
    )
    password, password_confirmation = new_password_fields(label="Nouveau mot de passe")
