"""Forms of « Déposer une demande d'aide » (the wizard's steps are not
WTForms forms: their fields come from the téléservice's definition, see
``app.blueprints.depot.rawform``)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.blueprints.common.validators import strip
from app.models import FamilleTiers

FAMILLE_CHOICES = [SelectChoice(f.value, f.label) for f in FamilleTiers]


class CatalogueSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField("Recherche par téléservice", filters=[strip])
    famille = SelectField("Filtrer par famille de tiers", choices=FAMILLE_CHOICES)
