"""The five « espaces dédiés » of the home page. Each leads to the login page
of that espace and serves some familles de tiers; logging in through another
espace still works, and the portal says which espace fits."""

from dataclasses import dataclass

from app.reference.familles import FamilleTiers


@dataclass(frozen=True)
class Espace:
    slug: str
    label: str  # « Espace Entreprises »
    description: str
    familles: tuple[FamilleTiers, ...]


ESPACES = (
    Espace("entreprises", "Espace Entreprises", "Entreprises, artisans, exploitations agricoles", (FamilleTiers.ENTREPRISE,)),
    Espace("lycees-publics", "Espace Lycées publics", "Lycées publics de la Région", (FamilleTiers.LYCEE_PUBLIC,)),
    Espace("associations", "Espace Associations", "Associations loi 1901 et assimilées", (FamilleTiers.ASSOCIATION,)),
    Espace("particuliers", "Espace Particuliers", "Demandes à titre personnel", (FamilleTiers.PARTICULIER,)),
    Espace(
        "acteurs-publics",
        "Espace Acteurs publics",
        "Lycées privés, collectivités, établissements publics",
        (FamilleTiers.LYCEE_PRIVE, FamilleTiers.COLLECTIVITE, FamilleTiers.ETABLISSEMENT_PUBLIC, FamilleTiers.AUTRE),
    ),
)

ESPACES_BY_SLUG = {espace.slug: espace for espace in ESPACES}


def espace_for(famille: str) -> Espace:
    """The espace serving a famille de tiers."""
    return next(espace for espace in ESPACES if famille in espace.familles)
