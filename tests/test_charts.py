"""The chart helper (core/web/charts.py, ``core.plugin_api.bar_chart``): the SVG it draws, the
table that carries its values, its refusals, and French numbers (core/web/numbers.py).

The figures are parsed as XML: a chart is well-formed, or a browser guesses."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask import Flask, render_template_string
from hypothesis import given
from hypothesis import strategies as st

import core.plugin_api as plugin_api
from core.web import charts
from core.web.charts import FONT, PALETTE, WIDTH, Series, bar_chart, text_width
from core.web.numbers import format_number

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"
MONTHS = ["janv. 2026", "févr. 2026", "mars 2026", "avr. 2026", "mai 2026", "juin 2026"]


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def bars(figure: ET.Element) -> list[ET.Element]:
    return [rect for group in figure.iter(f"{SVG}g") if group.get("class") == "chart__bars"
            for rect in group.iter(f"{SVG}rect")]


def height(rect: ET.Element) -> float:
    return float(rect.get("height"))


def table_rows(figure: ET.Element) -> list[list[str]]:
    """The table's rows, header first, as the cells' text."""
    table = figure.find(".//table")
    assert table is not None, "no table alternative"
    return [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]


def axis_labels(figure: ET.Element) -> list[tuple[float, float, list[str]]]:
    """(x, estimated width, lines) of each label under the bars."""
    found = []
    for text in figure.iter(f"{SVG}text"):
        spans = list(text.iter(f"{SVG}tspan"))
        if spans:
            lines = [span.text or "" for span in spans]
            found.append((float(spans[0].get("x")), max(map(text_width, lines)), lines))
    return found


# --- the drawing -----------------------------------------------------------------------------


def test_one_bar_per_value_with_heights_proportional_to_the_values():
    values = [3, 0, 12, 7.5, 1, 30]
    figure = parsed(bar_chart("Embauches par mois", MONTHS, [Series("Embauches", values)]))
    assert figure.tag == "figure"
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img"
    assert svg.get("width") is None and svg.get("viewBox").startswith(f"0 0 {WIDTH} ")
    title_id, desc_id = svg.get("aria-labelledby"), svg.get("aria-describedby")
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Embauches par mois"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert "Valeur la plus haute : 30,0 pour « juin 2026 »" in svg.find(f"{SVG}desc").text
    rects = bars(figure)
    assert len(rects) == len(values)
    ratios = [height(rect) / value for rect, value in zip(rects, values, strict=True) if value]
    assert all(math.isclose(ratio, ratios[0], rel_tol=2e-3) for ratio in ratios)  # 2 decimals
    assert height(rects[1]) == 0
    # Left to right in the labels' order, all standing on the same baseline.
    xs = [float(rect.get("x")) for rect in rects]
    assert xs == sorted(xs)
    bottoms = {round(float(r.get("y")) + height(r), 2) for r in rects}
    assert len(bottoms) == 1


def test_the_axis_starts_at_zero_with_round_gridlines_in_french():
    figure = parsed(bar_chart("ETP par mois", MONTHS[:3], [Series("ETP", [0.5, 0.9, 0.35])],
                              unit="ETP"))
    ticks = [text.text for group in figure.iter(f"{SVG}g") if group.get("text-anchor") == "end"
             for text in group.iter(f"{SVG}text")]
    assert ticks == ["0", "0,25", "0,5", "0,75", "1"]
    texts = [text.text for text in figure.iter(f"{SVG}text")]
    assert "ETP" in texts  # the unit tops the axis
    baseline = next(line for line in figure.iter(f"{SVG}line")
                    if line.get("class") == "chart__baseline")
    tallest = max(bars(figure), key=height)
    assert math.isclose(float(tallest.get("y")) + height(tallest), float(baseline.get("y1")),
                        abs_tol=0.01)


def test_the_table_holds_every_label_and_value_in_french():
    values = [12.35, 1234.5, 0, 7]
    labels = ["0–30 j", "31–90 j", "91–180 j", "Plus d'un an"]
    figure = parsed(bar_chart("Temps d'attente", labels, [Series("Personnes", values)],
                              unit="j", category="Temps d'attente"))
    details = figure.find("details")
    assert details.get("class") == "chart__data"
    assert details.find("summary").text == "Voir les données du graphique"
    table = details.find("table")
    assert table.find("caption").text == "Temps d'attente"
    header, *rows = table_rows(figure)
    assert header == ["Temps d'attente", "Personnes (j)"]
    assert rows == [["0–30 j", "12,35"], ["31–90 j", f"1{NNBSP}234,50"], ["91–180 j", "0,00"],
                    ["Plus d'un an", "7,00"]]
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row", "row", "row", "row"]


def test_values_show_the_decimals_they_need_or_the_ones_asked():
    def cells(values, **options):
        figure = parsed(bar_chart("t", ["a", "b"], [Series("s", values)], **options))
        return [row[1] for row in table_rows(figure)[1:]]

    assert cells([3, 4]) == ["3", "4"]
    assert cells([3.5, 4]) == ["3,5", "4,0"]
    assert cells([1 / 3, 4]) == ["0,33", "4,00"]
    assert cells([1 / 3, 4], decimals=0) == ["0", "4"]
    assert cells([Decimal("12.35"), 1]) == ["12,35", "1,00"]  # a PostgreSQL sum


def test_stacked_series_pile_up_and_their_totals_are_given():
    ppde, others = [12.35, 8, 0], [3.5, 0, 2]
    figure = parsed(bar_chart("ETP par mois", MONTHS[:3],
                              [Series("PPDE", ppde), Series("Non-PPDE", others)],
                              unit="ETP", stacked=True, category="Mois"))
    rects = bars(figure)
    assert len(rects) == 6
    for month in range(3):
        low, high = rects[2 * month], rects[2 * month + 1]
        assert low.get("x") == high.get("x")  # one bar per month
        assert math.isclose(float(high.get("y")) + height(high), float(low.get("y")), abs_tol=0.02)
    # The highest stack reaches the height its total asks, on the same scale as the others.
    scale = height(rects[0]) / 12.35
    assert math.isclose(height(rects[0]) + height(rects[1]), 15.85 * scale, rel_tol=1e-3)
    header, *rows = table_rows(figure)
    assert header == ["Mois", "PPDE (ETP)", "Non-PPDE (ETP)", "Total (ETP)"]
    assert rows == [["janv. 2026", "12,35", "3,50", "15,85"], ["févr. 2026", "8,00", "0,00", "8,00"],
                    ["mars 2026", "0,00", "2,00", "2,00"]]
    values_above = [t.text for t in figure.iter(f"{SVG}text") if t.get("class") == "chart__value"]
    assert values_above == ["15,85", "8,00", "2,00"]
    assert "Total le plus haut : 15,85\u00a0ETP pour « janv. 2026 »" in figure.find(f".//{SVG}desc").text
    legend = figure.find("ul")
    assert [li.text or "".join(li.itertext()) for li in legend] == ["PPDE", "Non-PPDE"]
    assert legend.get("aria-label") == "Légende, de bas en haut"


def test_grouped_series_stand_side_by_side_within_their_label():
    figure = parsed(bar_chart("Heures", MONTHS[:2], [Series("Prévues", [10, 12]),
                                                     Series("Travaillées", [8, 12])], unit="h"))
    first, second, third, _ = bars(figure)
    assert float(first.get("x")) + float(first.get("width")) <= float(second.get("x")) + 0.01
    assert float(second.get("x")) + float(second.get("width")) < float(third.get("x"))
    assert height(first) > height(second)
    assert first.get("fill") == PALETTE[0]
    assert second.get("fill").startswith("url(#") and second.get("stroke") == PALETTE[1]
    assert [t.text for t in figure.iter(f"{SVG}text") if t.get("class") == "chart__value"] == []
    assert table_rows(figure)[0] == ["Catégorie", "Prévues (h)", "Travaillées (h)"]  # no total
    assert "Valeur la plus haute : 12\u00a0h (Prévues) pour « févr. 2026 »" in figure.find(
        f".//{SVG}desc").text
    assert figure.find(f".//{SVG}rect/{SVG}title").text == "janv. 2026 — Prévues : 10\u00a0h"


def test_one_series_stacked_is_that_series_without_a_total_column():
    figure = parsed(bar_chart("t", ["a", "b"], [Series("s", [1, 2])], stacked=True))
    assert table_rows(figure)[0] == ["Catégorie", "s"]
    assert figure.find("ul") is None  # no legend for one series


@pytest.mark.parametrize(("labels", "values"), [([], []), (["a", "b"], [0, 0]), (["a"], [0.0])])
def test_no_value_above_zero_gives_a_french_message_in_a_figure(labels, values):
    figure = parsed(bar_chart("Embauches", labels, [Series("Embauches", values)],
                              caption="Sur douze mois."))
    assert figure.tag == "figure"
    assert figure.find("figcaption").itertext().__next__() == "Embauches"
    assert figure.find("p").text == "Aucune donnée pour cette période."
    assert figure.find(f"{SVG}svg") is None and figure.find(".//table") is None
    other = parsed(bar_chart("t", labels, [Series("s", values)], empty_message="Rien <encore>."))
    assert other.find("p").text == "Rien <encore>."


def test_no_series_at_all_is_no_data():
    assert "Aucune donnée pour cette période." in bar_chart("t", ["a"], [])


def test_labels_titles_and_names_are_escaped():
    evil = "<script>alert(1)</script>"
    markup = bar_chart(evil, [evil, "b & c"], [Series(evil, [1, 2]), Series("x\"y", [1, 1])],
                       unit="<u>", caption=evil, category=evil)
    assert "<script>" not in markup and "<u>" not in markup
    figure = parsed(markup)
    assert figure.find(".//script") is None and figure.find(f".//{SVG}script") is None
    assert figure.find("figcaption").find("span").text == evil
    assert figure.find(".//table/caption").text == evil
    assert table_rows(figure)[1] == [evil, "1", "1"]
    assert table_rows(figure)[0] == [evil, f"{evil} (<u>)", 'x"y (<u>)']
    assert [" ".join(lines) for _, _, lines in axis_labels(figure)] == [evil, "b & c"]
    assert figure.find(f".//{SVG}rect/{SVG}title").text == f"{evil} — {evil} : 1\u00a0<u>"
    assert figure.find(f".//{SVG}title").text == evil


def test_sixty_bars_thin_out_their_labels_without_overlapping():
    labels = [f"{month} {year}" for year in range(2021, 2026)
              for month in ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                            "sept.", "oct.", "nov.", "déc.")]
    figure = parsed(bar_chart("Embauches par mois", labels, [Series("Embauches", range(60))]))
    assert len(bars(figure)) == 60
    shown = axis_labels(figure)
    assert 2 <= len(shown) < 60
    texts = [" ".join(lines) for _, _, lines in shown]
    step = labels.index(texts[1])
    assert step in charts.LABEL_STEPS
    assert texts == labels[::step]  # every n-th, from the first
    for (x1, w1, _), (x2, w2, _) in itertools.pairwise(shown):
        assert x1 + w1 / 2 < x2 - w2 / 2, "two labels overlap"
    for x, width, _ in shown:
        assert x - width / 2 >= 0 and x + width / 2 <= WIDTH
    assert len(table_rows(figure)) == 61  # the table names them all
    # Six months fit every label, one to a bar; on two lines when it needs them.
    few = axis_labels(parsed(bar_chart("t", MONTHS, [Series("s", [1] * 6)])))
    assert [" ".join(lines) for _, _, lines in few] == MONTHS


def joined(lines: list[str]) -> str:
    """A label's lines as one text (a line cut after a dash joins without a space)."""
    return "".join(line if line.endswith("–") or n == len(lines) - 1 else line + " "
                   for n, line in enumerate(lines))


