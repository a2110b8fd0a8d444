"""« Rechercher une organisation » and the look-up block, with the test
client, as a plain form post and as htmx, against a fake API Entreprise on
loopback: every outcome shows its French message, never a 500."""

import html

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.integrations.organisation_lookup import LookupConfigurationError
from app.models import OrganisationLookupCacheEntry
from tests.fakes.api_entreprise import Fault
from tests.support.accounts import login, make_account, make_agent
from tests.support.organisations import CLOSED_RNA, NON_DIFFUSIBLE, SNCF, UNAVAILABLE_MESSAGE, UNKNOWN_SIRET, lookup_config
from tests.support.web import error_messages, input_value

PAGE = "/organisations/recherche"
FRAGMENT = "/organisations/recherche/resultat"
USE_BUTTON = "Utiliser ces informations"
MANUAL_LINK = 'href="#organisation-details">Saisir les informations vous-même</a>'

MANUAL_ENTRY = {
    "raison_sociale": "Association des parents d'élèves",
    "sigle": "APE",
    "siret": "356 000 000 00048",  # La Poste's rule, not Luhn
    "rna": "",
    "adresse": "1 rue de la Paix\nBâtiment B",
    "code_postal": "31000",
    "commune": "Toulouse",
    "naf_code": "94.99Z",
    "forme_juridique_code": "9220",
}


@pytest.fixture
def app_config(fake):
    """This module's portal asks only the fake API Entreprise."""
    return lookup_config(fake)


@pytest.fixture
def agent(client):
    make_agent()
    login(client, "agent.region")


def search(client, mode, kind, number):
    """« Rechercher » as the browser sends it: to the page without
    JavaScript, to the block's endpoint with htmx (which answers the block alone)."""
    data = {"lookup-kind": kind, f"lookup-{kind}": number, "lookup-target": PAGE}
    return mode.post(client, FRAGMENT if mode.htmx else PAGE, data)


def block(mode, response, status=200) -> str:
    if mode.htmx:
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        body = response.get_data(as_text=True)
        assert "<html" not in body and body.lstrip().startswith('<div id="organisation-lookup"')
    else:
        body = mode.assert_page(response, status)
        assert "<title>" + ("Erreur : " if status == 422 else "") + "Rechercher une organisation" in body
    return html.unescape(body)


def test_the_page_offers_siret_and_rna(client, mode, agent):
    body = html.unescape(mode.assert_page(mode.get(client, PAGE)))
    assert "<title>Rechercher une organisation" in body
    assert "Recherche par *" in body and "<legend" in body
    assert 'id="lookup-kind-siret"' in body and 'id="lookup-kind-rna"' in body
    assert "SIRET *" in body and "N° RNA *" in body
    assert f'data-hx-post="{FRAGMENT}" data-hx-target="#organisation-lookup"' in body
    assert "Non vérifié" in body  # the organisation form, before any look-up
    assert "bac à sable" not in body


def test_changing_the_kind_re_renders_the_block_without_a_lookup(client, agent, fake):
    query = {"lookup-kind": "rna", "lookup-siret": "552", "lookup-rna": "", "lookup-target": PAGE}
    response = client.get(FRAGMENT, query_string=query, headers={"HX-Request": "true"})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "<html" not in body
    assert 'value="rna" checked' in body
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden" id="lookup-kind-siret-number"' in body
    assert 'class="govuk-radios__conditional" id="lookup-kind-rna-number"' in body
    assert input_value(body, "lookup-siret") == "552"  # what was typed stays
    assert "aria-expanded" not in body and "govuk-radios" in body and 'data-module="govuk-radios"' not in body
    assert fake.call_count() == 0


def test_found_shows_the_record_and_its_source(client, mode, agent, fake):
    body = block(mode, search(client, mode, "siret", "552 049 447 76279"))
    for text in [
        "SOCIETE NATIONALE SNCF",
        "55204944776279",
        "552049447",
        "2 PLACE AUX ETOILES<br>93210 SAINT-DENIS",
        "49.10Z – Transport ferroviaire interurbain de voyageurs",
        "SA à conseil d'administration (s.a.i.)",
        "Actif",
        "01/01/1955",
        "API Entreprise, consultée le",
    ]:
        assert text in body, text
    assert 'tabindex="-1"' in body  # the card's heading, where focus goes after the swap
    assert USE_BUTTON in body
    assert 'value="siret:55204944776279" name="organisation-choisie"' in body
    assert fake.call_count() == 1


