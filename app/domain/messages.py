"""« Fils de discussion »: one thread per demande between the applicant side
(its author while attached, the structure's référents) and the council.

Posting is one operation per side — checked by the policy module, audited,
notified by email through the outbox, atomic. Emails never carry the
message nor its attachment (either may be private): only the reference
and a link. Messages are kept forever with the demande: there is no edit
and no delete.

Unread counts: a message is unread for an account when someone else wrote
it (the other side, or a colleague of the same side) after the last message
the account saw in that thread (``ThreadRead``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from app import policy
from app.domain import files
from app.domain.audit import record_event
from app.domain.base import DomainError, OperationContext, operation
from app.domain.demandes.notifications import notify_applicant_side, notify_council
from app.domain.links import external_url
from app.domain.pagination import Page
from app.extensions import db
from app.models import Demande, Message, Side, Thread, ThreadRead
from app.models.types import utcnow

MAX_LENGTH = 5000
ATTACHMENT_SLOT = "message"  # Attachment.slot of the files sent with a message
ANCHOR = "fil-de-discussion"  # the thread's id on the demande page
SHOWN_ON_DEMANDE_PAGE = 3  # the last messages a demande's page shows
CANNOT_WRITE = "Vous ne pouvez pas écrire dans le fil de discussion de cette demande."


def clean_body(body: str | None) -> str:
    """The text as kept: line breaks normalised to ``\\n``, surrounding blanks removed."""
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# Posting ------------------------------------------------------------------


def _insert_once(model, unique: list[str], **values) -> bool:
    """INSERT the row unless one with the same ``unique`` columns exists
    (made concurrently): ``ON CONFLICT DO NOTHING``, in the caller's
    transaction — no savepoint, which pysqlite would commit on its own.
    Whether the row was inserted (its id comes back: the rowcount of an
    ORM-enabled insert is not reliable on every driver)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=unique).returning(model.__table__.c.id)
    return db.session.execute(statement).scalar() is not None


class AlreadyPosted(DomainError):
    """The same « Nouveau message » form was sent again: its message exists."""


ALREADY_POSTED = "Déjà envoyé : ce message a déjà été enregistré une fois (il a sans doute été envoyé deux fois). Il n'est pas répété."


def _already_posted(thread: Thread | None, submission_key: str | None) -> bool:
    if thread is None or not submission_key:
        return False
    return db.session.scalar(
        select(Message.id).where(Message.thread_id == thread.id, Message.submission_key == submission_key)
    ) is not None


def _thread_for(demande: Demande) -> Thread:
    """The demande's thread, made with its first message (one per demande,
    even when two first messages race)."""
    thread = thread_of(demande)
    if thread is None:
        _insert_once(Thread, ["demande_id"], demande_id=demande.id, created_at=utcnow())
        thread = thread_of(demande)
    return thread


def _post(ctx: OperationContext, demande: Demande, body: str | None, upload: files.Upload | None, side: Side,
          submission_key: str | None = None) -> Message:
    """One message; ``submission_key`` (the form's) makes a repeat of the
    same form ``AlreadyPosted`` — also when the two arrive at once (the
    unique key decides), the loser's file then going with its rollback."""
    text = clean_body(body)
    if not text:
        raise DomainError("Saisissez votre message", field="message")
    if len(text) > MAX_LENGTH:
        raise DomainError("Votre message ne doit pas dépasser 5 000 caractères", field="message")
    submission_key = (submission_key or "").strip()[:43] or None
    if _already_posted(thread_of(demande), submission_key):
        raise AlreadyPosted(ALREADY_POSTED)
    file = None
    if upload is not None and upload.filename:
        file = files.attach(ctx, ATTACHMENT_SLOT, upload, field="piece_jointe")
        demande.attachments.append(file)  # a child row: the demande's version is not bumped
    thread = _thread_for(demande)
    if submission_key is None:
        message = Message(thread=thread, author_id=ctx.actor_id, side=side, body=text, attachment=file)
        db.session.add(message)
        db.session.flush()
    else:
        db.session.flush()  # the attachment's id
        inserted = _insert_once(
            Message, ["thread_id", "submission_key"], thread_id=thread.id, author_id=ctx.actor_id, side=side, body=text,
            attachment_id=file.id if file is not None else None, created_at=utcnow(), submission_key=submission_key,
        )
        if not inserted:
            raise AlreadyPosted(ALREADY_POSTED)
        message = db.session.scalar(select(Message).where(Message.thread_id == thread.id, Message.submission_key == submission_key))
    record_event(
        ctx,
        f"message.{side}",
        demande,
        structure=demande.structure,
        reference=demande.reference,
        message_id=message.id,
        attachment=file.original_name if file is not None else None,
    )
    return message


