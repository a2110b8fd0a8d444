"""The déclaration d'accessibilité (RGAA, article 47 of loi n° 2005-102):
what the page « Accessibilité » and the footer's « Accessibilité : … »
say, from the ``ACCESSIBILITY_*`` configuration the council sets after
its audit (``app/config.py``).

One value, ``ACCESSIBILITY_STATUS``, is the état de conformité of both the
page and the footer. The RGAA's obligations define it from the audit:
« totalement conforme » when every criterion is met, « partiellement
conforme » when at least 50 % are, « non conforme » when fewer are or when
there is no valid audit result. So a status other than « non conforme »
needs its evidence (the audit's date and rate, consistent with the status),
and the portal refuses to start with a claim its configuration does not
support (``check_configuration``, run when the application is built).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from app.domain.values import format_number

NON_CONFORME = "non_conforme"
PARTIELLEMENT_CONFORME = "partiellement_conforme"
TOTALEMENT_CONFORME = "totalement_conforme"
STATUS_LABELS = {
    NON_CONFORME: "non conforme",
    PARTIELLEMENT_CONFORME: "partiellement conforme",
    TOTALEMENT_CONFORME: "totalement conforme",
}
PARTIAL_THRESHOLD = Decimal(50)  # % of RGAA criteria met, from « partiellement conforme » on
REFERENTIAL = "RGAA 4.1"

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")

# What the portal is built with (the model's « Technologies utilisées »).
TECHNOLOGIES = ("HTML5", "CSS", "JavaScript (facultatif : chaque page fonctionne sans)", "WAI-ARIA")

# What the portal's own automated test suite runs on every change: listed as
# such, never as an audit (an audit is the council's, with the combinations it sets).
AUTOMATED_TOOLS = (
    "axe-core 4 (règles WCAG 2.0, 2.1 et 2.2 de niveaux A et AA, et bonnes pratiques), dans la suite de tests automatisés du logiciel",
    "Nu Html Checker (validité du code HTML), dans la suite de tests automatisés du logiciel",
)
AUTOMATED_ENVIRONMENT = ("Chromium (distribution Debian), avec et sans JavaScript",)

# The sample an audit of the portal covers (RGAA method: the pages every site
# has, then those of each process): the default of ACCESSIBILITY_SAMPLED_PAGES.
DEFAULT_SAMPLE = (
    "Accueil (/)",
    "Connexion (/connexion) et connexion à un espace dédié (/connexion/lycees-publics)",
    "Créer un compte (/creer-un-compte)",
    "Récupérer mes informations de connexion (/recuperer-mes-informations)",
    "Assistance (/assistance)",
    "Mentions légales (/mentions-legales)",
    "Données personnelles (/donnees-personnelles)",
    "Déclaration d'accessibilité (/accessibilite)",
    "Plan du site (/plan-du-site)",
    "Espace personnel (/espace)",
    "Déposer une demande d'aide : choix du téléservice (/demandes/teleservices)",
    "Chaque étape d'une demande d'aide, du préambule au récapitulatif (/demandes/…/etapes/…)",
    "Suivre mes demandes d'aide (/demandes) et la page d'une demande (/demandes/…)",
    "Transmettre une demande à la Région (/demandes/…/transmettre)",
    "Fil de discussion d'une demande (/demandes/…/fil-de-discussion)",
    "Ma structure (/structure)",
    "Mon compte (/compte)",
    "Vérifier un accusé de réception (/verification)",
    "Instruction : liste des demandes et page d'une demande (/instruction/demandes)",
    "Instruction : structures (/instruction/structures)",
    "Administration : agents et téléservices (/administration)",
)

# Contents outside the obligation (décret n° 2019-768, article 3: third-party
# contents neither funded nor developed by the council nor under its control).
DEFAULT_EXEMPT_CONTENTS = (
    "Les documents joints par les usagers à leurs demandes et à leurs messages (devis, délibérations, "
    "pièces justificatives…) : ce sont des contenus de tiers, ni produits ni contrôlés par l'éditeur du portail ; "
    "leur accessibilité dépend de leur auteur.",
)


class AccessibilityConfigurationError(RuntimeError):
    """The ACCESSIBILITY_* configuration cannot be published (the message is French)."""


@dataclass(frozen=True)
class Declaration:
    """What the déclaration d'accessibilité states, read from the configuration."""

    status: str
    declared_on: date | None
    updated_on: date | None
    audited_on: date | None
    auditor: str | None  # None: the audit was carried out internally
    rate: Decimal | None  # % of applicable RGAA criteria met
    average_rate: Decimal | None  # optional « taux moyen de conformité »
    report_url: str | None
    sampled_pages: tuple[str, ...]
    non_conformities: tuple[str, ...]
    derogations: tuple[str, ...]
    exempt_contents: tuple[str, ...]
    test_environment: tuple[str, ...]  # the audit's combinations (browser + assistive technology)
    tools: tuple[str, ...]  # the audit's tools
    schema_url: str | None
    action_plan_url: str | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def audited(self) -> bool:
        return self.audited_on is not None

    @property
    def technologies(self) -> tuple[str, ...]:
        return TECHNOLOGIES

    @property
    def automated_tools(self) -> tuple[str, ...]:
        return AUTOMATED_TOOLS

    @property
    def automated_environment(self) -> tuple[str, ...]:
        return AUTOMATED_ENVIRONMENT

    @property
    def referential(self) -> str:
        return REFERENTIAL


