"""Reads content files exactly as written: front matter split and strict YAML with source positions.

Every scalar stays a string (the schema converts it later), so YAML 1.1 surprises such as `NO` -> False
or `01067` -> 567 cannot happen. Anchors, aliases, tags, merge keys and duplicate keys are reported,
never resolved. Nothing here raises on bad input: every defect becomes a Problem.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import yaml

from . import yamllines
from .memory import Memory, digest
from .problems import Problem, error

MAX_FILE_BYTES = 256 * 1024
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

# libyaml parses about ten times faster; both give the same events and positions.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[Any, ...]  # a field path: keys (str) and list indices (int)


def field_name(path: Path_) -> str:
    """Display form of a field path: ("goals", 1) -> "goals[2]" (editors count from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Positions:
    """1-based (line, column) of every value and every mapping key, by field path."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    start: tuple[int, int] = (1, 1)
    # (line, column, text) of a comment after a plain value, which YAML dropped; only for content files
    comments: dict[Path_, tuple[int, int, str]] = field(default_factory=dict)

    def of(self, path: Path_) -> tuple[int, int]:
        """Where to point an editor for `path`: the key naming the field, else the value, else a parent."""
        path = tuple(path)
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.start

    def of_value(self, path: Path_) -> tuple[int, int]:
        path = tuple(path)
        return self.values.get(path) or self.of(path)


@dataclass
class Document:
    """One content file: its parsed front matter (all strings), Markdown body and positions."""

    kind: str  # "offer", "partner" or "page"
    slug: str
    file: str  # path as shown to editors, e.g. content/offers/x.md
    data: dict[str, Any]
    body: str
    body_line: int
    positions: Positions
    source: str = ""  # hash of the file's bytes: what later stages key what they remember by


# --- YAML ---------------------------------------------------------------------------------------

# Matched as substrings, so one entry covers libyaml's and PyYAML's wording of the same problem.
_SYNTAX_HINTS = [
    ("mapping values are not allowed",
     "Unerwarteter Doppelpunkt.",
     "Enthält der Text einen Doppelpunkt mit Leerzeichen („: “)? Dann setzen Sie den ganzen Wert in "
     "Anführungszeichen. Prüfen Sie auch die Einrückung der Zeile."),
    ("could not find expected ':'",
     "Nach dem Feldnamen fehlt ein Doppelpunkt.",
     "Jede Angabe hat die Form „feld: Wert“. Ein längerer Text, der in der nächsten Zeile weitergeht, "
     "wird eingerückt."),
    ("cannot start any token",
     "Ein Wert beginnt mit einem Zeichen, das in YAML eine besondere Bedeutung hat.",
     "Werte, die mit @, `, %, &, *, !, | oder > beginnen, in Anführungszeichen setzen."),
    ("did not find expected key",
     "Die Einrückung stimmt nicht.",
     "Angaben auf derselben Ebene müssen gleich weit eingerückt sein; Listeneinträge beginnen mit „- “."),
    ("expected <block end>",
     "Die Einrückung stimmt nicht.",
     "Angaben auf derselben Ebene müssen gleich weit eingerückt sein; Listeneinträge beginnen mit „- “."),
    ("did not find expected '-' indicator",
     "Die Einrückung einer Liste stimmt nicht.",
     "Alle Einträge einer Liste beginnen gleich weit eingerückt mit „- “."),
    ("found unexpected end of stream",
     "Ein Anführungszeichen wird nicht geschlossen.",
     "Jeder Wert, der mit \" oder ' beginnt, muss mit demselben Zeichen enden."),
    ("unknown escape character",
     "In doppelten Anführungszeichen steht ein Rückstrich (\\), den YAML nicht versteht.",
     "Verwenden Sie einfache Anführungszeichen ('…') oder lassen Sie den Rückstrich weg."),
    ("expected ',' or ']'",
     "Eine eckige Klammer wird nicht geschlossen.",
     "Setzen Sie Werte, die mit [ oder { beginnen, in Anführungszeichen, oder schreiben Sie die Liste "
     "mit „- “ untereinander."),
    ("expected ',' or '}'",
     "Eine geschweifte Klammer wird nicht geschlossen.",
     "Setzen Sie Werte, die mit { beginnen, in Anführungszeichen."),
    ("expected alphabetic or numeric character",
     "Nach & oder * muss ein Name folgen – meist war das Zeichen aber als Text gemeint.",
     "Setzen Sie den Wert in Anführungszeichen."),
]


# The parser's context for problems that began where it opened something, at its context_mark.
_OPENED_AT = ("scanning a quoted scalar", "parsing a flow sequence", "parsing a flow mapping")

_KEY_ON_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def _key_on_line(text: str, line: int) -> str:
    """The field name a broken line starts with, so the message can name it even though YAML failed."""
    lines = text.split("\n")
    match = _KEY_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    return match.group(1) if match else ""


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str, line_offset: int) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1 + line_offset
        column = len(before) - (before.rfind("\n") + 1) + 1
        return error(file, line, column, "yaml-control-character", "",
                     f"Die Datei enthält ein unzulässiges Steuerzeichen (U+{exc.character:04X}).",
                     "Das Zeichen ist meist beim Kopieren aus einem anderen Programm entstanden: "
                     "Zeile löschen und neu tippen.")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    # An unclosed quote or bracket is noticed where the file (or the next key) is reached; the editor has to
    # look where it was opened.
    opened = getattr(exc, "context_mark", None)
    if opened is not None and any(where in (getattr(exc, "context", None) or "") for where in _OPENED_AT):
        mark = opened
    line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
    column = (mark.column + 1) if mark else 1
    # The parser notices a missing colon or a misplaced line only further down: name the line the editor got
    # wrong, if one up to the reported one is clearly wrong.
    found = yamllines.misplaced_line(text, line - line_offset, file, line_offset)
    if found is not None:
        return found
    problem = getattr(exc, "problem", None) or ""
    key = _key_on_line(text, line - line_offset)
    for needle, message, hint in _SYNTAX_HINTS:
        if needle in problem:
            return error(file, line, column, "yaml-syntax", key, message, hint)
    # The parser's own words are English and name its internals: the editor gets none of them.
    return error(file, line, column, "yaml-syntax", key,
                 "Diese Zeile passt nicht zum Aufbau der Angaben.",
                 "Prüfen Sie diese Zeile und die darüber: Hat jede Angabe die Form „feld: Wert“ mit einem "
                 "Leerzeichen nach dem Doppelpunkt, stehen Felder derselben Gruppe genau untereinander, und ist "
                 "jedes Anführungszeichen und jede Klammer geschlossen?")


# Lists and mappings nested deeper than this are reported and skipped: the composer recurses once per level,
# so about 500 levels would exceed Python's recursion limit, and no field of ours is more than a few deep.
MAX_DEPTH = 50


class _Composer:
    """Builds plain dicts, lists and strings from parser events and records every position."""

    def __init__(self, events: Iterator[yaml.Event], file: str, line_offset: int,
                 commented: dict[int, str] | None = None):
        self.events = events
        self.file = file
        self.line_offset = line_offset
        self.positions = Positions(start=(line_offset + 1, 1))
        self.problems: list[Problem] = []
        self.commented = commented or {}  # 0-based line -> its text, for lines with " #" after something

    def _pos(self, event: yaml.Event) -> tuple[int, int]:
        return event.start_mark.line + 1 + self.line_offset, event.start_mark.column + 1

    def _error(self, event: yaml.Event, code: str, path: Path_, message: str, hint: str = "") -> None:
        line, column = self._pos(event)
        self.problems.append(error(self.file, line, column, code, field_name(path), message, hint))

    def document(self) -> Any:
        next(self.events)  # StreamStart
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        value = self.node(next(self.events), ())
        next(self.events)  # DocumentEnd
        event = next(self.events)
        if isinstance(event, yaml.DocumentStartEvent):
            self._error(event, "yaml-multiple-documents", (),
                        "Die Datei enthält mehr als ein YAML-Dokument.",
                        "Entfernen Sie die zusätzliche Zeile „---“ oder „...“.")
            for _ in self.events:  # drain so later documents' syntax errors still surface
                pass
        return value

    def node(self, event: yaml.Event, path: Path_) -> Any:
        mark = event.start_mark  # self._pos() inlined: this runs for every value of every file
        self.positions.values[path] = (mark.line + 1 + self.line_offset, mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            self._error(event, "yaml-alias", path,
                        f"Verweise mit „*{event.anchor}“ (YAML-Aliase) sind nicht erlaubt.",
                        "Schreiben Sie den Wert aus. Ist „*“ als Text gemeint, setzen Sie den Wert in "
                        "Anführungszeichen.")
            return None
        if event.anchor is not None:
            self._error(event, "yaml-anchor", path,
                        f"Anker mit „&{event.anchor}“ sind nicht erlaubt.",
                        "Schreiben Sie jeden Wert aus. Ist „&“ als Text gemeint, setzen Sie den Wert in "
                        "Anführungszeichen.")
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self._error(event, "yaml-tag", path,
                        f"Typangaben wie „{tag}“ sind nicht erlaubt.",
                        "Lassen Sie die Angabe mit „!“ weg; welcher Typ gilt, legt das Schema fest.")
        if isinstance(event, yaml.ScalarEvent):
            if event.implicit[0] and event.value in ("", "~"):
                return None
            if self.commented and not event.style and event.end_mark.line in self.commented:
                self._comment_after(event, path)
            return event.value
        if len(path) >= MAX_DEPTH:  # a list or mapping inside MAX_DEPTH others
            self._error(event, "yaml-too-deep", path,
                        f"Die Angaben sind hier tiefer als {MAX_DEPTH} Ebenen verschachtelt; dieser Wert wird "
                        "nicht gelesen.",
                        "Prüfen Sie die Klammern [ ] und { } und die Einrückung; so tief verschachtelte "
                        "Angaben sieht keine Datei vor.")
            self._skip(event)
            return None
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(event := next(self.events), yaml.SequenceEndEvent):
                items.append(self.node(event, path + (len(items),)))
            return items
        return self.mapping(event, path)

    def _comment_after(self, event: yaml.ScalarEvent, path: Path_) -> None:
        """Record a " #…" after a plain value on its line, which YAML drops as a comment (validation decides
        whether the field is free text, where that is nearly always a hashtag or note the editor meant to
        publish). Quoted and block values keep their "#", so only plain ones (no style) come here."""
        end = event.end_mark
        rest = self.commented[end.line][end.column:]
        hash_at = len(rest) - len(rest.lstrip(" "))
        if hash_at and rest[hash_at:].startswith("#"):
            self.positions.comments[path] = (end.line + 1 + self.line_offset, end.column + hash_at + 1,
                                             rest[hash_at:].rstrip())

    def mapping(self, start: yaml.MappingStartEvent, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while not isinstance(key_event := next(self.events), yaml.MappingEndEvent):
            if not isinstance(key_event, yaml.ScalarEvent) or key_event.anchor or key_event.tag:
                self._error(key_event, "yaml-complex-key", path,
                            "Ein Feldname muss ein einfacher Text sein.",
                            "Schreiben Sie „feldname: Wert“.")
                self._skip(key_event)
                self._skip(next(self.events))
                continue
            key = key_event.value
            key_path = path + (key,)
            if key == "<<" and key_event.implicit[0]:
                self._error(key_event, "yaml-merge-key", path,
                            "Zusammenführungen mit „<<“ (YAML-Merge-Keys) sind nicht erlaubt.",
                            "Schreiben Sie alle Angaben aus.")
                self._skip(next(self.events))
                continue
            if key in result:
                first_line = self.positions.keys[key_path][0]
                self._error(key_event, "duplicate-key", key_path,
                            f"Das Feld „{key}“ steht doppelt (zuerst in Zeile {first_line}).",
                            "Löschen Sie eine der beiden Angaben; sonst ist unklar, welche gilt.")
                self._skip(next(self.events))
                continue
            self.positions.keys[key_path] = self._pos(key_event)
            result[key] = self.node(next(self.events), key_path)
        return result

    def _skip(self, event: yaml.Event) -> None:
        depth = 1 if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
        while depth:
            event = next(self.events)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1


# Something, then " #": a comment after a value (or after a key, which loses nothing).
_TRAILING_COMMENT = re.compile(r"\S +#")


def parse_yaml(text: str, file: str, line_offset: int = 0,
               content: bool = False) -> tuple[Any, Positions, list[Problem]]:
    """Parse YAML text into strings, lists and dicts; `line_offset` is the file line before `text`. `content`:
    the text is an editor's (a content file, not site.yaml): comments after plain values go to
    `Positions.comments`, for validation to warn about those that cut off a text."""
    tab_problems = _tab_problems(text, file, line_offset)
    if tab_problems:
        return None, Positions(start=(line_offset + 1, 1)), tab_problems
    commented = None
    if content and " #" in text:  # rare: only such files pay for looking at their lines
        commented = {i: line for i, line in enumerate(text.split("\n")) if _TRAILING_COMMENT.search(line)}
    # The parser's events without yaml.parse()'s generator around every one (a tenth of the load stage at
    # 10,000 offers); get_event() returns None after the stream's end, which ends the iterator.
    loader = _YAML_LOADER(text)
    composer = _Composer(iter(loader.get_event, None), file, line_offset, commented)
    try:
        value = composer.document()
    except yaml.YAMLError as exc:
        return None, composer.positions, [_syntax_problem(exc, text, file, line_offset)]
    finally:
        loader.dispose()
    return value, composer.positions, composer.problems


def _tab_problems(text: str, file: str, line_offset: int) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        column = line.find("\t")
        if column >= 0:
            problems.append(error(
                file, number + line_offset, column + 1, "tab", _key_on_line(text, number),
                "Die Zeile enthält einen Tabulator.",
                "YAML erlaubt keine Tabulatoren: ersetzen Sie ihn durch Leerzeichen (zum Einrücken zwei "
                "Leerzeichen je Ebene)."))
    return problems


# --- files --------------------------------------------------------------------------------------

def read_text(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """Read a file as NFC text with LF line ends; oversized or non-UTF-8 files are problems."""
    raw, problems = read_bytes(path, file)
    if raw is None:
        return None, problems
    return decode_text(raw, file)


# Binary on Windows (where os.open would otherwise translate line ends), not inherited by child processes.
# O_NONBLOCK: a FIFO put in a regular file's place after it was checked is opened without waiting for a
# writer (and read without waiting for data); it changes nothing for a regular file. O_NOCTTY: a terminal
# put there does not become this process's controlling terminal.
READ_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
              | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))

_SPECIAL_KINDS = [(stat.S_ISDIR, "ein Ordner"), (stat.S_ISFIFO, "eine benannte Pipe (FIFO)"),
                  (stat.S_ISCHR, "ein Gerät (zeichenorientiert)"), (stat.S_ISBLK, "ein Gerät (blockorientiert)"),
                  (stat.S_ISSOCK, "ein Socket")]


def special_file_problem(file: str, mode: int, line: int = 1, column: int = 1, field: str = "",
                         name: str = "") -> Problem:
    """The problem for something that is not a regular file (`mode` from os.stat): opening a FIFO waits for
    a writer forever, and reading a device may never end or change the device."""
    what = next((text for test, text in _SPECIAL_KINDS if test(mode)), "keine Datei, die gelesen werden kann")
    shown = name or file.rpartition("/")[2]
    return error(file, line, column, "not-a-regular-file", field,
                 f"„{shown}“ ist keine gewöhnliche Datei, sondern {what}, und wird nicht gelesen.",
                 "Ersetzen Sie sie durch eine gewöhnliche Datei (z. B. eine Kopie des Inhalts) oder entfernen "
                 "Sie sie; ein symbolischer Link muss auf eine gewöhnliche Datei zeigen.")


def read_bytes(path: Path | str, file: str, regular: bool = False) -> tuple[bytes | None, list[Problem]]:
    """A file's bytes, or None and the problem. `regular`: the caller already knows `path` is (or leads
    through symlinks to) a regular file, e.g. from os.scandir's DirEntry.is_file(), which costs no system
    call; otherwise an os.stat first makes sure a FIFO, device or socket is never opened."""
    # os.open/os.read rather than open(): no file and buffer objects, no fstat for a file of normal size;
    # at 10,000 files that is a third of what reading costs a rebuild.
    try:
        if not regular:
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                return None, [special_file_problem(file, mode)]
        fd = os.open(path, READ_FLAGS)
        try:
            chunks, size = [], 0
            while chunk := os.read(fd, wanted := MAX_FILE_BYTES + 1 - size):
                chunks.append(chunk)
                size += len(chunk)
                if len(chunk) < wanted:  # a regular file's short read is its end: no second call to find it
                    break
                if size > MAX_FILE_BYTES:
                    status = os.fstat(fd)
                    if not stat.S_ISREG(status.st_mode):  # replaced by an endless device after the check
                        return None, [special_file_problem(file, status.st_mode)]
                    return None, [error(
                        file, 1, 1, "file-too-large", "",
                        f"Die Datei ist {status.st_size / 1024:.0f} KiB groß; erlaubt sind höchstens "
                        f"{MAX_FILE_BYTES // 1024} KiB.",
                        "Kürzen Sie die Beschreibung. Bilder und Dokumente gehören nicht in die Datei.")]
        finally:
            os.close(fd)
    except FileNotFoundError:
        if os.path.islink(path):
            return None, [error(file, 1, 1, "missing-file", "",
                                "Die Datei ist ein symbolischer Link auf eine Datei, die es nicht gibt.",
                                "Lassen Sie den Link auf eine vorhandene Datei zeigen oder ersetzen Sie ihn "
                                "durch die Datei selbst.")]
        return None, [error(file, 1, 1, "missing-file", "", "Die Datei fehlt.")]
    except OSError as exc:
        return None, [error(file, 1, 1, "file-unreadable", "",
                            f"Die Datei kann nicht gelesen werden ({exc.strerror}).")]
    return chunks[0] if len(chunks) == 1 else b"".join(chunks), []


def decode_text(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [error(
            file, line, column, "invalid-utf8", "",
            f"Die Datei ist nicht als UTF-8 gespeichert (unerwartetes Byte 0x{raw[exc.start]:02X}).",
            "Speichern Sie die Datei im Editor mit der Kodierung „UTF-8“ (nicht „ANSI“ oder "
            "„Windows-1252“); prüfen Sie danach die Umlaute.")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), []


def split_front_matter(text: str, file: str) -> tuple[str, str, int, list[Problem]]:
    """Return (front matter, body, line number of the first front-matter line, problems)."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines) or lines[first].rstrip() != "---":
        return "", "", 0, [error(
            file, first + 1 if first < len(lines) else 1, 1, "missing-front-matter", "",
            "Die Datei beginnt nicht mit den Angaben (Front Matter).",
            "Die erste Zeile muss genau „---“ sein; nach den Angaben folgt eine zweite Zeile „---“ und "
            "dann der Beschreibungstext.")]
    for number in range(first + 1, len(lines)):
        if lines[number].rstrip() == "---":
            front = "\n".join(lines[first + 1: number]) + "\n"
            body = "\n".join(lines[number + 1:])
            return front, body, first + 2, []
    return "", "", 0, [error(
        file, first + 1, 1, "unclosed-front-matter", "",
        "Die Angaben (Front Matter) werden nicht mit einer Zeile „---“ abgeschlossen.",
        "Fügen Sie nach der letzten Angabe eine Zeile mit genau „---“ ein; danach folgt der "
        "Beschreibungstext.")]


