"""The quality schema: one JSON Schema (draft 2020-12) per kind of file, the single source of truth for
fields, types, German labels and help texts; plus the conversion of YAML strings into those types."""

from __future__ import annotations

import contextvars
import datetime
import functools
import json
import re
from decimal import Decimal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import referencing
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

SCHEMA_DIR = Path(__file__).parent
KINDS = ("offer", "partner", "page", "site", "vocabularies")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_NUMBER_RE = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")
_BOOLEANS = {"true": True, "ja": True, "false": False, "nein": False}


@functools.cache
def load(kind: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{kind}.schema.json", encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def registry() -> referencing.Registry:
    resources = [(load(k)["$id"], referencing.Resource.from_contents(load(k))) for k in KINDS]
    return referencing.Registry().with_resources(resources)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` (local or to another offerdb schema); sibling keywords such as `title` win."""
    while "$ref" in schema:
        ref = schema["$ref"]
        base, _, pointer = ref.partition("#")
        # Local refs ("#/$defs/…") occur only in the offer schema; the others reach its $defs by "offerdb:offer".
        target = load(base.removeprefix("offerdb:") or "offer")
        for part in filter(None, pointer.split("/")):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def child(schema: dict[str, Any] | None, part: Any) -> dict[str, Any] | None:
    """The subschema for one step of a field path (a property name or a list index)."""
    if schema is None:
        return None
    schema = resolve(schema)
    if isinstance(part, int):
        items = schema.get("items")
        return items if isinstance(items, dict) else None
    props = schema.get("properties", {})
    if part in props:
        return props[part]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def at(kind: str, path: tuple[Any, ...]) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = load(kind)
    for part in path:
        schema = child(schema, part)
    return resolve(schema) if schema is not None else None


def label(kind: str, path: tuple[Any, ...]) -> str:
    """German label of a field path, e.g. ("cost", "amount_eur") -> "Kosten › Betrag in Euro"."""
    names = []
    schema: dict[str, Any] | None = load(kind)
    for part in path:
        schema = child(schema, part)
        if isinstance(part, int):
            names.append(f"Eintrag {part + 1}")
        elif schema is not None and "title" in schema:
            names.append(schema["title"])
        else:
            names.append(str(part))
    return " › ".join(names)


def coerce(value: Any, schema: dict[str, Any] | None) -> Any:
    """Convert YAML strings to the types the schema asks for; anything unconvertible stays a string,
    so the schema reports it with the editor's own spelling."""
    if schema is None:
        return value
    schema = resolve(schema)
    kind = schema.get("type")
    if isinstance(value, str):
        text = value.strip()
        if kind == "integer" and _INT_RE.match(text):
            return int(text)
        if kind == "number" and _NUMBER_RE.match(text):
            return Decimal(text.replace(",", "."))
        if kind == "boolean" and text.lower() in _BOOLEANS:
            return _BOOLEANS[text.lower()]
        return value
    if isinstance(value, list):
        return [coerce(item, child(schema, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: coerce(item, child(schema, key)) for key, item in value.items()}
    return value


def parse_date(text: str) -> datetime.date | None:
    if not DATE_RE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if not DATE_RE.match(instance):
        return False
    datetime.date.fromisoformat(instance)  # ValueError for impossible dates such as 2026-02-30
    return True


@FORMATS.checks("email")
def _is_email(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_EMAIL_RE.match(instance))


VocabularyCheck = Callable[[str, str], str | None]

# The keyword needs the build's vocabularies; a context variable hands them over, so the extended
# validator class is created once (jsonschema's `extend` is costly) instead of once per build.
_CHECK_TERM: contextvars.ContextVar[VocabularyCheck] = contextvars.ContextVar("check_term")


def _x_vocabulary(_v: Any, vocabulary: str, instance: Any, _s: Any) -> Iterator[ValidationError]:
    if isinstance(instance, str):
        message = _CHECK_TERM.get()(vocabulary, instance)
        if message:
            yield ValidationError(message)


_Validator = jsonschema.validators.extend(Draft202012Validator, {"x-vocabulary": _x_vocabulary})


class Validator:
    """Validates one kind of file. `check_term(vocabulary, key)` returns a German message when `key` is
    not in the named vocabulary, which keeps the vocabularies in content, not in the schema."""

    def __init__(self, kind: str, check_term: VocabularyCheck):
        self._validator = _Validator(load(kind), registry=registry(), format_checker=FORMATS)
        self._check_term = check_term

    def iter_errors(self, instance: Any) -> list[ValidationError]:
        token = _CHECK_TERM.set(self._check_term)
        try:
            return list(self._validator.iter_errors(instance))
        finally:
            _CHECK_TERM.reset(token)


def vocabularies_used() -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
    """Vocabulary name -> the (kind, schema path) places that use it; content must define each one."""
    found: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}

    def walk(kind: str, node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            if "x-vocabulary" in node:
                found.setdefault(node["x-vocabulary"], []).append((kind, path))
            for key, value in node.items():
                walk(kind, value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(kind, value, path + (i,))

    for kind in KINDS:
        walk(kind, load(kind), ())
    return found
