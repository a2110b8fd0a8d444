"""Telling each side what happens to a demande. The applicant side: one
email to each person the policy names (``policy.applicant_side``: the
structure's référents and the author, among those who may still see the
demande). The council: one email to the agent assigned to the demande,
else to the council's address (``council_email``)."""

from flask import current_app

from app import policy
from app.domain.links import external_url
from app.domain.outbox import queue_mail
from app.models import Demande


def notify_applicant_side(demande: Demande, subject: str, template: str, *, link: str, **context) -> None:
    """Queue ``template`` for each person of the applicant side, with the
    demande, the person and a ``link`` to where they will see it."""
    for person in policy.applicant_side(demande):
        queue_mail(person.email, subject, template, demande=demande, person=person, link=link, **context)


def council_email() -> str:
    """Where the council is told of what happens on a demande no agent is
    assigned to: ``MESSAGES_COUNCIL_EMAIL``, else ``ASSISTANCE_EMAIL``."""
    return current_app.config.get("MESSAGES_COUNCIL_EMAIL") or current_app.config["ASSISTANCE_EMAIL"]


def notify_council(demande: Demande, subject: str, template: str, *, anchor: str = "", **context) -> None:
    """Queue ``template`` for the council: the demande's agent while it is an
    active agent, else the council's address; ``link`` goes to the demande's
    page in the back office (at ``anchor``), or the back office's home where
    the application has no back office."""
    agent = demande.assigned_agent
    recipient = agent.email if agent is not None and agent.is_active and agent.is_agent else council_email()
    if "instruction.demande" in current_app.view_functions:
        link = external_url("instruction.demande", demande_id=demande.id) + (f"#{anchor}" if anchor else "")
    else:
        link = external_url("instruction.home")
    queue_mail(recipient, subject, template, demande=demande, person=None, link=link, **context)
