"""Finds the line an editor got wrong when the YAML parser gives up further down.

libyaml reports where it noticed a problem, which is often lines after the mistake: a key without its colon
becomes the start of a text that runs on until the next key, and the error lands there, or on a comment line
in between. This module reads the lines as an editor sees them (indentation, `feld: Wert`, `- ` items) and
names the first one that cannot be right: a key-like line without `: `, a colon without the space after it,
or a list item or field indented differently from its siblings. It is consulted only after the parser failed,
so a build of valid files never pays for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .problems import Problem, error

# A mapping key as our files write it, followed by ": " or the end of the line.
_KEY = re.compile(r"""([A-Za-z0-9_][A-Za-z0-9_.-]*|"[^"]*"|'[^']*') *:(?: |$)""")
# A field name glued to its value ("status:active"); not "https://…" or a time such as "12:30".
_NO_SPACE = re.compile(r"([a-z_][a-z0-9_]*):([^\s/:])")
# The value of a field whose text follows on the next lines (a block: ">-", "|" and their variants).
_BLOCK = re.compile(r"[|>][-+0-9]*(?: +#.*)?$")
# A field name, spaces and a value, without a colon ("title Starke Klasse").
_NO_COLON = re.compile(r"([a-z_][a-z0-9_]*) +(\S.*)?$")

Path = tuple[str | int, ...]


@dataclass
class _Sibling:
    """A line of a group: where it is, how far it is indented and which field it is."""

    index: int  # 0-based line in the text
    indent: int
    path: Path


@dataclass
class _Open:
    """A field whose own fields or list items may follow (or the whole text, or a list), at some indentation,
    with the lines of its group seen so far."""

    indent: int
    path: Path
    expected: int  # how far its fields or items are indented in our files: two spaces more than it
    is_list: bool = False
    is_item: bool = False  # one item of a list, holding that item's fields
    index: int = 0  # a list's current item (0-based)
    first: _Sibling | None = None  # the group's first line: a field, or a list's first "- " line
    last: _Sibling | None = None
    members: int = 0
    items: _Open | None = None  # a field's list, once its first "- " is seen
    dash: _Sibling | None = None  # an item's "- " line
    expected_dash: int = 0  # how far an item's "- " should be indented: its list's two-space step

    def add(self, line: _Sibling) -> None:
        self.first = self.first or line
        self.last = line
        self.members += 1


