"""Drive routes the two ways a browser does: plain HTML forms and htmx."""

import html
import re
from dataclasses import dataclass

import pytest


@dataclass
class Mode:
    """One way of requesting a page: ``htmx`` sends ``HX-Request: true``."""

    htmx: bool

    @property
    def headers(self) -> dict:
        return {"HX-Request": "true"} if self.htmx else {}

    def get(self, client, url, **kwargs):
        return client.get(url, headers=self.headers, **kwargs)

    def post(self, client, url, data=None, **kwargs):
        return client.post(url, data=data or {}, headers=self.headers, **kwargs)

    def assert_page(self, response, status=200):
        """A full page for a browser, only the content for htmx."""
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        body = response.get_data(as_text=True)
        assert "HX-Request" in response.headers.get("Vary", "")
        if self.htmx:
            assert "<html" not in body and "<title>" in body
        else:
            assert body.lstrip().startswith("<!DOCTYPE html>") and '<html lang="fr"' in body
        return body

    def assert_redirect(self, response, path):
        """303 for a browser; ``HX-Redirect`` for htmx."""
        if self.htmx:
            assert response.status_code == 200, response.get_data(as_text=True)[:2000]
            location = response.headers["HX-Redirect"]
        else:
            assert response.status_code == 303, response.get_data(as_text=True)[:2000]
            location = response.headers["Location"]
        assert location.split("?")[0].endswith(path), location
        return location

    def assert_login_required(self, response):
        """Anonymous: the login page for a browser (302, ``next`` kept); for
        htmx a 401 the page script explains above the form (a redirect would
        replace the form with the login page)."""
        if self.htmx:
            assert response.status_code == 401, response.get_data(as_text=True)[:2000]
            body = response.get_data(as_text=True)
            assert "Votre session a pris fin" in body and 'href="/connexion"' in body and "data-app-error-link" in body
        else:
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            assert response.headers["Location"].startswith("/connexion?next=")

    def assert_invalid(self, response):
        """422, an error summary, and « Erreur : » in the title."""
        body = self.assert_page(response, status=422)
        assert "Il y a un problème" in body or "govuk-error-summary" in body
        assert "<title>Erreur : " in body
        return body


@pytest.fixture(params=[False, True], ids=["html", "htmx"])
def mode(request) -> Mode:
    return Mode(htmx=request.param)


def error_messages(body: str) -> list[str]:
    """The inline error messages of a page, without the hidden « Erreur: » prefix."""
    found = re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', body, re.S)
    return [html.unescape(re.sub(r"<[^>]+>|Erreur:", "", m)).strip() for m in found]


def input_value(body: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', body)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def page_text(body: str) -> str:
    """The text of a page as a reader gets it: tags removed, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
