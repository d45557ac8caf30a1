"""What the browser tests ask a page: its layout, its focus, its bookings."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page
from sqlalchemy import select

from core.agenda.bookings import Booking, BookingStatus
from core.database import session
from tests.browser.conftest import PHONE, Site

# The focused element, and whether a person sees where the focus is: a visible outline (or a
# box shadow) drawn by the :focus-visible rule, not the browser's default removed by a reset.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 60),
    visible: el.matches(':focus-visible') && (outlined || style.boxShadow !== 'none'),
  };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(_FOCUS)


def tab_to(page: Page, target: Locator, limit: int = 80) -> list[str]:
    """Press Tab until ``target`` has the focus; every element met on the way must show its
    focus. Returns the elements met, for the failure message."""
    met: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None, f"the focus left the page after {met}"
        met.append(f"{now['tag']} «{now['text']}»")
        assert now["visible"], f"no visible focus on {met[-1]} (after {met[:-1]})"
        if target.evaluate("element => element === document.activeElement"):
            return met
    raise AssertionError(f"{target} never got the focus in {limit} Tabs: {met}")


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (
        f"{page.url} scrolls sideways at {width[1]} px: the page is {width[0]} px wide; widest: "
        + page.evaluate("""() => [...document.querySelectorAll('body *')]
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(-3).map(el => el.outerHTML.slice(0, 120)).join(' | ')""")
    )


def go_to_section(page: Page, name: str, width: int) -> None:
    """Follow a link of the main menu, opening it first on a phone (where it is folded)."""
    menu = page.locator("details.menu")
    if width == PHONE:
        assert not menu.evaluate("element => element.open"), "the menu should be folded on a phone"
        page.get_by_text("Menu", exact=True).click()
    with page.expect_navigation():
        menu.get_by_role("link", name=name, exact=True).click()


def booking_status(site: Site, bookable_id: int, person_id: int) -> BookingStatus | None:
    with site.app.app_context():
        return session.scalar(select(Booking.status).where(
            Booking.bookable_id == bookable_id, Booking.person_id == person_id))
