"""The records the review's rows of the permission matrix need (tests/matrix_sites.py): in each
association, a call on a site of its own, opening lot R1 with two criteria, and an
application wishing R1. Bêta's are written as the plugin would have, before Bêta turned it
off."""

from __future__ import annotations

from typing import Any

from core.database import session
from tests.conftest import World
from tests.sites_review_world import add_application, make_call


def records_review(world: World) -> dict[str, int]:
    ids: dict[str, int] = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        made = make_call(session, association.id, lots=("R1",), title="Appel à projets")
        application = add_application(session, made, "Recyclerie", ("R1",))
        ids |= {f"review_call_{suffix}": made.call, f"application_{suffix}": application,
                f"review_criterion_{suffix}": made.criteria[0],
                f"review_criterion2_{suffix}": made.criteria[1],
                f"choice_{suffix}": made.choices["Recyclerie", "R1"], f"review_lot_{suffix}": made.lots["R1"]}
    return ids


def named_after(name: str, value: str) -> Any:
    """A form of one field named after a record's id (``score_{review_criterion_a}``): the matrix's
    ``Case.data`` takes it as a function of the world."""
    return lambda w: {name.format_map(w.sites): value}
