"""What each step asks and finds wrong, and each step's state.

``step_errors`` gives ``{input name: French message}`` for a step's
answers; ``step_state`` says « complété », « à compléter » (something
required is missing) or « à corriger » (a value is wrong, or a criterion
was answered « Non »)."""

import enum

from app.teleservices.schema import Field
from app.wizard import checks
from app.wizard.steps import (
    BENEFICIAIRE_CHOICE_FIELDS,
    BENEFICIAIRE_ETRANGER_FIELDS,
    BENEFICIAIRE_FRANCE_FIELDS,
    ETABLISSEMENT_FIELDS,
    OUI_NON,
    STEPS,
)

PREAMBULE_FIELD = Field("lu", "checkboxes", "J'ai pris connaissance du préambule", required=True, choices=(("oui", "J'ai pris connaissance du préambule"),))
VERIFIE_FIELD = Field(
    "verifie", "checkboxes", "J'ai vérifié les informations de mon établissement", required=True,
    choices=(("oui", "J'ai vérifié les informations de mon établissement"),),
)
EST_BENEFICIAIRE_FIELD = Field("est_beneficiaire", "select", "Êtes-vous le bénéficiaire de l'aide ?", required=True, choices=OUI_NON)
CERTIFIE_FIELD = Field(
    "certifie", "checkboxes", "Je certifie sur l'honneur l'exactitude des informations", required=True,
    choices=(("oui", "Je certifie sur l'honneur l'exactitude des informations"),),
)


class StepState(enum.StrEnum):
    COMPLETE = "complete"
    TODO = "todo"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {"complete": "complété", "todo": "à compléter", "error": "à corriger"}[self.value]


def criteria_fields(definition) -> tuple[Field, ...]:
    return tuple(Field(c.code, "select", c.question, required=True, choices=OUI_NON, aide=c.aide) for c in definition.criteres)


def beneficiary_fields(answers: dict) -> tuple[Field, ...]:
    """What « Bénéficiaire » asks, given what was answered so far."""
    fields = [EST_BENEFICIAIRE_FIELD]
    if answers.get("est_beneficiaire") == "non":
        fields.extend(BENEFICIAIRE_CHOICE_FIELDS)
        if answers.get("domicile") == "etranger":
            fields.extend(BENEFICIAIRE_ETRANGER_FIELDS)
        elif answers.get("domicile") == "france":
            fields.extend(BENEFICIAIRE_FRANCE_FIELDS)
    return tuple(fields)


def step_fields(definition, slug: str, answers: dict) -> tuple[Field, ...]:
    """The fields of a step (documents and the budget are handled apart)."""
    if slug == "preambule":
        return (PREAMBULE_FIELD,)
    if slug == "criteres":
        return criteria_fields(definition)
    if slug == "etablissement":
        return (*ETABLISSEMENT_FIELDS, VERIFIE_FIELD)
    if slug == "beneficiaire":
        return beneficiary_fields(answers)
    if slug == "dossier":
        return definition.dossier
    return (CERTIFIE_FIELD,)


def failed_criteria(definition, answers: dict):
    """The criteria answered « Non »: each stops the demande."""
    return [c for c in definition.criteres if answers.get(c.code) == "non"]


def step_errors(demande, slug: str, answers: dict | None = None) -> dict[str, str]:
    definition = demande.definition
    answers = demande.step_answers(slug) if answers is None else answers
    fields = step_fields(definition, slug, answers)
    _, errors = checks.check_fields(fields, answers)
    if slug == "criteres":
        for critere in failed_criteria(definition, answers):
            errors[critere.code] = critere.refus
    if slug == "dossier":
        for field in fields:
            if field.type == "budget":
                errors.update(checks.budget_errors(field, answers.get(field.code)))
        present = {attachment.slot for attachment in demande.attachments}
        for document in definition.documents:
            if document.required and document.code not in present:
                errors[f"document-{document.code}"] = f"Joignez le document « {document.label} »"
    return errors


def step_state(demande, slug: str) -> StepState:
    if slug == "recapitulatif":
        others = [step_state(demande, step.slug) for step in STEPS if step.slug != "recapitulatif"]
        return StepState.COMPLETE if all(s is StepState.COMPLETE for s in others) else StepState.TODO
    answers = demande.step_answers(slug)
    errors = step_errors(demande, slug, answers)
    if not errors:
        return StepState.COMPLETE if answers or slug == "dossier" and not demande.definition.dossier else StepState.TODO
    if slug == "criteres" and failed_criteria(demande.definition, answers):
        return StepState.ERROR
    wrong = [name for name in errors if not checks.is_blank(answers.get(name)) and not name.startswith("document-")]
    return StepState.ERROR if wrong else StepState.TODO


def states(demande) -> dict[str, StepState]:
    return {step.slug: step_state(demande, step.slug) for step in STEPS}
