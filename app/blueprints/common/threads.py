"""The fils de discussion as both sides see them.

The demande page (``suivi.demande`` for the applicant side,
``instruction.demande`` for agents) shows ``partials/thread.html``: the last
messages, the unread count, a link to the whole thread and the « Nouveau
message » form. The thread's own page shows every message and marks them
read for the viewer. The form posts to the viewer's side (the messages area
for applicants, the instruction area for agents, both through
``show_thread`` and ``post_from_form``): without JavaScript a 303 back to
the page it came from; with htmx the thread is re-rendered in place (422
with the errors), focus on the new message or the error summary.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from app import policy
from app.blueprints.common.responses import is_htmx, operation_context, show_error
from app.blueprints.common.validators import AcceptedFile, Required
from app.domain import messages
from app.domain.base import DomainError
from app.domain.messages import ThreadContents
from app.models import Demande, Message, Side


class MessageForm(FlaskForm):
    """« Nouveau message ». ``depuis`` says which page the form was sent
    from (the demande's page, or the thread's), to go back to it."""

    message = TextAreaField(
        "Votre message",
        filters=[messages.clean_body],
        validators=[
            Required("Saisissez votre message"),
            Length(max=messages.MAX_LENGTH, message="Votre message ne doit pas dépasser 5 000 caractères"),
        ],
    )
    piece_jointe = FileField("Pièce jointe (facultatif)", validators=[AcceptedFile()])
    depuis = HiddenField(default="demande")
    # A fresh random key for each form shown, sent back with it: the same form
    # sent twice makes one message (``messages.AlreadyPosted``).
    envoi = HiddenField(default=lambda: secrets.token_urlsafe(32))


@dataclass(frozen=True)
class ThreadSide:
    """Where one side of the thread reads and writes: its pages (endpoints
    taking ``demande_id``) and the domain operation that posts for it."""

    council: bool
    demande_endpoint: str
    thread_endpoint: str
    post_endpoint: str
    document_endpoint: str  # takes ``attachment_id`` too
    post: Callable


APPLICANT = ThreadSide(False, "suivi.demande", "messages.thread", "messages.post", "suivi.document", messages.post_message)
COUNCIL = ThreadSide(
    True, "instruction.demande", "instruction.thread", "instruction.post_message", "instruction.document", messages.post_as_agent
)


def side_of(account) -> ThreadSide:
    return APPLICANT if policy.is_usager(account) else COUNCIL


@dataclass(frozen=True)
class ThreadView(ThreadContents):
    """What the thread partial shows: the thread's contents for the current
    account, with the form and how the page shows them."""

    form: MessageForm | None = None
    full: bool = False  # the thread's own page (every message) or the demande page (the last ones)
    summary_in_partial: bool = True  # the error summary inside the thread (htmx, demande page)
    focus_id: int | None = None  # the message just sent (htmx focuses it)

    @property
    def side(self) -> ThreadSide:
        return side_of(current_user)

    @property
    def depuis(self) -> str:
        return "fil" if self.full else "demande"

    @property
    def hidden(self) -> int:
        """Messages not shown (older ones, on the demande page)."""
        return self.total - len(self.messages)

    def is_new(self, message: Message) -> bool:
        return message.id > self.last_read and message.author_id != current_user.id

    def author_label(self, message: Message) -> str:
        """« Vous » for one's own messages. Applicants see the council as
        « La Région »; agents see who wrote, and for which side."""
        if message.author_id == current_user.id:
            return "Vous"
        region = current_app.config["REGION_NAME"]
        if message.side == Side.COUNCIL and not self.side.council:
            return region
        name = message.author.display_name if message.author is not None else "Compte supprimé"
        if not self.side.council:
            return name
        if message.side == Side.COUNCIL:
            return f"{name} ({region})"
        return f"{name} (demandeur)"


def thread_view(demande: Demande, contents: ThreadContents | None = None, *, full: bool = False, form=None, **options) -> ThreadView:
    """The thread partial's data for ``demande`` as the current account sees it."""
    contents = contents or messages.thread_contents(current_user, demande, full=full)
    data = {f.name: getattr(contents, f.name) for f in fields(ThreadContents)}
    return ThreadView(**data, form=form or MessageForm(formdata=None), full=full, **options)


def show_thread(demande: Demande):
    """Every message of the demande's thread, and the form; viewing it marks
    the messages read (the « Nouveau » tags show what was unread). 404 while
    the thread is not open to the account."""
    if not policy.can_write_in_thread(current_user, demande):
        abort(404)
    contents = messages.read_whole_thread(operation_context(), demande)
    view = thread_view(demande, contents, full=True, summary_in_partial=False)
    return render_template("messages/thread.html", demande=demande, view=view, form=view.form)


def post_from_form(demande: Demande):
    """« Nouveau message » for the current account's side, with an optional
    attachment (checked by content, like the wizard's files; a refused one
    keeps the typed message). 403 while the thread is closed; the caller
    answered 404 for a demande the account may not see."""
    if not policy.can_write_in_thread(current_user, demande):
        abort(403)
    side = side_of(current_user)
    form = MessageForm()
    full = form.depuis.data == "fil"
    if form.validate_on_submit():
        try:
            message = side.post(operation_context(), demande, form.message.data, form.piece_jointe.data, form.envoi.data)
        except messages.AlreadyPosted as repeat:
            return _already_posted(demande, repeat.message, full, side)
        except DomainError as error:
            show_error(form, error)
        else:
            return _posted(demande, message, full, side)
    if is_htmx():
        return render_template("partials/thread_fragment.html", demande=demande, view=thread_view(demande, full=full, form=form)), 422
    view = thread_view(demande, full=True, form=form, summary_in_partial=False)
    return render_template("messages/thread.html", demande=demande, view=view, form=form), 422


def _already_posted(demande: Demande, text: str, full: bool, side: ThreadSide):
    """The same form sent again: the thread as it is, saying so (nothing sent twice)."""
    if is_htmx():
        return render_template("partials/thread_fragment.html", demande=demande, view=thread_view(demande, full=full), live_status=text)
    flash(text, "info")
    endpoint = side.thread_endpoint if full else side.demande_endpoint
    return redirect(url_for(endpoint, demande_id=demande.id, _anchor=None if full else messages.ANCHOR), 303)


def _posted(demande: Demande, message: Message, full: bool, side: ThreadSide):
    informed = "Le demandeur en est informé" if side.council else f"{current_app.config['REGION_NAME']} en est informée"
    if is_htmx():
        view = thread_view(demande, full=full, focus_id=message.id)
        return render_template("partials/thread_fragment.html", demande=demande, view=view, live_status="Votre message est envoyé.")
    flash(f"Votre message est envoyé. {informed} par courriel.", "success")
    if full:
        return redirect(url_for(side.thread_endpoint, demande_id=demande.id, _anchor=f"message-{message.id}"), 303)
    return redirect(url_for(side.demande_endpoint, demande_id=demande.id, _anchor=messages.ANCHOR), 303)
