"""Charts (core.plugin_api.bar_chart) in Chromium: on a 360 px phone the page does not scroll
sideways, the text stays legible, the axis labels of 60 bars do not overlap, axe finds
nothing serious, and the table of values opens with the keyboard."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from core.web.charts import FONT, Series, bar_chart, text_width
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PH, PHONE, OpenPage, Site
from tests.browser.pages import assert_no_horizontal_scroll, focused, tab_to

pytestmark = pytest.mark.browser

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")

# Each label under the bars: its box on screen, its drawn width in viewBox units, its text, and
# the size its text is drawn at, in CSS pixels.
_LABELS = """figure => {
  const svg = figure.querySelector('svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.querySelector('tspan')).map(t => {
    const box = t.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(t).fontSize);
    return {left: box.left, right: box.right, units: t.getBBox().width,
            lines: [...t.querySelectorAll('tspan')].map(s => s.textContent), size, px: size * scale,
            inside: box.left >= svg.getBoundingClientRect().left - 0.5
                    && box.right <= svg.getBoundingClientRect().right + 0.5};
  });
}"""


def _show(site: Site, page: Page, markup: str) -> None:
    """The chart in the site's layout and stylesheet, in place of the page's content."""
    page.goto("/login")
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }", markup)


def _sixty_months(site: Site) -> str:
    labels = [f"{month} {year}" for year in range(2021, 2026) for month in MONTHS]
    ppde = [round(8 + (i % 7) * 1.35, 2) for i in range(60)]
    others = [round((i % 5) * 0.85, 2) for i in range(60)]
    with site.app.test_request_context("/"):
        return str(bar_chart("Équivalents temps plein par mois", labels,
                             [Series("PPDE", ppde), Series("Non-PPDE", others)], unit="ETP",
                             stacked=True, category="Mois"))


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_sixty_stacked_months_stay_legible_and_apart(site: Site, open_page: OpenPage, width: int):
    page = open_page(None, width)
    _show(site, page, _sixty_months(site))
    assert_no_horizontal_scroll(page)
    labels = page.locator("figure.chart").evaluate(_LABELS)
    assert 5 <= len(labels) < 60
    for before, after in itertools.pairwise(labels):
        assert before["right"] < after["left"], f"{before['lines']} overlaps {after['lines']}"
    assert all(label["inside"] for label in labels)
    # The server's estimate of each width holds for the font the browser drew with.
    for label in labels:
        assert label["units"] <= max(text_width(line, label["size"])
                                     for line in label["lines"]) + 0.5, label
    sizes = {round(label["px"], 1) for label in labels}
    assert len(sizes) == 1
    [size] = sizes
    assert 11 <= size <= 17, f"axis labels drawn at {size} px at {width} px wide"
    assert_accessible(page)


def test_the_text_is_never_larger_in_units_than_on_a_phone(site: Site, open_page: OpenPage):
    """Wider screens bring the text down (maillage.css): never more crowded than on a phone."""
    units = []
    for width in (PHONE, 500, DESKTOP):
        page = open_page(None, width)
        _show(site, page, _sixty_months(site))
        units.append(page.locator(".chart__text").evaluate(
            "g => parseFloat(getComputedStyle(g).fontSize)"))
    assert units[0] == FONT and units == sorted(units, reverse=True)


def test_the_pathway_chart_on_a_phone_opens_its_table_with_the_keyboard(site: Site,
                                                                         open_page: OpenPage):
    page = open_page("coordinator", PHONE)
    page.goto(site.url(f"{PH}/parcours/{{pathway}}"))
    figure = page.locator("figure.chart")
    expect(figure).to_contain_text("Heures prévues et travaillées par mois")
    expect(figure.get_by_role("img")).to_have_accessible_name("Heures prévues et travaillées par mois")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    table = figure.get_by_role("table")
    expect(table).to_be_hidden()
    summary = figure.get_by_text("Voir les données du graphique")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader")).to_have_text(["Mois", "Prévues (h)", "Travaillées (h)"])
    expect(table.get_by_role("row")).not_to_have_count(1)
    assert focused(page)["visible"]
    assert_no_horizontal_scroll(page)
    assert_accessible(page)  # open, the table too
    page.keyboard.press("Enter")
    expect(table).to_be_hidden()
