"""API Entreprise v4 response bodies → :class:`OrganisationRecord`.

Written against the real staging payloads (``sandbox_data/``): INSEE
établissements and unités légales (Unix timestamps, ``etat_administratif``
``A``/``F``/``C``, personne morale or personne physique, ``status_diffusion``)
and the DJEPVA association open-data endpoint (ISO dates, RNA dates in
``meta``). Used by the API Entreprise provider and by the bac à sable, which
serves the same payloads from files.

Parsers raise ``KeyError``/``TypeError``/``ValueError`` on a body that does
not have the expected shape; providers turn that into "unavailable".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import fields
from .identifiers import IdentifierKind
from .records import EtatAdministratif, OrganisationRecord, Source

PAYLOAD_ERRORS = (KeyError, TypeError, ValueError, AttributeError)

Parser = Callable[[Mapping[str, Any], Source, datetime], OrganisationRecord]


def _unit_name(unite_legale: Mapping[str, Any]) -> str | None:
    """Raison sociale of a personne morale, "Prénom NOM" of a personne physique."""
    morale = unite_legale.get("personne_morale_attributs") or {}
    if unite_legale.get("type") != "personne_physique" and fields.text(
        morale.get("raison_sociale")
    ):
        return fields.text(morale["raison_sociale"])
    physique = unite_legale.get("personne_physique_attributs") or {}
    return fields.joined(
        physique.get("prenom_usuel") or physique.get("prenom_1"),
        physique.get("nom_usage") or physique.get("nom_naissance"),
    )


def _activity(holder: Mapping[str, Any]) -> dict[str, str | None]:
    activity = holder.get("activite_principale_naf_rev2") or holder.get("activite_principale") or {}
    return fields.naf_fields(activity.get("code"), activity.get("libelle"))


def _legal_form(holder: Mapping[str, Any]) -> dict[str, str | None]:
    form = holder.get("forme_juridique") or {}
    return fields.forme_juridique_fields(form.get("code"), form.get("libelle"))


def _is_diffusible(*holders: Mapping[str, Any]) -> bool:
    return all(holder.get("status_diffusion", "diffusible") == "diffusible" for holder in holders)


def _insee_address(address: Mapping[str, Any]) -> dict[str, Any]:
    """Address fields of an INSEE établissement.

    The country comes from the postal block (``acheminement_postal.l7``) when
    there is one, as it is what the post office reads; otherwise from the
    foreign-country fields.
    """
    postal_country = fields.text((address.get("acheminement_postal") or {}).get("l7"))
    if postal_country:
        domestic = postal_country.upper() == "FRANCE"
        pays = fields.FRANCE if domestic else postal_country
    else:
        domestic = not fields.text(address.get("code_pays_etranger"))
        pays = fields.FRANCE if domestic else fields.text(address.get("libelle_pays_etranger"))
    commune = address.get("libelle_commune")
    if not domestic:
        commune = address.get("libelle_commune_etranger") or commune
    return {
        "address_lines": fields.address_lines(
            address.get("complement_adresse"),
            fields.joined(
                address.get("numero_voie"),
                address.get("indice_repetition_voie"),
                address.get("type_voie"),
                address.get("libelle_voie"),
            ),
            address.get("distribution_speciale"),
        ),
        "code_postal": fields.text(address.get("code_postal")),
        "commune": fields.text(commune),
        "pays": pays,
    }


def _finish(record: OrganisationRecord, diffusible: bool) -> OrganisationRecord:
    return record if diffusible else record.without_private_data()


def parse_etablissement(
    body: Mapping[str, Any], source: Source, fetched_at: datetime
) -> OrganisationRecord:
    """``/v4/insee/sirene/etablissements/{siret}``: the établissement, with its
    unit's name, legal form and creation date (the organisation's, not the
    établissement's, which is only used when the unit has none)."""
    data = body["data"]
    unite_legale = data.get("unite_legale") or {}
    closed = data.get("etat_administratif") == "F" or unite_legale.get("etat_administratif") == "C"
    record = OrganisationRecord(
        raison_sociale=_unit_name(unite_legale),
        sigle=fields.text((unite_legale.get("personne_morale_attributs") or {}).get("sigle")),
        siret=fields.text(data["siret"]),
        siren=fields.text(unite_legale.get("siren")) or data["siret"][:9],
        rna=fields.text(unite_legale.get("rna")),
        **_activity(data),
        **_legal_form(unite_legale),
        **_insee_address(data.get("adresse") or {}),
        date_creation=fields.insee_date(unite_legale.get("date_creation"))
        or fields.insee_date(data.get("date_creation")),
        etat_administratif=EtatAdministratif.FERME if closed else EtatAdministratif.ACTIF,
        source=source,
        fetched_at=fetched_at,
    )
    return _finish(record, _is_diffusible(data, unite_legale))


