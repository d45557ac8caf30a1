"""The export helper (core/web/exports.py, ``export_table`` and ``ExportColumn`` in the plugin
API): CSV for French spreadsheets, XLSX with real types, formula injection neutralised in
both, the download's headers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from flask import Flask, render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from core.members import Person, Role
from core.plugin_api import ExportColumn, export_table, in_paris, session
from core.web.export_cells import UNSAFE_CHARACTERS

BOM = b"\xef\xbb\xbf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAYLOADS = ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\tX", "\rX"]
# What Excel or LibreOffice would take for the start of a formula (OWASP, « CSV injection »).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM):].decode("utf-8"), newline=""), delimiter=";"))


def xlsx_sheet(body: bytes) -> Any:
    return load_workbook(io.BytesIO(body)).active


def xlsx_values(body: bytes) -> list[list[Any]]:
    return [[c.value for c in row] for row in xlsx_sheet(body).iter_rows()]


def sheet_xml(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


class Colour(StrEnum):  # an enumeration without French labels: its values are shown
    RED = "red"


SUMMER = datetime(2026, 7, 14, 8, 5, tzinfo=UTC)  # 10:05 in Paris
WINTER = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # 00:30 the next day in Paris

COLUMNS = [
    ExportColumn("Nom", "name"),
    ExportColumn("Heures", "hours"),
    ExportColumn("Montant", "amount", decimals=2),
    ExportColumn("Taux", "rate"),
    ExportColumn("Le", "day"),
    ExportColumn("À", "moment"),
    ExportColumn("Jour de", "moment", kind="date"),
    ExportColumn("Heure", "at"),
    ExportColumn("Présent", "present"),
    ExportColumn("Rôle", "role"),
    ExportColumn("Couleur", "colour"),
    ExportColumn("Code postal", "postcode", kind="text"),
    ExportColumn("Sujets", "topics"),
    ExportColumn("Rien", "nothing"),
    ExportColumn("Calculé", lambda row: row["hours"] * 2),
]
ROWS = [
    {"name": "Hélène Lefèvre", "hours": 12, "amount": Decimal("1234.5"), "rate": -0.25,
     "day": date(2026, 3, 9), "moment": SUMMER, "at": time(9, 30), "present": True,
     "role": Role.VOLUNTEER, "colour": Colour.RED, "postcode": 93200,
     "topics": ["Logement", Role.SUPPORTED], "nothing": None},
    {"name": "Jean « Jo » Martin; fils", "hours": -3, "amount": 2.675, "rate": 1e20,
     "day": date(2026, 12, 31), "moment": WINTER, "at": time(23, 59), "present": False,
     "role": Role.COORDINATOR, "colour": Colour.RED, "postcode": 1000,
     "topics": [], "nothing": float("nan")},
]


def test_csv_is_for_french_spreadsheets() -> None:
    response = export_table("csv", "Bénévoles", COLUMNS, ROWS)
    body = response.data
    assert body.startswith(BOM)
    assert body.count(b"\r\n") == 3 and b"\n" not in body.replace(b"\r\n", b"")
    assert csv_rows(body) == [
        [c.title for c in COLUMNS],
        ["Hélène Lefèvre", "12", "1234,50", "-0,25", "09/03/2026", "14/07/2026 10:05", "14/07/2026",
         "09:30", "oui", "Bénévole", "red", "93200", "Logement, Personne accompagnée", "", "24"],
        ["Jean « Jo » Martin; fils", "-3", "2,68", "100000000000000000000", "31/12/2026",
         "16/01/2026 00:30", "16/01/2026", "23:59", "non", "Coordination", "red", "1000", "", "",
         "-6"],
    ]
    assert '"Jean « Jo » Martin; fils"'.encode() in body  # the csv module's quoting
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_xlsx_keeps_the_types() -> None:
    response = export_table("xlsx", "Bénévoles", COLUMNS, ROWS, title="Bénévoles d'été")
    assert response.headers["Content-Type"] == XLSX_TYPE
    sheet = xlsx_sheet(response.data)
    assert sheet.title == "Bénévoles d'été"
    header, first, second = list(sheet.iter_rows())
    assert [c.value for c in header] == [c.title for c in COLUMNS]
    assert all(c.font.b for c in header) and not first[0].font.b
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in first] == [
        "Hélène Lefèvre", 12, 1234.5, -0.25, datetime(2026, 3, 9), datetime(2026, 7, 14, 10, 5),
        datetime(2026, 7, 14), time(9, 30), True, "Bénévole", "red", "93200",
        "Logement, Personne accompagnée", None, 24]
    assert [c.value for c in second][1:8] == [
        -3, 2.68, 1e20, datetime(2026, 12, 31), datetime(2026, 1, 16, 0, 30), datetime(2026, 1, 16),
        time(23, 59)]
    assert second[13].value is None  # NaN: no spreadsheet holds it
    assert [c.data_type for c in first] == ["s", "n", "n", "n", "d", "d", "d", "d", "b", "s", "s", "s",
                                            "s", "n", "n"]
    formats = [c.number_format for c in first]
    assert formats[2] == "0.00"
    assert formats[4:8] == ["dd/mm/yyyy", "dd/mm/yyyy hh:mm", "dd/mm/yyyy", "hh:mm"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "AEFM"}
    assert widths["A"] >= len("Jean « Jo » Martin; fils") and widths["F"] >= len("16/01/2026 00:30")
    assert widths["M"] >= len("Logement, Personne accompagnée")
    assert all(8 <= width <= 60 for width in widths.values())


def test_a_column_may_set_its_width() -> None:
    body = export_table("xlsx", "x", [ExportColumn("Nom", "name", width=42)], ROWS).data
    assert xlsx_sheet(body).column_dimensions["A"].width == 42


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formulas_are_neutralised_in_both_formats(payload: str) -> None:
    rows = [{"text": payload, "number": -2}]
    columns = [ExportColumn(payload, "text"), ExportColumn("Nombre", "number")]
    assert csv_rows(export_table("csv", "x", columns, rows).data) == [
        ["'" + payload, "Nombre"], ["'" + payload, "-2"]]
    body = export_table("xlsx", "x", columns, rows).data
    in_excel = "'" + payload.replace("\r", "\n")  # a line end in a cell is a line feed
    assert xlsx_values(body) == [[in_excel, "Nombre"], [in_excel, -2]]
    assert [c.data_type for c in next(xlsx_sheet(body).iter_rows(min_row=2))] == ["s", "n"]
    assert "<f>" not in sheet_xml(body)


def test_openpyxl_would_make_formulas_and_errors_of_such_text() -> None:
    """Why the writer says which cells are text: openpyxl guesses from the value."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["=1+1", "#N/A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [c.data_type for c in next(xlsx_sheet(buffer.getvalue()).iter_rows())] == ["f", "e"]
    # Through the helper, the same text is text ("=" only once prefixed, "#N/A" as it is).
    body = export_table("xlsx", "x", [ExportColumn("A", "a"), ExportColumn("B", "b")],
                        [{"a": "=1+1", "b": "#N/A"}]).data
    assert [(c.value, c.data_type) for c in next(xlsx_sheet(body).iter_rows(min_row=2))] == [
        ("'=1+1", "s"), ("#N/A", "s")]


