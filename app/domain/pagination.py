"""Offset pagination of a SQLAlchemy select, for lists of modest size
(structures, members). Large lists (demandes) use keyset pagination."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.extensions import db


@dataclass
class Page:
    items: list
    number: int
    pages: int
    total: int


def paginate(query: Select, page: int, per_page: int = 20) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, pages, total)
