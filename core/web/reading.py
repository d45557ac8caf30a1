"""What read-only pages use to stay fast with hundreds of rows (CONTRIBUTING.md, « Fast
pages »): rows read straight into light objects, and links built once per page.

An ORM object costs some ten times what its columns do to build (identity map, state,
relationships loaded beside it), and Werkzeug's URL building some 8 µs per link: a week of
the agenda shows 357 cards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import url_for
from sqlalchemy.orm import Bundle

T = TypeVar("T")

# An id no route is given, standing for the one to put in (any int converter writes it so).
_ID_MARK = 2_147_483_647


class _Built(Bundle[T]):
    def __init__(self, build: Callable[..., T], *columns: Any) -> None:
        super().__init__("row", *columns)
        self.build = build

    def create_row_processor(self, query: Any, procs: Sequence[Callable[[Any], Any]],
                             labels: Sequence[str]) -> Callable[[Any], T]:
        build = self.build

        def row(values: Any) -> T:
            return build(*[proc(values) for proc in procs])
        return row


def columns_as(build: Callable[..., T], *columns: Any) -> Bundle[T]:
    """Columns read as ``build(*values)`` (a frozen dataclass, say), in a select:
    ``session.scalars(select(columns_as(Line, A.id, B.name)).join(...))`` gives Lines."""
    return _Built(build, *columns)


def id_urls(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """``url_for(endpoint, **values, <key>=id)`` for many ids, the URL built once:
    ``{% set event_url = id_urls('agenda.event_detail', 'event_id') %}`` then
    ``event_url(e.id)`` on each row."""
    url = url_for(endpoint, **values, **{key: _ID_MARK})
    before, mark, after = url.partition(str(_ID_MARK))
    if not mark or str(_ID_MARK) in after:
        raise ValueError(f"{endpoint}: {key} does not show once in {url}")

    def build(value: int) -> str:
        return f"{before}{int(value)}{after}"
    return build
