"""Back-office forms: a structure from its « fiche renseignements », the
structures' search, the CSV import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.blueprints.common.forms import CIVILITE_CHOICES
from app.blueprints.common.responses import show_errors
from app.blueprints.common.validators import strip
from app.domain import structures
from app.models import FamilleTiers

FAMILLE_CHOICES = [SelectChoice(value, FamilleTiers(value).label) for value in structures.FAMILLES_OF_STRUCTURES]


class StructureForm(FlaskForm):
    """Every field of the fiche renseignements. Its rules — each field's,
    and those that depend on the famille (SIRET, UAI for lycées, organisme
    de gestion for a lycée privé) — are the domain's
    (``app.domain.structures.read_fiche``, which the CSV import applies to
    each row too): ``validate`` reads the fiche, puts every error at its
    field and keeps the values as the domain normalised them."""

    famille = SelectField("Famille de tiers", choices=FAMILLE_CHOICES, validate_choice=False)
    raison_sociale = StringField("Raison sociale")
    sigle = StringField("Sigle")
    siret = StringField("SIRET")
    rna = StringField("N° RNA")
    uai = StringField("UAI")
    naf_code = StringField("Code NAF")
    forme_juridique_code = StringField("Forme juridique (code INSEE)")
    adresse = TextAreaField("Adresse")
    code_postal = StringField("Code postal")
    commune = StringField("Commune")
    email = StringField("Adresse électronique de contact")
    telephone = StringField("Téléphone")
    representant_civilite = RadioField("Civilité", choices=CIVILITE_CHOICES, validate_choice=False)
    representant_nom = StringField("Nom")
    representant_prenom = StringField("Prénom")
    representant_fonction = StringField("Fonction")
    organisme_gestion = StringField("Organisme de gestion")
    # The organisation look-up the form was filled from (« siret:… »), if any.
    lookup_key = HiddenField()

    def __init__(self, *args, current_structure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_structure = current_structure
        self.fiche: structures.Fiche | None = None

    @property
    def uai_required(self) -> bool:
        """A lycée (public or privé) needs its UAI: the label then says « * »."""
        return self.famille.data in {f.value for f in FamilleTiers if f.is_lycee}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.fiche = structures.read_fiche(self.data, self.current_structure)
        for name, value in self.fiche.values.items():
            if name not in self.fiche.errors and value is not None:
                self[name].data = value
        show_errors(self, self.fiche.errors)
        return valid and self.fiche.ok

    @property
    def organisme_gestion_structure(self):
        return self.fiche.organisme_gestion if self.fiche else None

    def structure_data(self) -> dict:
        return dict(self.fiche.values)


class StructureSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField("Rechercher", filters=[strip])
    famille = SelectField("Famille de tiers", choices=FAMILLE_CHOICES, validators=[Optional()])


class ImportForm(FlaskForm):
    fichier = FileField("Fichier CSV")