def status_label(status: str) -> str:
    """« non conforme », « partiellement conforme », « totalement conforme »."""
    try:
        return STATUS_LABELS[status]
    except KeyError:
        raise AccessibilityConfigurationError(_unknown_status(status)) from None


def footer_label(status: str) -> str:
    """The mention every page shows: « Accessibilité : non conforme »."""
    return f"Accessibilité : {status_label(status)}"


def format_rate(rate: Decimal) -> str:
    """« 87,5 % », « 100 % »."""
    whole = rate == rate.to_integral_value()
    text = format_number(int(rate)) if whole else f"{rate.normalize():f}".replace(".", ",")
    return f"{text}\u00a0%"


def format_long_date(value: date) -> str:
    """« 1er mars 2026 », « 15 septembre 2026 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def declaration(config: Mapping) -> Declaration:
    """The declaration the configuration states; raises
    AccessibilityConfigurationError when it is invalid or claims more than
    its audit supports."""
    status = config.get("ACCESSIBILITY_STATUS", NON_CONFORME)
    if status not in STATUS_LABELS:
        raise AccessibilityConfigurationError(_unknown_status(status))
    found = Declaration(
        status=status,
        declared_on=_date(config, "ACCESSIBILITY_DECLARATION_DATE"),
        updated_on=_date(config, "ACCESSIBILITY_UPDATE_DATE"),
        audited_on=_date(config, "ACCESSIBILITY_AUDIT_DATE"),
        auditor=_text(config, "ACCESSIBILITY_AUDITOR"),
        rate=_rate(config, "ACCESSIBILITY_CONFORMITY_RATE"),
        average_rate=_rate(config, "ACCESSIBILITY_AVERAGE_RATE"),
        report_url=_url(config, "ACCESSIBILITY_AUDIT_REPORT_URL"),
        sampled_pages=_texts(config, "ACCESSIBILITY_SAMPLED_PAGES", DEFAULT_SAMPLE),
        non_conformities=_texts(config, "ACCESSIBILITY_NON_CONFORMITIES", ()),
        derogations=_texts(config, "ACCESSIBILITY_DEROGATIONS", ()),
        exempt_contents=_texts(config, "ACCESSIBILITY_EXEMPT_CONTENTS", DEFAULT_EXEMPT_CONTENTS),
        test_environment=_texts(config, "ACCESSIBILITY_TEST_ENVIRONMENT", ()),
        tools=_texts(config, "ACCESSIBILITY_TOOLS", ()),
        schema_url=_url(config, "ACCESSIBILITY_SCHEMA_URL"),
        action_plan_url=_url(config, "ACCESSIBILITY_ACTION_PLAN_URL"),
    )
    _check_evidence(found)
    return found


def check_configuration(config: Mapping) -> None:
    """Refuse to start with a declaration that cannot be published."""
    declaration(config)


def _check_evidence(found: Declaration) -> None:
    claimed = f"FLASK_ACCESSIBILITY_STATUS = « {found.status} »"
    if (found.rate is None) != (found.audited_on is None):
        raise AccessibilityConfigurationError(
            "FLASK_ACCESSIBILITY_AUDIT_DATE et FLASK_ACCESSIBILITY_CONFORMITY_RATE vont ensemble : "
            "la date de l'audit et le taux de critères RGAA respectés qu'il a mesuré."
        )
    if found.status == NON_CONFORME:
        if found.rate is not None and found.rate >= PARTIAL_THRESHOLD:
            expected = TOTALEMENT_CONFORME if found.rate == 100 else PARTIELLEMENT_CONFORME
            raise AccessibilityConfigurationError(
                f"{claimed} alors que l'audit mesure {format_rate(found.rate)} de critères respectés : "
                f"l'état de conformité est « {expected} »."
            )
        return
    if not found.audited:
        raise AccessibilityConfigurationError(
            f"{claimed} exige un audit : renseignez FLASK_ACCESSIBILITY_AUDIT_DATE et "
            "FLASK_ACCESSIBILITY_CONFORMITY_RATE (sans audit, le portail est « non conforme »)."
        )
    if found.declared_on is None:
        raise AccessibilityConfigurationError(f"{claimed} exige la date de la déclaration (FLASK_ACCESSIBILITY_DECLARATION_DATE).")
    if found.status == TOTALEMENT_CONFORME and found.rate != 100:
        raise AccessibilityConfigurationError(
            f"{claimed} exige que l'audit mesure 100 % de critères respectés (il mesure {format_rate(found.rate)})."
        )
    if found.status == TOTALEMENT_CONFORME and found.non_conformities:
        raise AccessibilityConfigurationError(
            f"{claimed} alors que FLASK_ACCESSIBILITY_NON_CONFORMITIES liste des non-conformités."
        )
    if found.status == PARTIELLEMENT_CONFORME and not PARTIAL_THRESHOLD <= found.rate < 100:
        raise AccessibilityConfigurationError(
            f"{claimed} exige un taux de critères respectés d'au moins 50 % et de moins de 100 % "
            f"(l'audit mesure {format_rate(found.rate)})."
        )


def _unknown_status(status) -> str:
    known = ", ".join(f"« {value} »" for value in STATUS_LABELS)
    return f"FLASK_ACCESSIBILITY_STATUS : état de conformité inconnu « {status} » (valeurs possibles : {known})."


def _date(config: Mapping, key: str) -> date | None:
    value = config.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise AccessibilityConfigurationError(f"FLASK_{key} : date invalide « {value} » (format AAAA-MM-JJ).") from None


def _rate(config: Mapping, key: str) -> Decimal | None:
    value = config.get(key)
    if value in (None, ""):
        return None
    try:
        rate = Decimal(str(value).replace(",", ".").rstrip("% "))
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate <= 100 or isinstance(value, bool):
        raise AccessibilityConfigurationError(f"FLASK_{key} : pourcentage invalide « {value} » (un nombre de 0 à 100).")
    return rate


def _text(config: Mapping, key: str) -> str | None:
    value = config.get(key)
    return str(value).strip() or None if value is not None else None


def _url(config: Mapping, key: str) -> str | None:
    value = _text(config, key)
    if value is not None and not value.startswith(("https://", "http://", "/")):
        raise AccessibilityConfigurationError(f"FLASK_{key} : adresse invalide « {value} » (https://… ou /chemin).")
    return value


def _texts(config: Mapping, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = config.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise AccessibilityConfigurationError(f"FLASK_{key} : une liste de textes est attendue (JSON : [\"…\", \"…\"]).")
    return tuple(item.strip() for item in value if item.strip())
