"""Telling the applicant side what happens to its demande: one email to each
person the policy names (``policy.applicant_side``: the structure's
référents and the author, among those who may still see the demande)."""

from app import policy
from app.domain.outbox import queue_mail
from app.models import Demande


def notify_applicant_side(demande: Demande, subject: str, template: str, *, link: str, **context) -> None:
    """Queue ``template`` for each person of the applicant side, with the
    demande, the person and a ``link`` to where they will see it."""
    for person in policy.applicant_side(demande):
        queue_mail(person.email, subject, template, demande=demande, person=person, link=link, **context)
