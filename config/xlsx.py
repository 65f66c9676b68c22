"""The cell values of an uploaded .xlsx workbook, for files of tens of thousands of rows (the Excel import).

Read by python-calamine (Rust's calamine: some 20 times faster than openpyxl's read-only mode, which spends about
25 µs of Python per cell). This module only gives its answer the shape the import reads: rows numbered as in
Excel (from 1), each cut or padded to a width, an empty cell as None, a whole number as an int; dates come as
dates (for numbers whose format is a date format), formulas as their cached result. The caller bounds the
archive's unpacked size before opening it.
"""

import datetime
from collections.abc import Iterator
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta | None


class XlsxError(ValueError):
    """Not a workbook this reader understands."""


def _cell(value: Any) -> Cell:
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class Workbook:
    def __init__(self, book: CalamineWorkbook):
        self.book = book

    @property
    def sheetnames(self) -> list[str]:
        return list(self.book.sheet_names)

    def rows(self, sheet: str, width: int) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, the values of its first `width` columns) for each row down to the sheet's last one."""
        try:
            data = self.book.get_sheet_by_name(sheet)
            # calamine counts the rows from the first one, the columns from the first one written in
            skip = data.start[1] if data.start else 0
            for index, row in enumerate(data.iter_rows()):
                values = [None] * skip + [_cell(v) for v in row[: max(width - skip, 0)]]
                yield index + 1, (values + [None] * width)[:width]
        except CalamineError as exc:
            raise XlsxError(str(exc)) from exc

    def close(self) -> None:
        self.book.close()


def open_workbook(stream: IO[bytes]) -> Workbook:
    try:
        return Workbook(CalamineWorkbook.from_filelike(stream))
    except CalamineError as exc:
        raise XlsxError(str(exc)) from exc
