"""The wizard's pages: one per step, except « Bénéficiaire », which has two
as in the council's guide: the question « Êtes-vous le bénéficiaire de
l'aide ? » with the beneficiary's famille, then (answer « Non ») the
beneficiary's information with the API Entreprise look-up."""

from app.domain.wizard.steps import (
    RECAPITULATIF,
    STEP_SLUGS,
    beneficiary_detail_fields,
    beneficiary_question_fields,
    is_other_beneficiary,
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
        return beneficiary_question_fields(answers)
    if page == DETAILS:
        return beneficiary_detail_fields(answers)
    return step_fields(definition, page, answers)


def resume_page(demande) -> str:
    """Where « Continuer » takes the author: the first step the council
    reopened (compléments demandés); the récapitulatif of a demande sent back
    (it has a reference); the beginning of a new draft."""
    if demande.reopened_steps and demande.allows("renvoyer_complements"):
        return demande.reopened_steps[0]
    return RECAPITULATIF if demande.reference else STEP_SLUGS[0]


def _skips_details(answers_by_step: dict) -> bool:
    return not is_other_beneficiary(answers_by_step.get("beneficiaire") or {})


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
