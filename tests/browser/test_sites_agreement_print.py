"""The printable agreement in Chromium: on screen, the « Imprimer » button (shown by the
plugin's script, the CSP allowing no inline code); printed, no menu, no button, black on
white, on A4."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, SITES, OpenPage, Site

pytestmark = pytest.mark.browser


def test_printed_the_agreement_has_no_menu_nor_buttons_and_is_black_on_white(site: Site, open_page: OpenPage):
    page = open_page("coordinator", DESKTOP)
    answer = page.goto(site.url(f"{SITES}/conventions/{{agreement}}/imprimer"))
    assert answer is not None and answer.status == 200
    button = page.get_by_role("button", name="Imprimer", exact=True)
    assert button.is_visible()  # the script ran
    assert page.locator(".site-header").is_visible()

    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".back-link", "button", ".agreement-tools"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.get_by_role("heading", name="Convention d'occupation temporaire et précaire").is_visible()
    colours = page.evaluate("""() => {
      const style = getComputedStyle(document.querySelector('.agreement h2'));
      return [style.color, getComputedStyle(document.body).backgroundColor];
    }""")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