@operation
def post_message(ctx: OperationContext, demande: Demande, body: str, attachment: files.Upload | None = None,
                 submission_key: str | None = None) -> Message:
    """« Nouveau message » from the applicant side (the demande's author while
    attached, a référent of its structure), once the demande is transmitted;
    the council is told by email (``notify_council``). ``attachment``: the
    file sent with it, if any."""
    if not (policy.is_usager(ctx.actor) and policy.can_write_in_thread(ctx.actor, demande)):
        raise DomainError(CANNOT_WRITE)
    message = _post(ctx, demande, body, attachment, Side.APPLICANT, submission_key)
    notify_council(demande, f"Nouveau message sur la demande {demande.reference}", "nouveau_message", anchor=ANCHOR, from_council=False)
    return message


@operation
def post_as_agent(ctx: OperationContext, demande: Demande, body: str, attachment: files.Upload | None = None,
                  submission_key: str | None = None) -> Message:
    """A message from the council (an agent); the applicant side is told by
    email, each person once."""
    if not (policy.can_access_back_office(ctx.actor) and policy.can_write_in_thread(ctx.actor, demande)):
        raise DomainError(CANNOT_WRITE)
    message = _post(ctx, demande, body, attachment, Side.COUNCIL, submission_key)
    notify_applicant_side(
        demande,
        f"Nouveau message sur votre demande {demande.reference}",
        "nouveau_message",
        link=external_url("suivi.demande", demande_id=demande.id) + "#" + ANCHOR,
        from_council=True,
    )
    return message


# Reading ------------------------------------------------------------------


def thread_of(demande: Demande) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.demande_id == demande.id))


def messages_of(thread: Thread | None, last: int | None = None) -> list[Message]:
    """The thread's messages, oldest first (only the ``last`` ones if given),
    with their authors and attachments."""
    if thread is None:
        return []
    query = (
        select(Message)
        .where(Message.thread_id == thread.id)
        .options(joinedload(Message.author), joinedload(Message.attachment))
        .order_by(Message.id.desc())
    )
    if last is not None:
        query = query.limit(last)
    return list(reversed(db.session.scalars(query).all()))


def message_count(thread: Thread | None) -> int:
    if thread is None:
        return 0
    return db.session.scalar(select(func.count(Message.id)).where(Message.thread_id == thread.id))


def last_read_id(account, thread: Thread | None) -> int:
    """The id of the last message ``account`` saw in ``thread`` (0: none)."""
    if thread is None:
        return 0
    return db.session.scalar(
        select(ThreadRead.last_read_message_id).where(ThreadRead.thread_id == thread.id, ThreadRead.account_id == account.id)
    ) or 0


@operation
def mark_read(ctx: OperationContext, thread: Thread) -> None:
    """Every message of ``thread`` counts as seen by the actor (never moves
    backwards; two tabs at once make one row)."""
    account = ctx.actor
    newest = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    _insert_once(ThreadRead, ["thread_id", "account_id"], thread_id=thread.id, account_id=account.id, last_read_message_id=newest)
    db.session.execute(
        update(ThreadRead)
        .where(ThreadRead.thread_id == thread.id, ThreadRead.account_id == account.id, ThreadRead.last_read_message_id < newest)
        .values(last_read_message_id=newest)
    )


@dataclass(frozen=True)
class ThreadContents:
    """What a person sees of a demande's thread: whether it is open to them,
    its messages (all of them, or the last ones on the demande's page), how
    many there are, how many they have not read, and the last one they had
    seen before this page."""

    demande: Demande
    open: bool
    thread: Thread | None
    messages: list[Message]
    total: int
    unread: int
    last_read: int