def _field(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _is_item(body: str) -> bool:
    return body == "-" or body.startswith("- ")


def _has_value(rest: str) -> bool:
    rest = rest.strip()
    return bool(rest) and not rest.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def misplaced_line(text: str, until: int, file: str, line_offset: int) -> Problem | None:
    """The first line of `text` up to line `until` (1-based) that cannot be what the editor meant, as a
    problem with the file's line numbers; None if every line up to there looks right."""
    lines = text.split("\n")
    stack = [_Open(-1, (), expected=0)]  # the whole text: never popped, as every line is deeper
    continuation: int | None = None  # lines indented deeper than this continue the value above
    text_start: _Sibling | None = None  # a plain text that continues on the following lines
    field_start: tuple[_Sibling, _Open] | None = None  # a field whose plain value continues, and its group
    block: tuple[_Sibling, _Sibling | None] | None = None  # a block's field and its first line of text
    last_key: Path = ()

    def problem(index: int, column: int, path: Path, message: str, hint: str) -> Problem:
        return error(file, index + 1 + line_offset, column, "yaml-syntax", _field(path), message, hint)

    def misaligned(group: _Open, line: _Sibling, item: bool) -> Problem:
        """`line` does not line up with the earlier lines of `group`. Blame the group's only earlier line
        instead when that one is off our two-space steps and `line` is on them."""
        bad, other = line, group.last
        if group.members == 1 and group.first and group.first.indent != group.expected == line.indent:
            bad, other = group.first, line
        assert other is not None
        what = ("Dieser Listeneintrag ist", "Liste") if item else ("Die Zeile ist", "Gruppe")
        return problem(bad.index, bad.indent + 1, bad.path,
                       f"{what[0]} anders eingerückt als Zeile {other.index + 1 + line_offset}, die zur selben "
                       f"{what[1]} gehört: {bad.indent} statt {other.indent} Leerzeichen.",
                       "Alle Einträge einer Liste beginnen genau untereinander mit „- “, zwei Leerzeichen weiter "
                       "eingerückt als der Feldname darüber." if item else
                       "Felder derselben Gruppe stehen genau untereinander, zwei Leerzeichen weiter eingerückt als "
                       "der Feldname der Gruppe.")

    def dash_off(group: _Open, indent: int) -> Problem | None:
        """A first list item whose "- " is off our two-space step while its next field is on it: the "- " line
        is the one to move, not the field."""
        if group.is_item and group.dash and group.dash.indent != group.expected_dash and \
                indent == group.expected_dash + 2:
            return problem(group.dash.index, group.dash.indent + 1, group.path,
                           f"Der Listeneintrag ist {group.dash.indent} Leerzeichen eingerückt, die Felder darunter "
                           f"passen aber zu {group.expected_dash} Leerzeichen.",
                           "Alle Einträge einer Liste beginnen genau untereinander mit „- “, zwei Leerzeichen weiter "
                           "eingerückt als der Feldname darüber; die Felder eines Eintrags stehen unter dem ersten "
                           "nach „- “.")
        return None

    def glued(index: int, column: int, path: Path, match: re.Match[str]) -> Problem:
        name = match.group(1)
        return problem(index, column + len(name) + 1, path + (name,), *missing_space(name, match.string))

    for i in range(min(until, len(lines))):
        line = lines[i]
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        if continuation is not None and indent > continuation and block is not None and not _KEY.match(body):
            # The first line of a block's text sets its indentation; a later line less indented ends it, which
            # breaks the file when that line is still deeper than the field.
            start, first = block
            if first is None:
                block = (start, _Sibling(i, indent, start.path))
            elif indent < first.indent:
                bad, other = (first, i) if first.indent != start.indent + 2 == indent else (
                    _Sibling(i, indent, start.path), first.index)
                return problem(bad.index, bad.indent + 1, start.path,
                               f"Die Zeile ist anders eingerückt als Zeile {other + 1 + line_offset} desselben "
                               f"Textes: {bad.indent} statt {indent if bad is first else first.indent} Leerzeichen.",
                               "Alle Zeilen eines Textes nach „>-“ oder „|“ beginnen genau untereinander, zwei "
                               "Leerzeichen weiter eingerückt als der Feldname.")
            continue
        if continuation is not None and indent > continuation:
            if text_start is not None and _KEY.match(body):
                # A field below a text: the text was meant as a field ("- subject ethik" above "grades:").
                bare = _NO_COLON.match(lines[text_start.index][text_start.indent:])
                if bare:
                    name = bare.group(1)
                    return problem(text_start.index, text_start.indent + len(name) + 1, text_start.path + (name,),
                                   *missing_colon(name, bare.group(2) or ""))
            if field_start is not None and _KEY.match(body):
                # A field deeper than the one above it continues that one's value. If the group's other
                # fields are where this one is, the one above is misplaced.
                start, group = field_start
                found = dash_off(group, indent)
                if found:
                    return found
                if group.members == 1 and start.indent != group.expected == indent:
                    key = _KEY.match(body)
                    assert key is not None
                    return misaligned(group, _Sibling(i, indent, group.path + (_key_name(key.group(1)),)),
                                      item=False)
            continue
        continuation = None
        text_start = field_start = block = None
        if body.startswith(("?", "---", "...", "[", "{")):
            return None  # forms our files never use at a field's place: no guess

        if _is_item(body):
            while stack[-1].indent > indent or stack[-1].is_item:  # a "- " is never a field of an item
                stack.pop()
            top = stack[-1]
            if top.is_list and top.indent == indent:
                items = top
                items.index += 1
            elif not (top.is_list or top.is_item) and top.items is None and top.first is None and top.indent >= 0:
                items = top.items = _Open(indent, top.path, expected=top.indent + 2, is_list=True)
                stack.append(items)
            elif top.is_list or top.items is not None:
                items = top if top.is_list else top.items
                assert items is not None
                return misaligned(items, _Sibling(i, indent, items.path + (items.index + 1,)), item=True)
            elif top.first is not None and top.first.indent != indent:
                return misaligned(top, _Sibling(i, indent, top.path), item=False)
            else:
                return None  # a list where our files have none: no guess
            items.add(_Sibling(i, indent, items.path + (items.index,)))
            rest = body[1:].lstrip(" ")
            inner = indent + len(body) - len(rest)
            item = _Open(indent, items.path + (items.index,), expected=inner if rest else indent + 2, is_item=True,
                         dash=_Sibling(i, indent, items.path + (items.index,)), expected_dash=items.expected)
            stack.append(item)
            if not _has_value(rest):
                continue  # "-" alone: the item's fields follow on the next lines
            key = _KEY.match(rest)
            if key is None:
                match = _NO_SPACE.match(rest)
                if match:
                    return glued(i, inner, item.path, match)
                continuation = indent  # a text item; deeper lines continue it
                text_start = _Sibling(i, inner, item.path)
                continue
            last_key = item.path + (_key_name(key.group(1)),)
            here = _Sibling(i, inner, last_key)
            item.add(here)
            stack.append(_Open(inner, last_key, expected=inner + 2))
            if _has_value(rest[key.end():]):
                continuation = inner
                field_start = (here, item)
                block = (here, None) if _BLOCK.match(rest[key.end():].strip()) else None
            continue

        while stack[-1].indent >= indent:
            stack.pop()
        parent = stack[-1]
        base = parent.path
        key = _KEY.match(body)
        if key is not None:
            last_key = base + (_key_name(key.group(1)),)
            here = _Sibling(i, indent, last_key)
            if parent.first is not None and parent.first.indent != indent:
                return dash_off(parent, indent) or misaligned(parent, here, item=False)
            parent.add(here)
            stack.append(_Open(indent, last_key, expected=indent + 2))
            if _has_value(body[key.end():]):
                continuation = indent
                field_start = (here, parent)
                block = (here, None) if _BLOCK.match(body[key.end():].strip()) else None
            continue

        # Neither a field nor a list item.
        match = _NO_SPACE.match(body)
        if match:
            return glued(i, indent, base, match)
        if not parent.is_list and parent.first is None and parent.items is None and parent.indent >= 0:
            # An empty field's value may start on the next line. It is a mistake only where a field or item
            # follows at the same indentation, so that this line stands among fields.
            following = next((lines[j] for j in range(i + 1, len(lines))
                              if lines[j].strip() and not lines[j].lstrip().startswith("#")
                              and _indent(lines[j]) <= indent), "")
            after = following.lstrip(" ")
            if _indent(following) != indent or not (_KEY.match(after) or _is_item(after)):
                continuation = parent.indent
                text_start = _Sibling(i, indent, base)
                continue
        if parent.items is not None and parent.items.indent == indent:
            return problem(i, indent + 1, parent.items.path + (parent.items.index + 1,),
                           "Die Zeile steht zwischen den Einträgen einer Liste, beginnt aber nicht mit „- “.",
                           "Jeder Listeneintrag beginnt mit „- “; ein Text, der zum Eintrag darüber gehört, wird "
                           "weiter eingerückt als dessen „- “.")
        bare = _NO_COLON.match(body)
        if bare:
            name = bare.group(1)
            return problem(i, indent + len(name) + 1, base + (name,), *missing_colon(name, bare.group(2) or ""))
        return problem(i, indent + 1, last_key or base,
                       "Diese Zeile ist keine Angabe der Form „feld: Wert“.",
                       "Gehört der Text zum Wert darüber, rücken Sie ihn weiter ein als dessen Feldnamen; ist er "
                       "ein eigenes Feld, fehlt nach dem Feldnamen der Doppelpunkt.")
    return None


def missing_colon(name: str, value: str) -> tuple[str, str]:
    """Message and hint for a field name followed by its value without a colon."""
    return (f"Nach dem Feldnamen „{name}“ fehlt der Doppelpunkt.",
            f"Schreiben Sie „{name}: {value.strip() or '…'}“: Feldname, Doppelpunkt, Leerzeichen, Wert.")


def missing_space(name: str, text: str) -> tuple[str, str]:
    """Message and hint for `text`, "name:value", whose colon lacks the space after it."""
    value = text.strip()[len(name) + 1:].strip()
    return (f"Nach „{name}:“ fehlt ein Leerzeichen.",
            f"Schreiben Sie „{name}: {value}“. Ohne das Leerzeichen nach dem Doppelpunkt ist die ganze Zeile ein "
            "Text und kein Feld.")


def glued_or_bare(text: str) -> tuple[str, str, str] | None:
    """("space" or "colon", field name, value) when `text` reads as a field whose colon or the space after it
    is missing, e.g. a group's value "lead_time_weeks 6" that should have been its field."""
    glued = _NO_SPACE.match(text)
    if glued:
        return "space", glued.group(1), text[glued.end(1) + 1:]
    bare = _NO_COLON.match(text)
    if bare:
        return "colon", bare.group(1), bare.group(2) or ""
    return None


def _key_name(raw: str) -> str:
    return raw[1:-1] if raw[:1] in "\"'" else raw