def read_document(path: Path | str, file: str, kind: str, memory: Memory | None = None,
                  regular: bool = False) -> tuple[Document | None, list[Problem]]:
    """Read one content file. Returns no document when its front matter cannot be read at all. With a
    memory, a file whose bytes (and name) were read before is not parsed again. `regular` as in read_bytes."""
    raw, problems = read_bytes(path, file, regular)
    if raw is None:
        return None, problems
    source = digest(raw)
    if memory is None:
        return _document(raw, source, path, file, kind)
    key = ("document", kind, file, source)  # the slug comes from the name, which `file` includes
    found = memory.get(key)
    if found is None:
        found = _document(raw, source, path, file, kind)
        memory.put(key, found)
    return found


def _document(raw: bytes, source: str, path: Path | str, file: str, kind: str) -> tuple[Document | None, list[Problem]]:
    text, problems = decode_text(raw, file)
    if text is None:
        return None, problems
    front, body, first_line, problems = split_front_matter(text, file)
    if problems:
        return None, problems
    data, positions, problems = parse_yaml(front, file, first_line - 1, content=True)
    if data is None and not problems:
        data = {}
    if data is not None and not isinstance(data, dict):
        problems.append(error(file, first_line, 1, "front-matter-not-mapping", "",
                              "Die Angaben müssen Felder der Form „feld: Wert“ sein.",
                              "Vergleichen Sie die Datei mit einer funktionierenden Angebotsdatei."))
    if not isinstance(data, dict):
        return None, problems
    body_line = first_line + front.count("\n") + 1
    slug = unicodedata.normalize("NFC", Path(path).stem)
    return Document(kind, slug, file, data, body, body_line, positions, source), problems


