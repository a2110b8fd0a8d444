"""What each step finds wrong, and each step's state.

``step_errors`` gives ``{input name: French message}`` for a step's
answers; ``step_state`` says « complété », « à compléter » (something
required is missing) or « à corriger » (a value is wrong, or a criterion
was answered « Non »)."""

import enum

from app.domain import values
from app.domain.wizard.fields import budget_errors, check_fields
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import STEPS, step_fields
from app.models.lifecycle import RECAPITULATIF


class StepState(enum.StrEnum):
    COMPLETE = "complete"
    TODO = "todo"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {"complete": "complété", "todo": "à compléter", "error": "à corriger"}[self.value]


def failed_criteria(definition, answers: dict):
    """The criteria answered « Non »: each stops the demande."""
    return [c for c in definition.criteres if answers.get(c.code) == "non"]


def document_field(code: str) -> str:
    """The input name of a document of « Votre dossier »."""
    return f"document-{code}"


def step_errors(demande, slug: str, answers: dict | None = None) -> dict[str, str]:
    definition = demande.definition
    answers = stored_answers(demande, slug) if answers is None else answers
    fields = step_fields(definition, slug, answers)
    _, errors = check_fields(fields, answers)
    if slug == "criteres":
        for critere in failed_criteria(definition, answers):
            errors[critere.code] = critere.refus
    if slug == "dossier":
        for field in fields:
            if field.type == "budget":
                errors.update(budget_errors(field, answers.get(field.code)))
        present = {attachment.slot for attachment in demande.attachments}
        for document in definition.documents:
            if document.required and document.code not in present:
                errors[document_field(document.code)] = f"Joignez le document « {document.label} »"
    return errors


def step_state(demande, slug: str) -> StepState:
    if slug == RECAPITULATIF:  # complete once every other step is, and the certification ticked
        others = [step_state(demande, step.slug) for step in STEPS if step.slug != RECAPITULATIF]
        done = all(s is StepState.COMPLETE for s in others) and is_certified(demande)
        return StepState.COMPLETE if done else StepState.TODO
    answers = stored_answers(demande, slug)
    errors = step_errors(demande, slug, answers)
    if not errors:
        return StepState.COMPLETE if answers or slug == "dossier" and not demande.definition.dossier else StepState.TODO
    if slug == "criteres" and failed_criteria(demande.definition, answers):
        return StepState.ERROR
    wrong = [name for name in errors if not values.is_blank(answers.get(name)) and not name.startswith("document-")]
    return StepState.ERROR if wrong else StepState.TODO


def states(demande) -> dict[str, StepState]:
    return {step.slug: step_state(demande, step.slug) for step in STEPS}


INCOMPLETE = "La demande est incomplète : complétez les étapes signalées avant de la déposer."
NOT_CERTIFIED = "Cochez la case « Je certifie sur l'honneur l'exactitude des informations » pour déposer votre demande"


def is_certified(demande) -> bool:
    return stored_answers(demande, RECAPITULATIF).get("certifie") == ["oui"]


def filing_problems(demande) -> dict[str, str]:
    """Why the demande cannot be filed yet, every reason at once: a step
    before the récapitulatif is not complete, the certification is not ticked."""
    problems = {}
    if any(state is not StepState.COMPLETE for slug, state in states(demande).items() if slug != RECAPITULATIF):
        problems["_incomplet"] = INCOMPLETE
    if not is_certified(demande):
        problems["certifie"] = NOT_CERTIFIED
    return problems
