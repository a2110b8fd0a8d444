"""The local mail viewer: read the outbox when no SMTP server is configured."""

import re

from flask import abort, render_template
from markupsafe import Markup, escape

from app.blueprints.dev import bp
from app.domain import outbox

URL_RE = re.compile(r"https?://[^\s<>\"]+")


def linkify(text: str) -> Markup:
    """Escape a plain-text email and make its links clickable."""
    escaped = str(escape(text))
    return Markup(URL_RE.sub(lambda m: f'<a class="govuk-link" href="{m.group(0)}">{m.group(0)}</a>', escaped))


@bp.route("/courriels")
def mails():
    return render_template("dev/mails.html", mails=outbox.recent_mails())


@bp.route("/courriels/<int:mail_id>")
def mail(mail_id):
    outgoing = outbox.mail_by_id(mail_id) or abort(404)
    return render_template("dev/mail.html", mail=outgoing, body=linkify(outgoing.body_text))
