"""The database cache, what a structure or demande stores (prefill and
snapshots), and ``flask organisations recheck`` — on the real database and a
fake API Entreprise on loopback."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.domain import organisations
from app.extensions import db
from app.integrations.organisation_lookup import IdentifierKind, OrganisationLookupService, OrganisationRecord, Source
from app.integrations.organisation_lookup.db_cache import DatabaseLookupCache
from app.models import AuditEvent, Demande, OrganisationLookupCacheEntry, Structure
from tests.fakes.api_entreprise import Fault
from tests.support.organisations import SNCF, UNAVAILABLE_MESSAGE, UNKNOWN_SIRET, lookup_config
from tests.support.structures import make_structure

FETCHED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app_config(fake):
    """This module's portal asks only the fake API Entreprise."""
    return lookup_config(fake)


def _record(**fields) -> OrganisationRecord:
    values = {
        "raison_sociale": "ASSOCIATION SPORTIVE SALINDROISE",
        "siret": "38948624200032",
        "siren": "389486242",
        "rna": "W301000624",
        "naf_code": "93.12Z",
        "naf_label": "Activités de clubs de sports",
        "forme_juridique_code": "9220",
        "forme_juridique_label": "Association déclarée",
        "address_lines": ("RUE de Cambis",),
        "code_postal": "30340",
        "commune": "Salindres",
        "date_publication_jo": datetime(1955, 8, 5).date(),
        "source": Source.API_ENTREPRISE,
        "fetched_at": FETCHED,
    }
    return OrganisationRecord(**{**values, **fields})


# --- DatabaseLookupCache ------------------------------------------------------------


def test_put_then_get_round_trips_and_upserts(app):
    cache = DatabaseLookupCache(lambda: db.engine, clock=lambda: FETCHED + timedelta(hours=1))
    cache.put(IdentifierKind.SIRET, "38948624200032", _record())
    assert cache.get(IdentifierKind.SIRET, "38948624200032", timedelta(days=1)) == _record()
    newer = _record(raison_sociale="AS SALINDRES", fetched_at=FETCHED + timedelta(minutes=30))
    cache.put(IdentifierKind.SIRET, "38948624200032", newer)
    assert cache.get(IdentifierKind.SIRET, "38948624200032", timedelta(days=1)) == newer
    entries = db.session.scalars(select(OrganisationLookupCacheEntry)).all()
    assert [(e.kind, e.identifier, e.source) for e in entries] == [("siret", "38948624200032", "api_entreprise")]
    assert entries[0].fetched_at == FETCHED + timedelta(minutes=30)
    assert cache.get(IdentifierKind.RNA, "38948624200032", timedelta(days=1)) is None  # per kind


def test_stale_entries_are_not_served(app):
    now = FETCHED + timedelta(hours=25)
    cache = DatabaseLookupCache(lambda: db.engine, clock=lambda: now)
    cache.put(IdentifierKind.RNA, "W301000624", _record())
    assert cache.get(IdentifierKind.RNA, "W301000624", timedelta(hours=24)) is None
    assert cache.get(IdentifierKind.RNA, "W301000624", timedelta(hours=26)) is not None


def test_a_broken_cache_never_breaks_a_lookup(app, fake):
    no_table = sa.create_engine("sqlite://")  # a database without the cache table
    service = OrganisationLookupService(app.config | {"ENV_IS_PRODUCTION": True}, DatabaseLookupCache(lambda: no_table))
    try:
        assert service.lookup_siret(SNCF).raison_sociale == "SOCIETE NATIONALE SNCF"
        assert service.lookup_siret(SNCF).raison_sociale == "SOCIETE NATIONALE SNCF"
    finally:
        service.close()
    assert fake.call_count() == 2  # no cache, but no error either
    # The request's session is untouched and still usable.
    assert db.session.scalar(select(sa.func.count()).select_from(OrganisationLookupCacheEntry)) == 0


