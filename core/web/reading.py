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

# Ids no route is given, standing for those to put in (an int converter writes them so).
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


def id_urls(endpoint: str, *keys: str, **values: Any) -> Callable[..., str]:
    """``url_for(endpoint, **values, <keys>=ids)`` for many rows, the URL built once:
    ``{% set event_url = id_urls('agenda.event_detail', 'event_id') %}`` then
    ``event_url(e.id)`` on each row; with two keys, ``edit_url(s.pathway_id, s.id)``."""
    marks = {key: str(_ID_MARK - index) for index, key in enumerate(keys)}
    url = url_for(endpoint, **values, **{key: int(mark) for key, mark in marks.items()})
    template = url.replace("{", "{{").replace("}", "}}")
    for index, mark in enumerate(marks.values()):
        if template.count(mark) != 1:
            raise ValueError(f"{endpoint}: {keys[index]} does not show once in {url}")
        template = template.replace(mark, f"{{{index}}}")

    def build(*ids: int) -> str:
        return template.format(*[int(value) for value in ids])
    return build
