"""Back-office forms: a structure from its « fiche renseignements »,
invitations, the CSV import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.domain.structures import STRUCTURE_FIELDS
from app.extensions import db
from app.forms import CIVILITE_CHOICES, email_field
from app.models import FamilleTiers, Structure
from app.models.structures import FAMILLE_LABELS
from app.validators import (
    CodePostal,
    FormeJuridique,
    NafCode,
    OrganisationIdentifier,
    PersonName,
    Required,
    Telephone,
    Uai,
    collapse_spaces,
    strip,
)

# « Particulier » is not a structure an agent creates from a fiche renseignements.
FAMILLE_CHOICES = [SelectChoice(f.value, FAMILLE_LABELS[f]) for f in FamilleTiers if f is not FamilleTiers.PARTICULIER]


def _optional_name(what):
    return StringField(filters=[collapse_spaces], validators=[Optional(), PersonName(what)])


class StructureForm(FlaskForm):
    """Every field of the fiche renseignements, with the rules that depend
    on the famille (SIRET, UAI for lycées, organisme de gestion for a lycée
    privé). Also validates each row of a CSV import."""

    famille = SelectField("Famille de tiers", choices=FAMILLE_CHOICES, validators=[Required("Choisissez la famille de tiers")])
    raison_sociale = StringField(
        "Raison sociale", filters=[collapse_spaces],
        validators=[Required("Saisissez la raison sociale"), Length(max=255, message="255 caractères au maximum")],
    )
    sigle = StringField("Sigle", filters=[collapse_spaces], validators=[Optional(), Length(max=50, message="50 caractères au maximum")])
    siret = StringField("SIRET", filters=[strip], validators=[OrganisationIdentifier("siret")])
    rna = StringField("N° RNA", filters=[strip], validators=[OrganisationIdentifier("rna")])
    uai = StringField("UAI", filters=[strip], validators=[Uai()])
    naf_code = StringField("Code NAF", filters=[strip], validators=[NafCode()])
    forme_juridique_code = StringField("Forme juridique (code INSEE)", filters=[strip], validators=[FormeJuridique()])
    adresse = TextAreaField(
        "Adresse", filters=[strip], validators=[Required("Saisissez l'adresse"), Length(max=500, message="500 caractères au maximum")]
    )
    code_postal = StringField("Code postal", filters=[strip], validators=[Required("Saisissez le code postal"), CodePostal()])
    commune = StringField(
        "Commune", filters=[collapse_spaces], validators=[Required("Saisissez la commune"), Length(max=100, message="100 caractères au maximum")]
    )
    email = email_field("Adresse électronique de contact", "Saisissez l'adresse électronique de contact")
    telephone = StringField("Téléphone", filters=[strip], validators=[Telephone()])
    representant_civilite = RadioField("Civilité", choices=CIVILITE_CHOICES, validators=[Optional()])
    representant_nom = _optional_name("Le nom")
    representant_prenom = _optional_name("Le prénom")
    representant_fonction = StringField("Fonction", filters=[collapse_spaces], validators=[Optional(), Length(max=100)])
    organisme_gestion = StringField("Organisme de gestion", filters=[collapse_spaces])
    # The organisation look-up the form was filled from (« siret:… »), if any.
    lookup_key = HiddenField()

    def __init__(self, *args, current_structure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_structure = current_structure
        self.organisme_gestion_structure = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        famille = FamilleTiers(self.famille.data) if self.famille.data in FamilleTiers._value2member_map_ else None
        if famille is None:
            return valid
        if famille.needs_siret and not self.siret.data and not self.siret.errors:
            self.siret.errors.append("Saisissez le SIRET de la structure (14 chiffres)")
            valid = False
        if famille.is_lycee and not self.uai.data and not self.uai.errors:
            self.uai.errors.append("Saisissez le numéro UAI du lycée (7 chiffres et une lettre)")
            valid = False
        if self.organisme_gestion.data:
            if famille is not FamilleTiers.LYCEE_PRIVE:
                self.organisme_gestion.errors.append("Seul un lycée privé peut avoir un organisme de gestion : videz ce champ")
                return False
            found, message = resolve_structure(self.organisme_gestion.data)
            if found is not None and self.current_structure is not None and found.id == self.current_structure.id:
                found, message = None, "Une structure ne peut pas être son propre organisme de gestion"
            if found is None:
                self.organisme_gestion.errors.append(message)
                return False
            self.organisme_gestion_structure = found
        return valid

    def structure_data(self) -> dict:
        return {name: self[name].data for name in STRUCTURE_FIELDS}


def resolve_structure(text: str) -> tuple[Structure | None, str | None]:
    """Find a structure by SIRET (14 digits) or exact name, or say why not."""
    compact = "".join(text.split())
    if compact.isdigit():
        found = db.session.scalar(select(Structure).where(Structure.siret == compact))
        return (found, None) if found else (None, f"Aucune structure du portail n'a le SIRET {compact}")
    matches = db.session.scalars(
        select(Structure).where(Structure.raison_sociale_key == text.casefold()).limit(2)
    ).all()
    if len(matches) == 1:
        return matches[0], None
    if matches:
        return None, "Plusieurs structures portent ce nom : indiquez le SIRET de l'organisme de gestion"
    return None, f"Aucune structure du portail ne s'appelle « {text} » : indiquez son SIRET, ou créez-la d'abord"


class StructureSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField("Rechercher", filters=[strip])
    famille = SelectField("Famille de tiers", choices=FAMILLE_CHOICES, validators=[Optional()])


class ImportForm(FlaskForm):
    fichier = FileField("Fichier CSV")
