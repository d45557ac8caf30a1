"""Territoire zéro chômeur on a 360 px phone: the folded tables read cleanly (their hidden
header draws over nothing), and the charts keep their table alternative."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, TZ, OpenPage, Site

pytestmark = pytest.mark.browser

# For each folded table: is the first cell of its first row the element drawn at its centre?
_FIRST_CELLS_ON_TOP = """() => [...document.querySelectorAll('table.responsive')].map(table => {
  const cell = table.querySelector('tbody tr > *');
  if (!cell) return true;
  cell.scrollIntoView({block: 'center'});
  const box = cell.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 40), box.top + box.height / 2);
  return hit !== null && cell.contains(hit);
})"""


@pytest.mark.parametrize("path", ["etp", "salaries/", "registre/", "activites/", "cde/taux"])
def test_the_hidden_header_of_a_folded_table_covers_no_row(site: Site, open_page: OpenPage, path: str):
    page = open_page("coordinator", PHONE)
    page.goto(site.url(f"{TZ}/{path}"))
    assert page.locator("table.responsive").count(), "no folded table on the page"
    assert all(page.evaluate(_FIRST_CELLS_ON_TOP)), "a table's header is drawn over its first row"


def test_the_charts_of_the_territory_keep_their_tables(site: Site, open_page: OpenPage):
    page = open_page("coordinator", PHONE)
    for path, charts in (("exhaustivite", 2), ("etp", 1)):
        page.goto(site.url(f"{TZ}/{path}"))
        assert page.locator("figure.chart").count() == charts, path
        drawn = page.locator("figure.chart:not(.chart--empty)")
        assert drawn.count() >= 1, path
        for index in range(drawn.count()):  # every drawing has its table, a phone's width wide
            figure = drawn.nth(index)
            assert figure.locator("svg[role='img']").count() == 1
            assert figure.locator("details table").count() == 1
            assert figure.bounding_box()["width"] <= PHONE, path