@pytest.mark.parametrize("labels", [
    ["0–30 j", "31–90 j", "91–180 j", "181–365 j", "Plus d'un an"],
    ["0–30 j", "31–90 j", "91–180 j", "181–365 j", "366–730 j", "Plus de 2 ans"],
])
def test_a_distribution_names_every_band_on_two_lines_if_need_be(labels):
    shown = axis_labels(parsed(bar_chart("t", labels, [Series("s", [1] * len(labels))])))
    assert [joined(lines) for _, _, lines in shown] == labels
    assert {len(lines) for _, _, lines in shown} == {1, 2}
    for (x1, w1, _), (x2, w2, _) in itertools.pairwise(shown):
        assert x1 + w1 / 2 < x2 - w2 / 2, "two labels overlap"


def test_a_label_too_long_for_the_whole_chart_is_cut():
    label = "Anticonstitutionnellement" * 3
    [(_, width, [line])] = axis_labels(parsed(bar_chart("t", [label], [Series("s", [1])])))
    assert line.endswith("…") and label.startswith(line[:-1]) and width <= WIDTH


def test_every_text_is_sized_for_a_phone():
    svg = parsed(bar_chart("t", MONTHS, [Series("s", [1, 2, 3, 4, 5, 6])])).find(f"{SVG}svg")
    text_group = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart__text")
    assert text_group.get("font-size") == str(FONT)
    # 360 px wide, a container of 328 px: at least 11 px.
    assert FONT * 328 / WIDTH >= 11
    assert all(text.get("font-size") is None for text in svg.iter(f"{SVG}text"))
    assert "style" not in str(bar_chart("t", MONTHS, [Series("s", [1] * 6), Series("r", [1] * 6)]))


