"""Organisation lookup by SIRET, SIREN or RNA (issue 4, the service part).

API Entreprise v4 first, the public Recherche d'entreprises API as fallback,
and a « bac à sable » of recorded payloads for demos; a cache in front; every
outcome an :class:`OrganisationRecord` or a typed :class:`LookupFailure` with
the French message to show. Nothing here imports Flask.

Typical use::

    service = OrganisationLookupService(app.config, cache)
    result = service.lookup_siret("356 000 000 00048")
    if isinstance(result, LookupFailure):
        show(result.message)  # and offer manual entry
"""

from .cache import InMemoryLookupCache, LookupCache
from .identifiers import IdentifierKind, InvalidIdentifier, normalize, normalize_rna, normalize_siren, normalize_siret
from .records import FAILURE_MESSAGES, EtatAdministratif, FailureKind, LookupFailure, LookupResult, OrganisationRecord, Source
from .service import OrganisationLookupService
from .settings import LookupConfigurationError, LookupSettings

__all__ = [
    "FAILURE_MESSAGES",
    "EtatAdministratif",
    "FailureKind",
    "IdentifierKind",
    "InMemoryLookupCache",
    "InvalidIdentifier",
    "LookupCache",
    "LookupConfigurationError",
    "LookupFailure",
    "LookupResult",
    "LookupSettings",
    "OrganisationLookupService",
    "OrganisationRecord",
    "Source",
    "normalize",
    "normalize_rna",
    "normalize_siren",
    "normalize_siret",
]
