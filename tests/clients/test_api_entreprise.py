"""API Entreprise v4 over real sockets: the staging payloads, normalised."""

from datetime import date

from app.integrations.organisation_lookup import EtatAdministratif, FailureKind, LookupFailure, OrganisationRecord, Source
from tests.fakes.api_entreprise import API_ENTREPRISE, EXAMPLE_RECIPIENT, RECHERCHE_ENTREPRISES

ETABLISSEMENTS = "/v4/insee/sirene/etablissements/"
OPEN_DATA = "/v4/djepva/api-association/associations/open_data/"


def _record(result) -> OrganisationRecord:
    assert isinstance(result, OrganisationRecord), result
    return result


def test_every_call_carries_the_token_and_the_three_parameters(service, fake, clock):
    _record(service.lookup_siret("55204944776279"))
    (request,) = fake.requests
    assert request.path == ETABLISSEMENTS + "55204944776279"
    assert request.headers["Authorization"] == f"Bearer {fake.token}"
    assert request.query == {
        "context": "Portail des aides - tests",
        "recipient": EXAMPLE_RECIPIENT,  # the council's, never the SIRET looked up
        "object": "Pré-remplissage d'un formulaire",
    }


def test_personne_morale_by_siret(service, clock):
    record = _record(service.lookup_siret("552 049 447 76279"))
    assert record.raison_sociale == "SOCIETE NATIONALE SNCF"
    assert record.sigle == "SNCF"
    assert (record.siret, record.siren, record.rna) == ("55204944776279", "552049447", None)
    assert (record.naf_code, record.naf_label) == (
        "49.10Z",
        "Transport ferroviaire interurbain de voyageurs",
    )
    assert (record.forme_juridique_code, record.forme_juridique_label) == (
        "5599",
        "SA à conseil d'administration (s.a.i.)",
    )
    assert record.address_lines == ("2 PLACE AUX ETOILES",)
    assert (record.code_postal, record.commune, record.pays) == ("93210", "SAINT-DENIS", "France")
    # -473389200 is 1955-01-01 00:00 in Paris (31 December 1954 23:00 UTC).
    assert record.date_creation == date(1955, 1, 1)
    assert record.etat_administratif is EtatAdministratif.ACTIF
    assert record.diffusible is True
    assert record.source is Source.API_ENTREPRISE
    assert record.fetched_at == clock()


def test_compact_naf_code_is_normalised_and_unit_fields_filled(service):
    record = _record(service.lookup_siret("30613890001294"))
    assert record.naf_code == "84.11Z"  # the payload says "8411Z"
    assert record.raison_sociale == "DIRECTION INTERMINISTERIELLE DU NUMERIQUE"
    assert record.sigle == "DINUM"
    assert record.forme_juridique_label == "Service central d'un ministère"
    assert record.siren == "130025265"


def test_association_by_siret_asks_the_rna_for_its_dates(service, fake):
    # The Croix-Rouge's établissement; staging has no RNA answer for it.
    record = _record(service.lookup_siret("77567227221138"))
    assert record.raison_sociale == "CROIX ROUGE FRANCAISE"
    assert record.rna == "W751004076"
    assert (record.forme_juridique_code, record.forme_juridique_label) == (
        "9230",
        "Association déclarée, reconnue d'utilité publique",
    )
    assert record.naf_code == "88.99B"
    assert record.address_lines == ("SITE CROIX ROUGE", "98 RUE DIDOT")
    assert record.date_creation == date(1952, 5, 11)  # the unit's, not the établissement's (2006)
    assert fake.call_count(OPEN_DATA + "W751004076") == 1
    assert record.date_publication_jo is None


def test_association_by_siret_merges_the_rna_dates_when_found(service, fake):
    body = fake.staging_body(OPEN_DATA + "389486242")
    body["data"].update(rna="W751004076", siren="775672272")
    fake.set_response(OPEN_DATA + "W751004076", 200, body)
    record = _record(service.lookup_siret("77567227221138"))
    assert record.raison_sociale == "CROIX ROUGE FRANCAISE"  # INSEE's data is kept
    assert record.date_publication_jo == date(1955, 8, 5)
    assert record.date_creation_rna == date(1955, 7, 8)
    assert record.date_derniere_maj_rna == date(2010, 12, 22)


def test_rna_answer_for_another_unit_is_not_merged(service, fake):
    fake.set_response(OPEN_DATA + "W751004076", 200, fake.staging_body(OPEN_DATA + "389486242"))
    record = _record(service.lookup_siret("77567227221138"))
    assert record.date_publication_jo is None


