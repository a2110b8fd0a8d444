"""The lifecycle of a demande, as data: its statuses and, for each, what it
allows. The one home of these rules (DESIGN.md §3): the domain refuses an
action its status does not allow, the policy reads which statuses the
council sees, the back office lists them, and templates ask
``demande.allows("instruire")``; every status constant of the code is
derived from the table below, never written again.

Who may take an action is the policy's question (``app.policy``); whether
the status allows it at all is this table's. Moving a demande from one
status to another is a domain operation (``app.domain.demandes``).
"""

import enum
from dataclasses import dataclass


class DemandeStatus(enum.StrEnum):
    BROUILLON = "brouillon"
    DEPOSEE = "deposee"
    TRANSMISE = "transmise"
    EN_INSTRUCTION = "en_instruction"
    COMPLEMENTS_DEMANDES = "complements_demandes"
    ACCEPTEE = "acceptee"
    REFUSEE = "refusee"
    CLASSEE_SANS_SUITE = "classee_sans_suite"

    @property
    def rules(self) -> "StatusRules":
        return LIFECYCLE[self]

    @property
    def label(self) -> str:
        return self.rules.label


class Action(enum.StrEnum):
    """What can be done to a demande. The values are what templates name
    (``demande.allows("instruire")``)."""

    DEPOSER = "deposer"  # « Déposer ma demande » (the author, from the récapitulatif)
    RETIRER_DOCUMENT = "retirer_document"  # take back a file attached to « Votre dossier »
    TRANSMETTRE = "transmettre"  # « Transmettre à la Région », after the structure's CA
    RENVOYER_A_L_AUTEUR = "renvoyer_a_l_auteur"  # the référent sends it back to its author
    CONFIER = "confier"  # the référent gives a detached author's demande to a member, while the applicant side still works on it
    ATTRIBUER = "attribuer"  # an agent takes it, or gives it to another: still to process
    INSTRUIRE = "instruire"  # « Passer en instruction »
    DEMANDER_COMPLEMENTS = "demander_complements"
    RENVOYER_COMPLEMENTS = "renvoyer_complements"  # the author sends the compléments back
    DECIDER = "decider"  # « Accepter », « Refuser », « Classer sans suite »
    ECRIRE = "ecrire"  # the fil de discussion between the applicant side and the council


# The wizard's last step, from which a demande is filed or its compléments sent back.
RECAPITULATIF = "recapitulatif"


class EditableSteps(enum.Enum):
    """Which steps of the wizard the author may still change."""

    ALL = "all"
    REOPENED = "reopened"  # those the council reopened, and the récapitulatif to send them back
    NONE = "none"


@dataclass(frozen=True)
class StatusRules:
    """What one status means. ``back_office``: the demande has been
    transmitted to the Région, so the council sees it (its list, its pages)."""

    label: str
    tag: str  # the GOV.UK tag modifier it is shown with ("" is the default blue)
    actions: frozenset[Action]
    back_office: bool
    editable: EditableSteps = EditableSteps.NONE

    def allows(self, action: Action | str) -> bool:
        return Action(action) in self.actions


def _rules(label: str, tag: str, *actions: Action, back_office: bool, editable=EditableSteps.NONE) -> StatusRules:
    return StatusRules(label, tag, frozenset(actions), back_office, editable)


A = Action
LIFECYCLE: dict[DemandeStatus, StatusRules] = {
    DemandeStatus.BROUILLON: _rules(
        "Brouillon", "govuk-tag--grey", A.DEPOSER, A.RETIRER_DOCUMENT, A.CONFIER, back_office=False, editable=EditableSteps.ALL
    ),
    DemandeStatus.DEPOSEE: _rules("Déposée", "govuk-tag--teal", A.TRANSMETTRE, A.RENVOYER_A_L_AUTEUR, A.CONFIER, back_office=False),
    DemandeStatus.TRANSMISE: _rules("Transmise à la Région", "", A.ATTRIBUER, A.INSTRUIRE, A.ECRIRE, back_office=True),
    DemandeStatus.EN_INSTRUCTION: _rules(
        "En cours d'instruction", "govuk-tag--purple", A.ATTRIBUER, A.DEMANDER_COMPLEMENTS, A.DECIDER, A.ECRIRE, back_office=True
    ),
    DemandeStatus.COMPLEMENTS_DEMANDES: _rules(
        "Compléments demandés", "govuk-tag--orange", A.ATTRIBUER, A.RENVOYER_COMPLEMENTS, A.CONFIER, A.ECRIRE,
        back_office=True, editable=EditableSteps.REOPENED,
    ),
    DemandeStatus.ACCEPTEE: _rules("Acceptée", "govuk-tag--green", A.ECRIRE, back_office=True),
    DemandeStatus.REFUSEE: _rules("Refusée", "govuk-tag--red", A.ECRIRE, back_office=True),
    DemandeStatus.CLASSEE_SANS_SUITE: _rules("Classée sans suite", "govuk-tag--grey", A.ECRIRE, back_office=True),
}
del A


# The statuses a demande can only be in once an action has been taken: a new
# request for it (a second click, a second tab, the back button) is a repeat,
# answered « déjà fait » with the demande's page, never the action again.
_AFTER_TRANSMISSION = tuple(status for status, rules in LIFECYCLE.items() if rules.back_office)
_DECIDED = (DemandeStatus.ACCEPTEE, DemandeStatus.REFUSEE, DemandeStatus.CLASSEE_SANS_SUITE)
DONE_IN: dict[Action, frozenset[DemandeStatus]] = {
    Action.TRANSMETTRE: frozenset(_AFTER_TRANSMISSION),
    Action.INSTRUIRE: frozenset(set(_AFTER_TRANSMISSION) - {DemandeStatus.TRANSMISE}),
    Action.DECIDER: frozenset(_DECIDED),
}


def statuses_allowing(action: Action | str) -> tuple[DemandeStatus, ...]:
    """The statuses in which ``action`` can be taken, in lifecycle order."""
    return tuple(status for status, rules in LIFECYCLE.items() if rules.allows(action))


# Derived, never restated: what the rest of the code names.
# The statuses the council sees (its list, its dashboard, its pages).
BACK_OFFICE_STATUSES = tuple(status for status, rules in LIFECYCLE.items() if rules.back_office)
# Still to process by the council: an agent may take the demande (« en attente » on the dashboard).
OPEN_STATUSES = statuses_allowing(Action.ATTRIBUER)