def test_one_service_per_application(app):
    assert organisations.service() is organisations.service()
    assert app.extensions[organisations.EXTENSION_KEY] is organisations.service()
    assert organisations.service().sources == (Source.API_ENTREPRISE,)


def test_lookup_functions_use_the_database_cache(app, fake):
    assert organisations.lookup(IdentifierKind.SIRET, SNCF).siret == SNCF
    assert organisations.lookup("siret", "552 049 447 76279").siret == SNCF
    assert organisations.lookup(IdentifierKind.SIREN, "552049447").siren == "552049447"
    assert organisations.lookup(IdentifierKind.RNA, "W604004799").commune == "Paris"
    assert fake.call_count(identifier=SNCF) == 1
    assert db.session.scalar(select(sa.func.count()).select_from(OrganisationLookupCacheEntry)) == 3


# --- Prefill and snapshots ------------------------------------------------------------


def test_prefill_from_uses_the_forms_field_names():
    assert organisations.prefill_from(_record(address_lines=("SITE X", "98 RUE DIDOT"))) == {
        "raison_sociale": "ASSOCIATION SPORTIVE SALINDROISE",
        "sigle": None,
        "siret": "38948624200032",
        "rna": "W301000624",
        "naf_code": "93.12Z",
        "forme_juridique_code": "9220",
        "adresse": "SITE X\n98 RUE DIDOT",
        "code_postal": "30340",
        "commune": "Salindres",
        "date_publication_jo": "1955-08-05",
        "date_creation_rna": None,
        "date_derniere_maj_rna": None,
        "lookup_source": "api_entreprise",
        "lookup_fetched_at": "2026-03-02T09:00:00+00:00",
    }


def test_snapshot_is_the_record_with_source_and_date():
    snapshot = organisations.snapshot(_record())
    assert snapshot["verified"] is True
    assert (snapshot["source"], snapshot["fetched_at"]) == ("api_entreprise", "2026-03-02T09:00:00+00:00")
    assert OrganisationRecord.from_dict(snapshot) == _record()


def test_manual_snapshot_is_unverified(app):
    snapshot = organisations.manual_snapshot(
        {"raison_sociale": "  Club  de  voile ", "siret": "35600000000048", "adresse": "1 quai\n\nBât. B", "naf_code": "9312Z", "forme_juridique_code": "9220"}
    )
    assert snapshot["verified"] is False and snapshot["source"] is None and snapshot["fetched_at"] is None
    assert snapshot["raison_sociale"] == "Club de voile"
    assert snapshot["siren"] == "356000000"
    assert snapshot["address_lines"] == ["1 quai", "Bât. B"]
    assert (snapshot["naf_code"], snapshot["naf_label"]) == ("93.12Z", "Activités de clubs de sports")
    assert snapshot["forme_juridique_label"] == "Association déclarée"
    assert datetime.fromisoformat(snapshot["entered_at"]).tzinfo is not None
    assert not organisations.is_verified(snapshot)


def test_snapshot_for_keeps_the_record_only_when_its_values_were_kept(app):
    record = _record()
    fields = dict(organisations.prefill_from(record))
    assert organisations.snapshot_for(fields, record)["verified"] is True
    assert organisations.snapshot_for({**fields, "commune": " salindres "}, record)["verified"] is True
    assert organisations.snapshot_for({**fields, "commune": "Alès"}, record)["verified"] is False
    # A value the record could not give (non-diffusible name) is the user's to type.
    hidden = _record(raison_sociale=None, diffusible=False)
    assert organisations.snapshot_for({**fields, "raison_sociale": "Maxime Moreau"}, hidden)["verified"] is True
    assert organisations.snapshot_for(fields, _record(etat_administratif="ferme"))["verified"] is False
    assert organisations.snapshot_for(fields, None)["verified"] is False


def test_chosen_reads_the_value_of_the_button(app, fake):
    outcome = organisations.chosen(f"siret:{SNCF}")
    assert outcome.can_be_chosen and outcome.choice_value == f"siret:{SNCF}"
    assert organisations.chosen(f"siret:{SNCF}").record == outcome.record
    assert fake.call_count() == 1
    for value in [None, "", "siret", "iban:123", ":123"]:
        assert organisations.chosen(value) is None


