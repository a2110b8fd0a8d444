"""The déclaration d'accessibilité in the RGAA model's format, and the
footer's « Accessibilité : … » on every page, both from ACCESSIBILITY_STATUS:
each état de conformité, the audit's evidence it needs, and a configuration
the portal refuses at start-up."""

import re

import pytest

from app import create_app
from app.domain.accessibility import AccessibilityConfigurationError
from tests.support.web import page_text

MODEL_SECTIONS = [
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Non-conformités",
    "Dérogations pour charge disproportionnée",
    "Contenus non soumis à l'obligation d'accessibilité",
    "Établissement de cette déclaration d'accessibilité",
    "Technologies utilisées pour la réalisation du portail",
    "Environnement de test",
    "Outils utilisés lors de l'évaluation",
    "Pages du site ayant fait l'objet de la vérification de conformité",
    "Retour d'information et contact",
    "Voies de recours",
]

AUDIT = {
    "ACCESSIBILITY_DECLARATION_DATE": "2026-03-01",
    "ACCESSIBILITY_UPDATE_DATE": "2026-09-15",
    "ACCESSIBILITY_AUDIT_DATE": "2026-02-20",
    "ACCESSIBILITY_AUDITOR": "la société Accès Pour Tous",
    "ACCESSIBILITY_AUDIT_REPORT_URL": "https://www.region.example/accessibilite/rapport-audit.pdf",
    "ACCESSIBILITY_SAMPLED_PAGES": ["Accueil", "Connexion", "Étapes de la demande"],
    "ACCESSIBILITY_TEST_ENVIRONMENT": ["NVDA 2024.4 avec Firefox 128", "VoiceOver avec Safari 18 (macOS)"],
    "ACCESSIBILITY_TOOLS": ["Colour Contrast Analyser"],
    "ACCESSIBILITY_SCHEMA_URL": "https://www.region.example/accessibilite/schema-pluriannuel",
    "ACCESSIBILITY_ACTION_PLAN_URL": "https://www.region.example/accessibilite/plan-2026",
}


@pytest.fixture
def page_of(make_bare_app):
    """``page_of(**config)``: the text and the HTML of /accessibilite, and the
    footer's mention on another page, for an application so configured."""

    def render(**config):
        app = make_bare_app(ASSISTANCE_EMAIL="accessibilite@region.example", ASSISTANCE_PHONE="04 00 00 00 00", **config)
        client = app.test_client()
        body = client.get("/accessibilite").get_data(as_text=True)
        other = client.get("/mentions-legales").get_data(as_text=True)
        return page_text(body), body, _footer_mention(other)

    return render


def _footer_mention(body: str) -> str:
    footer = body[body.index("<footer") :]
    match = re.search(r'<a class="govuk-footer__link" href="/accessibilite">([^<]*)</a>', footer)
    assert match, footer
    return match.group(1)


def _main(text: str) -> str:
    """The page's own text, without the footer (which names the status too)."""
    return text[: text.index("Liens utiles")]


def test_with_no_audit_the_portal_says_non_conforme_and_that_no_audit_was_done(page_of):
    text, body, footer = page_of()
    assert footer == "Accessibilité : non conforme"
    assert "Accessibilité : non conforme" in text
    main = _main(text)
    assert "Le Portail des aides est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1." in main
    assert "Aucun audit de conformité n'a encore été réalisé" in main
    assert "partiellement conforme" not in main and "totalement conforme" not in main
    assert "des critères du RGAA sont respectés" not in main  # no rate without an audit
    assert "À titre d'information seulement, sans valeur d'audit" in main  # the test suite's checks, as information
    for section in MODEL_SECTIONS:
        assert section in main, section
    # The schéma pluriannuel is not written yet; the declaration is not dated yet.
    assert "Le schéma pluriannuel de mise en accessibilité de La Région et son plan d'action de l'année en cours sont en cours de rédaction" in main
    assert "Cette déclaration n'est pas encore datée" in main
    # What is not subject to the obligation: the users' documents.
    assert "Les documents joints par les usagers à leurs demandes" in main
    assert "Aucune dérogation pour charge disproportionnée n'est invoquée." in main
    # Technologies and the test suite's tools; no assistive technology claimed without an audit.
    for technology in ["HTML5", "CSS", "JavaScript", "WAI-ARIA"]:
        assert technology in main
    assert "axe-core" in main and "Nu Html Checker" in main and "Chromium" in main
    assert "NVDA" not in main and "VoiceOver" not in main
    assert "L'audit portera sur l'échantillon suivant" in main and "Plan du site (/plan-du-site)" in main


