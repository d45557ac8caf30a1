"""Lists downloaded as CSV or Excel files: the one helper the core's lists and every plugin
use (``export_table`` and ``ExportColumn``, in ``core.plugin_api``).

A view reads its rows exactly as its page does — the same scope, the same filters, all the
pages of a list cut into pages — and hands them, with the columns, to ``export_table``:

- CSV for French Excel and LibreOffice: ``;`` between fields, UTF-8 with a BOM (without it
  Excel reads the accents as Windows-1252), CRLF line ends, ``csv``'s quoting; French dates,
  decimal commas, ``oui``/``non``;
- XLSX (openpyxl, a write-only workbook: rows are written as they come, without a cell
  object kept for each value): numbers as numbers, dates and datetimes (in Paris time) as
  dates, a bold header row that stays in view, columns wide enough to read.

Both neutralise formula injection (core/web/export_cells.py). The answer is an attachment
that is never cached: lists carry personal data.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import Response, abort

from core.web.export_cells import KINDS, Cell, Kind, cell, french_text, neutralised, read

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

CSV = "csv"
XLSX = "xlsx"
MIME_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Excel's limits: 31 characters in a sheet's name, none of these in it.
SHEET_TITLE_LENGTH = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# What Windows and the Content-Disposition header cannot carry in a file name.
FILE_NAME_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|]+')
FILE_NAME_LENGTH = 120

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
# Column widths, in characters, when the column does not set its own: from what the header
# and the first rows hold, within these bounds.
WIDTH_BOUNDS = (8, 60)
WIDTH_SAMPLE = 500


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """One column of a downloaded table.

    ``title`` is its French header. ``value`` says where each row's value is: the name of
    an attribute or a key (``"last_name"``), or a function of the row
    (``lambda row: row.places - row.taken``). ``kind`` is needed only where the type alone
    does not say how to show the value: ``"text"`` keeps a number as text (a postcode, a
    file number), ``"date"`` shows a datetime as its day in Paris. ``decimals`` rounds
    numbers to that many places (amounts: 2). ``width`` (in characters) overrides the Excel
    column's width, else computed from the values.
    """

    title: str
    value: str | Callable[[Any], Any]
    kind: Kind | None = None
    decimals: int | None = None
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"ExportColumn {self.title!r}: kind is one of {sorted(KINDS)}, "
                             f"not {self.kind!r}")
        if self.decimals is not None and not 0 <= self.decimals <= 15:
            raise ValueError(f"ExportColumn {self.title!r}: decimals between 0 and 15")

    def cell(self, row: Any) -> Cell:
        value = self.value(row) if callable(self.value) else read(row, self.value)
        return cell(value, self.kind, self.decimals)


def export_table(format: str, filename: str, columns: Sequence[ExportColumn],
                 rows: Iterable[Any], *, title: str | None = None) -> Response:
    """The rows as a file to download: ``format`` is ``"csv"`` or ``"xlsx"`` (anything
    else answers 404, so that a route may take it from its URL), ``filename`` the file's
    name without its extension (accents welcome), ``title`` the Excel sheet's name (the file
    name by default). Rows are ORM objects, SQLAlchemy rows, dicts or dataclasses."""
    if format not in MIME_TYPES:
        abort(404)
    if not columns:
        raise ValueError("export_table needs at least one column")
    header = [neutralised(column.title) for column in columns]
    cells = [[column.cell(row) for column in columns] for row in rows]
    stem = file_stem(filename)
    if format == CSV:
        body = csv_file(header, cells)
    else:
        body = xlsx_file(header, cells, sheet_title(title or stem), columns)
    response = Response(body, content_type=MIME_TYPES[format])
    response.headers["Content-Disposition"] = content_disposition(f"{stem}.{format}")
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_file(header: list[str], cells: list[list[Cell]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([french_text(value) for value in row] for row in cells)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_file(header: list[str], cells: list[list[Cell]], title: str,
              columns: Sequence[ExportColumn]) -> bytes:
    # Loaded on the first Excel download, not when the app starts (tests/test_start_imports.py).
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    # A write-only sheet writes its columns and panes before its first row: set them now.
    for index, width in enumerate(_widths(header, cells, columns), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    def formatted(value: Cell, number_format: str) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = number_format
        return written

    def text(value: str, bold: Font | None = None) -> Any:
        # A line end is one line feed in a cell (Excel's own); XML would turn a lone CR into LF.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        # openpyxl makes a text starting with "=" a formula (a neutralised one never does, but
        # this must not rest on it) and "#N/A" an error: then a cell that says it is text.
        if bold is None and not value.startswith("=") and value not in ERROR_CODES:
            return value  # stored as text, without a cell object of our own
        written = WriteOnlyCell(sheet, value=value)
        written.data_type = "s"
        if bold is not None:
            written.font = bold
        return written

    # "0.00" for two decimals: Excel shows them with the reader's decimal separator.
    rounded = [None if column.decimals is None
               else f"0.{'0' * column.decimals}" if column.decimals else "0" for column in columns]

    def value_cell(index: int, value: Cell) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, datetime):
            return formatted(value, DATETIME_FORMAT)
        if isinstance(value, date):
            return formatted(value, DATE_FORMAT)
        if isinstance(value, time):
            return formatted(value, TIME_FORMAT)
        if rounded[index] is not None and value is not None and not isinstance(value, bool):
            return formatted(value, rounded[index])
        return value  # None, a bool or a number: openpyxl stores it with its own type

    bold = Font(bold=True)
    sheet.append([text(title, bold) for title in header])
    for row in cells:
        sheet.append([value_cell(index, value) for index, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _widths(header: list[str], cells: list[list[Cell]],
            columns: Sequence[ExportColumn]) -> list[int]:
    low, high = WIDTH_BOUNDS
    found = []
    for index, title in enumerate(header):
        width = columns[index].width
        if width is not None:
            found.append(width)
            continue
        longest = max([len(title), *(_shown_length(row[index]) for row in cells[:WIDTH_SAMPLE])])
        found.append(min(max(longest + 2, low), high))
    return found


def _shown_length(value: Cell) -> int:
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    return len(french_text(value))


def file_stem(filename: str) -> str:
    """The name without what a file system or the header refuses; ``export`` if nothing is
    left."""
    stem = FILE_NAME_FORBIDDEN.sub("-", filename)
    stem = " ".join(stem.split()).strip(" .-")[:FILE_NAME_LENGTH].strip(" .-")
    return stem or "export"


def sheet_title(title: str) -> str:
    # Nor may it start or end with an apostrophe (Excel quotes sheet names with them).
    cleaned = " ".join(SHEET_TITLE_FORBIDDEN.sub(" ", title).split())[:SHEET_TITLE_LENGTH]
    return cleaned.strip(" '") or "Export"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII name for old clients and the real one (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = " ".join(ascii_name.split())
    if ascii_name.startswith("."):
        ascii_name = "export" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