@pytest.mark.parametrize(("series", "message"), [
    ([Series("Embauches", [1, -2, 3])], "negative"),
    ([Series("Embauches", [1, 2])], "has 2 values for 3 labels"),
    ([Series("Embauches", [1, math.nan, 3])], "nan"),
    ([Series("Embauches", [1, math.inf, 3])], "inf"),
    ([Series("Embauches", [1, "2", 3])], "not a number"),
    ([Series("Embauches", [1, None, 3])], "not a number"),
    ([Series(str(n), [1, 2, 3]) for n in range(7)], "at most 6"),
])
def test_what_cannot_be_drawn_is_refused_for_the_developer(series, message):
    with pytest.raises(ValueError, match=message):
        bar_chart("t", ["a", "b", "c"], series)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_series_colours_and_text_stand_out_from_the_page():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    for colour in PALETTE:
        assert contrast(colour, charts.PAPER) >= 3, colour  # WCAG 1.4.11, non-text contrast
    assert contrast(charts.INK, charts.PAPER) >= 4.5 and contrast(charts.AXIS, charts.PAPER) >= 4.5
    assert len(set(PALETTE)) == len(PALETTE)


def test_ids_are_unique_in_a_page(app: Flask):
    with app.test_request_context("/"):
        first, second = (parsed(bar_chart("t", ["a"], [Series("s", [1])])) for _ in range(2))
        assert first.get("id") == "chart-1" and second.get("id") == "chart-2"
        assert first.find(f"{SVG}svg").get("aria-labelledby") == "chart-1-title"
    with app.test_request_context("/"):  # the next page starts again
        assert parsed(bar_chart("t", ["a"], [Series("s", [1])])).get("id") == "chart-1"
    stacked = str(bar_chart("t", ["a"], [Series("s", [1]), Series("r", [1])], stacked=True))
    ids = re.findall(r' id="([^"]+)"', stacked)
    assert len(ids) == len(set(ids))
    assert all(target in ids for target in re.findall(r'url\(#([^)]+)\)', stacked))


