"""Bar charts drawn on the server as SVG, each with the table of its values.

One kind of chart, made well: bars from a zero baseline, one series or several (side by side,
or stacked into totals), from a handful of categories (a distribution: « 0–30 j »,
« 31–90 j »…) to 60 months. No JavaScript and no external asset: the intranet runs on a
closed network, and the Content-Security-Policy allows no inline style — colours and sizes
are SVG presentation attributes, and the rules of ``maillage.css`` (``.chart…``) only shrink
the text on wider screens.

Why the sizes are what they are: the SVG has a ``viewBox`` and no width, so it scales with
its container, text included. At 360 px (a container of 328 px) it is drawn at 0.78 of its
size, and the text (15 units) is 11.7 px; wider, the stylesheet brings the text down (so it
never crowds more than on a phone) and caps the chart's width. Where labels go is decided
here, once, for the phone's size: the axis labels of many bars are thinned out (every
n-th, n from 1, 2, 3, 4, 6, 12…, so that months fall on quarters and years) rather than
overlapping, and a label of several words goes on two lines before any is dropped. Text
widths are estimated from DejaVu Sans, Debian's default and one of the widest sans-serif
faces, so other fonts only leave more room (tests/browser/test_charts.py measures them).

Negative values are refused (``ValueError``): what the plugins draw — people, hours, days
waited, full-time equivalents — starts at zero, and a stacked bar of mixed signs reads
wrongly. A chart with no value above zero shows a French message instead of an empty
drawing.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import g, has_app_context
from markupsafe import Markup, escape

from core.web.numbers import format_number, with_unit

EMPTY_MESSAGE = "Aucune donnée pour cette période."
DATA_SUMMARY = "Voir les données du graphique"

# Series colours, in order: each at least 3:1 against the white page (WCAG 1.4.11, checked by
# tests/test_charts.py), blue/green against orange and purple so that the first two stay
# apart for the common colour blindnesses; odd series are also striped.
PALETTE = ("#1d5c63", "#b04a00", "#5b3f99", "#2b6cb0", "#6f6200", "#a4262c")
INK, GRID, AXIS, PAPER = "#1b1f23", "#cfd6dd", "#56606b", "#ffffff"

WIDTH = 420  # of the viewBox; the height follows from the labels
FONT = 15  # text size in viewBox units, for a phone (see above)
PLOT_HEIGHT = 190
MAX_BAR = 48  # a bar's width at most: a few bars stay bars, not slabs
LINE = 1.15  # line height of the axis labels, in ems
LABEL_STEPS = (1, 2, 3, 4, 6, 12, 24, 36, 48, 60)
MAX_DECIMALS = 2  # when the caller does not say: 12,35 ETP

# Advance widths in ems (DejaVu Sans, measured in Chromium); other characters count 0.64.
_NARROW = dict.fromkeys("fijlrtI.,;:'’!|()[]/ \u00a0", 0.34) | {"\u202f": 0.2, "-": 0.36,
                                                                  "–": 0.5}
_WIDE = dict.fromkeys("mwMW%—…", 1.0) | dict.fromkeys("ABCDGHKNOQRUVXZ", 0.79)
_ADVANCE = _NARROW | _WIDE
_SPACES = re.compile(" +")
_BREAKS = re.compile(r"[^ –/-]*[–/-]+|[^ ]+")  # a word, or its part up to a dash included
_COUNTER = itertools.count(1)  # ids outside a request (a script, a test)


@dataclass(frozen=True, slots=True)
class Series:
    """A named list of values, one per label: ``Series("Embauches", [3, 0, 5])``."""

    name: str
    values: Sequence[float]


def text_width(text: str, font: float = FONT) -> float:
    """The width of ``text`` at ``font`` units, as DejaVu Sans draws it (a little over for
    narrower faces)."""
    return _ems(text) * font


@functools.lru_cache(maxsize=4096)  # the same labels are tried at each step of thinning
def _ems(text: str) -> float:
    return sum(_ADVANCE.get(char, 0.64) for char in text)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = "",
              stacked: bool = False, caption: str | None = None, category: str = "Catégorie",
              decimals: int | None = None, empty_message: str = EMPTY_MESSAGE) -> Markup:
    """A ``<figure>``: the title and ``caption`` in its ``<figcaption>``, the bars as an SVG
    image described for screen readers, a legend when there are several series, and every
    value in a table under « Voir les données du graphique ».

    ``labels`` name the bars (months, bands of days…); each series has one value per label.
    ``unit`` is a symbol or an abbreviation (« h », « j », « ETP », « % ») shown on the axis,
    in the table's headings and after each value of the tooltips; for a count leave it out
    and say what is counted in the title. ``stacked`` piles the series into one bar per label (their total
    is drawn and given); otherwise they stand side by side. ``category`` heads the table's
    first column (« Mois », « Délai d'attente »). Values show ``decimals`` places — by
    default as many as they need, up to 2 — in French (« 12,35 »).

    Raises ``ValueError`` when a series does not have one value per label, when a value is
    negative or not a finite number, or for more than six series.
    """
    # Plain text, all of it, even Markup: it goes inside SVG <title>s and table cells.
    title, unit, category, empty_message = map(str, (title, unit, category, empty_message))
    caption = None if caption is None else str(caption)
    labels = [str(label) for label in labels]
    columns = [_checked(one, len(labels)) for one in series]
    if len(columns) > len(PALETTE):
        raise ValueError(f"bar_chart: {len(columns)} series, at most {len(PALETTE)} can be told apart")
    chart_id = _next_id()
    head = _figcaption(title, caption)
    if not labels or not any(value > 0 for column in columns for value in column):
        return Markup(f'<figure class="chart chart--empty" id="{chart_id}">{head}'  # noqa: S704 - escaped
                      f'<p class="chart__empty">{escape(empty_message)}</p></figure>')
    names = [str(one.name) for one in series]
    places = _decimals_needed(columns) if decimals is None else decimals
    texts = [[format_number(value, places) for value in column] for column in columns]
    totals = None
    if stacked and len(columns) > 1:  # one series stacked is that series
        totals = [math.fsum(values) for values in zip(*columns, strict=True)]
        texts.append([format_number(value, places) for value in totals])
    drawing = _Drawing(chart_id, title, labels, names, columns, totals, texts, unit)
    parts = [f'<figure class="chart" id="{chart_id}">', head, drawing.svg()]
    if len(columns) > 1:
        parts.append(_legend(names, totals is not None))
    parts.append(_table(title, labels, names, texts, unit, category))
    parts.append("</figure>")
    # Every text that comes from the caller went through escape() on its way in.
    return Markup("".join(parts))  # noqa: S704 - see above


# --- checks and numbers ----------------------------------------------------------------------


def _checked(one: Series, count: int) -> list[float]:
    values = list(one.values)
    if len(values) != count:
        raise ValueError(f"bar_chart: series {one.name!r} has {len(values)} values "
                         f"for {count} labels")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError(f"bar_chart: series {one.name!r} holds {value!r}, not a number")
        if not math.isfinite(value):
            raise ValueError(f"bar_chart: series {one.name!r} holds {value!r}")
        if value < 0:
            raise ValueError(f"bar_chart: series {one.name!r} holds {value!r}: bars start at "
                             "zero, negative values are not drawn")
    return [float(value) for value in values]


def _decimals_needed(columns: list[list[float]]) -> int:
    """The fewest places (up to MAX_DECIMALS) that show every value as it is."""
    for places in range(MAX_DECIMALS):
        if all(abs(value - round(value, places)) < 1e-9 for column in columns for value in column):
            return places
    return MAX_DECIMALS


def _ticks(maximum: float, whole: bool) -> list[float]:
    """Round gridline values from 0 to at least ``maximum``, four or five of them: steps of
    1, 2, 2.5 or 5 times a power of ten (never a fraction for whole numbers)."""
    rough = maximum / 4
    power = 10.0 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10)
                if m * power >= rough and not (whole and (m * power) % 1))
    step = max(step, 1.0) if whole else step
    count = math.ceil(maximum / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def _tick_label(value: float) -> str:
    places = next(p for p in range(8) if abs(value - round(value, p)) < 1e-9)
    return format_number(value, places)


# --- the drawing -----------------------------------------------------------------------------


class _Drawing:
    """The SVG of one chart; its geometry is computed once, in viewBox units."""

    def __init__(self, chart_id: str, title: str, labels: list[str], names: list[str],
                 columns: list[list[float]], totals: list[float] | None, texts: list[list[str]],
                 unit: str) -> None:
        self.id, self.title, self.labels, self.names = chart_id, title, labels, names
        self.columns, self.totals, self.written, self.unit = columns, totals, texts, unit
        whole = all(value.is_integer() for column in columns for value in column)
        self.ticks = _ticks(max(totals) if totals else max(map(max, columns)), whole)
        self.tick_labels = [_tick_label(tick) for tick in self.ticks]
        self.left = max(text_width(label) for label in self.tick_labels) + 8
        # Room for the unit's line, and for a value above the highest bar.
        self.top = FONT * (2.2 if unit else 1.3)
        self.slot = (WIDTH - self.left - 6) / len(labels)
        _, self.lines = _thinned(labels, self.slot)
        self.baseline = self.top + PLOT_HEIGHT
        self.height = math.ceil(self.baseline + 8 + FONT * LINE * max(map(len, self.lines.values())))

    def y(self, value: float) -> float:
        return self.baseline - value / self.ticks[-1] * PLOT_HEIGHT

    def svg(self) -> str:
        parts = [f'<svg class="chart__svg" viewBox="0 0 {WIDTH} {self.height}" role="img" '
                 f'aria-labelledby="{self.id}-title" aria-describedby="{self.id}-desc" '
                 f'xmlns="http://www.w3.org/2000/svg">',
                 f'<title id="{self.id}-title">{escape(self.title)}</title>',
                 f'<desc id="{self.id}-desc">{escape(self.summary())}</desc>']
        if len(self.columns) > 1:
            stripes = "".join(_stripes(self.id, i) for i in range(1, len(self.columns), 2))
            parts.append(f"<defs>{stripes}</defs>")
        parts += self.grid()
        parts += self.bars()
        parts += self.texts()
        parts.append("</svg>")
        return "".join(parts)

    def grid(self) -> list[str]:
        right = WIDTH - 6
        lines = [f'<g class="chart__grid" stroke="{GRID}" stroke-width="1">']
        lines += [f'<line x1="{self.left:.1f}" x2="{right}" y1="{self.y(t):.1f}" y2="{self.y(t):.1f}"/>'
                  for t in self.ticks[1:]]
        lines.append(f'</g><line class="chart__baseline" x1="{self.left:.1f}" x2="{right}" '
                     f'y1="{self.baseline:.1f}" y2="{self.baseline:.1f}" stroke="{AXIS}" '
                     'stroke-width="1.5"/>')
        return lines

    def bars(self) -> list[str]:
        count = len(self.columns)
        several = count > 1
        if self.totals is not None or not several:
            width = min(self.slot * 0.7, MAX_BAR)
            offsets = [0.0] * count
        else:  # side by side, touching within their group
            width = min(self.slot * 0.8 / count, MAX_BAR)
            offsets = [(i - (count - 1) / 2) * width for i in range(count)]
        fills = [f'fill="url(#{self.id}-s{n})" stroke="{PALETTE[n]}" stroke-width="0.75"' if n % 2
                 else f'fill="{PALETTE[n]}"' for n in range(count)]
        parts = ['<g class="chart__bars">']
        for index, label in enumerate(self.labels):
            centre = self.left + self.slot * (index + 0.5)
            floor = 0.0
            for number, column in enumerate(self.columns):
                value = column[index]
                top, bottom = self.y(floor + value), self.y(floor)
                who = f"{self.names[number]} : " if several else ""
                tip = f"{label} — {who}{with_unit(self.written[number][index], self.unit)}"
                parts.append(f'<rect x="{centre + offsets[number] - width / 2:.2f}" y="{top:.2f}" '
                             f'width="{width:.2f}" height="{bottom - top:.2f}" {fills[number]}>'
                             f'<title>{escape(tip)}</title></rect>')
                if self.totals is not None:
                    floor += value
        parts.append("</g>")
        return parts

    def texts(self) -> list[str]:
        parts = [f'<g class="chart__text" font-size="{FONT}" fill="{INK}">']
        if self.unit:
            parts.append(f'<text x="0" y="{FONT}">{escape(self.unit)}</text>')
        parts.append(f'<g text-anchor="end" fill="{AXIS}">')
        parts += [f'<text x="{self.left - 6:.1f}" y="{self.y(tick) + FONT * 0.35:.1f}">{label}</text>'
                  for tick, label in zip(self.ticks, self.tick_labels, strict=True)]
        parts.append('</g><g text-anchor="middle">')
        first_line = self.baseline + 4 + FONT
        for index, lines in self.lines.items():
            half = max(text_width(line) for line in lines) / 2
            x = min(max(self.left + self.slot * (index + 0.5), half), WIDTH - half)
            spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else LINE}em">{escape(line)}</tspan>'
                            for n, line in enumerate(lines))
            parts.append(f'<text y="{first_line:.1f}">{spans}</text>')
        parts += self.value_labels()
        parts.append("</g></g>")
        return parts

    def value_labels(self) -> list[str]:
        """Each bar's value (a stack's total) above it, when every one fits its bar's width."""
        if len(self.columns) > 1 and self.totals is None:
            return []
        heights = self.totals if self.totals is not None else self.columns[0]
        texts = self.written[-1]  # the totals' when stacked
        if max(map(text_width, texts)) > self.slot - 2:
            return []
        return [f'<text class="chart__value" x="{self.left + self.slot * (i + 0.5):.1f}" '
                f'y="{self.y(value) - 4:.1f}">{text}</text>'
                for i, (value, text) in enumerate(zip(heights, texts, strict=True))]

    def summary(self) -> str:
        """What a screen reader says of the image; the table that follows gives the values."""
        count = len(self.labels)
        kind = ("Diagramme en barres" if len(self.columns) == 1 else
                "Diagramme en barres empilées" if self.totals is not None else
                "Diagramme en barres groupées")
        span = (f"« {self.labels[0]} »" if count == 1 else
                f"{count} barres, de « {self.labels[0]} » à « {self.labels[-1]} »")
        if len(self.columns) > 1:
            span += f", {len(self.columns)} séries : {', '.join(self.names)}"
        if self.totals is not None:
            index = self.totals.index(max(self.totals))
            what, amount = "Total le plus haut", with_unit(self.written[-1][index], self.unit)
        else:  # the highest bar of any series, and whose it is when there are several
            number, index = max(((n, i) for n in range(len(self.columns)) for i in range(count)),
                                key=lambda at: self.columns[at[0]][at[1]])
            what, amount = "Valeur la plus haute", with_unit(self.written[number][index], self.unit)
            if len(self.columns) > 1:
                amount += f" ({self.names[number]})"
        where = self.labels[index]
        return (f"{kind}, {span}. {what} : {amount} pour « {where} ». "
                "Les valeurs sont dans le tableau qui suit.")


