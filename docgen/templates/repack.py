"""A .docx written again from its template: unchanged members copied as they are stored (their
compressed bytes), the rendered ones deflated; one pass, no unpacking of what did not change.

Only what archive.py lets through comes here: at most MAX_ENTRIES members, stored or deflated, not
encrypted, small enough that no ZIP64 record is needed (checked again when writing).
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_LOCAL_SIGNATURE, _CENTRAL_SIGNATURE, _END_SIGNATURE = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_UTF8_NAME = 0x800
_VERSION = 20        # "2.0": deflate
_LIMIT = 0xFFFFFFFF  # beyond this a ZIP64 record would be needed
# zlib's fast strategy: the example plan's body 8 % larger than at the default level 6, a 1,000-row one
# smaller, each in half the time
LEVEL = 3


@dataclass(frozen=True)
class Member:
    """One archive member, ready to be written: its compressed bytes and what the headers say of it."""

    name: str
    method: int
    crc: int
    size: int
    data: bytes           # compressed as `method` says
    date_time: tuple[int, int, int, int, int, int]
    external_attr: int
    create_system: int


def deflated(content: bytes, *, like: Member, level: int = LEVEL) -> Member:
    """`like` with new content, deflated; the name, time and attributes stay."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    return Member(like.name, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content), data, like.date_time,
                  like.external_attr, like.create_system)


def members(package: bytes) -> list[Member]:
    """Every member of `package`, in its order, with its stored bytes (not decompressed)."""
    found = []
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for info in archive.infolist():
            header = package[info.header_offset:info.header_offset + _LOCAL.size]
            fields = _LOCAL.unpack(header)
            if fields[0] != _LOCAL_SIGNATURE:
                raise zipfile.BadZipFile(f"{info.filename}: no local header")
            start = info.header_offset + _LOCAL.size + fields[10] + fields[11]
            data = package[start:start + info.compress_size]
            if len(data) != info.compress_size:
                raise zipfile.BadZipFile(f"{info.filename}: truncated")
            found.append(Member(info.filename, info.compress_type, info.CRC, info.file_size, data,
                                info.date_time, info.external_attr, info.create_system))
    return found


def _dos(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), (max(year, 1980) - 1980) << 9 | (month << 5) | day


def write(entries: list[Member]) -> bytes:
    """The archive of `entries`, in their order."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for member in entries:
        name = member.name.encode("utf-8")
        flags = 0 if member.name.isascii() else _UTF8_NAME
        time, date = _dos(member.date_time)
        if max(offset, len(member.data), member.size) > _LIMIT:
            raise ValueError("the document is too large for a .docx without ZIP64")
        local = _LOCAL.pack(_LOCAL_SIGNATURE, _VERSION, 0, flags, member.method, time, date, member.crc,
                            len(member.data), member.size, len(name), 0)
        central.append(_CENTRAL.pack(_CENTRAL_SIGNATURE, _VERSION, member.create_system, _VERSION, 0, flags,
                                     member.method, time, date, member.crc, len(member.data), member.size,
                                     len(name), 0, 0, 0, 0, member.external_attr, offset) + name)
        out += (local, name, member.data)
        offset += len(local) + len(name) + len(member.data)
    directory = b"".join(central)
    out += (directory, _END.pack(_END_SIGNATURE, 0, 0, len(entries), len(entries), len(directory), offset, 0))
    return b"".join(out)
