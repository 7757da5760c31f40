"""Helpers for tests that change one value deep inside a parsed front matter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path into `value` (keys and list positions), the empty path first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, prefix + (i,))


def replace(value: Any, path: tuple, new: Any) -> Any:
    """A copy of `value` with the value at `path` replaced by `new`; `value` itself is not changed."""
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replace(value[path[0]], path[1:], new)
    return copy
