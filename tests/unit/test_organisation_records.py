"""Records round-trip through JSON; failures carry their French message."""

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.integrations.organisation_lookup import (
    FAILURE_MESSAGES,
    EtatAdministratif,
    FailureKind,
    IdentifierKind,
    LookupFailure,
    OrganisationRecord,
    Source,
)


def _record(**changes):
    values = dict(
        raison_sociale="ASSOCIATION SPORTIVE SALINDROISE",
        sigle="ASS",
        siret="38948624200032",
        siren="389486242",
        rna="W301000624",
        naf_code="93.12Z",
        naf_label="Activités de clubs de sports",
        forme_juridique_code="9220",
        forme_juridique_label="Association déclarée",
        address_lines=("Maison des associations", "RUE de Cambis"),
        code_postal="30340",
        commune="Salindres",
        pays="France",
        date_creation=date(1955, 7, 8),
        etat_administratif=EtatAdministratif.ACTIF,
        date_publication_jo=date(1955, 8, 5),
        date_creation_rna=date(1955, 7, 8),
        date_derniere_maj_rna=date(2010, 12, 22),
        diffusible=True,
        source=Source.API_ENTREPRISE,
        fetched_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    values.update(changes)
    return OrganisationRecord(**values)


def test_to_dict_is_json_safe_and_round_trips():
    record = _record()
    text = json.dumps(record.to_dict())
    data = json.loads(text)
    assert data["date_publication_jo"] == "1955-08-05"
    assert data["fetched_at"] == "2026-03-02T09:30:00+00:00"
    assert data["source"] == "api_entreprise"
    assert data["address_lines"] == ["Maison des associations", "RUE de Cambis"]
    back = OrganisationRecord.from_dict(data)
    assert back == record
    assert isinstance(back.address_lines, tuple)
    assert back.source is Source.API_ENTREPRISE


def test_round_trip_with_missing_values():
    record = _record(
        date_creation=None,
        date_publication_jo=None,
        rna=None,
        address_lines=(),
        etat_administratif="ferme",
        source="bac_a_sable",
    )
    back = OrganisationRecord.from_dict(json.loads(json.dumps(record.to_dict())))
    assert back == record
    assert back.is_closed
    assert back.source is Source.BAC_A_SABLE


def test_from_dict_ignores_unknown_keys():
    data = _record().to_dict() | {"added_in_a_later_version": 1}
    assert OrganisationRecord.from_dict(data) == _record()


def test_fetched_at_must_be_aware_and_is_kept_in_utc():
    with pytest.raises(ValueError):
        _record(fetched_at=datetime(2026, 3, 2, 9, 30))
    paris = timezone(timedelta(hours=1))
    assert _record(fetched_at=datetime(2026, 3, 2, 10, 30, tzinfo=paris)).fetched_at == datetime(
        2026, 3, 2, 9, 30, tzinfo=UTC
    )
    assert _record(fetched_at=datetime(2026, 3, 2, 10, 30, tzinfo=paris)).fetched_at.tzinfo is UTC


def test_records_are_immutable():
    with pytest.raises(AttributeError):
        _record().raison_sociale = "autre"


def test_without_private_data_keeps_identifiers_and_drops_names_and_street():
    redacted = _record().without_private_data()
    assert redacted.diffusible is False
    assert (
        redacted.raison_sociale,
        redacted.sigle,
        redacted.address_lines,
        redacted.code_postal,
    ) == (None, None, (), None)
    assert (redacted.siret, redacted.naf_code, redacted.commune) == (
        "38948624200032",
        "93.12Z",
        "Salindres",
    )


def test_failure_messages_are_french_and_specific():
    unavailable = LookupFailure.of(FailureKind.UNAVAILABLE)
    assert unavailable.message == (
        "Le service API Entreprise ne répond pas pour le moment : "
        "vous pouvez saisir les informations vous-même."
    )
    assert LookupFailure.of(FailureKind.NOT_FOUND, IdentifierKind.SIRET).message == (
        "Aucun établissement ne correspond à ce numéro SIRET."
    )
    assert "RNA" in LookupFailure.of(FailureKind.NOT_FOUND, IdentifierKind.RNA).message
    assert "publiques" in LookupFailure.of(FailureKind.NOT_DIFFUSIBLE).message
    assert set(FAILURE_MESSAGES) == set(FailureKind)
    assert len(set(FAILURE_MESSAGES.values())) == len(FailureKind)


def test_only_provider_side_failures_let_the_next_provider_try():
    assert {kind for kind in FailureKind if kind.lets_next_provider_try} == {
        FailureKind.UNAVAILABLE,
        FailureKind.RATE_LIMITED,
        FailureKind.MISCONFIGURED,
    }
