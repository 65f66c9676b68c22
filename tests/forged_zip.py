"""An .xlsx whose zip headers lie: one part that really unpacks to `real_size` bytes while its local header and
the central directory both claim `declared` bytes (and the CRC of that many bytes, so that Python's zipfile,
which cuts a part to its declared size, finds it sound). Python's zipfile writes the archive with the part stored
as a placeholder of the right length; its compressed data, method, sizes and CRC are then patched in the bytes.
The padding is deflated once per block and repeated, so a part of gigabytes is built in a second.
Used by the tests and by bench/forged_upload.py.
"""

import io
import struct
import zipfile
import zlib

PART = "xl/worksheets/sheet1.xml"
_BLOCK = 1024 * 1024


def _deflated(head: bytes, spaces: int, tail: bytes) -> tuple[bytes, bytes]:
    """The raw deflate stream of head + `spaces` spaces + tail, and its first 5,000 real bytes at most."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = [packer.compress(head) + packer.flush(zlib.Z_SYNC_FLUSH)]
    blocks, rest = divmod(spaces, _BLOCK)
    block = b" " * _BLOCK
    repeated = b""
    for done in range(blocks):  # after two blocks of spaces the window is all spaces: each block packs the same
        if done < 3:
            repeated = packer.compress(block) + packer.flush(zlib.Z_SYNC_FLUSH)
        parts.append(repeated)
    parts.append(packer.compress(b" " * rest + tail) + packer.flush())
    return b"".join(parts), (head + b" " * _BLOCK)


def forge(content: bytes, *, real_size: int, declared: int = 5_000, part: str = PART) -> bytes:
    """`content` (an .xlsx) with `part` grown to `real_size` bytes of well-formed sheet XML, declared as `declared`."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        original = source.read(part)
        others = [(info.filename, source.read(info)) for info in source.infolist() if info.filename != part]
    head, _, tail = original.rpartition(b"</worksheet>")
    tail = b"</worksheet>" + tail
    packed, start = _deflated(head, max(real_size - len(head) - len(tail), 0), tail)  # spaces before the end tag
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in others:
            archive.writestr(name, data)
        archive.writestr(part, b"\0" * len(packed), compress_type=zipfile.ZIP_STORED)
        info = archive.getinfo(part)
    data = bytearray(out.getvalue())
    claimed_crc = zlib.crc32(start[:declared])
    local = info.header_offset
    name_length, extra_length = struct.unpack_from("<2H", data, local + 26)
    at = local + 30 + name_length + extra_length
    data[at : at + len(packed)] = packed
    central = data.rindex(b"PK\x01\x02")  # the part was written last: its entry is the last of the directory
    assert data[central + 46 : central + 46 + len(part)] == part.encode()
    for method, crc in ((local + 8, local + 14), (central + 10, central + 16)):  # CRC, then the two sizes
        struct.pack_into("<H", data, method, zipfile.ZIP_DEFLATED)
        struct.pack_into("<3I", data, crc, claimed_crc, len(packed), declared)
    return bytes(data)
