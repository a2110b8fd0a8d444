"""Field rules: identifiant, names, email address, confirmations."""

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from app.blueprints.common.validators import Matches, Required, ValueRule, collapse_spaces
from app.domain import values


class SampleForm(FlaskForm):
    class Meta:
        csrf = False

    identifiant = StringField(validators=[Required("Saisissez un identifiant"), ValueRule(values.identifiant)])
    nom = StringField(filters=[collapse_spaces], validators=[Required("Saisissez votre nom"), ValueRule(values.person_name, what="Le nom")])
    email = StringField(validators=[Required("Saisissez votre adresse électronique"), ValueRule(values.email)])
    email_confirmation = StringField(validators=[Matches("email", "Les deux adresses ne sont pas identiques")])


@pytest.fixture
def validate(bare_app):
    def run(**values):
        data = {"identifiant": "jdupont", "nom": "Dupont", "email": "a@exemple.fr", "email_confirmation": "a@exemple.fr"}
        data.update(values)
        with bare_app.test_request_context():
            form = SampleForm(formdata=MultiDict(data))
            form.validate()
            return form

    return run


@pytest.mark.parametrize("value", ["abc", "USAGER-OCCITANIE", "j.dupont_2", "a" * 50])
def test_identifiant_accepted(validate, value):
    assert validate(identifiant=value).errors == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ab", "entre 3 et 50 caractères"),
        ("a" * 51, "entre 3 et 50 caractères"),
        ("jean dupont", "ne peut contenir que"),
        ("éloïse", "ne peut contenir que"),
        ("jd@portail", "ne peut contenir que"),
        ("", "Saisissez un identifiant"),
    ],
)
def test_identifiant_refused(validate, value, message):
    errors = validate(identifiant=value).errors["identifiant"]
    assert message in errors[0]


@pytest.mark.parametrize("value", ["Dupont", "N'Diaye", "Le Bihan", "Jean-Éric", "Ōtsuka", "D’Artagnan", "  Van   Der  Berg  "])
def test_names_with_accents_apostrophes_hyphens_spaces(validate, value):
    form = validate(nom=value)
    assert form.errors == {}
    assert "  " not in form.nom.data and form.nom.data == form.nom.data.strip()


@pytest.mark.parametrize("value", ["<script>", "Dupont2", "--", "Jean--Eric", "'Dupont"])
def test_names_refused(validate, value):
    assert "ne peut contenir que des lettres" in validate(nom=value).errors["nom"][0]


def test_email_checked_without_dns_and_normalised(validate):
    form = validate(email="Jean.Dupont@Exemple.FR", email_confirmation="Jean.Dupont@Exemple.FR")
    assert form.errors == {}
    assert form.email.data == "Jean.Dupont@exemple.fr"
    assert validate(email="pas-une-adresse").errors["email"][0].startswith("Saisissez une adresse électronique valide")
    assert "email" in validate(email="a@b").errors


def test_confirmation_must_match(validate):
    assert validate(email_confirmation="b@exemple.fr").errors == {
        "email_confirmation": ["Les deux adresses ne sont pas identiques"]
    }
