"""The wizard's pages: one per step, except « Bénéficiaire », which has two
as in the council's guide: the question « Êtes-vous le bénéficiaire de
l'aide ? » with the beneficiary's famille, then (answer « Non ») the
beneficiary's information with the API Entreprise look-up."""

from app.wizard.steps import STEP_SLUGS, STEPS_BY_SLUG
from app.wizard.validation import (
    BENEFICIAIRE_CHOICE_FIELDS,
    BENEFICIAIRE_ETRANGER_FIELDS,
    BENEFICIAIRE_FRANCE_FIELDS,
    EST_BENEFICIAIRE_FIELD,
    step_fields,
)

DETAILS = "beneficiaire-details"
PAGES = [*STEP_SLUGS[:4], DETAILS, *STEP_SLUGS[4:]]


def step_of(page: str) -> str:
    """The step whose answers a page edits."""
    return "beneficiaire" if page == DETAILS else page


def is_page(page: str) -> bool:
    return page in PAGES


def page_fields(definition, page: str, answers: dict):
    if page == "beneficiaire":
        return (EST_BENEFICIAIRE_FIELD, *(BENEFICIAIRE_CHOICE_FIELDS if answers.get("est_beneficiaire") == "non" else ()))
    if page == DETAILS:
        return BENEFICIAIRE_ETRANGER_FIELDS if answers.get("domicile") == "etranger" else BENEFICIAIRE_FRANCE_FIELDS
    return step_fields(definition, page, answers)


def _skips_details(answers_by_step: dict) -> bool:
    return (answers_by_step.get("beneficiaire") or {}).get("est_beneficiaire") != "non"


def next_page(page: str, answers_by_step: dict) -> str | None:
    index = PAGES.index(page) + 1
    if index < len(PAGES) and PAGES[index] == DETAILS and _skips_details(answers_by_step):
        index += 1
    return PAGES[index] if index < len(PAGES) else None


def previous_page(page: str, answers_by_step: dict) -> str | None:
    index = PAGES.index(page) - 1
    if index >= 0 and PAGES[index] == DETAILS and _skips_details(answers_by_step):
        index -= 1
    return PAGES[index] if index >= 0 else None


def step_for_page(page: str):
    return STEPS_BY_SLUG[step_of(page)]
