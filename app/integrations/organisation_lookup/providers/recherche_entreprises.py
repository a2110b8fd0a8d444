"""The public API Recherche d'entreprises (DINUM): no token, the fallback when
API Entreprise cannot answer.

Its ``/search?q=`` is a fuzzy full-text search: asked a SIRET, it may return
other units that merely look alike. Only a result whose établissement has
exactly the SIRET asked (or whose SIREN is exactly the SIREN asked) is kept;
anything else is "not found". It knows nothing of RNA numbers here, so RNA
lookups are not supported (the service skips this provider for them).
The API allows 7 requests a second per IP address.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from .. import fields
from ..identifiers import IdentifierKind
from ..records import EtatAdministratif, FailureKind, LookupFailure, LookupResult, OrganisationRecord, Source
from ..throttling import Clock
from .base import parsed
from .http import JsonApiClient

DEFAULT_URL = "https://recherche-entreprises.api.gouv.fr"
MAX_CALLS_PER_SECOND = 7

Match = tuple[Mapping[str, Any], Mapping[str, Any]]


def _exact_match(body: Mapping[str, Any], kind: IdentifierKind, identifier: str) -> Match | None:
    """The (unit, établissement) pair with exactly ``identifier``, if any."""
    for result in body["results"] or ():
        if kind is IdentifierKind.SIREN:
            if result.get("siren") == identifier:
                return result, result.get("siege") or {}
            continue
        candidates = [*(result.get("matching_etablissements") or ()), result.get("siege") or {}]
        for etablissement in candidates:
            if etablissement.get("siret") == identifier:
                return result, etablissement
    return None


def _street(etablissement: Mapping[str, Any]) -> tuple[str, ...]:
    """The street part of the one-line ``adresse`` ("20 AV DE SEGUR 75007 PARIS 7")."""
    address = fields.text(etablissement.get("adresse")) or ""
    town = fields.joined(etablissement.get("code_postal"), etablissement.get("libelle_commune"))
    if town and address.endswith(town):
        address = address[: -len(town)]
    return fields.address_lines(address)


def _record(match: Match, fetched_at: datetime) -> OrganisationRecord:
    result, etablissement = match
    closed = (
        etablissement.get("etat_administratif") == "F" or result.get("etat_administratif") == "C"
    )
    foreign_country = fields.text(etablissement.get("libelle_pays_etranger"))
    record = OrganisationRecord(
        raison_sociale=fields.text(result.get("nom_raison_sociale"))
        or fields.text(result.get("nom_complet")),
        sigle=fields.text(result.get("sigle")),
        siret=fields.text(etablissement.get("siret")),
        siren=fields.text(result["siren"]),
        rna=fields.text((result.get("complements") or {}).get("identifiant_association")),
        **fields.naf_fields(
            etablissement.get("activite_principale") or result.get("activite_principale")
        ),
        **fields.forme_juridique_fields(result.get("nature_juridique")),
        address_lines=_street(etablissement),
        code_postal=fields.text(etablissement.get("code_postal")),
        commune=fields.text(
            etablissement.get("libelle_commune") or etablissement.get("libelle_commune_etranger")
        ),
        pays=foreign_country or fields.FRANCE,
        date_creation=fields.iso_date(result.get("date_creation"))
        or fields.iso_date(etablissement.get("date_creation")),
        etat_administratif=EtatAdministratif.FERME if closed else EtatAdministratif.ACTIF,
        source=Source.RECHERCHE_ENTREPRISES,
        fetched_at=fetched_at,
    )
    # "O": diffusible; "P": partially diffusible (names and address withheld).
    return record if result.get("statut_diffusion", "O") == "O" else record.without_private_data()


class RechercheEntreprisesProvider:
    """Client of ``{base_url}/search``."""

    source = Source.RECHERCHE_ENTREPRISES

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_URL,
        timeout: float = 5.0,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._clock = clock
        self._http = JsonApiClient(
            source=self.source,
            base_url=base_url,
            timeout=timeout,
            max_calls=MAX_CALLS_PER_SECOND,
            period=timedelta(seconds=1),
            clock=clock,
            transport=transport,
        )

    def supports(self, kind: IdentifierKind) -> bool:
        return kind in (IdentifierKind.SIRET, IdentifierKind.SIREN)

    def close(self) -> None:
        self._http.close()

    def _from_body(self, body: Any, kind: IdentifierKind, identifier: str) -> LookupResult:
        match = _exact_match(body, kind, identifier)
        if match is None:
            return LookupFailure.of(
                FailureKind.NOT_FOUND,
                kind,
                detail="no exact match in the search results",
                source=self.source,
            )
        return _record(match, self._clock())

    def lookup(self, kind: IdentifierKind, identifier: str) -> LookupResult:
        if not self.supports(kind):
            return LookupFailure.of(
                FailureKind.NOT_FOUND,
                kind,
                detail=f"{kind.value} not supported",
                source=self.source,
            )
        body = self._http.get_json("/search", {"q": identifier}, kind)
        if isinstance(body, LookupFailure):
            return body
        return parsed(
            lambda: self._from_body(body, kind, identifier),
            source=self.source,
            kind=kind,
            what="/search",
        )
