"""The cell values of an uploaded .xlsx workbook, for files of tens of thousands of rows (the Excel import).

Read by python-calamine (Rust's calamine: some 20 times faster than openpyxl's read-only mode, which spends about
25 µs of Python per cell). This module only gives its answer the shape the import reads: rows numbered as in
Excel (from 1), each cut or padded to a width, an empty cell as None, a whole number as an int; dates come as
dates (for numbers whose format is a date format), formulas as their cached result. The caller bounds the
archive's unpacked size before opening it.

calamine holds a sheet as the whole rectangle from its first to its last written cell, one slot per cell, and
aborts the process (no Python exception) when it cannot allocate it: a 5 KB file with one value in XFD1048576
asks for 17 billion cells. So before calamine reads anything, every part of the archive is scanned for the
farthest cell it writes (`_extent`), and a workbook whose rectangle exceeds MAX_CELLS is refused
(`SheetTooLarge`, naming the sheet). Only a real .xlsx is opened: not .xls, .xlsb or .ods, which calamine would
also read, and whose cells this scan does not see.
"""

import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, cast
from xml.parsers import expat

from python_calamine import CalamineError, CalamineWorkbook

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta | None

MAX_CELLS = 5_000_000  # of one sheet's rectangle (about 30 bytes each in calamine): 80,000 rows of 60 columns
_BROKEN = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError)
_NOT_XLSX = ("content.xml", "xl/workbook.bin")  # an .ods or .xlsb that also carries an xl/workbook.xml

# A <c> start tag and its `r` attribute (the last one, as calamine takes it), quotes and all: (letters, digits)
# twice, for "A1" and 'A1'; a cell without `r` matches with empty groups.
_CELL = re.compile(
    rb"""<(?:[^\s<>/:="'!?]+:)?c(?=[\s/>])"""  # any prefix: calamine goes by the local name
    rb"""(?:[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""
    rb"""\sr\s*=\s*(?:"([A-Za-z]*)([0-9]+)"|'([A-Za-z]*)([0-9]+)'))?"""
)
_REF = re.compile(r"([A-Za-z]*)([0-9]+)")


class XlsxError(ValueError):
    """Not a workbook this reader understands."""


class SheetTooLarge(XlsxError):
    """A sheet whose written cells reach too far down or right (`rows` x `columns` > MAX_CELLS)."""

    def __init__(self, sheet: str, rows: int, columns: int):
        super().__init__(f"{sheet}: {rows} x {columns} cells")
        self.sheet, self.rows, self.columns = sheet, rows, columns


_FAR = 10**10  # a row or column number written with too many digits or letters to be real


def column_number(letters: str | bytes) -> int:
    """A1 notation's column letters as a number from 1 (A) (0 for none)."""
    if len(letters) > 6:
        return _FAR
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def row_number(digits: str | bytes) -> int:
    return int(digits) if len(digits) < 10 else _FAR


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell an XML part writes: an upper bound of what calamine reads."""
    cells = _CELL.findall(data)
    if not cells:
        return 0, 0
    if (b"", b"", b"", b"") in cells:  # a cell placed after the previous one, without `r`: follow the XML
        return _extent_parsed(data)
    first_letters, first_rows, other_letters, other_rows = (set(group) for group in zip(*cells, strict=True))
    letters, numbers = (first_letters | other_letters) - {b""}, (first_rows | other_rows) - {b""}
    return max(map(row_number, numbers)), max(map(column_number, letters), default=0)


def _parser() -> Any:
    """An expat parser giving names as "namespace}local", refusing a DTD (an xlsx part has none: no entities)."""
    parser = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*_: Any) -> None:
        raise XlsxError("a DTD in an xlsx part")

    parser.StartDoctypeDeclHandler = no_dtd
    return parser


def _extent_parsed(data: bytes) -> tuple[int, int]:
    """`_extent` of a part whose cells do not all say where they are: positions as the XML gives them."""
    parser = _parser()
    row = column = rows = columns = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, column, rows, columns
        local = name.rpartition("}")[2]
        if local == "row":
            number = attrs.get("r", "")
            row = row_number(number) if number.isascii() and number.isdigit() else row + 1
            column = 0
        elif local == "c":
            ref = _REF.fullmatch(attrs.get("r", ""))
            column = column_number(ref[1]) if ref and ref[1] else column + 1
            rows, columns = max(rows, row, 1, row_number(ref[2]) if ref else 0), max(columns, column)

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XlsxError(f"unreadable XML: {exc}") from exc
    return rows, columns


def _elements(data: bytes, local_name: str) -> list[dict[str, str]]:
    """The attributes of every element of a part with that local name."""
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition("}")[2] == local_name:
            found.append(attrs)

    parser = _parser()
    parser.StartElementHandler = start
    parser.Parse(data, True)
    return found


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """part name (lower case) -> sheet name, as calamine finds them (for naming a sheet in an error)."""
    relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        rels = _elements(archive.read("xl/_rels/workbook.xml.rels"), "Relationship")
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        names = {}
        for sheet in _elements(archive.read("xl/workbook.xml"), "sheet"):
            target = targets.get(sheet.get(relationship), "")
            target = target[1:] if target.startswith("/xl/") else target
            names[(target if target.startswith("xl/") else "xl/" + target).lower()] = sheet.get("name", "")
        return names
    except (expat.ExpatError, *_BROKEN):
        return {}


def check_archive(content: bytes, *, max_cells: int = MAX_CELLS) -> None:
    """An .xlsx whose every part stays within `max_cells`; else XlsxError (SheetTooLarge for a far cell)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = {name.lower() for name in archive.namelist()}
            if not content.startswith(b"PK\x03\x04") or "xl/workbook.xml" not in names or names & set(_NOT_XLSX):
                raise XlsxError("not an .xlsx workbook")
            for info in archive.infolist():
                rows, columns = _extent(archive.read(info))
                if rows * columns > max_cells:
                    sheet = _sheet_names(archive).get(info.filename.lower(), info.filename)
                    raise SheetTooLarge(sheet, rows, columns)
    except (*_BROKEN, NotImplementedError, RuntimeError) as exc:  # damaged, encrypted, unknown compression
        if isinstance(exc, XlsxError):
            raise
        raise XlsxError(str(exc)) from exc