def thread_contents(viewer, demande: Demande, *, full: bool, last_read: int | None = None) -> ThreadContents:
    """The thread as ``viewer`` sees it (``full``: every message; else the
    last ones). ``last_read``: what they had seen, when the page has just
    marked the thread read."""
    is_open = policy.can_write_in_thread(viewer, demande)
    thread = thread_of(demande) if is_open else None
    shown = messages_of(thread, last=None if full else SHOWN_ON_DEMANDE_PAGE)
    return ThreadContents(
        demande=demande,
        open=is_open,
        thread=thread,
        messages=shown,
        total=len(shown) if full else message_count(thread),
        unread=unread_count(viewer, demande) if thread is not None else 0,
        last_read=last_read_id(viewer, thread) if last_read is None else last_read,
    )


def read_whole_thread(ctx: OperationContext, demande: Demande) -> ThreadContents:
    """The thread's own page: every message, which are marked read for the
    actor (its contents say which were new)."""
    existing = thread_of(demande)
    last_read = last_read_id(ctx.actor, existing)
    if existing is not None:
        mark_read(ctx, existing)
    return thread_contents(ctx.actor, demande, full=True, last_read=last_read)


def _unread_messages(account):
    """Messages someone else wrote, newer than what ``account`` saw, in the
    threads of the demandes it may see (a select of Message joined to its
    thread and demande, to count or group)."""
    return (
        select()
        .select_from(Message)
        .join(Thread, Message.thread_id == Thread.id)
        .join(Demande, Thread.demande_id == Demande.id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id, ThreadRead.account_id == account.id))
        .where(
            Message.id > func.coalesce(ThreadRead.last_read_message_id, 0),
            or_(Message.author_id.is_(None), Message.author_id != account.id),
            policy.visible_demandes_clause(account),
        )
    )


def unread_count(account, demande: Demande | None = None) -> int:
    """Unread messages of ``account`` in one demande's thread, or in all the
    demandes it may see; one query."""
    if not account.is_authenticated:
        return 0
    query = _unread_messages(account).add_columns(func.count(Message.id))
    if demande is not None:
        query = query.where(Thread.demande_id == demande.id)
    return db.session.scalar(query) or 0


def unread_by_demande(account, demande_ids: list[int] | None = None) -> dict[int, int]:
    """{demande id: unread messages} over all the demandes ``account`` may
    see, or over ``demande_ids`` among them (a page of the back office's
    list); those with none are left out; one query."""
    if not account.is_authenticated or demande_ids == []:
        return {}
    query = _unread_messages(account).add_columns(Thread.demande_id, func.count(Message.id)).group_by(Thread.demande_id)
    if demande_ids is not None:
        query = query.where(Thread.demande_id.in_(demande_ids))
    return {demande_id: count for demande_id, count in db.session.execute(query)}


def unread_in_assigned(agent) -> int:
    """Messages ``agent`` has not seen in the threads of the demandes assigned to it; one query."""
    query = _unread_messages(agent).add_columns(func.count(Message.id)).where(Demande.assigned_agent_id == agent.id)
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    last_message_at: datetime
    messages: int
    unread: int

    @property
    def demande(self) -> Demande:
        return self.thread.demande


def threads_of(account, page: int = 1, per_page: int = 20) -> Page:
    """« Mes fils de discussion »: the threads of the demandes ``account`` may
    see, newest activity first, with their message and unread counts (a
    ``Page`` of ``ThreadSummary``); one query for the page, one to count."""
    stats = (
        select(
            Message.thread_id.label("thread_id"),
            func.max(Message.id).label("last_id"),
            func.max(Message.created_at).label("last_at"),
            func.count(Message.id).label("total"),
        )
        .group_by(Message.thread_id)
        .subquery()
    )
    unread_by_thread = (
        _unread_messages(account)
        .add_columns(Message.thread_id.label("thread_id"), func.count(Message.id).label("unread"))
        .group_by(Message.thread_id)
        .subquery()
    )
    base = (
        select(Thread)
        .join(Demande, Thread.demande_id == Demande.id)
        .join(stats, stats.c.thread_id == Thread.id)
        .where(policy.visible_demandes_clause(account))
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    rows = db.session.execute(
        base.outerjoin(unread_by_thread, unread_by_thread.c.thread_id == Thread.id)
        .add_columns(stats.c.last_at, stats.c.total, func.coalesce(unread_by_thread.c.unread, 0))
        .options(contains_eager(Thread.demande))
        .order_by(stats.c.last_id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    items = [ThreadSummary(thread, last_at, count, unread) for thread, last_at, count, unread in rows]
    return Page(items, number, pages, total)
