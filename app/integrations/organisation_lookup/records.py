"""What a lookup returns: one normalised :class:`OrganisationRecord`, or a typed
:class:`LookupFailure` carrying the French message to show.

Records are immutable and round-trip through plain JSON (:meth:`to_dict` /
:meth:`from_dict`) so that the cache and the snapshots kept with a structure
or a demande can store them in a JSON column and read them back unchanged.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .identifiers import IdentifierKind


class Source(enum.StrEnum):
    """Which provider a record came from; shown next to the data in the UI."""

    API_ENTREPRISE = "api_entreprise"
    RECHERCHE_ENTREPRISES = "recherche_entreprises"
    BAC_A_SABLE = "bac_a_sable"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    Source.API_ENTREPRISE: "API Entreprise",
    Source.RECHERCHE_ENTREPRISES: "API Recherche d'entreprises",
    Source.BAC_A_SABLE: "bac à sable (données de démonstration)",
}


class EtatAdministratif(enum.StrEnum):
    """``actif``, or ``ferme`` for a closed establishment or a ceased unit."""

    ACTIF = "actif"
    FERME = "ferme"


_DATE_FIELDS = (
    "date_creation",
    "date_publication_jo",
    "date_creation_rna",
    "date_derniere_maj_rna",
)


@dataclass(frozen=True, kw_only=True)
class OrganisationRecord:
    """One organisation as the portal uses it, whatever the provider.

    Text fields are None when the provider does not know them (or must not
    show them: see :attr:`diffusible`). ``naf_code`` is always the dotted NAF
    rev. 2 form (``"84.11Z"``). ``fetched_at`` is an aware UTC datetime.
    """

    raison_sociale: str | None = None
    sigle: str | None = None
    siret: str | None = None
    siren: str | None = None
    rna: str | None = None
    naf_code: str | None = None
    naf_label: str | None = None
    forme_juridique_code: str | None = None
    forme_juridique_label: str | None = None
    address_lines: tuple[str, ...] = ()
    code_postal: str | None = None
    commune: str | None = None
    pays: str | None = None
    date_creation: date | None = None
    etat_administratif: EtatAdministratif = EtatAdministratif.ACTIF
    date_publication_jo: date | None = None
    date_creation_rna: date | None = None
    date_derniere_maj_rna: date | None = None
    # False when the unit asked INSEE not to publish its data ("diffusion
    # partielle"): names and street address are then left out of the record.
    diffusible: bool = True
    source: Source
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be an aware datetime")
        object.__setattr__(self, "fetched_at", self.fetched_at.astimezone(UTC))
        object.__setattr__(self, "address_lines", tuple(self.address_lines))
        object.__setattr__(self, "source", Source(self.source))
        object.__setattr__(self, "etat_administratif", EtatAdministratif(self.etat_administratif))

    @property
    def is_closed(self) -> bool:
        """A closed establishment or ceased unit cannot be chosen in a form."""
        return self.etat_administratif is EtatAdministratif.FERME

    def without_private_data(self) -> OrganisationRecord:
        """This record less what a non-diffusible unit keeps private.

        INSEE's "diffusion partielle" lets the identifiers, activity, legal
        form, dates and commune be shown, not the person's name or street
        address: those must be typed by the applicant.
        """
        return dataclasses.replace(
            self,
            raison_sociale=None,
            sigle=None,
            address_lines=(),
            code_postal=None,
            diffusible=False,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (dates as ISO strings, enums as their values)."""
        data = dataclasses.asdict(self)
        data["address_lines"] = list(self.address_lines)
        data["source"] = self.source.value
        data["etat_administratif"] = self.etat_administratif.value
        data["fetched_at"] = self.fetched_at.isoformat()
        for name in _DATE_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrganisationRecord:
        """Rebuild a record written by :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        for name in _DATE_FIELDS:
            if values.get(name):
                values[name] = date.fromisoformat(values[name])
        values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
        values["address_lines"] = tuple(values.get("address_lines") or ())
        return cls(**values)


class FailureKind(enum.StrEnum):
    """Why a lookup gave no record. Only the last three let the service try
    the next provider; the others are answers about the organisation."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_DIFFUSIBLE = "not_diffusible"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    MISCONFIGURED = "misconfigured"

    @property
    def lets_next_provider_try(self) -> bool:
        return self in _PROVIDER_SIDE_FAILURES


_PROVIDER_SIDE_FAILURES = frozenset(
    {FailureKind.RATE_LIMITED, FailureKind.UNAVAILABLE, FailureKind.MISCONFIGURED}
)

_MANUAL_ENTRY = "vous pouvez saisir les informations vous-même."

FAILURE_MESSAGES: Mapping[FailureKind, str] = {
    FailureKind.INVALID: "Ce numéro n'est pas valide : vérifiez les chiffres saisis.",
    FailureKind.NOT_FOUND: "Aucune structure ne correspond à ce numéro.",
    FailureKind.NOT_DIFFUSIBLE: (
        "Cette structure a demandé que ses informations ne soient pas rendues "
        "publiques : elles ne peuvent pas être affichées ici. Saisissez-les vous-même."
    ),
    FailureKind.RATE_LIMITED: (
        "Le service API Entreprise reçoit trop de demandes pour le moment : "
        f"réessayez dans quelques minutes, ou {_MANUAL_ENTRY}"
    ),
    FailureKind.UNAVAILABLE: (
        f"Le service API Entreprise ne répond pas pour le moment : {_MANUAL_ENTRY}"
    ),
    FailureKind.MISCONFIGURED: (
        "La recherche automatique n'est pas disponible sur ce portail pour le moment : "
        f"{_MANUAL_ENTRY}"
    ),
}

NOT_FOUND_MESSAGES: Mapping[IdentifierKind, str] = {
    IdentifierKind.SIRET: "Aucun établissement ne correspond à ce numéro SIRET.",
    IdentifierKind.SIREN: "Aucune entreprise ne correspond à ce numéro SIREN.",
    IdentifierKind.RNA: "Aucune association ne correspond à ce numéro RNA.",
}


@dataclass(frozen=True)
class LookupFailure:
    """A lookup that gave no record.

    ``message`` is the French sentence for the user; ``detail`` is a
    technical note (English) for logs, never shown. ``retry_at`` is set for
    rate limits when the provider said when to come back.
    """

    kind: FailureKind
    message: str
    detail: str = ""
    source: Source | None = None
    retry_at: datetime | None = None

    @classmethod
    def of(
        cls,
        kind: FailureKind,
        identifier_kind: IdentifierKind | None = None,
        *,
        detail: str = "",
        source: Source | None = None,
        retry_at: datetime | None = None,
    ) -> LookupFailure:
        """A failure with the standard French message for ``kind``."""
        message = FAILURE_MESSAGES[kind]
        if kind is FailureKind.NOT_FOUND and identifier_kind is not None:
            message = NOT_FOUND_MESSAGES[identifier_kind]
        return cls(kind, message, detail=detail, source=source, retry_at=retry_at)


LookupResult = OrganisationRecord | LookupFailure