def test_contact_and_the_defenseur_des_droits(page_of):
    text, body, _ = page_of()
    assert 'href="mailto:accessibilite@region.example"' in body and "04 00 00 00 00" in text
    assert 'href="/assistance"' in body
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in body
    assert 'href="https://www.defenseurdesdroits.fr/saisir/delegues"' in body
    assert "Défenseur des droits Libre réponse 71120 75342 Paris CEDEX 07" in text
    assert "gratuit, ne pas mettre de timbre" in text


def test_partiellement_conforme_after_an_audit(page_of):
    text, body, footer = page_of(
        ACCESSIBILITY_STATUS="partiellement_conforme",
        ACCESSIBILITY_CONFORMITY_RATE=87.5,
        ACCESSIBILITY_AVERAGE_RATE="92,3",
        ACCESSIBILITY_NON_CONFORMITIES=["Le calendrier du filtre par date n'est pas utilisable au clavier ; saisissez la date au format JJ/MM/AAAA."],
        ACCESSIBILITY_DEROGATIONS=["Les cartes des lycées : une liste des adresses est proposée à la place."],
        **AUDIT,
    )
    assert footer == "Accessibilité : partiellement conforme"
    main = _main(text)
    assert (
        "Le Portail des aides est partiellement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), "
        "version 4.1, en raison des non-conformités et des dérogations énumérées ci-dessous." in main
    )
    assert "L'audit de conformité réalisé par la société Accès Pour Tous le 20 février 2026 révèle que" in main
    assert "87,5 % des critères du RGAA sont respectés" in main
    assert "le taux moyen de conformité du service en ligne s'élève à 92,3 %" in main
    assert 'href="https://www.region.example/accessibilite/rapport-audit.pdf"' in body
    assert "Le calendrier du filtre par date n'est pas utilisable au clavier" in main
    assert "Les cartes des lycées : une liste des adresses est proposée à la place." in main
    assert "Cette déclaration a été établie le 1er mars 2026. Elle a été mise à jour le 15 septembre 2026." in main
    assert "NVDA 2024.4 avec Firefox 128" in main and "VoiceOver avec Safari 18 (macOS)" in main and "Colour Contrast Analyser" in main
    assert "Étapes de la demande" in main and "L'audit portera" not in main
    assert 'href="https://www.region.example/accessibilite/schema-pluriannuel"' in body
    assert 'href="https://www.region.example/accessibilite/plan-2026"' in body
    assert "en cours de rédaction" not in main
    assert "Aucun audit" not in main and "non conforme" not in main


def test_totalement_conforme_after_an_audit_at_100_percent(page_of):
    text, _, footer = page_of(ACCESSIBILITY_STATUS="totalement_conforme", ACCESSIBILITY_CONFORMITY_RATE=100, ACCESSIBILITY_AUDITOR=None, **{
        k: v for k, v in AUDIT.items() if k != "ACCESSIBILITY_AUDITOR"
    })
    assert footer == "Accessibilité : totalement conforme"
    main = _main(text)
    assert "Le Portail des aides est totalement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1." in main
    assert "L'audit de conformité réalisé en interne le 20 février 2026 révèle que" in main
    assert "100 % des critères du RGAA sont respectés" in main
    assert "L'audit n'a relevé aucune non-conformité." in main
    assert "en raison des non-conformités" not in main


def test_non_conforme_after_an_audit_below_half(page_of):
    text, _, footer = page_of(ACCESSIBILITY_STATUS="non_conforme", ACCESSIBILITY_CONFORMITY_RATE=42, **AUDIT)
    assert footer == "Accessibilité : non conforme"
    main = _main(text)
    assert "42 % des critères du RGAA sont respectés" in main
    assert "Moins de la moitié des critères du RGAA sont respectés." in main
    assert "Aucun audit" not in main


