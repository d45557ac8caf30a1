"""A plugin written against the export contract before ``associations`` was passed: its
hook takes only ``person`` and returns every record it holds, some naming their association
(as the generator's plugins always did), some naming none. It must keep loading, and the
core must keep from a coordinator what is another association's or cannot be placed."""

from typing import Any

from core.plugin_api import PersonalData, PersonRef, hookimpl

TITLE = "Ancien contrat"
# What the plugin "stores", by person id: the test fills it (no table needed).
RECORDS: dict[int, list[dict[str, Any]]] = {}


@hookimpl
def export_person_data(person: PersonRef) -> PersonalData | None:
    records = RECORDS.get(person.id)
    return PersonalData(title=TITLE, records=records) if records else None


@hookimpl
def erase_person_data(person: PersonRef) -> int:
    return len(RECORDS.pop(person.id, []))
