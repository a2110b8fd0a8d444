"""Forms of the messages blueprint."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from app.domain.messages import MAX_LENGTH, clean_body
from app.validators import Required


class MessageForm(FlaskForm):
    """« Nouveau message ». ``depuis`` says which page the form was sent
    from (the demande's page, or the thread's), to go back to it."""

    message = TextAreaField(
        "Votre message",
        filters=[clean_body],
        validators=[
            Required("Saisissez votre message"),
            Length(max=MAX_LENGTH, message="Votre message ne doit pas dépasser 5 000 caractères"),
        ],
    )
    piece_jointe = FileField("Pièce jointe (facultatif)")
    depuis = HiddenField(default="demande")
