"""The cell values of an uploaded .xlsx workbook, for files of tens of thousands of rows (the Excel import).

Read by python-calamine (Rust's calamine: some 20 times faster than openpyxl's read-only mode, which spends about
25 µs of Python per cell). This module only gives its answer the shape the import reads: rows numbered as in
Excel (from 1), each cut or padded to a width, an empty cell as None, a whole number as an int; dates come as
dates (for numbers whose format is a date format), formulas as their cached result. The caller bounds the
archive before opening it (`check_archive`).

calamine holds a sheet as the whole rectangle from its first to its last written cell, one slot per cell, and
aborts the process (no Python exception) when it cannot allocate it: a 5 KB file with one value in XFD1048576
asks for 17 billion cells. So before calamine reads anything, every part of the archive is scanned for the
farthest cell it writes (`_extent`), and a workbook whose rectangle exceeds MAX_CELLS is refused
(`SheetTooLarge`, naming the sheet). Only a real .xlsx is opened: not .xls, .xlsb or .ods, which calamine would
also read, and whose cells this scan does not see.

An .xlsx is a zip, and a zip's headers say how big each part is: an attacker writes 5,000 there for a part that
unpacks to a gigabyte (Python's zipfile then inflates the whole part in one call before cutting it to the declared
size). So the scan never trusts them: it inflates each part itself, in chunks of at most 1 MB, counting the real
bytes against `max_unpacked` for the whole archive and stopping there (`ArchiveTooLarge`), and refuses a part whose
real size or CRC differs from what the archive declares (`ArchiveDamaged`: the reader that follows relies on
them), an archive of more than `max_parts` parts (`TooManyParts`), and compression methods an .xlsx does not use.
The cells are looked for chunk by chunk too: a chunk is cut only between two pieces of markup as an XML reader
tokenizes them (quotes and all), so a cell's tag is always seen whole. The worker's memory stays within a few MB
of the upload's size, whatever the archive claims (bench/forged_upload.py).
"""

import datetime
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast
from xml.parsers import expat

from python_calamine import CalamineError, CalamineWorkbook

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta | None

MAX_CELLS = 5_000_000  # of one sheet's rectangle (about 30 bytes each in calamine): 80,000 rows of 60 columns
MAX_UNPACKED = 300 * 1024 * 1024  # real unpacked bytes of all the parts together
MAX_PARTS = 1_000  # parts of the archive (a workbook of a few sheets has about 15)
_CHUNK = 1024 * 1024  # of unpacked bytes at a time
_MAX_MARKUP = 1024 * 1024  # one tag, comment or CDATA section (Excel writes tags of under 100 bytes)
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # a zip part's local header: signature ... name and extra lengths
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
# The longest run of whole pieces of markup and text from the start, as quick-xml (calamine's XML reader) cuts
# them: a start tag ends at the first '>' outside quotes, an end tag at the first '>', a comment at '-->', a CDATA
# section at ']]>', a processing instruction at '?>'. What follows is an unfinished piece, kept for the next chunk.
_WHOLE = re.compile(  # the branches start differently (most common first): the order changes nothing else
    rb"""(?:<(?![!/?])[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>|</[^>]*>|[^<]+|<!--.*?-->|<!\[CDATA\[.*?\]\]>"""
    rb"""|<\?.*?\?>|<!(?!--|\[CDATA\[)[^>]*>)*""",
    re.S,
)
_DOCTYPE = re.compile(rb"<!doctype", re.I)  # an xlsx part has none (quick-xml reads one to its own rules)


class XlsxError(ValueError):
    """Not a workbook this reader understands."""


class ArchiveTooLarge(XlsxError):
    """Parts that really unpack to more than `limit` bytes (together), found at `part`, whatever the zip declares."""

    def __init__(self, limit: int, part: str):
        super().__init__(f"{part}: unpacks to more than {limit} bytes")
        self.limit, self.part = limit, part


class ArchiveDamaged(XlsxError):
    """A part whose data does not match what the archive declares of it (size, CRC, headers), or is cut short."""

    def __init__(self, part: str, reason: str):
        super().__init__(f"{part}: {reason}")
        self.part, self.reason = part, reason


class TooManyParts(XlsxError):
    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} parts (at most {limit})")
        self.count, self.limit = count, limit


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