# --- flask organisations recheck ---------------------------------------------------


def _manual(**fields):
    return organisations.manual_snapshot({"raison_sociale": "Saisie", "adresse": "1 rue", **fields})


def _holders(*snapshots) -> list[int]:
    """Structures keeping these snapshots (as agents create them), their ids in order."""
    return [make_structure(siret=None, lookup_snapshot=snapshot, email=f"s{n}@exemple.fr").id for n, snapshot in enumerate(snapshots)]


def _snapshot(structure_id):
    db.session.expire_all()
    return db.session.get(Structure, structure_id).lookup_snapshot


def test_recheck_verifies_what_it_finds_and_records_what_it_does_not(app, fake):
    verified = organisations.snapshot(_record())
    ids = _holders(
        _manual(siret=SNCF, raison_sociale="Sncf"),
        _manual(siret=UNKNOWN_SIRET),
        verified,
        _manual(),
        None,
        _manual(rna="w604 004 799"),
    )
    report = organisations.recheck_unverified()
    assert (report.verified, report.still_unverified, report.stopped) == (2, 2, None)

    found = _snapshot(ids[0])
    assert found["verified"] is True and found["source"] == "api_entreprise"
    assert found["raison_sociale"] == "SOCIETE NATIONALE SNCF"
    assert found["manual_entry"]["raison_sociale"] == "Sncf"
    assert datetime.fromisoformat(found["rechecked_at"]).tzinfo is not None
    assert _snapshot(ids[5])["verified"] is True and _snapshot(ids[5])["etat_administratif"] == "ferme"  # as the registry says
    missing = _snapshot(ids[1])
    assert missing["verified"] is False
    assert missing["last_check"]["outcome"] == "not_found"
    assert missing["last_check"]["message"] == "Aucun établissement ne correspond à ce numéro SIRET."
    assert _snapshot(ids[2]) == verified
    assert _snapshot(ids[3])["last_check"]["outcome"] == "no_identifier"
    assert _snapshot(ids[4]) is None
    assert any(f"structure.lookup_snapshot #{ids[0]} : vérifié (API Entreprise)" in line for line in report.lines)
    # Each verification is in the structure's history.
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.verifiee")).all()
    assert sorted(e.structure_id for e in events) == [ids[0], ids[5]]

    # A second run looks only at what is still unverified.
    calls = fake.call_count()
    again = organisations.recheck_unverified()
    assert (again.verified, again.still_unverified) == (0, 2)
    assert fake.call_count() == calls + 1  # only the SIRET not found; the rest has no identifier


def test_recheck_looks_at_the_beneficiaries_of_demandes_too(app, fake):
    assert Demande.beneficiary_snapshot in organisations.SNAPSHOT_COLUMNS
    assert Structure.lookup_snapshot in organisations.SNAPSHOT_COLUMNS


def test_recheck_stops_when_the_provider_is_down(app, fake):
    first, second = _holders(_manual(siret=SNCF), _manual(siret=UNKNOWN_SIRET))
    fake.inject(Fault.http(502))
    report = organisations.recheck_unverified()
    assert (report.verified, report.still_unverified) == (0, 1)
    assert report.stopped == UNAVAILABLE_MESSAGE
    assert fake.call_count() == 1
    assert _snapshot(first)["last_check"]["outcome"] == "unavailable"
    assert "last_check" not in _snapshot(second)


def test_recheck_limit(app, fake):
    ids = _holders(*(_manual(siret=SNCF) for _ in range(3)))
    report = organisations.recheck_unverified(limit=2)
    assert report.verified == 2
    assert not organisations.is_verified(_snapshot(ids[2]))


def test_recheck_command(app):
    result = app.test_cli_runner().invoke(args=["organisations", "recheck"])
    assert result.exit_code == 0, result.output
    assert "0 vérifiée(s), 0 toujours non vérifiée(s)." in result.output