def _thinned(labels: list[str], slot: float) -> tuple[int, dict[int, list[str]]]:
    """(n, the lines of every n-th label) for the smallest n of LABEL_STEPS (then multiples
    of 12) at which each label shown fits, on at most two lines, the width of n bars."""
    for step in itertools.chain(LABEL_STEPS, itertools.count(72, 12)):
        room = step * slot - FONT * 0.4
        shown = {i: _wrapped(labels[i], room) for i in range(0, len(labels), step)}
        if all(lines is not None for lines in shown.values()):
            return step, shown  # type: ignore[return-value]
        if step >= len(labels):  # one label, wider than the chart: cut it
            return step, {0: [_cut(labels[0], room)]}
    raise AssertionError("unreachable")


def _wrapped(label: str, room: float) -> list[str] | None:
    """The label on one line of at most ``room`` units, or else on two, cut at a space or
    after a dash (« 181– » / « 365 j ») where the longer line is shortest; None when it
    does not fit on two."""
    label = _SPACES.sub(" ", label).strip(" ")
    if text_width(label) <= room:
        return [label]
    pieces = list(_BREAKS.finditer(label))
    best: tuple[float, list[str]] | None = None
    for piece in pieces[1:]:
        lines = [label[:piece.start()].rstrip(" "), label[piece.start():]]
        widest = max(map(text_width, lines))
        if widest <= room and (best is None or widest < best[0]):
            best = (widest, lines)
    return best[1] if best else None