def test_using_the_record_prefills_the_form_from_the_cache(client, mode, agent, fake):
    search(client, mode, "siret", SNCF)
    body = html.unescape(mode.assert_page(mode.post(client, PAGE, {"organisation-choisie": f"siret:{SNCF}"})))
    assert input_value(body, "raison_sociale") == "SOCIETE NATIONALE SNCF"
    assert input_value(body, "siret") == SNCF
    assert input_value(body, "code_postal") == "93210"
    assert input_value(body, "lookup_key") == f"siret:{SNCF}"
    assert "2 PLACE AUX ETOILES</textarea>" in body
    assert '<option value="49.10Z" selected>' in body
    assert "Source : API Entreprise" in body
    assert fake.call_count() == 1  # read back from the cache


def _details(body: str, **changes) -> dict:
    names = ["raison_sociale", "sigle", "siret", "rna", "code_postal", "commune", "lookup_key"]
    data = {name: input_value(body, name) or "" for name in names}
    data.update(adresse="2 PLACE AUX ETOILES", naf_code="49.10Z", forme_juridique_code="5599")
    return {**data, **changes}


def test_keeping_the_record_is_verified_changing_it_is_not(client, mode, agent):
    search(client, mode, "siret", SNCF)
    prefilled = mode.post(client, PAGE, {"organisation-choisie": f"siret:{SNCF}"}).get_data(as_text=True)
    kept = html.unescape(mode.assert_page(mode.post(client, PAGE, _details(prefilled))))
    assert "Informations retenues" in kept and "Vérifié" in kept and "Non vérifié" not in kept
    assert "Source : API Entreprise" in kept
    changed = mode.post(client, PAGE, _details(prefilled, raison_sociale="SNCF Voyageurs"))
    body = html.unescape(mode.assert_page(changed))
    assert "Informations retenues" in body and "Non vérifié" in body and "SNCF Voyageurs" in body


def test_closed_establishment_is_flagged_and_cannot_be_chosen(client, mode, agent):
    body = block(mode, search(client, mode, "rna", " w604 004 799 "))
    assert "POLE POSITION : LA SECURITE ROUTIERE EN PREMIERE LIGNE" in body
    assert "Fermé" in body and "elle ne peut pas être choisie" in body
    assert USE_BUTTON not in body
    assert "03/05/2003" in body  # Journal officiel
    forced = html.unescape(mode.assert_page(mode.post(client, PAGE, {"organisation-choisie": f"rna:{CLOSED_RNA}"})))
    assert input_value(forced, "raison_sociale") == ""
    assert "Non vérifié" in forced


def test_non_diffusible_unit_is_explained(client, mode, agent):
    body = block(mode, search(client, mode, "siret", NON_DIFFUSIBLE))
    assert "ne soient pas rendues publiques" in body
    assert "Organisation trouvée (nom non diffusé)" in body
    assert "MEDILLAC" in body and "MOREAU" not in body
    assert USE_BUTTON in body


def test_451_explains_and_offers_manual_entry(client, mode, agent, fake):
    fake.inject(Fault.http(451))
    body = block(mode, search(client, mode, "siret", SNCF))
    assert "Informations non diffusibles" in body
    assert "ne peuvent pas être affichées ici. Saisissez-les vous-même." in body
    assert MANUAL_LINK in body


def test_not_found(client, mode, agent):
    body = block(mode, search(client, mode, "siret", UNKNOWN_SIRET))
    assert "Aucun résultat" in body
    assert "Aucun établissement ne correspond à ce numéro SIRET." in body
    assert MANUAL_LINK in body and USE_BUTTON not in body


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("siret", "55204944776278", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."),
        ("siret", "5520494477", "Le numéro SIRET doit comporter 14 chiffres."),
        ("siret", "", "Saisissez le numéro SIRET."),
        ("rna", "X604004799", "Le numéro RNA commence par la lettre W"),
    ],
)
def test_invalid_number_makes_no_call(client, mode, agent, fake, kind, number, message):
    body = block(mode, search(client, mode, kind, number), status=422)
    assert "Il y a un problème" in body
    assert any(m.startswith(message) for m in error_messages(body)), error_messages(body)
    assert f'href="#lookup-{kind}"' in body
    assert input_value(body, f"lookup-{kind}") == number
    assert "organisation-lookup-result" not in body
    assert fake.call_count() == 0


@pytest.mark.parametrize("fault", [Fault.http(502), Fault.slow(2.0), Fault.malformed_json()], ids=["502", "timeout", "malformed"])
def test_provider_down_offers_manual_entry(client, mode, agent, fake, fault):
    fake.inject(fault)
    body = block(mode, search(client, mode, "siret", SNCF))
    assert "Recherche indisponible" in body
    assert UNAVAILABLE_MESSAGE in body
    assert MANUAL_LINK in body


def test_manual_entry_is_marked_unverified(client, mode, agent):
    body = html.unescape(mode.assert_page(mode.post(client, PAGE, MANUAL_ENTRY)))
    assert "Informations retenues" in body and "Non vérifié" in body
    assert "Association des parents d'élèves" in body
    assert "35600000000048" in body  # normalised
    assert "1 rue de la Paix<br>Bâtiment B" in body
    assert "94.99Z – Autres organisations fonctionnant par adhésion volontaire" in body
    assert "9220 – Association déclarée" in body


