"""What the wizard proposes and what it points out, page by page: the
values offered before anything was typed, the beneficiary's fields filled
from an organisation record, and which errors a page shows after
« Suivant »."""

from app.domain import values
from app.domain.organisations import PREFILL_FIELDS, prefill_from
from app.domain.wizard.pages import page_fields, step_of
from app.domain.wizard.steps import BENEFICIAIRE_FRANCE_FIELDS
from app.domain.wizard.validation import step_errors

# The beneficiary's fields an organisation record can fill.
BENEFICIARY_PREFILLED = tuple(f.code for f in BENEFICIAIRE_FRANCE_FIELDS if f.code in PREFILL_FIELDS)
# Answers that are not typed in a field, never shown as one: questions the
# page did not show yet are not errors.
UNTYPED_FIELD_TYPES = ("checkboxes", "budget")


def proposed_answers(demande, step: str, answers: dict) -> dict:
    """``answers``, or what the wizard proposes when nothing was typed yet:
    the author's contact on « Votre établissement », and the dossier's
    fields whose definition names a prefill (the author's name, email)."""
    if answers:
        return answers
    author = demande.author
    if step == "etablissement" and demande.structure is not None:
        return {
            "contact_email": author.email if author else demande.structure.email,
            "contact_telephone": demande.structure.telephone or "",
        }
    if step == "dossier" and author is not None:
        proposals = {"author_name": author.display_name, "author_email": author.email}
        return {f.code: proposals[f.prefill] for f in demande.definition.dossier if f.prefill}
    return answers


def _as_form_value(value) -> str:
    """A record value as a form field shows it (ISO dates as 15/09/2026)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        parsed, error = values.date_value(value)
        if not error:
            return values.format_date(parsed)
    return str(value)


def beneficiary_from_record(answers: dict, outcome) -> dict:
    """The beneficiary's answers filled from the organisation look-up the
    person chose (« Utiliser ces informations »); ``lookup_key`` remembers
    which record it was, for the snapshot kept when the demande is filed."""
    filled = dict(answers)
    prefill = prefill_from(outcome.record)
    for name in BENEFICIARY_PREFILLED:
        if prefill.get(name):
            filled[name] = _as_form_value(prefill[name])
    filled["lookup_key"] = outcome.choice_value
    return filled


def errors_to_show(demande, page: str, answers: dict, shown: set[str]) -> tuple[dict[str, str], list[str]]:
    """After « Suivant »: the errors of the page's own fields (every error on
    « Votre dossier », documents and budget lines included), and the
    questions the page had not shown yet — a field appears when an answer
    asks for it (« Non » → the beneficiary's famille): it is no error, the
    page shows it now. ``shown``: the questions the page showed (it says so
    in ``affiche``, as an unanswered radio group sends nothing)."""
    fields = page_fields(demande.definition, page, answers)
    step = step_of(page)
    unseen = [f.code for f in fields if f.code not in shown and f.type not in UNTYPED_FIELD_TYPES]
    codes = {f.code for f in fields}
    errors = {
        name: message
        for name, message in step_errors(demande, step, answers).items()
        if (name in codes or step == "dossier") and name not in unseen
    }
    return errors, unseen
