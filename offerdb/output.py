"""Publishes the rendered site into an output folder the build owns, and nowhere else.

An output folder is ours if it is missing, empty, or carries the marker file (`MARKER`) a build put there:
anything else is refused before it is touched. One build at a time writes into a folder (an advisory lock
on its marker; a second build waits). The new site is written into a staging folder beside it and swapped
in with one atomic exchange where the system has one, so `site/` is at every instant the complete old or
the complete new site. Every failure of the file system becomes a German message (`OutputError`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from dataclasses import dataclass
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds into one folder must not overlap there
    fcntl = None  # type: ignore[assignment]

MARKER = ".offerdb-site"
MARKER_TEXT = (b"Diesen Ordner hat offerdb gebaut (python build.py build). Jeder Build ersetzt ihn ganz:\n"
               b"Legen Sie hier nichts ab, es ginge beim naechsten Build verloren.\n"
               b"This folder was built by offerdb; every build replaces all of it.\n")


class OutputError(Exception):
    """A German message for whoever runs the build; the previous site is untouched."""

    exit_code = 1


class Refused(OutputError):
    """The output folder is not the build's to write (a usage error: nothing was touched)."""

    exit_code = 2


def _shown(path: Path | str) -> str:
    return os.fspath(path)


# --- whose folder is it -----------------------------------------------------------------------------

def claim(out_dir: Path, sources: Mapping[str, Path] | None = None, project: Path | None = None) -> Path:
    """The output folder as an absolute path if a build may write it, else `Refused` saying why.

    `sources` are what the build reads, by German name ("der Inhaltsordner": content/): the output folder may
    neither be one of them, nor contain one (the swap would replace it), nor lie inside a source folder. Nor
    may it be or contain the `project` (the checkout with its history)."""
    out = Path(os.path.realpath(out_dir))
    shown = _shown(out_dir)
    refused = f"„{shown}“ kann nicht der Zielordner sein: "
    keep = "Nichts wurde verändert. Geben Sie mit --out einen eigenen, neuen Ordner an, z. B. „site“."
    sources = dict(sources or {})
    if project is not None:
        sources["das Projekt"] = project
    for name, source in sources.items():
        source = Path(os.path.realpath(source))
        if out == source:
            raise Refused(f"{refused}Das ist {name} („{source}“). {keep}")
        if out in source.parents:
            raise Refused(f"{refused}Darin liegt {name} („{source}“), und der Build würde alles darin durch die "
                          f"Website ersetzen. {keep}")
        if name != "das Projekt" and source in out.parents and source.is_dir():
            raise Refused(f"{refused}Er liegt in „{source}“, und das ist {name}, aus dem gebaut wird. {keep}")
    try:
        if not out.exists():
            return out
        if not out.is_dir():
            raise Refused(f"{refused}Das ist eine Datei, kein Ordner, und der Build überschreibt sie nicht. {keep}")
        names = sorted(os.listdir(out))
        marker = out / MARKER
        ours = not names or (MARKER in names and marker.is_file() and not marker.is_symlink())
    except OSError as exc:
        raise OutputError(f"Der Zielordner „{shown}“ kann nicht geprüft werden: {reason(exc)}. Nichts wurde "
                          "verändert.") from None
    if not ours:
        some = ", ".join(f"„{name}“" for name in names[:3]) + (" …" if len(names) > 3 else "")
        raise Refused(f"{refused}Der Ordner enthält Dateien, die nicht von einem Build stammen ({some}), und der "
                      f"Build würde sie löschen. {keep} (Einen Ordner, den offerdb gebaut hat, erkennt es an der "
                      f"Datei „{MARKER}“ darin.)")
    return out