def test_numbers_stay_numbers_and_safe_text_is_untouched() -> None:
    rows = [{"value": value} for value in (-2, -2.5, Decimal("-0.5"), "2-3", "a=b", "'déjà")]
    column = [ExportColumn("Valeur", "value")]
    assert [row[0] for row in csv_rows(export_table("csv", "x", column, rows).data)[1:]] == [
        "-2", "-2,5", "-0,5", "2-3", "a=b", "'déjà"]
    assert [row[0] for row in xlsx_values(export_table("xlsx", "x", column, rows).data)[1:]] == [
        -2, -2.5, -0.5, "2-3", "a=b", "'déjà"]


def cleaned(text: str) -> str:
    """What a cell keeps of a text: control characters no spreadsheet holds are dropped."""
    return UNSAFE_CHARACTERS.sub("", text)


def unprefixed(cell: str, original: str) -> str:
    """The cell's text without the prefix the helper added, checking it added it exactly
    when the text would have been a formula."""
    risky = cleaned(original).startswith(FORMULA_STARTS)
    assert cell.startswith("'") or not risky, (cell, original)
    assert not cell.startswith(FORMULA_STARTS), (cell, original)
    return cell[1:] if risky else cell


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
formula_like = st.tuples(st.sampled_from([*FORMULA_STARTS, "\x00=", "\x1f+"]), texts).map("".join)
cells = st.lists(st.one_of(texts, formula_like), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_no_cell_starts_a_formula_and_the_text_comes_back(row: list[str]) -> None:
    columns = [ExportColumn(f"C{index}", lambda r, i=index: r[i]) for index in range(len(row))]
    [_, written] = csv_rows(export_table("csv", "x", columns, [row]).data)
    assert [unprefixed(cell, text) for cell, text in zip(written, row, strict=True)] == [
        cleaned(text) for text in row]
    body = export_table("xlsx", "x", columns, [row]).data
    assert "<f>" not in sheet_xml(body)
    [_, stored] = xlsx_values(body)
    stored = ["" if value is None else value for value in stored]  # an empty text: no cell
    assert [unprefixed(cell, text) for cell, text in zip(stored, row, strict=True)] == [
        cleaned(text).replace("\r\n", "\n").replace("\r", "\n") for text in row]


@pytest.mark.parametrize("format", ["pdf", "CSV", "xls", "", "csv.exe"])
def test_an_unknown_format_answers_404(format: str) -> None:
    with pytest.raises(NotFound):
        export_table(format, "x", COLUMNS, ROWS)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_download_headers(format: str) -> None:
    response = export_table(format, "Inscriptions - Atelier Bêta - 14-07-2026", COLUMNS, [])
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="Inscriptions - Atelier Beta - 14-07-2026.{format}"; '
        f"filename*=UTF-8''Inscriptions%20-%20Atelier%20B%C3%AAta%20-%2014-07-2026.{format}")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("name", "ascii_name", "real"), [
    ('Bilan "2026"/T1: été?', "Bilan -2026-T1- ete", "Bilan%20-2026-T1-%20%C3%A9t%C3%A9"),
    ("../../etc/passwd", "etc-passwd", "etc-passwd"),
    ("Ligne\r\nContent-Type: x", "Ligne-Content-Type- x", "Ligne-Content-Type-%20x"),
    ("日本語", "export", "%E6%97%A5%E6%9C%AC%E8%AA%9E"),
    ("", "export", "export"),
])
def test_a_file_name_cannot_break_the_header_or_leave_its_folder(name: str, ascii_name: str,
                                                                 real: str) -> None:
    disposition = export_table("csv", name, COLUMNS, []).headers["Content-Disposition"]
    assert disposition == f"attachment; filename=\"{ascii_name}.csv\"; filename*=UTF-8''{real}.csv"