def parse_unite_legale(
    body: Mapping[str, Any], source: Source, fetched_at: datetime
) -> OrganisationRecord:
    """``/v4/insee/sirene/unites_legales/{siren}``: the unit, its head office's
    SIRET, no address (this endpoint gives none)."""
    data = body["data"]
    record = OrganisationRecord(
        raison_sociale=_unit_name(data),
        sigle=fields.text((data.get("personne_morale_attributs") or {}).get("sigle")),
        siret=fields.text(data.get("siret_siege_social")),
        siren=fields.text(data["siren"]),
        rna=fields.text(data.get("rna")),
        **_activity(data),
        **_legal_form(data),
        date_creation=fields.insee_date(data.get("date_creation")),
        etat_administratif=(
            EtatAdministratif.FERME
            if data.get("etat_administratif") == "C"
            else EtatAdministratif.ACTIF
        ),
        source=source,
        fetched_at=fetched_at,
    )
    return _finish(record, _is_diffusible(data))


def parse_association(
    body: Mapping[str, Any], source: Source, fetched_at: datetime
) -> OrganisationRecord:
    """``/v4/djepva/api-association/associations/open_data/{siren_or_rna}``:
    the association as the RNA knows it, with its Journal officiel and RNA dates."""
    data = body["data"]
    address = data.get("adresse_siege") or {}
    created = fields.iso_date(data.get("date_creation"))
    closed = data.get("active") is False or bool(fields.text(data.get("date_dissolution")))
    return OrganisationRecord(
        raison_sociale=fields.text(data.get("nom")),
        sigle=fields.text(data.get("sigle")),
        siret=fields.text(data.get("siret_siege")),
        siren=fields.text(data.get("siren")),
        rna=fields.text(data.get("rna")),
        **_activity(data.get("activites") or {}),
        **_legal_form(data),
        address_lines=fields.address_lines(
            address.get("complement"),
            fields.joined(
                address.get("numero_voie"), address.get("type_voie"), address.get("libelle_voie")
            ),
            address.get("distribution"),
        ),
        code_postal=fields.text(address.get("code_postal")),
        commune=fields.text(address.get("commune")),
        pays=fields.FRANCE,
        date_creation=created,
        etat_administratif=EtatAdministratif.FERME if closed else EtatAdministratif.ACTIF,
        date_publication_jo=fields.iso_date(data.get("date_publication_journal_officiel")),
        date_creation_rna=created,
        date_derniere_maj_rna=fields.iso_date(
            (body.get("meta") or {}).get("date_derniere_mise_a_jour_rna")
        ),
        source=source,
        fetched_at=fetched_at,
    )


def is_association(record: OrganisationRecord) -> bool:
    """Whether the RNA may know this unit (it has an RNA number or an
    association's legal form, INSEE category 92xx)."""
    return bool(record.rna) or (record.forme_juridique_code or "").startswith("92")


def with_association_details(
    record: OrganisationRecord, association: OrganisationRecord
) -> OrganisationRecord:
    """``record`` (from INSEE) completed with what only the RNA knows.

    Ignored when the association is not the same unit (another SIREN/RNA).
    """
    same_unit = (record.siren and record.siren == association.siren) or (
        record.rna and record.rna == association.rna
    )
    if not same_unit:
        return record
    return dataclasses.replace(
        record,
        rna=record.rna or association.rna,
        sigle=(record.sigle or association.sigle) if record.diffusible else None,
        date_publication_jo=association.date_publication_jo,
        date_creation_rna=association.date_creation_rna,
        date_derniere_maj_rna=association.date_derniere_maj_rna,
    )


@dataclass(frozen=True)
class Endpoint:
    """One API Entreprise v4 endpoint: its URL path, the folder of its staging
    payloads and the parser of its bodies."""

    path_template: str
    staging_folder: str
    parse: Parser

    def path(self, identifier: str) -> str:
        return self.path_template.format(identifier=identifier)


ETABLISSEMENT = Endpoint(
    "/v4/insee/sirene/etablissements/{identifier}",
    "api_entreprise_v4_insee_etablissements",
    parse_etablissement,
)
UNITE_LEGALE = Endpoint(
    "/v4/insee/sirene/unites_legales/{identifier}",
    "api_entreprise_v4_insee_unites_legales",
    parse_unite_legale,
)
ASSOCIATION = Endpoint(
    "/v4/djepva/api-association/associations/open_data/{identifier}",
    "api_entreprise_v4_mi_unites_legales_open_data",
    parse_association,
)

ENDPOINTS: tuple[Endpoint, ...] = (ETABLISSEMENT, UNITE_LEGALE, ASSOCIATION)
ENDPOINT_FOR_KIND: Mapping[IdentifierKind, Endpoint] = {
    IdentifierKind.SIRET: ETABLISSEMENT,
    IdentifierKind.SIREN: UNITE_LEGALE,
    IdentifierKind.RNA: ASSOCIATION,
}