def test_association_by_rna_with_spaces_and_lower_case(service, fake):
    record = _record(service.lookup_rna(" w604 004 799 "))
    assert fake.call_count(OPEN_DATA + "W604004799") == 1
    assert record.rna == "W604004799"
    assert record.raison_sociale == "POLE POSITION : LA SECURITE ROUTIERE EN PREMIERE LIGNE"
    assert record.siren is None and record.siret is None
    assert record.date_publication_jo == date(2003, 5, 3)
    assert record.date_creation_rna is None  # null in the payload
    assert record.date_derniere_maj_rna == date(2017, 1, 30)
    assert record.address_lines == ("11 RUE Bachaumont",)
    assert (record.code_postal, record.commune) == ("75002", "Paris")
    assert record.etat_administratif is EtatAdministratif.FERME  # "active": false


def test_association_with_siren_from_the_rna_endpoint(service, fake):
    body = fake.staging_body(OPEN_DATA + "389486242")
    fake.set_response(OPEN_DATA + "W301000624", 200, body)
    record = _record(service.lookup_rna("W301000624"))
    assert (record.siren, record.siret) == ("389486242", "38948624200032")
    assert (record.naf_code, record.forme_juridique_label) == ("93.12Z", "Association déclarée")
    assert record.date_creation == record.date_creation_rna == date(1955, 7, 8)
    assert record.date_publication_jo == date(1955, 8, 5)
    assert record.etat_administratif is EtatAdministratif.ACTIF


def test_personne_physique_diffusible(service):
    record = _record(service.lookup_siret("47846480300319"))
    assert record.raison_sociale == "MAXIME DUPONT"
    assert record.forme_juridique_label == "Entrepreneur individuel"
    assert record.address_lines == ("346 ALLÉE DE LA PLAGE",)
    assert record.diffusible is True


def test_personne_physique_non_diffusible_keeps_the_name_and_street_out(service):
    record = _record(service.lookup_siret("35004292500031"))
    assert record.diffusible is False
    assert record.raison_sociale is None
    assert record.address_lines == ()
    assert record.code_postal is None
    assert "MOREAU" not in repr(record) and "AURELIE" not in repr(record)
    assert (record.siret, record.naf_code, record.commune) == (
        "35004292500031",
        "74.10Z",
        "MEDILLAC",
    )


def test_unite_legale_by_siren(service, fake):
    record = _record(service.lookup_siren("552049447"))
    assert fake.call_count("/v4/insee/sirene/unites_legales/552049447") == 1
    assert record.siret == "55204944776279"  # the head office
    assert record.raison_sociale == "SOCIETE NATIONALE SNCF"
    assert record.address_lines == ()


def test_ceased_unite_legale_is_closed(service):
    record = _record(service.lookup_siren("350042925"))
    assert record.etat_administratif is EtatAdministratif.FERME
    assert record.is_closed
    assert record.diffusible is False


def test_not_found_is_an_answer(service, fake):
    failure = service.lookup_siret("00000000000000")
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.NOT_FOUND
    assert failure.message == "Aucun établissement ne correspond à ce numéro SIRET."
    # "not found" does not send the question to the next provider.
    assert fake.call_count(service=RECHERCHE_ENTREPRISES) == 0
    assert fake.call_count(service=API_ENTREPRISE) == 1


def test_la_poste_siret_is_looked_up(service, fake):
    body = fake.staging_body(ETABLISSEMENTS + "55204944776279")
    body["data"]["siret"] = "35600000049837"
    body["data"]["unite_legale"].update(siren="356000000", siret_siege_social="35600000049837")
    body["data"]["unite_legale"]["personne_morale_attributs"] = {
        "raison_sociale": "LA POSTE",
        "sigle": None,
    }
    fake.set_response(ETABLISSEMENTS + "35600000049837", 200, body)
    record = _record(service.lookup_siret("356 000 000 49837"))
    assert (record.siret, record.siren, record.raison_sociale) == (
        "35600000049837",
        "356000000",
        "LA POSTE",
    )


def test_unexpected_payload_shape_is_unavailable(make_service, fake):
    fake.set_response(ETABLISSEMENTS + "55204944776279", 200, {"data": {"unexpected": True}})
    failure = make_service(ORGANISATION_LOOKUP_PROVIDERS="api_entreprise").lookup_siret(
        "55204944776279"
    )
    assert isinstance(failure, LookupFailure)
    assert failure.kind is FailureKind.UNAVAILABLE
