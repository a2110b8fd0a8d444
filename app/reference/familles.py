"""The « familles de tiers »: the kinds of organisation (and the particulier)
the council's téléservices admit. Leaf data: the structures' model, the
téléservice definitions and the espaces dédiés all read it from here."""

import enum


class FamilleTiers(enum.StrEnum):
    LYCEE_PUBLIC = "lycee_public"
    LYCEE_PRIVE = "lycee_prive"
    ASSOCIATION = "association"
    ENTREPRISE = "entreprise"
    COLLECTIVITE = "collectivite"
    ETABLISSEMENT_PUBLIC = "etablissement_public"
    PARTICULIER = "particulier"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return FAMILLE_LABELS[self]

    @property
    def is_lycee(self) -> bool:
        return self in (FamilleTiers.LYCEE_PUBLIC, FamilleTiers.LYCEE_PRIVE)

    @property
    def needs_siret(self) -> bool:
        return self is not FamilleTiers.PARTICULIER


FAMILLE_LABELS = {
    FamilleTiers.LYCEE_PUBLIC: "Lycée public",
    FamilleTiers.LYCEE_PRIVE: "Lycée privé",
    FamilleTiers.ASSOCIATION: "Association",
    FamilleTiers.ENTREPRISE: "Entreprise",
    FamilleTiers.COLLECTIVITE: "Collectivité",
    FamilleTiers.ETABLISSEMENT_PUBLIC: "Établissement public",
    FamilleTiers.PARTICULIER: "Particulier",
    FamilleTiers.AUTRE: "Autre",
}
