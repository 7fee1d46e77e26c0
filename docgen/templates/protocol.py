"""The frames between the app and a template worker (worker.py): an 8-byte big-endian length, then the bytes."""
from __future__ import annotations

import struct
from typing import BinaryIO

FRAME = struct.Struct(">Q")
MEMORY_EXIT = 75       # the worker's exit status when the memory limit was hit and no answer could be sent


def read_frame(stream: BinaryIO, limit: int) -> bytes | None:
    """One frame, or None at the end of the stream (or of a frame cut short)."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size = FRAME.unpack(head)[0]
    if size > limit:
        raise ValueError(f"frame of {size} bytes")
    body = stream.read(size)
    return body if len(body) == size else None


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(FRAME.pack(len(data)) + data)
