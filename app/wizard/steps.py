"""The six steps, in order, and the fields of the fixed ones."""

from dataclasses import dataclass

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
    Step("recapitulatif", "Récapitulatif"),
)
STEP_SLUGS = [step.slug for step in STEPS]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def previous_step(slug: str) -> Step | None:
    index = STEP_SLUGS.index(slug)
    return STEPS[index - 1] if index > 0 else None


def next_step(slug: str) -> Step | None:
    index = STEP_SLUGS.index(slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


# « Votre établissement »: the contact for this demande (the structure's
# identity is shown read-only; changing it goes through the council).
ETABLISSEMENT_FIELDS = (
    Field("contact_email", "email", "Adresse électronique de contact pour cette demande", required=True),
    Field("contact_telephone", "telephone", "Téléphone de contact"),
)

OUI_NON = (("oui", "Oui"), ("non", "Non"))

BENEFICIAIRE_FAMILLES = (
    ("association", "Association"),
    ("entreprise", "Entreprise"),
    ("collectivite", "Collectivité"),
    ("etablissement_public", "Établissement public"),
    ("autre", "Autre"),
)

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
