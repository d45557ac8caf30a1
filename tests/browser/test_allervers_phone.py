"""Aller-vers' tally on a 360 px phone, as a volunteer in the street uses it: each choice is a
target a thumb can hit, inside the screen, and a person is counted in a few taps; the form
comes back empty with the count raised, and « Annuler le dernier » takes it back."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ALLERVERS, PHONE, OpenPage, Site

pytestmark = pytest.mark.browser

THUMB = 44  # px: WCAG 2.5.5's target size, the platforms' guidance


def _count(page) -> int:
    found = re.search(r"(\d+) personnes? comptées?", page.locator(".tally-count").inner_text())
    assert found, page.locator(".tally-count").inner_text()
    return int(found.group(1))


def test_a_person_is_counted_in_a_few_taps_and_taken_back(site: Site, open_page: OpenPage):
    page = open_page("volunteer", PHONE, touch=True)
    page.goto(site.url(f"{ALLERVERS}/actions/{site.ids['outreach_action']}/comptage"))
    before = _count(page)
    # The save button is on the screen as the page opens, at the thumb's reach, though the
    # questions are taller than the screen: no scrolling down to it for each person.
    save = page.get_by_role("button", name="Enregistrer et compter la suivante")
    assert page.evaluate("document.documentElement.scrollHeight") > page.viewport_size["height"]
    box = save.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box
    assert box["height"] >= THUMB

    labels = page.locator("ul.tap-choices label")
    assert labels.count() >= 12
    for index in range(labels.count()):
        box = labels.nth(index).bounding_box()
        assert box is not None and box["height"] >= THUMB and box["width"] >= THUMB, \
            f"{labels.nth(index).inner_text()}: {box}"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE

    # One tap per question: the labels are the targets (the inputs are drawn inside them).
    for fieldset, choice in (("Âge", "18–25 ans"), ("Genre", "Femme"), ("Situation", "Femme isolée"),
                             ("Demande", "Emploi")):
        group = page.locator("fieldset", has=page.locator("legend", has_text=fieldset))
        group.locator("label", has_text=re.compile(f"^{choice}$")).tap()
    with page.expect_navigation():
        save.tap()
    assert _count(page) == before + 1
    # Back as new: only the defaults (« Non dit », « Rien demandé ») are ticked.
    ticked = page.locator("ul.tap-choices input:checked")
    assert [ticked.nth(i).evaluate("i => i.labels[0].innerText") for i in range(ticked.count())] == \
        ["Non dit", "Rien demandé"], "the form did not come back as new"

    with page.expect_navigation():
        page.get_by_role("button", name="Annuler le dernier").tap()
    page.goto(site.url(f"{ALLERVERS}/actions/{site.ids['outreach_action']}/comptage"))
    assert _count(page) == before
