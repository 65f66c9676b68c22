"""The reader of uploaded .xlsx files (config.xlsx): the archive is counted by what it really unpacks to, never
by what its headers declare, and a cell's tag is seen whole however the chunks fall."""

import io
import struct
import zipfile

import pytest
from openpyxl import Workbook

from config import xlsx
from tests.forged_zip import PART, forge


def _book(sheet_xml: bytes | None = None) -> bytes:
    book = Workbook()
    book.active.title = "Hộ"
    book.active["A1"] = "STT hộ"
    out = io.BytesIO()
    book.save(out)
    if sheet_xml is None:
        return out.getvalue()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    original = parts[PART]
    parts[PART] = original.replace(b"</sheetData>", sheet_xml + b"</sheetData>")
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return patched.getvalue()


def test_a_part_that_unpacks_past_the_limit_is_refused_whatever_its_headers_declare():
    forged = forge(_book(), real_size=3_000_000)
    with zipfile.ZipFile(io.BytesIO(forged)) as archive:  # zipfile believes the headers (and their CRC)
        assert len(archive.read(PART)) == archive.getinfo(PART).file_size == 5_000

    with pytest.raises(xlsx.ArchiveTooLarge) as refused:
        xlsx.check_archive(forged, max_unpacked=1_000_000)

    assert (refused.value.limit, refused.value.part) == (1_000_000, PART)


def test_a_part_larger_than_it_declares_but_within_the_limit_is_damaged_and_never_opened():
    with pytest.raises(xlsx.ArchiveDamaged) as refused:
        xlsx.open_workbook(io.BytesIO(forge(_book(), real_size=200_000)))

    assert refused.value.part == PART


def test_a_part_that_fails_its_crc_is_damaged():
    content = bytearray(_book())
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = archive.getinfo(PART)
    struct.pack_into("<I", content, info.header_offset + 14, info.CRC ^ 1)  # local header
    central = next(
        at
        for at in range(len(content) - 46)
        if content[at : at + 4] == b"PK\x01\x02" and content[at + 46 : at + 46 + len(PART)] == PART.encode()
    )
    struct.pack_into("<I", content, central + 16, info.CRC ^ 1)

    with pytest.raises(xlsx.ArchiveDamaged) as refused:
        xlsx.check_archive(bytes(content))

    assert refused.value.part == PART and "CRC" in refused.value.reason


def test_a_zip_whose_directory_is_broken_is_damaged_and_a_file_that_is_no_zip_is_not_xlsx():
    content = _book()
    end = content.rindex(b"PK\x05\x06")
    broken = content[:end] + content[end : end + 16] + struct.pack("<I", 7) + content[end + 20 :]  # directory offset

    with pytest.raises(xlsx.ArchiveDamaged):
        xlsx.check_archive(broken)
    with pytest.raises(xlsx.XlsxError) as not_zip:
        xlsx.check_archive(b"STT;Ho\n1;2\n")
    assert type(not_zip.value) is xlsx.XlsxError


def test_an_archive_of_too_many_parts_is_refused_before_any_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_book())) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        for number in range(30):
            archive.writestr(f"xl/media/x{number}.bin", b"")

    with pytest.raises(xlsx.TooManyParts) as refused:
        xlsx.check_archive(out.getvalue(), max_parts=20)

    assert refused.value.count > 20


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="XFD1048576"><v>1</v></c>',
        b'<c r="A2" a=">" r="XFD1048576"><v>1</v></c>',  # calamine takes the last r, and reads '>' in quotes
        b'<c r="A2" a="<c b=" r="XFD1048576"><v>1</v></c>',  # and '<' in quotes, as XML does not allow
        b'<!-- a " quote --><c r="XFD1048576"><v>1</v></c>',
        b'<x:c xmlns:x="urn:x" r="XFD1048576"><v>1</v></x:c>',
    ],
)
def test_a_far_cell_is_found_wherever_the_chunks_are_cut(monkeypatch, cell):
    content = _book(b'<row r="2">' + cell + b"</row>")
    for chunk in range(1, 80):
        monkeypatch.setattr(xlsx, "_CHUNK", chunk)
        with pytest.raises(xlsx.SheetTooLarge) as refused:
            xlsx.check_archive(content)
        assert (refused.value.rows, refused.value.columns) == (1_048_576, 16_384), chunk


def test_cells_without_their_place_are_followed_through_the_xml_in_chunks(monkeypatch):
    content = _book(b'<row r="3"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>')
    monkeypatch.setattr(xlsx, "_CHUNK", 7)

    with pytest.raises(xlsx.SheetTooLarge) as refused:
        xlsx.check_archive(content, max_cells=8)

    assert (refused.value.rows, refused.value.columns) == (3, 3)


def test_a_tag_longer_than_the_markup_limit_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "_MAX_MARKUP", 1_000)
    content = _book(b'<row r="2"><c a="' + b"x" * 5_000 + b'" r="A2"><v>1</v></c></row>')
    monkeypatch.setattr(xlsx, "_CHUNK", 500)

    with pytest.raises(xlsx.XlsxError, match="markup longer"):
        xlsx.check_archive(content)


def test_a_good_workbook_is_read_whatever_the_chunk_size(monkeypatch):
    monkeypatch.setattr(xlsx, "_CHUNK", 13)
    book = xlsx.open_workbook(io.BytesIO(_book(b'<row r="2"><c r="B2"><v>42</v></c></row>')))

    assert list(book.rows("Hộ", 2)) == [(1, ["STT hộ", None]), (2, [None, 42])]
