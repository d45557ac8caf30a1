"""Small helpers shared by the core's views."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for
from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.database import Base, session
from core.web.forms import add_error
from core.web.params import page_arg
from core.web.text import fold, phone_digits

M = TypeVar("M", bound=Base)

PAGE_SIZE = 50


def get_or_404(model: type[M], ident: Any) -> M:
    found = session.get(model, ident)
    if found is None:
        abort(404)
    return found


def see_other(endpoint: str, **values: Any) -> Response:
    """Redirect after a successful POST so that reloading does not resend it."""
    return redirect(url_for(endpoint, **values), code=303)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute address for emails and calendar feeds, on BASE_URL when it is set: they
    are read from elsewhere than the browser tab that asked for them."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if base:
        return f"{base}{url_for(endpoint, **values)}"
    return url_for(endpoint, **values, _external=True)


def search_term() -> str:
    return request.args.get("q", "", type=str).strip()[:100]


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere in a folded search key (escape "\\")."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_PHONE_TERM = re.compile(r"^\+?[0-9 .\-()]+$")


def phone_digits_sql(column: ColumnElement[str]) -> ColumnElement[str]:
    """phone_digits() of a stored number, in SQL that SQLite and PostgreSQL both run."""
    bare = column
    for separator in (" ", ".", "-", "(", ")"):
        bare = func.replace(bare, separator, "")
    return case(
        (bare.like("+33%"), literal("0") + func.ltrim(func.substr(bare, 4), "0")),
        (bare.like("0033%"), literal("0") + func.ltrim(func.substr(bare, 5), "0")),
        else_=func.replace(bare, "+", ""),
    )


def phone_search(column: ColumnElement[str], term: str) -> ColumnElement[bool] | None:
    """Whether ``column`` holds the number typed (or part of it), however either is written:
    "06 12 34 56 78", "0612345678" and "+33 6 12 34 56 78" find each other. None when
    ``term`` is not a phone number."""
    digits = phone_digits(term)
    if len(digits) < 4 or not _PHONE_TERM.match(term):
        return None
    return phone_digits_sql(column).like(f"%{digits}%")


class Page:
    """One page of a list: its rows, and what the pager needs.

    ``count=False`` skips counting the whole list (one row more is read to know whether a
    next page exists): on a long time-ordered list the count costs more than the page.
    """

    def __init__(self, query: Select[Any], *, size: int = PAGE_SIZE, count: bool = True) -> None:
        self.number = page_arg()
        self.size = size
        offset = (self.number - 1) * size
        self.total: int | None = None
        if count:
            self.total = session.scalar(
                select(func.count()).select_from(query.order_by(None).subquery())) or 0
            self.items = list(session.scalars(query.limit(size).offset(offset)).unique())
            self.has_next = self.number < self.pages
        else:
            rows = list(session.scalars(query.limit(size + 1).offset(offset)).unique())
            self.items, self.has_next = rows[:size], len(rows) > size

    @property
    def pages(self) -> int:
        if self.total is None:
            return self.number + 1 if self.has_next else self.number
        return max((self.total + self.size - 1) // self.size, 1)

    def url_for_page(self, number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def commit_or_conflict(field: Any, message: str) -> bool:
    """Commit; if a unique constraint fired (a race the pre-check missed), say so on ``field``."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        add_error(field, message)
        return False
    return True
