"""Writes the rendered site into a staging folder and swaps it into place only when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType


class Staging:
    """A new site, written file by file as pages are rendered (so a build never holds every page in memory)
    into a hidden folder next to `out_dir`, and swapped into place by `commit`. Leaving the `with` block
    without `commit` (a failed build) removes the folder and leaves the previous site untouched; pages of
    removed offers disappear because nothing of the old folder is kept."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f"{self.out_dir.name}.staging-", dir=self.out_dir.parent))
        self.paths: set[str] = set()
        self._folders: set[Path] = {self.root}
        self._committed = False

    def add(self, path: str, data: bytes) -> os.stat_result:
        target = self._target(path)
        with open(target, "xb") as f:
            f.write(data)
            return os.fstat(f.fileno())

    def link(self, path: str, source: Path) -> None:
        """Publish `source` (a file of the previous site, never changed in place) again without copying."""
        os.link(source, self._target(path))

    def _target(self, path: str) -> Path:
        if path in self.paths:
            raise ValueError(f"{path} would be written twice")  # two sources for one URL is a bug
        self.paths.add(path)
        target = self.root / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def adopt(self, paths: list[str]) -> None:
        """Record files another process wrote into `root` (the search index is built alongside rendering)."""
        for path in paths:
            if path in self.paths:
                raise ValueError(f"{path} would be written twice")
            self.paths.add(path)

    def commit(self) -> None:
        self.root.chmod(0o755)  # mkdtemp creates 0700; the web server must be able to read the folder
        previous = Path(tempfile.mkdtemp(prefix=f"{self.out_dir.name}.previous-", dir=self.out_dir.parent))
        old = previous / self.out_dir.name
        try:
            if self.out_dir.exists():
                self.out_dir.rename(old)
            self.root.rename(self.out_dir)
        except BaseException:
            if old.exists() and not self.out_dir.exists():
                old.rename(self.out_dir)
            shutil.rmtree(previous, ignore_errors=True)
            raise
        self._committed = True
        shutil.rmtree(previous, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if not self._committed:
            self.discard()


def publish(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace `out_dir` with exactly `files`. A failure at any point leaves the previous site in place."""
    with Staging(out_dir) as staging:
        for rel in sorted(files):
            staging.add(rel, files[rel])
        staging.commit()
