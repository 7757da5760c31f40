"""Deterministic gzip of a large file from independently compressed chunks, so a rebuild compresses only the
chunks that changed.

gzip of the whole 6 MB index of 10,000 offers takes 0.24 s at level 6, the largest part of a rebuild after
one changed offer, which changes a handful of its ~300 term rows. Here the data is cut where the bytes
around the cut say so (content-defined chunking: an edit moves no cut far from it), and each chunk is
deflated by a fresh compressor ending with a full flush: byte-aligned and without references to earlier
data, so a chunk's compressed bytes depend on the chunk alone and can be reused wherever it occurs again.
The chunks, an empty final block and the trailer make one ordinary gzip member (any gunzip reads it); the
bytes are the same whether a chunk was compressed now or remembered, ~2 % larger than gzip of the whole
(docs/performance.md, "Search index stage").
"""

from __future__ import annotations

import struct
import threading
import zlib

# The end of a term row in the compact index ("...]]],[[[..." between rows): the natural cut points.
ROW_END = b"]]],"
ROW_START = b"[[["
# Longer pieces without a row end (the refs and lengths at the start of the index; other data) are cut
# after the first comma at least BLOCK bytes after the previous cut.
BLOCK = 64 * 1024
# A chunk ends after a piece once it holds MIN_CHUNK bytes and the piece's CRC is even, or at MAX_CHUNK:
# ~64 KB chunks on average. Smaller chunks cost ratio (each starts without history), larger ones cost time
# on a rebuild (each changed row recompresses its whole chunk).
MIN_CHUNK = 32 * 1024
MAX_CHUNK = 4 * MIN_CHUNK


def header(level: int) -> bytes:
    """The gzip header zlib writes (what gzip.compress(data, level, mtime=0) gives on Python 3.11): no name,
    mtime 0, XFL 2 for level 9 and 4 for levels below 2, OS 3 (Unix)."""
    xfl = 2 if level == 9 else 4 if level < 2 else 0
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes((xfl, 3))


def cuts(data: bytes) -> list[int]:
    """The end offset of every chunk of `data` (the last is len(data)); a function of the bytes alone."""
    ends = []  # piece ends
    start, n = 0, len(data)
    while start < n:
        i = data.find(ROW_END + ROW_START, start)
        end = n if i < 0 else i + len(ROW_END)
        while end - start > 2 * BLOCK:
            comma = data.find(b",", start + BLOCK, end - 1)
            if comma < 0:
                break
            ends.append(comma + 1)
            start = comma + 1
        ends.append(end)
        start = end
    result = []
    view = memoryview(data)
    chunk = piece = 0  # start of the current chunk and piece
    for end in ends:
        size = end - chunk
        if size >= MAX_CHUNK or (size >= MIN_CHUNK and not zlib.crc32(view[piece:end]) & 1):
            result.append(end)
            chunk = end
        piece = end
    if chunk < n:
        result.append(n)
    return result


def deflate(chunk: bytes, level: int) -> bytes:
    """Raw deflate of `chunk` alone, ended by a full flush: it can follow any other such chunk."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)


class ChunkedGzip:
    """Remembers the compressed chunks of the last `compress` call, so the next call compresses only chunks
    it has not seen. Holds about one file's bytes (the chunks as keys) plus its compressed size."""

    def __init__(self) -> None:
        self._chunks: dict[tuple[int, bytes], bytes] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:  # a saved memory keeps the chunks; a lock belongs to one process
        return {"_chunks": self._chunks}

    def __setstate__(self, state: dict) -> None:
        self._chunks = state["_chunks"]
        self._lock = threading.Lock()

    def compress(self, data: bytes, level: int = 6) -> bytes:
        with self._lock:
            known, self._chunks = self._chunks, {}
            parts = [header(level)]
            start = 0
            for end in cuts(data):
                key = (level, data[start:end])
                compressed = known.get(key)
                if compressed is None:
                    compressed = deflate(key[1], level)
                self._chunks[key] = compressed
                parts.append(compressed)
                start = end
            parts.append(zlib.compressobj(level, zlib.DEFLATED, -15).flush())  # an empty final block
            parts.append(struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))
            return b"".join(parts)


def compress(data: bytes, level: int = 6) -> bytes:
    """The same bytes as ChunkedGzip().compress(data, level), without remembering anything."""
    return ChunkedGzip().compress(data, level)
