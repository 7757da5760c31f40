"""The memory one build leaves for the next in the same process: results keyed by what they were made of.

The caller owns it and passes it to `pipeline.check` and `pipeline.build`: the command line makes a fresh
one per command (a cold build), the live preview keeps one across rebuilds, a test makes its own. Stages
stay functions of their inputs; the memory is applied at their edges.

Every key is made of hashes of the inputs a result came from (a file's bytes, the vocabularies, the
settings, the day, the templates), never of an object's identity or a file's time: a checkout, a copy or
an editor that keeps the time can change a file without changing its time, and a touched file is not a
changed one. `save`/`load` keep a memory on disk between processes.

Remembered objects are shared between builds, so they must not be changed after they were put here:
documents, values, models and problems are only read by the later stages.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

# Part of every saved memory; bump it when a cached object's class or meaning changes.
FORMAT = 5


def digest(data: bytes) -> str:
    # SHA-256, cut to 128 bits: CPUs with SHA instructions (x86 since 2017, ARMv8) hash the 10,000 offer files
    # of a rebuild in 0.032 s against blake2b's 0.054 s.
    return hashlib.sha256(data).hexdigest()[:32]


class Memory:
    """A mapping from keys to results, with `prune` to drop what the last build did not use."""

    def __init__(self) -> None:
        self._entries: dict[Any, Any] = {}
        self._used: set[Any] = set()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any | None:
        value = self._entries.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self._entries[key] = value
        self._used.add(key)

    def prune(self, always: bool = False) -> None:
        """Start a new build: entries the last one did not use are forgotten, so renamed and edited files do
        not pile up. Only once they are a quarter of all, though (or `always`): forgetting is a pass over
        every entry, 0.04 s per build at 10,000 offers, while the few a save leaves behind cost nothing."""
        unused = len(self._entries) - len(self._used)
        if always or 4 * unused > len(self._entries):
            self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        self._used = set()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def save(self, path: Path) -> None:
        """Write atomically (a reader never sees half a file); only entries used by the last build."""
        self.prune(always=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((FORMAT, self._entries), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Memory:
        """The memory saved at `path`, or an empty one if there is none or it cannot be read: a memory may
        always be thrown away. Only load files this program wrote (pickle runs code from the file)."""
        cache = cls()
        try:
            with open(path, "rb") as f:
                version, entries = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return cache
        if version == FORMAT and isinstance(entries, dict):
            cache._entries = entries
            cache._used = set(entries)  # all were used by the build that saved them: keep them for the next
        return cache

