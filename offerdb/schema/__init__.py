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
KINDS = ("offer", "partner", "page", "help", "site", "vocabularies")
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
    so the schema reports it with the editor's own spelling. Same result as `coerce_reference`."""
    return coercer(schema)(value)


def coercer(schema: dict[str, Any] | None) -> Callable[[Any], Any]:
    """`coerce` for one schema as a function to keep: the schema lookups ($ref, properties, items) happen
    once per schema node it meets (each node's function is made on first use and kept by its parent),
    instead of once per value. A validation keeps one per kind for all files of a build."""
    return _identity if schema is None else _make_coercer(schema)


def _identity(value: Any) -> Any:
    return value


def _make_coercer(schema: dict[str, Any]) -> Callable[[Any], Any]:
    resolved = resolve(schema)
    kind = resolved.get("type")
    items = resolved.get("items")
    items = items if isinstance(items, dict) else None
    props = resolved.get("properties", {})
    extra = resolved.get("additionalProperties")
    extra = extra if isinstance(extra, dict) else None

    made: dict[Any, Callable[[Any], Any]] = {}  # property name (or None for list items) -> its function

    def child(key: Any, node: dict[str, Any] | None) -> Callable[[Any], Any]:
        found = made.get(key)
        if found is None:
            found = made[key] = coercer(node)
        return found

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            return _scalar(value, kind)
        if isinstance(value, list):
            item = child(None, items)
            return [item(v) for v in value]
        if isinstance(value, dict):
            return {key: child(key, props[key] if key in props else extra)(v) for key, v in value.items()}
        return value

    return convert


def _scalar(value: str, kind: Any) -> Any:
    """A string as the schema's integer, number or boolean where it reads as one; else unchanged."""
    text = value.strip()
    if kind == "integer" and _INT_RE.match(text):
        return int(text)
    if kind == "number" and _NUMBER_RE.match(text):
        return Decimal(text.replace(",", "."))
    if kind == "boolean" and text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    return value


