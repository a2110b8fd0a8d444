"""The five « espaces dédiés » of the home page. Each leads to the login page
of that espace; the familles de tiers each one serves come with the
structures issue."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Espace:
    slug: str
    label: str  # « Espace Entreprises »
    description: str


ESPACES = (
    Espace("entreprises", "Espace Entreprises", "Entreprises, artisans, exploitations agricoles"),
    Espace("lycees-publics", "Espace Lycées publics", "Lycées publics de la Région"),
    Espace("associations", "Espace Associations", "Associations loi 1901 et assimilées"),
    Espace("particuliers", "Espace Particuliers", "Demandes à titre personnel"),
    Espace(
        "acteurs-publics",
        "Espace Acteurs publics",
        "Lycées privés, collectivités, établissements publics",
    ),
)

ESPACES_BY_SLUG = {espace.slug: espace for espace in ESPACES}
