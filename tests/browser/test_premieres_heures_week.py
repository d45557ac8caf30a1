"""A coordinator's Premières Heures week, in a real browser on a phone and on a desktop: from
the menu to the week at the host structure, attendance noted, the person's hours updated;
no page scrolls sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from core.agenda.clock import paris_today
from core.database import session
from plugins.premieres_heures.models import WorkSession
from tests.browser.conftest import WIDTHS, OpenPage, Site
from tests.browser.pages import assert_no_horizontal_scroll, go_to_section
from tests.support import committed

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
def test_a_coordinator_follows_the_week_and_notes_attendance(site: Site, open_page: OpenPage,
                                                             width: int):
    # Each width notes the same session: start from nothing noted.
    committed(site.app, lambda: session.execute(update(WorkSession).values(attendance=None)))
    page = open_page("coordinator", width)
    page.goto("/")
    go_to_section(page, "Premières Heures", width)
    page.get_by_role("link", name="Association Alpha").click()
    page.get_by_role("link", name="Planning de la semaine").click()
    this_monday = paris_today() - timedelta(days=paris_today().weekday())
    if site.ph_monday < this_monday:  # a Monday: the sessions are last week's
        page.get_by_role("link", name="← Semaine précédente").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning — semaine du")
    assert_no_horizontal_scroll(page)
    hosts = page.get_by_role("region", name="Structures d'accueil")
    expect(hosts.get_by_role("row")).to_have_count(2)  # the header and Mission Locale Test
    expect(hosts).to_contain_text("10 h")
    people = page.get_by_role("region", name="Personnes")
    expect(people.get_by_role("row", name=re.compile("Samir Suivi"))).to_contain_text("6 h")
    expect(people.get_by_role("row", name=re.compile("Rachida Parcours"))).to_contain_text("4 h")

    page.get_by_role("link", name="Mission Locale Test").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mission Locale Test — semaine du")
    assert_no_horizontal_scroll(page)
    # Monday morning's session has started whatever today is: it can be noted.
    monday_label = re.compile(r"^Présence de Samir Suivi, lundi .* à 09:00$")
    page.get_by_label(monday_label).select_option(label="Présent·e")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status").first).to_have_text("Présences enregistrées.")
    expect(page.get_by_label(monday_label)).to_have_value("present")

    page.get_by_role("link", name="Samir Suivi").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samir Suivi — semaine du")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Heures prévues6 h")
    expect(facts).to_contain_text("Heures travaillées2 h")
    assert_no_horizontal_scroll(page)