@pytest.mark.parametrize("path", ["/", "/connexion", "/assistance", "/plan-du-site", "/page-inexistante"])
def test_every_page_shows_the_same_mention(make_bare_app, path):
    for status, label in [("non_conforme", "non conforme"), ("partiellement_conforme", "partiellement conforme")]:
        extra = {"ACCESSIBILITY_CONFORMITY_RATE": 60, **AUDIT} if status != "non_conforme" else {}
        body = make_bare_app(ACCESSIBILITY_STATUS=status, **extra).test_client().get(path).get_data(as_text=True)
        assert _footer_mention(body) == f"Accessibilité : {label}"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ACCESSIBILITY_STATUS": "conforme"}, "FLASK_ACCESSIBILITY_STATUS : état de conformité inconnu « conforme »"),
        ({"ACCESSIBILITY_STATUS": "Partiellement conforme"}, "état de conformité inconnu « Partiellement conforme »"),
        ({"ACCESSIBILITY_STATUS": "partiellement_conforme"}, "exige un audit"),
        ({"ACCESSIBILITY_STATUS": "totalement_conforme"}, "exige un audit"),
        ({"ACCESSIBILITY_STATUS": "totalement_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 95, **AUDIT}, "exige que l'audit mesure 100 %"),
        (
            {"ACCESSIBILITY_STATUS": "totalement_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 100, "ACCESSIBILITY_NON_CONFORMITIES": ["Un défaut"], **AUDIT},
            "liste des non-conformités",
        ),
        ({"ACCESSIBILITY_STATUS": "partiellement_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 30, **AUDIT}, "au moins 50 %"),
        ({"ACCESSIBILITY_STATUS": "partiellement_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 100, **AUDIT}, "moins de 100 %"),
        ({"ACCESSIBILITY_STATUS": "non_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 80, **AUDIT}, "l'état de conformité est « partiellement_conforme »"),
        ({"ACCESSIBILITY_AUDIT_DATE": "2026-02-20"}, "vont ensemble"),
        ({"ACCESSIBILITY_STATUS": "partiellement_conforme", "ACCESSIBILITY_CONFORMITY_RATE": 80, **{**AUDIT, "ACCESSIBILITY_DECLARATION_DATE": None}},
         "exige la date de la déclaration"),
        ({"ACCESSIBILITY_DECLARATION_DATE": "01/03/2026"}, "FLASK_ACCESSIBILITY_DECLARATION_DATE : date invalide « 01/03/2026 »"),
        ({"ACCESSIBILITY_CONFORMITY_RATE": "beaucoup", "ACCESSIBILITY_AUDIT_DATE": "2026-02-20"}, "pourcentage invalide « beaucoup »"),
        ({"ACCESSIBILITY_CONFORMITY_RATE": 120, "ACCESSIBILITY_AUDIT_DATE": "2026-02-20"}, "pourcentage invalide « 120 »"),
        ({"ACCESSIBILITY_NON_CONFORMITIES": {"a": 1}}, "une liste de textes est attendue"),
        ({"ACCESSIBILITY_SCHEMA_URL": "javascript:alert(1)"}, "adresse invalide"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_declaration_the_configuration_cannot_support_stops_the_start(make_bare_app, config, message):
    with pytest.raises(AccessibilityConfigurationError, match=re.escape(message)):
        make_bare_app(**config)


def test_the_status_is_read_from_the_environment(monkeypatch, tmp_path):
    """FLASK_ACCESSIBILITY_* as the council sets them on a server."""
    base = {"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_PROFILE": "CHEAPEST", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    monkeypatch.setenv("FLASK_ACCESSIBILITY_STATUS", "totalement_conforme")
    with pytest.raises(AccessibilityConfigurationError, match="exige un audit"):
        create_app(base)
    monkeypatch.setenv("FLASK_ACCESSIBILITY_AUDIT_DATE", "2026-02-20")
    monkeypatch.setenv("FLASK_ACCESSIBILITY_DECLARATION_DATE", "2026-03-01")
    monkeypatch.setenv("FLASK_ACCESSIBILITY_CONFORMITY_RATE", "100")
    monkeypatch.setenv("FLASK_ACCESSIBILITY_TEST_ENVIRONMENT", '["NVDA 2024.4 avec Firefox 128"]')
    body = create_app(base).test_client().get("/accessibilite").get_data(as_text=True)
    assert _footer_mention(body) == "Accessibilité : totalement conforme"
    assert "NVDA 2024.4 avec Firefox 128" in page_text(body)
    monkeypatch.setenv("FLASK_ACCESSIBILITY_STATUS", "pas_du_tout")
    with pytest.raises(AccessibilityConfigurationError, match="état de conformité inconnu « pas_du_tout »"):
        create_app(base)
