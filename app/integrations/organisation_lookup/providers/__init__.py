"""The organisation providers: API Entreprise, Recherche d'entreprises and the
bac à sable, all behind :class:`~.base.OrganisationProvider`."""

from .api_entreprise import ApiEntrepriseProvider
from .base import OrganisationProvider
from .recherche_entreprises import RechercheEntreprisesProvider
from .sandbox import SandboxProvider

__all__ = [
    "ApiEntrepriseProvider",
    "OrganisationProvider",
    "RechercheEntreprisesProvider",
    "SandboxProvider",
]
