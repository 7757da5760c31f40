"""Writes the rendered site into a staging folder and puts it in place only when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType


class Staging:
    """A new site, written file by file as pages are rendered (so a build never holds every page in memory)
    into a hidden folder next to `out_dir`, and put in place by `commit`. Leaving the `with` block without
    `commit` (a failed build) removes the folder and leaves the previous site untouched.

    Two ways to commit:
    - complete (`previous=None`): the staging folder holds the whole site and replaces `out_dir` by two
      renames. Nothing of the old folder survives, so pages of
      removed offers disappear. This is what every build of a new process does (CI, `build.py build`).
    - update (`previous` = every path the last build in this process published into `out_dir`, which must be
      untouched since): only new and changed files are staged; `commit` moves them over the old ones one by
      one (each `os.replace` is atomic, so a reader sees the old or the new page, never half of one) and
      removes what the new site no longer has. Copying 11,000 unchanged pages into a new folder and deleting
      the old one cost 1.6 s of a 10,000-offer rebuild (docs/performance.md). Between the first and the last
      move the folder mixes old and new pages; a failure there leaves it so, and the caller must then make
      the next build a complete one."""

    def __init__(self, out_dir: Path, previous: Iterable[str] | None = None) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f"{self.out_dir.name}.staging-", dir=self.out_dir.parent))
        self.previous = None if previous is None else set(previous)
        self.paths: set[str] = set()  # every file of the new site
        self.staged: set[str] = set()  # those written into `root`
        self.touched: set[str] = set()  # folders of `out_dir` an update added, changed or removed files in
        self._folders: set[Path] = {self.root}
        self._committed = False

    @property
    def updating(self) -> bool:
        return self.previous is not None

    def add(self, path: str, data: bytes | list[bytes]) -> os.stat_result:
        """Write a file of the new site: its bytes, or a list of parts written one after another."""
        target = self._target(path)
        self.staged.add(path)
        with open(target, "xb") as f:
            if isinstance(data, bytes):
                f.write(data)
            else:
                _write_parts(f.fileno(), data)
            return os.fstat(f.fileno())

    def keep(self, path: str) -> None:
        """Publish the last build's `out_dir/path` again as it is (an update only)."""
        assert self.updating
        self._claim(path)

    def _claim(self, path: str) -> None:
        if path in self.paths:
            raise ValueError(f"{path} would be written twice")  # two sources for one URL is a bug
        self.paths.add(path)

    def _target(self, path: str) -> Path:
        self._claim(path)
        target = self.root / path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def adopt(self, staged: Iterable[str]) -> None:
        """Record what another process wrote into `root` (pages are rendered alongside the search index)."""
        for path in staged:
            self._claim(path)
            self.staged.add(path)

    def commit(self) -> None:
        if self.updating:
            self._update()
        else:
            self._replace()
        self._committed = True

    def _replace(self) -> None:
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
        shutil.rmtree(previous, ignore_errors=True)

    def _update(self) -> None:
        assert self.previous is not None
        out = str(self.out_dir) + os.sep
        # Removals first, so a file may take the place of a folder that held only removed files.
        for path in sorted(self.previous - self.paths, reverse=True):
            try:
                os.unlink(out + path)
            except FileNotFoundError:
                pass
            folder = os.path.dirname(path)
            self.touched.add(folder)
            while folder:
                try:
                    os.rmdir(out + folder)  # only if empty
                except OSError:
                    break
                folder = os.path.dirname(folder)
                self.touched.add(folder)
        made: set[str] = set()
        root = str(self.root) + os.sep
        for path in sorted(self.staged):
            folder = os.path.dirname(path)
            if folder not in made:
                made.add(folder)
                self.touched.add(folder)
                if folder and not os.path.isdir(out + folder):
                    os.makedirs(out + folder)
                    while folder:  # makedirs may have made parents, or added to one
                        folder = os.path.dirname(folder)
                        self.touched.add(folder)
            os.replace(root + path, out + path)
        shutil.rmtree(self.root, ignore_errors=True)

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


_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") and "SC_IOV_MAX" in os.sysconf_names else 16


def _write_parts(fd: int, parts: list[bytes]) -> None:
    """Many parts with few system calls (writev) and without copying them into one string first."""
    if not hasattr(os, "writev"):  # Windows
        _write_all(fd, memoryview(b"".join(parts)))
        return
    for start in range(0, len(parts), _IOV_MAX):
        batch = parts[start:start + _IOV_MAX]
        written = os.writev(fd, batch)
        if written < sum(map(len, batch)):  # a short write: the rest of the batch with write()
            _write_all(fd, memoryview(b"".join(batch))[written:])


def _write_all(fd: int, rest: memoryview) -> None:
    while rest:  # a full disk raises here
        rest = rest[os.write(fd, rest):]
