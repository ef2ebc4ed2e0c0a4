"""A small Lexicon validator for tests: does a JSON value fit an atproto schema?

It reads the official lexicons in tests/conformance/bluesky/lexicons and
checks what the Lexicon spec (https://atproto.com/specs/lexicon) asks of a
value: required fields, types (object, string, integer, boolean, array, ref,
union, unknown, blob, bytes, cid-link), const/enum, string sizes (maxLength
counts UTF-8 bytes, maxGraphemes grapheme clusters), integer bounds, array
lengths, and string formats, loosely (at-uri, did, handle, datetime, cid,
uri, language, nsid, tid, record-key, at-identifier).

Unknown fields are allowed (lexicon objects are open), as are union members of
a ``$type`` the union does not list unless it is ``closed``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import regex

ROOT = Path(__file__).parent / "conformance" / "bluesky" / "lexicons"

_GRAPHEME = regex.compile(r"\X")
_DATETIME_TZ = regex.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
_DATETIME_ANY = regex.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)?$")
_HANDLE = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_DID = r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]"
FORMATS = {
    "did": regex.compile(rf"^{_DID}$"),
    "handle": regex.compile(rf"^{_HANDLE}$"),
    "at-identifier": regex.compile(rf"^(?:{_DID}|{_HANDLE})$"),
    "at-uri": regex.compile(rf"^at://(?:{_DID}|{_HANDLE})(?:/[a-zA-Z0-9.-]+(?:/[^\s/#?]+)?)?$"),
    "cid": regex.compile(r"^[a-zA-Z0-9+=]{8,256}$"),
    "uri": regex.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$"),
    "language": regex.compile(r"^(?:[a-zA-Z]{2,3}|i)(?:-[a-zA-Z0-9]{1,8})*$"),
    "nsid": regex.compile(r"^[a-zA-Z](?:[a-zA-Z0-9-]*\.)+[a-zA-Z][a-zA-Z0-9]*$"),
    "tid": regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$"),
    "record-key": regex.compile(r"^(?!\.{1,2}$)[a-zA-Z0-9_~.:-]{1,512}$"),
}


class Lexicons:
    """Every lexicon under ``root``, by id."""

    def __init__(self, root: Path = ROOT) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for path in sorted(root.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            self.docs[doc["id"]] = doc

    # -- entry points ---------------------------------------------------------------

    def errors(self, value: Any, ref: str, *, strict: bool = True) -> list[str]:
        """Problems of ``value`` against ``ref`` ("app.bsky.feed.post", "x.y.z#def")."""
        found: list[str] = []
        name, schema, doc_id = self._resolve(ref, "")
        self._check(value, schema, doc_id, "$", found, strict)
        return found

    def output_errors(self, nsid: str, value: Any, *, strict: bool = True) -> list[str]:
        """Problems of a query's or procedure's answer body."""
        return self._body_errors(nsid, "output", value, strict)

    def input_errors(self, nsid: str, value: Any, *, strict: bool = True) -> list[str]:
        """Problems of a procedure's request body."""
        return self._body_errors(nsid, "input", value, strict)

    def _body_errors(self, nsid: str, part: str, value: Any, strict: bool) -> list[str]:
        main = self.docs[nsid]["defs"]["main"]
        found: list[str] = []
        self._check(value, main[part]["schema"], nsid, "$", found, strict)
        return found

    # -- the checks -----------------------------------------------------------------

    def _resolve(self, ref: str, base: str) -> tuple[str, dict[str, Any], str]:
        doc_id, _, name = ref.partition("#")
        doc_id = doc_id or base
        name = name or "main"
        try:
            schema = self.docs[doc_id]["defs"][name]
        except KeyError:
            raise KeyError(f"unresolvable lexicon ref {ref!r} (from {base!r})") from None
        return f"{doc_id}#{name}", schema, doc_id

    def _check(
        self,
        value: Any,
        schema: dict[str, Any],
        doc_id: str,
        path: str,
        found: list[str],
        strict: bool,
    ) -> None:
        kind = schema["type"]
        check = getattr(self, "_" + kind.replace("-", "_"), None)
        if check is None:
            found.append(f"{path}: the validator does not know type {kind!r}")
            return
        check(value, schema, doc_id, path, found, strict)

    def _record(self, value, schema, doc_id, path, found, strict) -> None:
        self._object(value, schema["record"], doc_id, path, found, strict)

    def _object(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, dict):
            found.append(f"{path}: expected an object, got {type(value).__name__}")
            return
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}.{name}: required")
        nullable = set(schema.get("nullable", []))
        for name, sub in schema.get("properties", {}).items():
            if name not in value or (value[name] is None and name in nullable):
                continue
            self._check(value[name], sub, doc_id, f"{path}.{name}", found, strict)

    def _ref(self, value, schema, doc_id, path, found, strict) -> None:
        _name, target, target_doc = self._resolve(schema["ref"], doc_id)
        if target["type"] == "token":
            if not isinstance(value, str):
                found.append(f"{path}: expected a token string")
            return
        self._check(value, target, target_doc, path, found, strict)

    def _union(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, dict):
            found.append(f"{path}: expected a union object with $type")
            return
        kind = value.get("$type")
        if not isinstance(kind, str):
            found.append(f"{path}.$type: required in a union")
            return
        members = {}
        for ref in schema["refs"]:
            name, target, target_doc = self._resolve(ref, doc_id)
            members[name.removesuffix("#main")] = (target, target_doc)
        if kind not in members:
            if schema.get("closed"):
                found.append(f"{path}.$type: {kind!r} is not one of {sorted(members)}")
            return
        target, target_doc = members[kind]
        self._check(value, target, target_doc, path, found, strict)

    def _unknown(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, dict):
            found.append(f"{path}: 'unknown' data must be an object")

    def _string(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, str):
            found.append(f"{path}: expected a string, got {type(value).__name__}")
            return
        if "const" in schema and value != schema["const"]:
            found.append(f"{path}: must be {schema['const']!r}")
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{path}: {value!r} not in {schema['enum']}")
        size = len(value.encode("utf-8"))
        if size > schema.get("maxLength", size):
            found.append(f"{path}: {size} bytes, over maxLength {schema['maxLength']}")
        if size < schema.get("minLength", 0):
            found.append(f"{path}: under minLength {schema['minLength']}")
        if "maxGraphemes" in schema or "minGraphemes" in schema:
            graphemes = len(_GRAPHEME.findall(value))
            if graphemes > schema.get("maxGraphemes", graphemes):
                found.append(f"{path}: {graphemes} graphemes, over {schema['maxGraphemes']}")
            if graphemes < schema.get("minGraphemes", 0):
                found.append(f"{path}: under minGraphemes {schema['minGraphemes']}")
        form = schema.get("format")
        if form == "datetime":
            pattern = _DATETIME_TZ if strict else _DATETIME_ANY
            if not pattern.match(value):
                found.append(f"{path}: {value!r} is not an atproto datetime")
        elif form in FORMATS and not FORMATS[form].match(value):
            found.append(f"{path}: {value!r} is not a valid {form}")

    def _integer(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            found.append(f"{path}: expected an integer, got {type(value).__name__}")
            return
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            found.append(
                f"{path}: {value} outside the bounds {schema.get('minimum')}..{schema.get('maximum')}"
            )
        if "const" in schema and value != schema["const"]:
            found.append(f"{path}: must be {schema['const']}")
        if "enum" in schema and value not in schema["enum"]:
            found.append(f"{path}: {value} not in {schema['enum']}")

    def _boolean(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, bool):
            found.append(f"{path}: expected a boolean, got {type(value).__name__}")
        elif "const" in schema and value != schema["const"]:
            found.append(f"{path}: must be {schema['const']}")

    def _array(self, value, schema, doc_id, path, found, strict) -> None:
        if not isinstance(value, list):
            found.append(f"{path}: expected an array, got {type(value).__name__}")
            return
        if len(value) > schema.get("maxLength", len(value)):
            found.append(f"{path}: {len(value)} items, over maxLength {schema['maxLength']}")
        if len(value) < schema.get("minLength", 0):
            found.append(f"{path}: under minLength {schema['minLength']}")
        for n, item in enumerate(value):
            self._check(item, schema["items"], doc_id, f"{path}[{n}]", found, strict)

    def _blob(self, value, schema, doc_id, path, found, strict) -> None:
        modern = isinstance(value, dict) and value.get("$type") == "blob"
        if modern and not (
            isinstance(value.get("ref"), dict)
            and isinstance(value.get("mimeType"), str)
            and isinstance(value.get("size"), int)
        ):
            found.append(f"{path}: a blob needs ref, mimeType and size")
        elif not modern and not (isinstance(value, dict) and "cid" in value):
            found.append(f"{path}: expected a blob")

    def _bytes(self, value, schema, doc_id, path, found, strict) -> None:
        if not (isinstance(value, dict) and isinstance(value.get("$bytes"), str)):
            found.append(f"{path}: expected {{'$bytes': base64}}")

    def _cid_link(self, value, schema, doc_id, path, found, strict) -> None:
        if not (isinstance(value, dict) and isinstance(value.get("$link"), str)):
            found.append(f"{path}: expected {{'$link': cid}}")


LEXICONS = Lexicons()


def assert_valid(value: Any, ref: str, *, strict: bool = True) -> None:
    """Fail with every problem of ``value`` against the lexicon ``ref``."""
    problems = LEXICONS.errors(value, ref, strict=strict)
    assert not problems, f"{ref}:\n  " + "\n  ".join(problems)


def assert_valid_output(nsid: str, value: Any, *, strict: bool = True) -> None:
    problems = LEXICONS.output_errors(nsid, value, strict=strict)
    assert not problems, f"{nsid} output:\n  " + "\n  ".join(problems)


def assert_valid_input(nsid: str, value: Any, *, strict: bool = True) -> None:
    problems = LEXICONS.input_errors(nsid, value, strict=strict)
    assert not problems, f"{nsid} input:\n  " + "\n  ".join(problems)
