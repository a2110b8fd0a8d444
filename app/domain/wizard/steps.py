"""The six steps, in order, and what each asks: the fixed steps' fields are
declared here once (« Votre dossier » comes from the téléservice's
definition, the criteria from its list of questions)."""

from dataclasses import dataclass

from app.models.lifecycle import RECAPITULATIF
from app.teleservices.schema import Field


@dataclass(frozen=True)
class Step:
    slug: str
    title: str

    @property
    def number(self) -> int:
        return STEP_SLUGS.index(self.slug) + 1


STEPS = (
    Step("preambule", "Préambule"),
    Step("criteres", "Critères d'éligibilité"),
    Step("etablissement", "Votre établissement"),
    Step("beneficiaire", "Bénéficiaire"),
    Step("dossier", "Votre dossier"),
    Step(RECAPITULATIF, "Récapitulatif"),
)
STEP_SLUGS = [step.slug for step in STEPS]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
# Steps an agent may reopen with « Demander des compléments ».
REOPENABLE_STEPS = ("etablissement", "beneficiaire", "dossier")

OUI_NON = (("oui", "Oui"), ("non", "Non"))


def _certification(code: str, text: str) -> Field:
    """A box to tick, whose only choice says what ticking it means."""
    return Field(code, "checkboxes", text, required=True, choices=(("oui", text),))


PREAMBULE_FIELDS = (_certification("lu", "J'ai pris connaissance du préambule"),)

# « Votre établissement »: the contact for this demande (the structure's
# identity is shown read-only; changing it goes through the council).
ETABLISSEMENT_FIELDS = (
    Field("contact_email", "email", "Adresse électronique de contact pour cette demande", required=True),
    Field("contact_telephone", "telephone", "Téléphone de contact"),
    _certification("verifie", "J'ai vérifié les informations de mon établissement"),
)

RECAPITULATIF_FIELDS = (_certification("certifie", "Je certifie sur l'honneur l'exactitude des informations"),)

BENEFICIAIRE_FAMILLES = (
    ("association", "Association"),
    ("entreprise", "Entreprise"),
    ("collectivite", "Collectivité"),
    ("etablissement_public", "Établissement public"),
    ("autre", "Autre"),
)

EST_BENEFICIAIRE_FIELD = Field("est_beneficiaire", "select", "Êtes-vous le bénéficiaire de l'aide ?", required=True, choices=OUI_NON)

# « Choix de la famille du bénéficiaire »
BENEFICIAIRE_CHOICE_FIELDS = (
    Field("famille", "select", "Le bénéficiaire est un(e)", required=True, choices=BENEFICIAIRE_FAMILLES),
    Field("domicile", "select", "Domicilié(e)", required=True, choices=(("france", "En France"), ("etranger", "A l'étranger"))),
)

# « Le bénéficiaire », every field of the council's form, for a beneficiary in France.
BENEFICIAIRE_FRANCE_FIELDS = (
    Field("email", "email", "Adresse électronique"),
    Field("telephone", "telephone", "Téléphone"),
    Field("portable", "telephone", "Portable"),
    Field("fax", "telephone", "Fax"),
    Field("raison_sociale", "text", "Raison sociale", required=True, max_length=255),
    Field("siret", "siret", "SIRET", required=True),
    Field("sigle", "text", "Sigle", max_length=50),
    Field("rna", "rna", "N° RNA ou à défaut celui du récépissé en préfecture"),
    Field("date_publication_jo", "date", "Date de publication de la création au journal officiel"),
    Field("date_creation_rna", "date", "Date de publication de la création au RNA"),
    Field("date_derniere_maj_rna", "date", "Date de la dernière déclaration au RNA"),
    Field("naf_code", "naf", "NAF", required=True),
    Field("forme_juridique_code", "forme_juridique", "Forme juridique"),
    Field("site_internet", "url", "Site internet"),
)

# A beneficiary domiciled abroad has no SIRET.
BENEFICIAIRE_ETRANGER_FIELDS = (
    Field("raison_sociale", "text", "Raison sociale", required=True, max_length=255),
    Field("pays", "text", "Pays", required=True, max_length=100),
    Field("identifiant_national", "text", "Identifiant national (numéro d'enregistrement dans le pays)", required=True, max_length=50),
    Field("adresse", "textarea", "Adresse", required=True, max_length=500),
    Field("email", "email", "Adresse électronique"),
    Field("telephone", "telephone", "Téléphone"),
    Field("site_internet", "url", "Site internet"),
)


def is_other_beneficiary(answers: dict) -> bool:
    """« Êtes-vous le bénéficiaire de l'aide ? » answered « Non »: another
    tiers (the organisme de gestion…) receives the aide."""
    return answers.get("est_beneficiaire") == "non"


def beneficiary_question_fields(answers: dict) -> tuple[Field, ...]:
    """The question, and the beneficiary's famille when the answer is « Non »."""
    return (EST_BENEFICIAIRE_FIELD, *(BENEFICIAIRE_CHOICE_FIELDS if is_other_beneficiary(answers) else ()))


def beneficiary_detail_fields(answers: dict) -> tuple[Field, ...]:
    """The other beneficiary's information, as its domicile asks."""
    return BENEFICIAIRE_ETRANGER_FIELDS if answers.get("domicile") == "etranger" else BENEFICIAIRE_FRANCE_FIELDS


def criteria_fields(definition) -> tuple[Field, ...]:
    return tuple(Field(c.code, "select", c.question, required=True, choices=OUI_NON, aide=c.aide) for c in definition.criteres)


def step_fields(definition, slug: str, answers: dict) -> tuple[Field, ...]:
    """The fields of a step, given what was answered so far (documents and
    the budget's lines are checked apart)."""
    if slug == "preambule":
        return PREAMBULE_FIELDS
    if slug == "criteres":
        return criteria_fields(definition)
    if slug == "etablissement":
        return ETABLISSEMENT_FIELDS
    if slug == "beneficiaire":
        known_domicile = answers.get("domicile") in ("france", "etranger")
        details = beneficiary_detail_fields(answers) if is_other_beneficiary(answers) and known_domicile else ()
        return (*beneficiary_question_fields(answers), *details)
    if slug == "dossier":
        return definition.dossier
    return RECAPITULATIF_FIELDS
