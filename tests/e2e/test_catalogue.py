"""« Choix du téléservice » in Chromium, with and without JavaScript, axe on
every page: the référent of a lycée privé opens the catalogue from its
espace personnel (filter on « Lycée privé »), searches « Trajectoires »
(with JavaScript the list follows the typing, without it the form is
submitted), sees the card and « Commencer ma demande »; with every famille,
a téléservice for associations and a closed one show why they cannot be
started."""

import re

from playwright.sync_api import expect

from tests.support.accounts import PASSWORD, make_account
from tests.support.structures import attach, make_structure
from tests.support.teleservices import TRAJECTOIRES, closed_window, load_teleservices, minimal_definition, open_window, write_definitions


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _card(page, title):
    return page.locator("section.govuk-summary-card").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_choose_a_teleservice(page, a11y, live_server, js_enabled, tmp_path):
    ancien = minimal_definition(code="ANCIEN", titre="Projets de l'an dernier", description="Un appel à projets terminé.", **closed_window())
    directory = write_definitions(
        tmp_path, changes={code: open_window() for code in ("TRAJ", "SPRO", "PVILLE")}, extra={"ancien.yaml": ancien}
    )
    with live_server.app.app_context():
        load_teleservices(directory)
        referent = make_account(identifiant="p.bernard", email="p.bernard@lycee.example", prenom="Paul", nom="Bernard")
        attach(referent, make_structure())
        cloture = open_window()["cloture"].strftime("%d/%m/%Y")
        closed_on = closed_window()["cloture"].strftime("%d/%m/%Y")

    page.goto(live_server.url + "/connexion")
    page.get_by_label("Identifiant", exact=True).fill("p.bernard")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    _submit(page, "Se connecter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Espace personnel")
    page.get_by_role("link", name="Déposer une demande d'aide").click()

    # The catalogue, filtered on the lycée's famille.
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer une demande d'aide")
    expect(page.get_by_role("heading", name="Choix du téléservice")).to_be_visible()
    expect(page).to_have_title("Choix du téléservice – Portail des aides")
    famille = page.get_by_label("Filtrer par famille de tiers")
    expect(famille).to_have_value("lycee_prive")
    count = page.get_by_role("status").filter(has_text="téléservice")
    expect(count).to_have_text("4 téléservices correspondent à votre recherche.")  # the seed's three, and the closed one
    a11y("catalogue, famille de la structure")

    # Search « Trajectoires ».
    search = page.get_by_label("Recherche par téléservice")
    if js_enabled:
        search.press_sequentially("traject", delay=50)
        expect(count).to_have_text("1 téléservice correspond à votre recherche.")
        expect(search).to_be_focused()  # focus stays where the person types
        expect(page).to_have_url(re.compile(r"[?&]q=traject"))
    else:
        search.fill("traject")
        _submit(page, "Rechercher")
        expect(count).to_have_text("1 téléservice correspond à votre recherche.")
        expect(search).to_have_value("traject")
    expect(page.locator("section.govuk-summary-card")).to_have_count(1)
    trajectoires = _card(page, TRAJECTOIRES)
    expect(trajectoires).to_contain_text(f"Date limite de dépôt : {cloture}")
    expect(trajectoires.get_by_role("button", name="Commencer ma demande")).to_be_visible()
    a11y("catalogue, recherche Trajectoires")

    # Every famille: the seed's three téléservices can be started by a lycée privé;
    # the closed one says why it cannot.
    search.fill("")
    famille.select_option(label="Toutes les familles")
    if not js_enabled:
        _submit(page, "Rechercher")
    expect(count).to_have_text("4 téléservices correspondent à votre recherche.")
    for title in (TRAJECTOIRES, "Service Public Régional de l'Orientation",
                  "Territoire - Dispositif régional de soutien aux actions en matière de politique de la ville"):
        expect(_card(page, title).get_by_role("button", name="Commencer ma demande")).to_be_visible()
    ancien_card = _card(page, "Projets de l'an dernier")
    expect(ancien_card).to_contain_text(f"Clos depuis le {closed_on}")
    expect(ancien_card.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Commencer ma demande")).to_have_count(3)
    a11y("catalogue, toutes les familles")

    # « Commencer ma demande » opens the wizard (its pages are tested elsewhere).
    with page.expect_navigation():
        _card(page, TRAJECTOIRES).get_by_role("button", name="Commencer ma demande").click()
    expect(page).to_have_url(re.compile(r"/demandes/\d+/etapes/preambule$"))