def coerce_reference(value: Any, schema: dict[str, Any] | None) -> Any:
    """The plain definition of `coerce`, walking the schema for every value; tests compare the two."""
    if schema is None:
        return value
    schema = resolve(schema)
    kind = schema.get("type")
    if isinstance(value, str):
        return _scalar(value, kind)
    if isinstance(value, list):
        return [coerce_reference(item, child(schema, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: coerce_reference(item, child(schema, key)) for key, item in value.items()}
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
    not in the named vocabulary, which keeps the vocabularies in content, not in the schema.

    Most files are valid, and jsonschema spends most of a check building validator objects for every
    subschema. So a compiled predicate (`compile_is_valid`) answers first; only when it says "invalid"
    (or is unsure) does jsonschema run and find the errors, which keeps every message identical."""

    def __init__(self, kind: str, check_term: VocabularyCheck):
        self._validator = _Validator(load(kind), registry=registry(), format_checker=FORMATS)
        self._check_term = check_term
        try:
            self._is_valid: Callable[[Any], bool] | None = compile_is_valid(kind, check_term)
        except Unsupported:
            self._is_valid = None  # a keyword the compiler does not know: always the full validator

    def iter_errors(self, instance: Any) -> list[ValidationError]:
        if self._is_valid is not None and self._is_valid(instance):
            return []
        token = _CHECK_TERM.set(self._check_term)
        try:
            return list(self._validator.iter_errors(instance))
        finally:
            _CHECK_TERM.reset(token)


# --- compiled validity check -------------------------------------------------------------------

class Unsupported(Exception):
    """The schema uses a keyword `compile_is_valid` cannot decide exactly."""


# Keywords that only annotate; they never make an instance invalid.
_ANNOTATIONS = {"title", "description", "examples", "x-messages", "x-labels", "$schema", "$id", "$defs",
                "$comment", "default"}
_SIMPLE_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _is_type(instance: Any, name: str) -> bool:
    return _Validator.TYPE_CHECKER.is_type(instance, name)  # jsonschema's own rules for integer/number


# What `coerce` produces is decided here without a call into jsonschema; anything else (a float, say) asks it.
_NOT_NUMBERS = (str, dict, list, bool, type(None))


def _is_integer(instance: Any) -> bool:
    kind = type(instance)
    if kind is int:
        return True
    if kind is Decimal or kind in _NOT_NUMBERS:
        return False
    return _is_type(instance, "integer")


def _is_number(instance: Any) -> bool:
    kind = type(instance)
    if kind is int or kind is Decimal:
        return True
    if kind in _NOT_NUMBERS:
        return False
    return _is_type(instance, "number")


Check = Callable[[Any], bool]


def compile_is_valid(kind: str, check_term: VocabularyCheck) -> Check:
    """A predicate that is True exactly when jsonschema finds no error for `kind`'s schema, and may be
    False for a valid instance where exactness would cost more than it saves (uniqueItems over lists that
    are not all strings): False only means "ask jsonschema". Raises Unsupported for unknown keywords.
    Mirrors jsonschema's draft 2020-12 keyword functions (jsonschema/_keywords.py) one by one."""
    compiled: dict[int, tuple[Any, Check]] = {}

    def ref(target: str, base: str) -> tuple[dict[str, Any], str]:
        uri, _, pointer = target.partition("#")
        doc_kind = uri.removeprefix("offerdb:") if uri else base
        if doc_kind not in KINDS:
            raise Unsupported(target)
        node: Any = load(doc_kind)
        for part in filter(None, pointer.split("/")):
            node = node[part]
        return node, doc_kind

    def build(node: Any, base: str, exact: bool, depth: int = 0) -> Check:
        if depth > 50:
            raise Unsupported("recursive schema")
        if node is True:
            return lambda x: True
        if not isinstance(node, dict):
            raise Unsupported(repr(node))
        key = (id(node), exact)
        if key in compiled:
            return compiled[key][1]
        checks: list[Check] = []
        sub = lambda n: build(n, base, exact, depth + 1)  # noqa: E731
        for keyword, value in node.items():
            if keyword in _ANNOTATIONS:
                continue
            if keyword == "$ref":
                target, target_base = ref(value, base)
                checks.append(build(target, target_base, exact, depth + 1))
            elif keyword == "type":
                names = [value] if isinstance(value, str) else list(value)
                tests = [_SIMPLE_TYPES.get(n) or {"integer": _is_integer, "number": _is_number}.get(n)
                         or (lambda x, n=n: _is_type(x, n)) for n in names]
                checks.append(tests[0] if len(tests) == 1 else (lambda x, t=tests: any(f(x) for f in t)))
            elif keyword == "required":
                names = list(value)
                checks.append(lambda x, r=names: not isinstance(x, dict) or all(k in x for k in r))
            elif keyword == "properties":
                props = [(name, sub(schema)) for name, schema in value.items()]
                checks.append(lambda x, p=props: not isinstance(x, dict)
                              or all(f(x[name]) for name, f in p if name in x))
            elif keyword == "additionalProperties":
                if "patternProperties" in node:
                    raise Unsupported("patternProperties")
                known = frozenset(node.get("properties", {}))
                if value is False:
                    checks.append(lambda x, k=known: not isinstance(x, dict) or k.issuperset(x))
                elif value is not True:
                    f = sub(value)
                    checks.append(lambda x, k=known, f=f: not isinstance(x, dict)
                                  or all(f(v) for name, v in x.items() if name not in k))
            elif keyword == "propertyNames":
                f = sub(value)
                checks.append(lambda x, f=f: not isinstance(x, dict) or all(f(name) for name in x))
            elif keyword == "minProperties":
                checks.append(lambda x, n=value: not isinstance(x, dict) or len(x) >= n)
            elif keyword == "items":
                if "prefixItems" in node or not isinstance(value, dict):
                    raise Unsupported("items")
                f = sub(value)
                checks.append(lambda x, f=f: not isinstance(x, list) or all(f(v) for v in x))
            elif keyword == "minItems":
                checks.append(lambda x, n=value: not isinstance(x, list) or len(x) >= n)
            elif keyword == "maxItems":
                checks.append(lambda x, n=value: not isinstance(x, list) or len(x) <= n)
            elif keyword == "uniqueItems":
                if value:
                    if exact:
                        raise Unsupported("uniqueItems inside if")
                    checks.append(lambda x: not isinstance(x, list) or (
                        all(isinstance(v, str) for v in x) and len(set(x)) == len(x)))
            elif keyword == "minLength":
                checks.append(lambda x, n=value: not isinstance(x, str) or len(x) >= n)
            elif keyword == "maxLength":
                checks.append(lambda x, n=value: not isinstance(x, str) or len(x) <= n)
            elif keyword == "pattern":
                checks.append(lambda x, p=re.compile(value): not isinstance(x, str) or p.search(x) is not None)
            elif keyword == "format":
                checks.append(lambda x, f=value: FORMATS.conforms(x, f))
            elif keyword in ("enum", "const"):
                options = list(value) if keyword == "enum" else [value]
                if all(isinstance(o, str) for o in options):
                    checks.append(lambda x, o=frozenset(options): isinstance(x, str) and x in o)
                elif all(isinstance(o, bool) for o in options):
                    checks.append(lambda x, o=options: any(x is v for v in o))
                else:
                    raise Unsupported(keyword)
            elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                compare = {"minimum": lambda x, b: x >= b, "maximum": lambda x, b: x <= b,
                           "exclusiveMinimum": lambda x, b: x > b, "exclusiveMaximum": lambda x, b: x < b}[keyword]
                checks.append(lambda x, c=compare, b=value: not _is_number(x) or c(x, b))
            elif keyword == "if":
                condition = build(value, base, True, depth + 1)
                then = sub(node["then"]) if "then" in node else None
                otherwise = sub(node["else"]) if "else" in node else None
                checks.append(lambda x, c=condition, t=then, e=otherwise:
                              (t is None or t(x)) if c(x) else (e is None or e(x)))
            elif keyword in ("then", "else"):
                continue  # part of "if"; without "if" jsonschema ignores them
            elif keyword == "x-vocabulary":
                checks.append(lambda x, v=value: not isinstance(x, str) or not check_term(v, x))
            else:
                raise Unsupported(keyword)

        if not checks:
            check: Check = lambda x: True  # noqa: E731
        elif len(checks) == 1:
            check = checks[0]
        else:
            def check(x: Any, checks: list[Check] = checks) -> bool:
                for c in checks:
                    if not c(x):
                        return False
                return True

        compiled[key] = (node, check)
        return check

    return build(load(kind), kind, False)


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