def read_body(path: str) -> str | None:
    """A content file's Markdown body exactly as `read_document` gives it, or None where it would report a
    problem; for rendering bodies before the files are loaded (pipeline.check)."""
    raw, _ = read_bytes(path, path)
    text = decode_text(raw, path)[0] if raw is not None else None
    if text is None:
        return None
    _, body, _, problems = split_front_matter(text, path)
    return None if problems else body


def read_yaml_file(path: Path, file: str, content: bool = False) -> tuple[Any, Positions, list[Problem]]:
    """Read a whole-file YAML document such as site.yaml or vocabularies.yaml (`content` as in parse_yaml)."""
    text, problems = read_text(path, file)
    if text is None:
        return None, Positions(), problems
    return parse_yaml(text, file, content=content)


# --- the content folder -------------------------------------------------------------------------

KIND_DIRS = {"offer": "offers", "partner": "partners", "page": "pages"}
VOCABULARIES_FILE = "vocabularies.yaml"


@dataclass
class Content:
    """Everything read from a content folder, before validation."""

    root: Path
    documents: dict[str, list[Document]]  # kind -> documents, sorted by file
    vocabularies: Any
    vocabulary_positions: Positions
    vocabularies_file: str
    problems: list[Problem]
    unreadable: dict[str, list[str]]  # kind -> files whose front matter could not be read


