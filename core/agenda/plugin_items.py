"""What plugins put in the agenda, filtered for whoever is looking.

The core does the filtering, not each plugin, so that an item marked for some people
never reaches anyone else, and only public items reach a public feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.pluginhost.contributions import AgendaItem, AssociationRef
from core.pluginhost.host import get_host
from core.pluginhost.state import plugins_enabled_in


@dataclass(frozen=True)
class Viewer:
    """Who the items are for: ``None`` ids in ``manages`` means every association."""

    person_id: int | None
    manages: frozenset[int] | None = frozenset()
    member_of: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PluginItem:
    plugin: str
    association: AssociationRef
    item: AgendaItem

    @property
    def uid(self) -> str:
        own = self.item.uid or f"{self.item.start.isoformat()}-{self.item.title}"
        return f"{self.plugin}-{self.association.id}-{own}"


def _visible(item: AgendaItem, association_id: int, viewer: Viewer | None) -> bool:
    if item.visibility == "public":
        return True
    if viewer is None:  # a public feed
        return False
    manages = viewer.manages is None or association_id in viewer.manages
    if item.visibility == "people":
        return manages or viewer.person_id in item.person_ids
    return manages or association_id in viewer.member_of


def plugin_items(associations: list[AssociationRef], start: datetime, end: datetime, *,
                 viewer: Viewer | None) -> list[PluginItem]:
    """Items of the plugins each association enabled, between start and end, that
    ``viewer`` may see (``None``: public items only)."""
    host = get_host()
    if not host.has_plugins or not associations:
        return []
    enabled = plugins_enabled_in([a.id for a in associations])
    found: list[PluginItem] = []
    for association in associations:
        plugins = enabled.get(association.id)
        if not plugins:
            continue
        for plugin, items in host.call_plugins(plugins, "agenda_items", association=association,
                                               start=start, end=end):
            for item in items or []:
                if (isinstance(item, AgendaItem) and item.end > start and item.start < end
                        and _visible(item, association.id, viewer)):
                    found.append(PluginItem(plugin, association, item))
    found.sort(key=lambda p: (p.item.start, p.item.title))
    return found