def _cut(label: str, room: float) -> str:
    while label and text_width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _stripes(chart_id: str, number: int) -> str:
    """The fill of an odd series: its colour, striped with white."""
    return (f'<pattern id="{chart_id}-s{number}" width="5" height="5" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="5" height="5" fill="{PALETTE[number]}"/>'
            f'<rect width="1.6" height="5" fill="{PAPER}"/></pattern>')


# --- the HTML around it ----------------------------------------------------------------------


def _next_id() -> str:
    """chart-1, chart-2… in the order a page builds them (ids must be unique in the page)."""
    if has_app_context():
        number = g.get("_maillage_charts", 0) + 1
        g._maillage_charts = number
    else:
        number = next(_COUNTER)
    return f"chart-{number}"


def _figcaption(title: str, caption: str | None) -> str:
    note = f'<span class="chart__caption">{escape(caption)}</span>' if caption else ""
    return f'<figcaption><span class="chart__title">{escape(title)}</span>{note}</figcaption>'


def _legend(names: list[str], stacked: bool) -> str:
    """The series' names by their colour; the order is the bars' (left to right, or bottom
    to top when stacked)."""
    order = "de bas en haut" if stacked else "de gauche à droite"
    items = []
    for number, name in enumerate(names):
        fill = PALETTE[number]
        stripe = (f'<line x1="2" y1="14" x2="14" y2="2" stroke="{PAPER}" stroke-width="2.5"/>'
                  if number % 2 else "")
        items.append(f'<li><svg class="chart__swatch" viewBox="0 0 16 16" aria-hidden="true" '
                     f'focusable="false"><rect width="16" height="16" fill="{fill}"/>{stripe}'
                     f'</svg>{escape(name)}</li>')
    return (f'<ul class="chart__legend" aria-label="Légende, {order}">{"".join(items)}</ul>')


def _table(title: str, labels: list[str], names: list[str], texts: list[list[str]], unit: str,
           category: str) -> str:
    """Every value; ``texts`` holds the series' values as written, then the totals' when
    there is one more list than names."""
    suffix = f" ({escape(unit)})" if unit else ""
    heads = [f'<th scope="col">{escape(category)}</th>']
    heads += [f'<th scope="col">{escape(name)}{suffix}</th>' for name in names]
    if len(texts) > len(names):
        heads.append(f'<th scope="col">Total{suffix}</th>')
    rows = [f'<tr><th scope="row">{escape(label)}</th>'
            f'{"".join(f"<td>{column[index]}</td>" for column in texts)}</tr>'
            for index, label in enumerate(labels)]
    return (f'<details class="chart__data"><summary>{DATA_SUMMARY}</summary>'
            f'<table><caption>{escape(title)}</caption><thead><tr>{"".join(heads)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></details>')
