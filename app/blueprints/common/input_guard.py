"""What no form of the portal accepts, refused before any route reads it.

- NUL bytes, Unicode non-characters and lone surrogates in a field or in the
  query string: nobody types them, PostgreSQL refuses them in text and JSON
  (a 500 on the login form before this), SQLite stores them silently. The
  request gets a French page (422) naming the field; with htmx the page
  script shows it above the form, and everything typed stays there.
- Ids in URLs (``<int:…>``) longer than a database row id can be: they match
  no route (404), instead of overflowing SQLite or PostgreSQL.
"""

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from app.domain.values import MAX_ROW_NUMBER
from app.domain.wizard.shapes import UNREADABLE

MESSAGE = (
    "Le champ « {name} » contient un caractère qui ne peut pas être enregistré (caractère nul ou "
    "caractère Unicode non valide). Retirez-le, puis envoyez à nouveau le formulaire."
)


class RowIdConverter(IntegerConverter):
    """``<int:…>`` for row ids: ASCII digits of a number a row id can be
    (``values.MAX_ROW_NUMBER``, the SQL INTEGER's largest); a larger one
    matches no route (404) instead of « integer out of range » on PostgreSQL."""

    regex = rf"[0-9]{{1,{len(str(MAX_ROW_NUMBER))}}}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_NUMBER)
        super().__init__(map, *args, **kwargs)


def unreadable_field() -> str | None:
    """The name of the first field (form or query string) holding a
    character no field accepts, if any."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            name, value = name or "", value or ""  # a multipart part whose name werkzeug cannot read comes as None
            if UNREADABLE.search(name) or UNREADABLE.search(value):
                return UNREADABLE.sub("", name)[:100] or "?"
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter

    @app.before_request
    def refuse_unreadable_characters():
        from app.blueprints.common.errors import render_error

        name = unreadable_field()
        if name is not None:
            return render_error(422, MESSAGE.format(name=name), title="Caractère non autorisé")
        return None