def test_the_chart_prints_as_is_in_a_template_and_numbers_have_a_filter(app: Flask):
    with app.test_request_context("/"):
        chart = bar_chart("Heures", ["a"], [Series("s", [1])])
        page = render_template_string("{{ chart }} {{ total | number(2) }} {{ 1234 | number }}",
                                      chart=chart, total=1234.5)
    assert page.startswith('<figure class="chart" id="chart-1">')
    assert page.endswith(f" 1{NNBSP}234,50 1{NNBSP}234")


def test_the_plugin_api_exports_the_chart_helper():
    assert plugin_api.bar_chart is bar_chart and plugin_api.Series is Series
    assert plugin_api.format_number is format_number
    assert {"bar_chart", "Series", "format_number"} <= set(plugin_api.__all__)


# --- ticks and numbers -----------------------------------------------------------------------


@given(st.floats(min_value=1e-6, max_value=1e9), st.booleans())
def test_gridlines_are_few_round_and_cover_the_highest_value(maximum, whole):
    if whole:
        maximum = float(math.ceil(maximum))
    ticks = charts._ticks(maximum, whole)
    assert ticks[0] == 0 and ticks[-1] >= maximum * (1 - 1e-9)
    assert 2 <= len(ticks) <= 6
    step = ticks[1]
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in itertools.pairwise(ticks))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5))
    if whole:
        assert step >= 1 and step.is_integer()


@given(st.one_of(st.integers(min_value=-10**12, max_value=10**12),
                 st.floats(min_value=-1e9, max_value=1e9)),
       st.integers(min_value=0, max_value=3))
def test_numbers_are_babels_french(value, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    expected = format_decimal(value, format=pattern, locale="fr")
    if expected.strip("-0,") == "":  # Babel keeps the sign of a negative rounded to zero
        expected = expected.lstrip("-")
    assert format_number(value, decimals) == expected


def test_numbers_examples():
    assert format_number(1234.5, 2) == f"1{NNBSP}234,50"
    assert format_number(12) == "12"
    assert format_number(2.675, 2) == "2,68"  # as written, not as the float's binary value
    assert format_number(-0.001) == "0"
    with pytest.raises(ValueError):
        format_number(1, -1)
