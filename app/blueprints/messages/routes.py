"""Routes of the fils de discussion, and the thread pages both sides share.

The demande page (``suivi.demande`` for the applicant side,
``instruction.demande`` for agents) includes ``messages/_thread.html``: the
last messages, the unread count, a link to the whole thread and the
« Nouveau message » form. The thread's own page shows every message and
marks them read for the viewer. The form posts to the viewer's side (here
for applicants, the instruction blueprint for agents, both through
``show_thread`` and ``post_from_form``): without JavaScript a 303 back to
the page it came from; with htmx the thread is re-rendered in place (422
with the errors), focus on the new message or the error summary.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import attachments
from app.blueprints.demande_access import demande_or_404
from app.blueprints.messages import bp
from app.blueprints.messages.forms import MessageForm
from app.domain import messages
from app.domain.base import DomainError
from app.models import Demande, Message, Side, Thread
from app.policy import can_use_espace_personnel, can_write_in_thread, is_usager, permission_required
from app.web import form_errors_to_fields, is_htmx, operation_context

SHOWN_ON_DEMANDE_PAGE = 3  # the last messages the demande page shows


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
    return APPLICANT if is_usager(account) else COUNCIL


@dataclass
class ThreadView:
    """What the thread partial shows, for the current account."""

    demande: Demande
    open: bool
    thread: Thread | None
    messages: list[Message]
    total: int
    unread: int
    last_read: int
    form: MessageForm
    full: bool  # the thread's own page (every message) or the demande page (the last ones)
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


@bp.app_template_global("thread_view")
def thread_view(demande, full=False, form=None, last_read=None, **options) -> ThreadView:
    """The thread partial's data for ``demande`` (the demande page calls it
    with the demande alone)."""
    is_open = can_write_in_thread(current_user, demande)
    thread = messages.thread_of(demande) if is_open else None
    shown = messages.messages_of(thread, last=None if full else SHOWN_ON_DEMANDE_PAGE)
    total = len(shown) if full else messages.message_count(thread)
    return ThreadView(
        demande=demande,
        open=is_open,
        thread=thread,
        messages=shown,
        total=total,
        unread=messages.unread_count(current_user, demande) if thread is not None else 0,
        last_read=messages.last_read_id(current_user, thread) if last_read is None else last_read,
        form=form or MessageForm(formdata=None),
        full=full,
        **options,
    )


@bp.app_template_global("unread_count")
def unread_count(demande=None) -> int:
    """Unread messages of the current account, in one demande's thread or
    in all; computed once per request (one query), so a list of demandes
    asks for it row by row at no cost."""
    if not current_user.is_authenticated:
        return 0
    cache = request.environ.setdefault("portail.unread_by_demande", {})
    if current_user.id not in cache:
        cache[current_user.id] = messages.unread_by_demande(current_user)
    counts = cache[current_user.id]
    return counts.get(demande.id, 0) if demande is not None else sum(counts.values())


def _open_thread_or_404(demande_id: int) -> Demande:
    """The demande, if the current account may see it and its thread is open."""
    demande = demande_or_404(demande_id)
    if not can_write_in_thread(current_user, demande):
        abort(404)
    return demande


@bp.route("/fils-de-discussion")
@permission_required(can_use_espace_personnel)
def mine():
    """« Mes fils de discussion »: newest activity first, with unread counts."""
    page = messages.threads_of(current_user, request.args.get("page", 1, type=int))
    return render_template("messages/list.html", page=page, page_url=lambda n: url_for("messages.mine", page=n))


@bp.route("/demandes/<int:demande_id>/fil-de-discussion")
@permission_required(can_use_espace_personnel)
def thread(demande_id):
    return show_thread(_open_thread_or_404(demande_id))


@bp.route("/demandes/<int:demande_id>/messages", methods=["POST"])
@permission_required(can_use_espace_personnel)
def post(demande_id):
    return post_from_form(demande_or_404(demande_id))


def show_thread(demande: Demande):
    """Every message of the demande's thread, and the form; viewing it marks
    the messages read (the « Nouveau » tags show what was unread)."""
    existing = messages.thread_of(demande)
    last_read = messages.last_read_id(current_user, existing)
    if existing is not None:
        messages.mark_read(current_user, existing)
    view = thread_view(demande, full=True, last_read=last_read, summary_in_partial=False)
    return render_template("messages/thread.html", demande=demande, view=view, form=view.form)


def post_from_form(demande: Demande):
    """« Nouveau message » for the current account's side, with an optional
    attachment (checked by content, like the wizard's files; a refused one
    keeps the typed message). 403 while the thread is closed; the caller
    answered 404 for a demande the account may not see."""
    if not can_write_in_thread(current_user, demande):
        abort(403)
    side = side_of(current_user)
    form = MessageForm()
    full = form.depuis.data == "fil"
    valid = form.validate_on_submit()
    upload = form.piece_jointe.data
    check = None
    if upload is not None and upload.filename:
        check = attachments.check_upload(upload, current_app.config["ATTACHMENT_MAX_BYTES"])
        if not check.ok:
            form.piece_jointe.errors = [check.error]
            check = None
    if valid and not form.piece_jointe.errors:
        directory = attachments.attachments_directory(current_app)
        sent = None
        if check is not None:
            sent = (upload.filename, attachments.store(upload, directory), check.content_type)
        try:
            message = side.post(operation_context(), demande, form.message.data, sent)
        except BaseException as error:  # rolled back: forget the stored file too
            if sent is not None:
                attachments.delete_stored(directory, sent[1].stored_name)
            if not isinstance(error, DomainError):
                raise
            form_errors_to_fields(form, error)
        else:
            return _posted(demande, message, full, side)
    if is_htmx():
        return render_template("messages/fragment.html", demande=demande, view=thread_view(demande, full=full, form=form)), 422
    view = thread_view(demande, full=True, form=form, summary_in_partial=False)
    return render_template("messages/thread.html", demande=demande, view=view, form=form), 422


def _posted(demande: Demande, message: Message, full: bool, side: ThreadSide):
    informed = "Le demandeur en est informé" if side.council else f"{current_app.config['REGION_NAME']} en est informée"
    if is_htmx():
        view = thread_view(demande, full=full, focus_id=message.id)
        return render_template("messages/fragment.html", demande=demande, view=view, live_status="Votre message est envoyé.")
    flash(f"Votre message est envoyé. {informed} par courriel.", "success")
    if full:
        return redirect(url_for(side.thread_endpoint, demande_id=demande.id, _anchor=f"message-{message.id}"), 303)
    return redirect(url_for(side.demande_endpoint, demande_id=demande.id, _anchor=messages.ANCHOR), 303)