def test_manual_entry_errors_keep_what_was_typed(client, mode, agent, fake):
    typed = {**MANUAL_ENTRY, "siret": "123", "adresse": "", "code_postal": "3100", "naf_code": "99.99Z", "forme_juridique_code": "9999", "rna": "W12"}
    body = html.unescape(mode.assert_invalid(mode.post(client, PAGE, typed)))
    messages = error_messages(body)
    for message in [
        "Le numéro SIRET doit comporter 14 chiffres.",
        "Saisissez l'adresse",
        "Le code postal comporte 5 chiffres, par exemple 31000",
        "Choisissez un code NAF de la liste",
        "Choisissez une forme juridique de la liste",
    ]:
        assert message in messages, messages
    assert any(m.startswith("Le numéro RNA commence par la lettre W") for m in messages)
    assert input_value(body, "raison_sociale") == "Association des parents d'élèves"
    assert input_value(body, "siret") == "123"
    assert input_value(body, "code_postal") == "3100"
    assert 'aria-invalid="true"' in body
    assert fake.call_count() == 0


def test_required_fields_of_the_manual_entry(client, mode, agent):
    body = html.unescape(mode.assert_invalid(mode.post(client, PAGE, {"raison_sociale": " "})))
    messages = error_messages(body)
    for message in ["Saisissez la raison sociale", "Saisissez le numéro SIRET", "Saisissez l'adresse", "Saisissez le code postal", "Saisissez la commune"]:
        assert message in messages, messages


def test_the_cache_is_in_the_database(client, mode, agent, fake, make_app):
    search(client, mode, "siret", SNCF)
    assert db.session.scalar(select(func.count()).select_from(OrganisationLookupCacheEntry)) == 1
    # Another application (another process) on the same database: no call.
    other = make_app(**lookup_config(fake))
    other_client = other.test_client()
    login(other_client, "agent.region")
    body = block(mode, search(other_client, mode, "siret", SNCF))
    assert "SOCIETE NATIONALE SNCF" in body
    assert fake.call_count() == 1


def test_usager_may_look_up_but_not_open_the_back_office_page(client, mode, fake):
    make_account()
    login(client)
    assert mode.get(client, PAGE).status_code == 403
    assert fake.call_count() == 0
    # the block itself serves the wizard's « Bénéficiaire » step
    response = client.post("/organisations/recherche/resultat", data={"lookup-kind": "siret", "lookup-siret": SNCF}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and fake.call_count() == 1


def test_anonymous_goes_to_login(client, mode, fake):
    mode.assert_login_required(mode.get(client, PAGE))
    mode.assert_login_required(search(client, mode, "siret", SNCF))
    assert fake.call_count() == 0


def test_bac_a_sable_is_named_in_development(make_app, mode):
    app = make_app(PORTAIL_ENV="development")
    with app.app_context():
        client = app.test_client()
        make_agent()
        login(client, "agent.region")
        page = html.unescape(mode.assert_page(mode.get(client, PAGE)))
        assert "Bac à sable : les recherches portent sur des données de démonstration" in page
        assert "30613890001294" in page and "W301000624" in page
        body = block(mode, search(client, mode, "siret", "30613890001294"))
        assert "DIRECTION INTERMINISTERIELLE DU NUMERIQUE" in body
        assert "bac à sable (données de démonstration), consultée le" in body


def test_a_lookup_configuration_that_cannot_work_stops_the_start(make_app):
    with pytest.raises(LookupConfigurationError, match="bac à sable"):
        make_app(ORGANISATION_LOOKUP_PROVIDERS="bac_a_sable")  # production configuration


def test_lookups_are_limited_per_account(make_app, mode, fake):
    """One account cannot spend the council's API Entreprise budget (issue 12):
    past its limit, how long to wait and manual entry, no call; another account still searches."""
    app = make_app(**lookup_config(fake), RATELIMIT_ENABLED=True, ORGANISATION_LOOKUP_RATE_LIMIT_PER_ACCOUNT="2 per hour")
    with app.app_context():
        make_agent()
        make_agent("autre.agent")
    client, other = app.test_client(), app.test_client()
    login(client, "agent.region")
    login(other, "autre.agent")
    for number in (SNCF, SNCF):
        assert "SOCIETE NATIONALE SNCF" in block(mode, search(client, mode, "siret", number))
    calls = fake.call_count()
    body = block(mode, search(client, mode, "siret", SNCF))
    assert "Vous avez fait beaucoup de recherches en peu de temps : réessayez dans 60 minutes" in body
    assert MANUAL_LINK in body and fake.call_count() == calls
    assert "SOCIETE NATIONALE SNCF" in block(mode, search(other, mode, "siret", SNCF))
