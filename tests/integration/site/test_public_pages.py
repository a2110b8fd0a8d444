"""Public pages, French error pages and security headers."""

import pytest

PUBLIC_PAGES = {
    "/": ["Bienvenue", "Déposez et suivez vos demandes d'aides", "CONNEXION A VOS ESPACES DÉDIÉS", "Assistance"],
    "/accessibilite": ["Déclaration d'accessibilité", "non conforme", "Défenseur des droits"],
    "/plan-du-site": ["Plan du site", "Pages publiques", "Espace usager"],
    "/mentions-legales": ["Mentions légales", "Éditeur"],
    "/donnees-personnelles": ["Données personnelles", "Vos droits"],
    "/assistance": ["Assistance", "Nous contacter"],
}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(client, mode, path):
    body = mode.assert_page(mode.get(client, path))
    for text in PUBLIC_PAGES[path]:
        assert text in body


def test_home_links_each_espace_to_its_login_page(client):
    body = client.get("/").get_data(as_text=True)
    for slug, label in [
        ("entreprises", "Espace Entreprises"),
        ("lycees-publics", "Espace Lycées publics"),
        ("associations", "Espace Associations"),
        ("particuliers", "Espace Particuliers"),
        ("acteurs-publics", "Espace Acteurs publics"),
    ]:
        assert f'href="/connexion/{slug}">{label}</a>' in body, label
        page = client.get(f"/connexion/{slug}").get_data(as_text=True)
        assert label in page and "Connectez-vous à votre espace personnel." in page


def test_footer_has_the_mandatory_pages(client):
    body = client.get("/assistance").get_data(as_text=True)
    for href in ["/accessibilite", "/mentions-legales", "/donnees-personnelles", "/assistance"]:
        assert f'class="govuk-footer__link" href="{href}"' in body


def test_french_and_no_english_component_defaults(client):
    body = client.get("/creer-un-compte").get_data(as_text=True)
    assert '<html lang="fr"' in body
    assert "Aller au contenu principal" in body
    for english in ["Skip to main content", ">Show<", "There is a problem", "Error:", "(optional)", ">Back<"]:
        assert english not in body


def test_unknown_page_is_a_french_404(client, mode):
    body = mode.assert_page(mode.get(client, "/nulle-part"), status=404)
    assert "Page introuvable" in body


def test_unknown_espace_is_404(client):
    assert client.get("/connexion/martiens").status_code == 404


def test_wrong_method_is_a_french_405(client):
    response = client.get("/deconnexion")
    assert response.status_code == 405 and "Action impossible" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


def test_what_a_logged_in_person_is_sent_is_never_stored(client, teacher_client):
    """Cache-Control: no-store on the pages of a session (issue 12); the
    public pages and the static files of an anonymous visitor may be cached."""
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    teacher = teacher_client
    for path in ("/espace", "/demandes", "/structure", "/compte", "/"):
        response = teacher.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in teacher.get("/static/css/portail.min.css").headers.get("Cache-Control", "")


def test_no_inline_script_or_style_in_pages(client):
    import re

    body = client.get("/creer-un-compte").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "<style" not in body and ' style="' not in body


def test_unexpected_error_is_a_french_500(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.get_data(as_text=True)


def test_htmx_is_configured_to_swap_422_without_history_cache(client):
    body = client.get("/").get_data(as_text=True)
    assert '"historyCacheSize": 0' in body
    assert '{"code": "422", "swap": true}' in body
    assert "/static/js/htmx.min.js" in body
