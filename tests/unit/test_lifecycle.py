"""The lifecycle table (``app.models.lifecycle``): what each status allows,
and every constant the code derives from it."""

import pytest

from app.models import Demande
from app.models.lifecycle import BACK_OFFICE_STATUSES, LIFECYCLE, OPEN_STATUSES, Action, DemandeStatus, EditableSteps, statuses_allowing

# Written out: the specification of DESIGN.md §3 (with « confier », the référent
# giving a detached author's demande to a member, while the structure still has it).
ALLOWED = {
    "brouillon": {"deposer", "retirer_document", "confier"},
    "deposee": {"transmettre", "renvoyer_a_l_auteur", "confier"},
    "transmise": {"attribuer", "instruire", "ecrire"},
    "en_instruction": {"attribuer", "demander_complements", "decider", "ecrire"},
    "complements_demandes": {"attribuer", "renvoyer_complements", "confier", "ecrire"},
    "acceptee": {"ecrire"},
    "refusee": {"ecrire"},
    "classee_sans_suite": {"ecrire"},
}
LABELS = {
    "brouillon": "Brouillon",
    "deposee": "Déposée",
    "transmise": "Transmise à la Région",
    "en_instruction": "En cours d'instruction",
    "complements_demandes": "Compléments demandés",
    "acceptee": "Acceptée",
    "refusee": "Refusée",
    "classee_sans_suite": "Classée sans suite",
}


def test_every_status_has_its_rules():
    assert list(LIFECYCLE) == list(DemandeStatus)


@pytest.mark.parametrize("status", list(DemandeStatus))
def test_what_each_status_allows(status):
    rules = status.rules
    assert {action.value for action in Action if rules.allows(action)} == ALLOWED[status.value]
    assert status.label == rules.label == LABELS[status.value]
    demande = Demande(status=status.value)
    assert demande.lifecycle is rules and demande.status_label == LABELS[status.value]
    assert all(demande.allows(action) == (action in ALLOWED[status.value]) for action in (a.value for a in Action))


def test_the_derived_constants():
    assert BACK_OFFICE_STATUSES == (
        "transmise", "en_instruction", "complements_demandes", "acceptee", "refusee", "classee_sans_suite",
    )
    assert OPEN_STATUSES == ("transmise", "en_instruction", "complements_demandes")
    assert statuses_allowing(Action.DECIDER) == ("en_instruction",)
    assert statuses_allowing("transmettre") == ("deposee",)
    assert statuses_allowing(Action.ECRIRE) == BACK_OFFICE_STATUSES


def test_editable_steps():
    assert {s.value for s in DemandeStatus if s.rules.editable is EditableSteps.ALL} == {"brouillon"}
    assert {s.value for s in DemandeStatus if s.rules.editable is EditableSteps.REOPENED} == {"complements_demandes"}
    draft = Demande(status="brouillon")
    assert draft.step_is_editable("preambule") and draft.step_is_editable("recapitulatif") and draft.has_editable_steps
    reopened = Demande(status="complements_demandes", reopened_steps=["dossier"])
    assert reopened.step_is_editable("dossier") and reopened.step_is_editable("recapitulatif")
    assert not reopened.step_is_editable("etablissement")
    transmitted = Demande(status="transmise")
    assert not transmitted.has_editable_steps and not transmitted.step_is_editable("dossier")


def test_status_tags():
    """One colour per stage, « transmise » in the default blue."""
    assert {s.value: s.rules.tag for s in DemandeStatus} == {
        "brouillon": "govuk-tag--grey",
        "deposee": "govuk-tag--teal",
        "transmise": "",
        "en_instruction": "govuk-tag--purple",
        "complements_demandes": "govuk-tag--orange",
        "acceptee": "govuk-tag--green",
        "refusee": "govuk-tag--red",
        "classee_sans_suite": "govuk-tag--grey",
    }


def test_an_unknown_action_is_an_error():
    with pytest.raises(ValueError):
        Demande(status="brouillon").allows("supprimer")
