"""A volunteer, in a real browser, on a phone and on a desktop: signs in, books a workshop,
cancels it; then the same booking with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from core.agenda.bookings import BookingStatus
from core.testing import TEST_PASSWORD
from tests.browser.conftest import DESKTOP, EMAILS, PHONE, WIDTHS, OpenPage, Site
from tests.browser.pages import assert_no_horizontal_scroll, booking_status, go_to_section, tab_to
from tests.support import upcoming_event

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
def test_login_leads_to_the_dashboard(site: Site, open_page: OpenPage, width: int):
    page = open_page(width=width)
    page.goto("/agenda/")
    expect(page).to_have_url(f"{site.base}/login?next=%2Fagenda%2F")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Adresse e-mail").fill(EMAILS["volunteer"])
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient")
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Back where they were going, signed in.
    expect(page).to_have_url(f"{site.base}/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(page.get_by_role("status")).to_have_text("Bonjour Victor !")
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_volunteer_books_a_workshop_then_cancels(site: Site, open_page: OpenPage, width: int):
    title = f"Atelier lettre de motivation {width}"
    event_id, bookable_id = upcoming_event(site.app, site.world.asso_a.id, capacity=6, title=title)
    page = open_page("volunteer", width)
    page.goto("/")
    go_to_section(page, "Agenda", width)
    card = page.locator("li.card", has_text=title)
    expect(card).to_contain_text("6 places libres")
    with page.expect_navigation():
        card.get_by_role("link", name=title).click()
    expect(page).to_have_url(f"{site.base}/agenda/{event_id}")
    assert_no_horizontal_scroll(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    expect(my_booking(page)).to_contain_text("Vous êtes inscrit·e.")
    expect(page.get_by_text("5 places libres sur 6")).to_be_visible()
    assert booking_status(site, bookable_id, site.world.volunteer_a.id) is BookingStatus.CONFIRMED
    page.get_by_role("link", name="← Agenda").click()
    page.get_by_role("link", name="Mes inscriptions").click()
    expect(page.locator("main")).to_contain_text(title)
    assert_no_horizontal_scroll(page)

    page.goto(f"/agenda/{event_id}")
    # The button asks for confirmation first (accepted by the page fixture).
    with page.expect_navigation():
        page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.get_by_text("Inscription annulée.")).to_be_visible()
    expect(page.get_by_role("button", name="Je m'inscris")).to_be_visible()
    assert booking_status(site, bookable_id, site.world.volunteer_a.id) is BookingStatus.CANCELLED


def my_booking(page: Page) -> Locator:
    return page.get_by_role("region", name="Mon inscription")


def _press(page: Page, key: str) -> None:
    """A key that leads to another page."""
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.mark.parametrize("width", WIDTHS)
def test_booking_with_the_keyboard_alone(site: Site, open_page: OpenPage, width: int):
    """Tab, Enter and Space only, from the login page to the booking and its cancellation;
    every element the focus meets shows it."""
    title = f"Atelier clavier {width}"
    event_id, bookable_id = upcoming_event(site.app, site.world.asso_a.id, capacity=4, title=title)
    page = open_page(width=width)
    page.goto("/login")
    tab_to(page, page.get_by_label("Adresse e-mail"))
    page.keyboard.type(EMAILS["volunteer"])
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(TEST_PASSWORD)
    _press(page, "Enter")
    expect(page).to_have_url(f"{site.base}/")

    agenda = page.locator("details.menu").get_by_role("link", name="Agenda", exact=True)
    if width == PHONE:  # the menu is folded: open it from the keyboard
        tab_to(page, page.get_by_text("Menu", exact=True))
        page.keyboard.press("Enter")
    tab_to(page, agenda)
    _press(page, "Enter")
    tab_to(page, page.get_by_role("link", name=title))
    _press(page, "Enter")
    expect(page).to_have_url(f"{site.base}/agenda/{event_id}")

    tab_to(page, page.get_by_role("button", name="Je m'inscris"))
    _press(page, "Space")
    expect(my_booking(page)).to_contain_text("Vous êtes inscrit·e.")
    assert booking_status(site, bookable_id, site.world.volunteer_a.id) is BookingStatus.CONFIRMED

    tab_to(page, page.get_by_role("button", name="Annuler mon inscription"))
    _press(page, "Enter")
    expect(page.get_by_text("Inscription annulée.")).to_be_visible()
    assert booking_status(site, bookable_id, site.world.volunteer_a.id) is BookingStatus.CANCELLED


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(open_page: OpenPage):
    page = open_page("volunteer", DESKTOP)
    page.goto("/agenda/")
    met = tab_to(page, page.get_by_role("link", name="Aller au contenu"), limit=1)
    assert met == ["a «Aller au contenu»"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