def test_an_empty_table_still_has_its_header_row() -> None:
    assert csv_rows(export_table("csv", "x", COLUMNS, []).data) == [[c.title for c in COLUMNS]]
    assert xlsx_values(export_table("xlsx", "x", COLUMNS, iter(())).data) == [
        [c.title for c in COLUMNS]]


def test_a_sheet_title_is_cut_to_what_excel_takes() -> None:
    title = "Inscriptions [2026]: atelier « CV » et suite"
    body = export_table("xlsx", "x", COLUMNS, [], title=title).data
    assert xlsx_sheet(body).title == "Inscriptions 2026 atelier « CV"  # 31 characters at most


def test_a_column_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind is one of"):
        ExportColumn("Nom", "name", kind="money")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one column"):
        export_table("csv", "x", [], ROWS)


@dataclass(frozen=True)
class Line:
    last_name: str
    created_at: datetime


def test_rows_may_be_orm_objects_rows_mappings_dicts_or_dataclasses(app: Flask, world) -> None:
    columns = [ExportColumn("Nom", "last_name"), ExportColumn("Depuis", "created_at", kind="date")]
    created = world.supported_a.created_at
    with app.app_context():
        query = select(Person.last_name, Person.created_at).where(Person.id == world.supported_a.id)
        sources = {
            "ORM objects": session.scalars(select(Person).where(Person.id == world.supported_a.id)),
            "rows": session.execute(query),
            "mappings": session.execute(query).mappings(),
            "dicts": [{"last_name": "Suivi", "created_at": created}],
            "dataclasses": [Line("Suivi", created)],
        }
        for source, rows in sources.items():
            assert csv_rows(export_table("csv", "x", columns, rows).data)[1:] == [
                ["Suivi", in_paris(created).strftime("%d/%m/%Y")]], source


def test_the_links_macro_names_each_format(app: Flask) -> None:
    template = ('{% from "_exports.html" import export_links %}'
                "{{ export_links('partners.partner_list_export', q='Mission Locale', type='ccas') }}")
    with app.test_request_context("/"):
        page = render_template_string(template)
    assert re.sub(r"\s+", " ", page).strip() == (
        '<p class="export-links">Télécharger : '
        '<a href="/partenaires/export.csv?q=Mission+Locale&amp;type=ccas" type="text/csv" download>CSV</a>'
        f' · <a href="/partenaires/export.xlsx?q=Mission+Locale&amp;type=ccas" type="{XLSX_TYPE}" '
        "download>Excel</a></p>")
