"""The structured values plugins return from their hooks (never raw HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm

from core.members.roles import Role


@dataclass(frozen=True)
class AssociationRef:
    """The association a hook is called for (plugins never see core models)."""

    id: int
    slug: str
    name: str
    short_name: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    first_name: str
    last_name: str


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation and the dashboard's shortcuts. ``endpoint`` is the
    plugin's own view. The host shows it to users holding ``minimum_role`` (or more) in an
    association that enabled the plugin; the default, ``"supported"``, means anyone who
    belongs to one (the behaviour before the field existed)."""

    label: str
    endpoint: str
    icon: str = ""
    weight: int = 100
    values: dict[str, Any] = field(default_factory=dict)
    minimum_role: str = Role.SUPPORTED

    def __post_init__(self) -> None:
        _check_role(self, self.label, self.minimum_role)


def _check_role(contribution: object, label: str, role: str | None) -> None:
    # A typo would hide the contribution from everyone, silently: refuse it in the hook.
    if role is not None and role not in set(Role):
        raise ValueError(f"{type(contribution).__name__} {label!r}: unknown minimum_role "
                         f"{role!r} (one of {', '.join(Role)})")


@dataclass(frozen=True)
class Section:
    """A block on a page (dashboard widget, person or association section).

    ``template`` is one of the plugin's templates (``<plugin>/...html``), rendered
    with ``context`` and always escaped; the core frames it with ``title`` and orders by
    ``weight``. With ``minimum_role``, only users holding that role (or more) in the
    association the hook was called for see it; without, whoever sees the page does.
    """

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    weight: int = 100
    minimum_role: str | None = None

    def __post_init__(self) -> None:
        _check_role(self, self.title, self.minimum_role)


@dataclass(frozen=True)
class AgendaItem:
    """Something that happens at a time, shown in the shared agenda and calendar feeds.

    ``visibility`` says who sees it: ``"association"`` (members of the association the hook
    was called for), ``"people"`` (only the people in ``person_ids``, and the association's
    coordinators) or ``"public"`` (also the association's public feed). Titles and
    descriptions go into calendar feeds: never put a supported person's name in them.
    ``uid`` identifies the item across feed refreshes (say ``"session-42"``); the core
    prefixes it with the plugin's name.
    """

    title: str
    start: datetime
    end: datetime
    url: str = ""
    kind: str = "other"
    location: str = ""
    uid: str = ""
    description: str = ""
    visibility: str = "association"
    person_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PluginSettings:
    """A per-association settings form and the values used until someone saves it."""

    form: type[FlaskForm]
    defaults: dict[str, Any]


@dataclass(frozen=True)
class PermissionDecl:
    """A permission the plugin checks, and the least role that holds it by default."""

    name: str
    label: str
    minimum_role: str = "coordinator"


@dataclass(frozen=True)
class PersonalData:
    """What a plugin holds about one person: a title and JSON-ready records.

    Each record names the association it belongs to under ``association_id`` (an int):
    the core keeps a record only when that association is in the requester's scope, and a
    record without one only in the collective admin's full export, so that a plugin which
    forgets to filter still cannot hand one association's data to another.
    """

    title: str
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class Indicator:
    """A count for funder reports; ``value`` is a number, never a list of people."""

    key: str
    label: str
    value: int | float
    unit: str = ""
    period_start: date | None = None
    period_end: date | None = None