@contextmanager
def owned(out_dir: Path, sources: Mapping[str, Path] | None = None, project: Path | None = None,
          on_wait: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Hold the output folder for one build: claimed, repaired after a crashed swap, locked against other
    builds (`on_wait` is told once if another build holds it), and cleared of what crashed builds left
    beside it. Yields the folder's absolute path; it exists and carries the marker."""
    out = claim(out_dir, sources, project)
    try:
        _repair(out)
        fd = _lock(out, on_wait)
    except OSError as exc:
        raise write_failed(exc, out) from None
    try:
        _remove_leftovers(out)
        yield out
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def _leftovers(out: Path) -> Iterator[tuple[str, Path]]:
    """Folders crashed builds left beside `out`: ("staging" | "previous", path)."""
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return
    for entry in entries:
        for kind in ("staging", "previous"):
            if entry.name.startswith(f"{out.name}.{kind}-") and entry.is_dir(follow_symlinks=False):
                yield kind, Path(entry.path)


def _repair(out: Path) -> None:
    """Where no exchange exists the swap is two renames: old site into a `previous` folder, new site into
    place. A build killed between them left no `out`; put the old site back."""
    if os.path.lexists(out):
        return
    saved = [path / out.name for kind, path in _leftovers(out)
             if kind == "previous" and (path / out.name / MARKER).is_file()]
    if saved:
        newest = max(saved, key=lambda path: path.stat().st_mtime_ns)
        try:
            newest.rename(out)
        except FileNotFoundError:  # another build repaired it first
            pass


def _remove_leftovers(out: Path) -> None:
    """Only folders that hold the marker (or nothing): a folder of that name made by someone else stays."""
    for kind, path in _leftovers(out):
        site = path if kind == "staging" else path / out.name
        try:
            ours = (site / MARKER).is_file() or not any(path.iterdir())
        except OSError:
            continue
        if ours:
            shutil.rmtree(path, ignore_errors=True)


def _lock(out: Path, on_wait: Callable[[Path], None] | None) -> int | None:
    """An exclusive advisory lock on the marker. A swap puts a new marker in place, so a build that got the
    lock on the one it opened checks that it is still the folder's, and tries again if not."""
    marker = out / MARKER
    waited = False
    while True:
        out.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(marker, os.O_RDONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:  # the folder was swapped away meanwhile
            continue
        try:
            if os.fstat(fd).st_size == 0:
                _write_marker(marker)
            if fcntl is None:
                return fd
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None and not waited:
                    on_wait(out)
                    waited = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(marker)
            except FileNotFoundError:
                current = None
            mine = os.fstat(fd)
            if current is not None and (current.st_ino, current.st_dev) == (mine.st_ino, mine.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _write_marker(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        _write_all(fd, memoryview(MARKER_TEXT))
    finally:
        os.close(fd)


# --- failures of the file system, in German --------------------------------------------------------

_REASONS = {
    errno.ENOSPC: "Auf dem Datenträger ist kein Platz mehr frei (oder keine freien Dateieinträge, Inodes)",
    errno.EDQUOT: "Das Speicherkontingent (Quota) ist erschöpft",
    errno.EROFS: "Der Datenträger ist schreibgeschützt",
    errno.EACCES: "Keine Berechtigung",
    errno.EPERM: "Keine Berechtigung",
    errno.ENOTDIR: "Ein Teil des Pfades ist eine Datei, wo ein Ordner sein müsste",
    errno.EISDIR: "Wo eine Datei geschrieben werden soll, steht ein Ordner",
    errno.EEXIST: "Dort steht schon etwas",
    errno.ENOTEMPTY: "Der Ordner ist nicht leer",
    errno.ENOENT: "Ein Ordner auf dem Weg dorthin fehlt",
    errno.EIO: "Ein Lese- oder Schreibfehler des Datenträgers",
    errno.EMFILE: "Zu viele offene Dateien",
    errno.ENFILE: "Zu viele offene Dateien im System",
    errno.ENAMETOOLONG: "Ein Datei- oder Ordnername ist zu lang",
    errno.ELOOP: "Zu viele symbolische Verknüpfungen hintereinander",
    errno.EBUSY: "Der Ordner ist in Benutzung (z. B. ein Einhängepunkt); geben Sie einen Ordner darin an",
    errno.EXDEV: "Die Ordner liegen auf verschiedenen Datenträgern",
}


def reason(exc: OSError) -> str:
    """What went wrong, in German, with the path it happened at."""
    text = _REASONS.get(exc.errno or 0) or f"Systemfehler {exc.errno}: {exc.strerror or exc}"
    if exc.filename is not None:
        text += f" (bei „{_shown(exc.filename)}“)"
    return text


def write_failed(exc: OSError, out_dir: Path) -> OutputError:
    return OutputError(f"Die Website konnte nicht nach „{_shown(out_dir)}“ geschrieben werden: {reason(exc)}. "
                       "Der bisherige Stand bleibt unverändert.")


# --- the swap ----------------------------------------------------------------------------------------

def _exchange_function() -> Callable[[bytes, bytes], int] | None:
    """renameat2(RENAME_EXCHANGE) on Linux, renamex_np(RENAME_SWAP) on macOS, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # Windows has no process-wide C library to load by None
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        function = libc.renameat2
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        return lambda a, b: function(at_fdcwd, a, at_fdcwd, b, rename_exchange)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        function = libc.renamex_np
        function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        rename_swap = 2
        return lambda a, b: function(a, b, rename_swap)
    return None


_EXCHANGE = _exchange_function()
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders' names in one step; False where the system or file system cannot."""
    if _EXCHANGE is None:
        return False
    if _EXCHANGE(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


class Staging:
    """A new site, written file by file as pages are rendered (so a build never holds every page in memory)
    into a hidden folder next to `out_dir`, and put in place by `commit`. Leaving the `with` block without
    `commit` (a failed build) removes the folder and leaves the previous site untouched. `out_dir` must be
    held by `owned`.

    Two ways to commit:
    - complete (`previous=None`): the staging folder holds the whole site and is exchanged with `out_dir`
      in one step (two renames where no exchange exists; `owned` repairs a build killed between them).
      Nothing of the old folder survives, so pages of removed offers disappear. This is what every build
      of a new process does (CI, `build.py build`).
    - update (`previous` = every path the last build in this process published into `out_dir`, which must be
      untouched since): only new and changed files are staged; `commit` moves them over the old ones one by
      one (each `os.replace` is atomic, so a reader sees the old or the new page, never half of one) and
      removes what the new site no longer has. Copying 11,000 unchanged pages into a new folder and deleting
      the old one cost 1.6 s of a 10,000-offer rebuild (docs/performance.md). Between the first and the last
      move the folder mixes old and new pages; a failure there leaves it so, and the caller must then make
      the next build a complete one."""

    def __init__(self, out_dir: Path, previous: Iterable[str] | None = None) -> None:
        self.out_dir = out_dir
        self.root = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.staging-", dir=out_dir.parent))
        self.previous = None if previous is None else set(previous)
        self.paths: set[str] = set()  # every file of the new site
        self.staged: set[str] = set()  # those written into `root`
        self.touched: set[str] = set()  # folders of `out_dir` an update added, changed or removed files in
        self._folders: set[Path] = {self.root}
        self._committed = False
        try:
            (self.root / MARKER).write_bytes(MARKER_TEXT)  # so a crash leaves a folder the next build may remove
        except BaseException:
            self.discard()
            raise

    @property
    def updating(self) -> bool:
        return self.previous is not None

    def add(self, path: str, data: bytes | list[bytes]) -> os.stat_result:
        """Write a file of the new site: its bytes, or a list of parts written one after another."""
        target = self._target(path)
        self.staged.add(path)
        with open(target, "xb", buffering=0) as f:  # unbuffered: the stat below must see every byte
            if isinstance(data, bytes):
                _write_all(f.fileno(), memoryview(data))
            else:
                _write_parts(f.fileno(), data)
            return os.fstat(f.fileno())

    def keep(self, paths: Iterable[str]) -> None:
        """Publish the last build's `out_dir/path` again as it is, for each of `paths` (an update only)."""
        assert self.updating
        kept = list(paths)
        before = len(self.paths)
        self.paths.update(kept)
        if len(self.paths) != before + len(kept):
            raise ValueError("a file would be written twice")  # two sources for one URL is a bug

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
        """Record what another process wrote into `root` (pages are rendered alongside the search index);
        paths this process wrote itself are already recorded."""
        for path in staged:
            if path not in self.staged:
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
        if exchange(self.root, self.out_dir):
            shutil.rmtree(self.root, ignore_errors=True)  # now the old site; a crash here leaves it to `owned`
            return
        previous = Path(tempfile.mkdtemp(prefix=f"{self.out_dir.name}.previous-", dir=self.out_dir.parent))
        old = previous / self.out_dir.name
        try:
            if os.path.lexists(self.out_dir):
                self.out_dir.rename(old)
            self.root.rename(self.out_dir)
        except BaseException:
            if old.exists() and not os.path.lexists(self.out_dir):
                old.rename(self.out_dir)
            shutil.rmtree(previous, ignore_errors=True)
            raise
        shutil.rmtree(previous, ignore_errors=True)

    def _update(self) -> None:
        try:
            self._move_changes()
        except OSError as exc:
            raise OutputError(f"Die Website in „{_shown(self.out_dir)}“ konnte nur zum Teil erneuert werden: "
                              f"{reason(exc)}. Jede Seite ist ganz, aber manche noch im alten Stand; der "
                              "nächste Build schreibt die ganze Website neu.") from None

    def _move_changes(self) -> None:
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


@dataclass
class Published:
    """What a build published into its output folder, so the next build with the same memory can tell whether
    the folder is still as it left it. Every file of the site: path -> (key, inode, size, mtime), key None
    for files that are always made anew; and every folder: path -> (inode, mtime). Files are never changed
    in place (a build writes new ones and renames them), so a file with the recorded inode, size and time
    still holds the bytes its key stands for; a file someone edited fails the check and is rendered anew.
    A folder whose time changed had files added or removed by someone else: then the whole site is written
    again. This is the one place where file times count: they say whether the folder was touched, never
    whether content changed."""

    files: dict[str, tuple[tuple | None, int, int, int]]
    folders: dict[str, tuple[int, int]]

    @classmethod
    def record(cls, out_dir: Path, files: dict[str, tuple[tuple | None, int, int, int]],
               before: Published | None = None, touched: set[str] | None = None) -> Published:
        """After an update of the site `before` described, only the `touched` folders need a new look."""
        out = str(out_dir)
        if before is not None and before.files.keys() == files.keys():
            folders = before.folders.keys()  # the same files: the same folders (a set comparison, 1 ms)
        else:
            folders = {""}
            for path in files:
                folder = os.path.dirname(path)
                while folder not in folders:
                    folders.add(folder)
                    folder = os.path.dirname(folder)
        stats = {}
        for folder in folders:
            last = before.folders.get(folder) if before is not None and touched is not None else None
            if last is not None and folder not in touched:
                stats[folder] = last
            else:
                stat = os.stat(os.path.join(out, folder))
                stats[folder] = (stat.st_ino, stat.st_mtime_ns)
        return cls(files, stats)

    def intact(self, out_dir: Path) -> bool:
        out = str(out_dir) + os.sep
        try:
            for folder, (ino, mtime) in self.folders.items():
                stat = os.stat(out + folder)
                if stat.st_ino != ino or stat.st_mtime_ns != mtime:
                    return False
        except OSError:
            return False
        return True

    @staticmethod
    def check(record: Published | None, out_dir: Path) -> Published | None:
        """`record` if the folder is still as that build left it, else None (write everything)."""
        return record if record is not None and record.intact(out_dir) else None

    def unchanged(self, path: str, key: tuple | None, out_dir: str) -> tuple[tuple | None, int, int, int] | None:
        """The record of the last build's copy of `path` if that file is still what `key` stands for (and so
        the record of the file published again); `out_dir` ends with a separator."""
        last = self.files.get(path)
        if last is None or last[0] is None or last[0] != key:
            return None
        try:
            stat = os.stat(out_dir + path)
        except OSError:  # gone: render it
            return None
        return last if (stat.st_ino, stat.st_size, stat.st_mtime_ns) == last[1:] else None


def publish(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace `out_dir` with exactly `files`. A failure at any point leaves the previous site in place."""
    with owned(out_dir) as out:
        try:
            with Staging(out) as staging:
                for rel in sorted(files):
                    staging.add(rel, files[rel])
                staging.commit()
        except OSError as exc:
            raise write_failed(exc, out_dir) from None


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