def _cell(value: Any) -> Cell:
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return cast(Cell, value)  # calamine gives only these types


class Workbook:
    def __init__(self, book: CalamineWorkbook):
        self.book = book
        self._loaded: tuple[str, Any] | None = None  # the last sheet read: its header, then its rows

    def _sheet(self, name: str) -> Any:
        if self._loaded is None or self._loaded[0] != name:
            self._loaded = None  # let the previous one go first
            self._loaded = (name, self.book.get_sheet_by_name(name))
        return self._loaded[1]

    @property
    def sheetnames(self) -> list[str]:
        return list(self.book.sheet_names)

    def rows(self, sheet: str, width: int) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, the values of its first `width` columns) for each row down to the sheet's last one."""
        try:
            data = self._sheet(sheet)
            # calamine counts the rows from the first one, the columns from the first one written in
            skip = data.start[1] if data.start else 0
            for index, row in enumerate(data.iter_rows()):
                values = [None] * skip + [_cell(v) for v in row[: max(width - skip, 0)]]
                yield index + 1, (values + [None] * width)[:width]
        except CalamineError as exc:
            raise XlsxError(str(exc)) from exc

    def close(self) -> None:
        self._loaded = None
        self.book.close()


def open_workbook(stream: IO[bytes], *, max_cells: int = MAX_CELLS) -> Workbook:
    """The workbook of an .xlsx file, once `check_archive` found nothing that would exhaust the memory."""
    content = stream.read()
    check_archive(content, max_cells=max_cells)
    try:
        return Workbook(CalamineWorkbook.from_filelike(io.BytesIO(content)))
    except CalamineError as exc:
        raise XlsxError(str(exc)) from exc
