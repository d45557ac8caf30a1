"""The small-cell rule of funder reports, one for every plugin (DOMAIN.md: aggregates hide
small cells so that no person can be recognised).

A *breakdown cell* — the people of one exit outcome, one age band, one reason — counting 1
or 2 people is masked: its value is 0 and its unit says « masqué : moins de 3 ». A 0 is
reported as such (it describes nobody), and so is 3 or more. Totals (participants, hours)
say nothing about any one person and are reported exactly; but a breakdown whose cells may
be masked gets no total, or subtracting the shown cells from it would give the masked one.
"""

from __future__ import annotations

SMALL_CELL = 3  # a breakdown cell counting fewer people than this (but some) is masked
MASKED_UNIT = "masqué : moins de 3"


def masked_count(count: int, unit: str = "personnes") -> tuple[int, str]:
    """The value and unit to report for a breakdown cell of ``count`` people:
    ``(0, MASKED_UNIT)`` for 1 or 2, ``(count, unit)`` otherwise."""
    if 0 < count < SMALL_CELL:
        return 0, MASKED_UNIT
    return count, unit