def display_path(path: Path, content_dir: Path) -> str:
    """Paths as editors and CI annotations need them: relative to the folder holding `content/`."""
    try:
        return path.relative_to(content_dir.parent).as_posix()
    except ValueError:
        return path.as_posix()


def load_content(content_dir: Path, memory: Memory | None = None) -> Content:
    """Everything in `content_dir`. Files seen before with the same bytes come from `memory` (the live
    preview keeps one, which makes its rebuilds fast); without one every file is read anew."""
    if memory is not None:
        memory.prune()  # a new build: forget what the previous one did not use
    content_dir = content_dir.resolve()
    problems: list[Problem] = []
    documents: dict[str, list[Document]] = {kind: [] for kind in KIND_DIRS}
    unreadable: dict[str, list[str]] = {kind: [] for kind in KIND_DIRS}
    for kind, folder in KIND_DIRS.items():
        directory = content_dir / folder
        if not directory.is_dir():
            problems.append(error(display_path(directory, content_dir), 1, 1, "missing-folder", "",
                                  f"Der Ordner „{folder}“ fehlt im Inhaltsordner."))
            continue
        # Names and strings rather than Path objects: at 10,000 files pathlib's sorting and relative_to
        # took half of a rebuild's loading. Sorted by name, as sorted(iterdir()) sorts one folder.
        shown = display_path(directory, content_dir) + "/"
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            file = shown + entry.name
            if entry.name.startswith("."):
                continue  # .gitkeep, editor and OS files
            # is_file() knows a regular file from the folder listing, without a system call per file; what
            # else is named *.md and is no folder (a FIFO, device, socket or broken link) read_bytes
            # examines with os.stat and reports without opening it.
            regular = entry.name.endswith(".md") and entry.is_file()
            if not regular and (not entry.name.endswith(".md") or entry.is_dir()):
                problems.append(error(file, 1, 1, "unexpected-file", "",
                                      f"In „{folder}“ sind nur Markdown-Dateien mit der Endung „.md“ erlaubt.",
                                      "Benennen Sie die Datei um (z. B. „angebot.md“) oder entfernen Sie sie; "
                                      "sonst würde sie stillschweigend fehlen."))
                continue
            document, found = read_document(entry.path, file, kind, memory, regular)
            problems.extend(found)
            if document is not None:
                documents[kind].append(document)
            else:
                unreadable[kind].append(file)
    vocab_path = content_dir / VOCABULARIES_FILE
    vocab_file = display_path(vocab_path, content_dir)
    vocabularies, positions, found = read_yaml_file(vocab_path, vocab_file, content=True)
    problems.extend(found)
    return Content(content_dir, documents, vocabularies, positions, vocab_file, problems, unreadable)