def _extent(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the farthest cell a run of whole XML pieces writes: an upper bound of what
    calamine reads; None if a cell is placed after the previous one, without `r` (`_extent_parsed` follows it)."""
    cells = _CELL.findall(data)
    if not cells:
        return 0, 0
    if (b"", b"", b"", b"") in cells:
        return None
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


def _extent_parsed(chunks: Iterable[bytes]) -> tuple[int, int]:
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
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
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
        if any(
            archive.getinfo(part).file_size > 8 * _CHUNK for part in ("xl/_rels/workbook.xml.rels", "xl/workbook.xml")
        ):
            return {}  # (sizes checked true by then) too big to read whole just for a name
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


def _unpacked(content: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The real bytes of a part, at most _CHUNK at a time, from its compressed data: whatever size it declares."""
    offset = info.header_offset
    header = bytes(content[offset : offset + _LOCAL_HEADER.size])
    if len(header) < _LOCAL_HEADER.size or not header.startswith(b"PK\x03\x04"):
        raise ArchiveDamaged(info.filename, "no local header")
    _, _, flags, method, _, _, crc, packed, size, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if info.flag_bits & 1:
        raise XlsxError(f"{info.filename}: encrypted")
    if method != info.compress_type or (
        not flags & 8
        and 0xFFFFFFFF not in (packed, size)
        and (crc, packed, size) != (info.CRC, info.compress_size, info.file_size)
    ):
        raise ArchiveDamaged(info.filename, "the local header and the central directory disagree")
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    data = content[start : start + info.compress_size]
    if len(data) < info.compress_size:
        raise ArchiveDamaged(info.filename, "cut short")
    if method == zipfile.ZIP_STORED:
        for at in range(0, len(data), _CHUNK):
            yield bytes(data[at : at + _CHUNK])
        return
    if method != zipfile.ZIP_DEFLATED:
        raise XlsxError(f"{info.filename}: compression method {method}")
    inflate, at = zlib.decompressobj(-zlib.MAX_WBITS), 0
    while not inflate.eof:
        if inflate.unconsumed_tail:
            packed_chunk = inflate.unconsumed_tail
        elif at < len(data):
            packed_chunk, at = bytes(data[at : at + _CHUNK]), at + _CHUNK
        else:
            raise ArchiveDamaged(info.filename, "cut short")
        yield inflate.decompress(packed_chunk, _CHUNK)


class _Cells:
    """The farthest cell of a part fed chunk by chunk; each chunk is cut after its last whole piece of markup."""

    def __init__(self) -> None:
        self.rest, self.rows, self.columns, self.unplaced = b"", 0, 0, False

    def _scan(self, data: bytes) -> None:
        if _DOCTYPE.search(data):
            raise XlsxError("a DTD in an xlsx part")
        extent = _extent(data)
        if extent is None:
            self.unplaced = True
        else:
            self.rows, self.columns = max(self.rows, extent[0]), max(self.columns, extent[1])

    def feed(self, chunk: bytes) -> None:
        if self.unplaced:  # the part will be parsed as a whole
            return
        data = self.rest + chunk
        whole = _WHOLE.match(data)
        end = whole.end() if whole else 0
        self.rest = data[end:]
        if len(self.rest) > _MAX_MARKUP:
            raise XlsxError(f"a piece of markup longer than {_MAX_MARKUP} bytes")
        self._scan(data[:end])

    def close(self) -> None:
        if not self.unplaced:
            self._scan(self.rest)


def check_archive(
    content: bytes, *, max_cells: int = MAX_CELLS, max_unpacked: int = MAX_UNPACKED, max_parts: int = MAX_PARTS
) -> None:
    """An .xlsx whose parts really unpack to at most `max_unpacked` bytes, as declared, and whose every part stays
    within `max_cells`; else XlsxError (ArchiveTooLarge, ArchiveDamaged, TooManyParts, SheetTooLarge)."""
    view = memoryview(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > max_parts:
                raise TooManyParts(len(infos), max_parts)
            names = {name.lower() for name in archive.namelist()}
            if not content.startswith(b"PK\x03\x04") or "xl/workbook.xml" not in names or names & set(_NOT_XLSX):
                raise XlsxError("not an .xlsx workbook")
            unpacked = 0
            for info in infos:
                cells, size, crc = _Cells(), 0, 0
                for chunk in _unpacked(view, info):
                    size, unpacked, crc = size + len(chunk), unpacked + len(chunk), zlib.crc32(chunk, crc)
                    if unpacked > max_unpacked:
                        raise ArchiveTooLarge(max_unpacked, info.filename)
                    if size <= info.file_size:  # beyond, the part is refused below: no need to look at it
                        cells.feed(chunk)
                if size != info.file_size or crc != info.CRC:
                    raise ArchiveDamaged(info.filename, f"{size} bytes, CRC {crc:08x}: not as declared")
                cells.close()
                rows, columns = _extent_parsed(_unpacked(view, info)) if cells.unplaced else (cells.rows, cells.columns)
                if rows * columns > max_cells:
                    sheet = _sheet_names(archive).get(info.filename.lower(), info.filename)
                    raise SheetTooLarge(sheet, rows, columns)
    except (*_BROKEN, NotImplementedError, RuntimeError) as exc:  # damaged, encrypted, unknown compression
        if isinstance(exc, XlsxError):
            raise
        if isinstance(exc, zipfile.BadZipFile) and b"PK\x05\x06" in content[-65_557:]:  # a zip's end, but broken
            raise ArchiveDamaged("", str(exc)) from exc
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


def open_workbook(
    stream: IO[bytes], *, max_cells: int = MAX_CELLS, max_unpacked: int = MAX_UNPACKED, max_parts: int = MAX_PARTS
) -> Workbook:
    """The workbook of an .xlsx file, once `check_archive` found nothing that would exhaust the memory."""
    content = stream.read()
    check_archive(content, max_cells=max_cells, max_unpacked=max_unpacked, max_parts=max_parts)
    try:
        return Workbook(CalamineWorkbook.from_filelike(io.BytesIO(content)))
    except CalamineError as exc:
        raise XlsxError(str(exc)) from exc
