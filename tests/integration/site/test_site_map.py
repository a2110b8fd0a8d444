"""« Plan du site » (RGAA 12.1, a second navigation system): linked from
every page's footer, its sections follow the main menu of whoever reads it,
and every link it offers opens the page it names (RGAA 12.3)."""

import re

import pytest

from app.models import AgentRole
from tests.support.accounts import make_agent
from tests.support.web import page_text


def _sections(body: str) -> list[str]:
    main = body[body.index("<main") : body.index("</main>")]
    return [re.sub(r"<[^>]+>", "", title).strip() for title in re.findall(r'<h2 class="govuk-heading-m">(.*?)</h2>', main)]


def _links(body: str) -> list[str]:
    main = body[body.index("<main") : body.index("</main>")]
    return re.findall(r'<a class="govuk-link" href="([^"]+)"', main)


def test_the_footer_of_every_page_links_the_plan_next_to_the_accessibility_mention(client):
    for path in ["/", "/assistance", "/connexion", "/page-inexistante"]:
        body = client.get(path).get_data(as_text=True)
        footer = body[body.index("<footer") :]
        assert re.search(
            r'href="/accessibilite">Accessibilité : non conforme</a></li>\s*<li class="govuk-footer__inline-list-item">'
            r'<a class="govuk-footer__link" href="/plan-du-site">Plan du site</a>',
            footer,
        ), footer


def test_the_plan_is_a_page_and_an_htmx_fragment(client, mode):
    body = mode.assert_page(mode.get(client, "/plan-du-site"))
    assert "<title>Plan du site – Portail des aides</title>" in body
    assert '<h1 class="govuk-heading-l">Plan du site</h1>' in body


def test_a_visitor_sees_the_public_pages_and_the_espace_usager_behind_the_login(client):
    body = client.get("/plan-du-site").get_data(as_text=True)
    assert _sections(body) == ["Pages publiques", "Espace usager"]
    text = page_text(body)
    assert "Connexion requise : ces pages s'ouvrent après la connexion à votre compte." in text
    links = _links(body)
    for href in [
        "/", "/connexion", "/connexion/entreprises", "/connexion/lycees-publics", "/connexion/associations",
        "/connexion/particuliers", "/connexion/acteurs-publics", "/creer-un-compte", "/recuperer-mes-informations",
        "/verification", "/assistance", "/accessibilite", "/mentions-legales", "/donnees-personnelles", "/plan-du-site",
        "/espace", "/demandes/teleservices", "/demandes", "/fils-de-discussion", "/structure", "/compte",
    ]:
        assert href in links, href
    assert not [href for href in links if href.startswith(("/instruction", "/administration"))]
    for href in links:
        response = client.get(href)
        if href in ("/espace", "/demandes/teleservices", "/demandes", "/fils-de-discussion", "/structure") or href.startswith("/compte"):
            assert response.status_code == 302 and response.headers["Location"].startswith("/connexion?next="), href
        else:
            assert response.status_code == 200, href


def test_a_usager_sees_the_espace_usager_and_every_link_opens(teacher_client):
    body = teacher_client.get("/plan-du-site").get_data(as_text=True)
    assert _sections(body) == ["Pages publiques", "Espace usager"]
    assert "Connexion requise" not in body
    links = _links(body)
    assert "/connexion" not in links and "/creer-un-compte" not in links  # as in the main menu, once logged in
    assert not [href for href in links if href.startswith(("/instruction", "/administration"))]
    for href in links:
        assert teacher_client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        (AgentRole.INSTRUCTEUR, ["Pages publiques", "Instruction (agents de la Région)", "Mon compte"]),
        (AgentRole.ADMIN, ["Pages publiques", "Instruction (agents de la Région)", "Administration", "Mon compte"]),
    ],
)
def test_an_agent_sees_the_back_office_and_every_link_opens(login_as, role, sections):
    make_agent("agent.plan", role)
    client = login_as("agent.plan")
    body = client.get("/plan-du-site").get_data(as_text=True)
    assert _sections(body) == sections
    links = _links(body)
    assert "/instruction/demandes" in links and "/instruction/structures" in links and "/compte" in links
    assert "/espace" not in links and "/demandes" not in links  # the espace usager is not theirs
    assert ("/administration/agents" in links) == (role == AgentRole.ADMIN)
    for href in links:
        assert client.get(href).status_code == 200, href
