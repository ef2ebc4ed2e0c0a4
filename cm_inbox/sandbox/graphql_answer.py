"""Answers a read GraphQL document (``graphql_reader``) from plain objects, as a
GraphQL server would: exactly the fields selected, errors in the shape GitHub
uses, and Relay-style connections.

Objects are dicts with a ``__typename`` and the schema's field names; a field
whose value is a callable takes the field's arguments (a connection, a lookup)
and may raise ``FieldError``: that field is answered null, with the error
beside the data. Asking for a field the object lacks fails the whole document
(no data, errors only), as schema validation does.
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from cm_inbox.sandbox.graphql_reader import Field, Fragment

PAGE_LIMIT = 100  # GitHub's bound on first and last


class FieldError(Exception):
    """A field GitHub would answer null, with an error of this ``kind``."""

    def __init__(self, kind: str, message: str, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.extensions = extensions


def _cursor(key: Sequence[float]) -> str:
    return base64.b64encode(("cursor:v2:" + json.dumps(list(key))).encode()).decode()


def _uncursor(value: Any) -> tuple[float, ...]:
    try:
        text = base64.b64decode(str(value), validate=True).decode()
        return tuple(json.loads(text.removeprefix("cursor:v2:")))
    except (ValueError, TypeError):
        raise FieldError(
            "INVALID_CURSOR_ARGUMENTS", f"`{value}` does not appear to be a valid cursor."
        ) from None


class Executor(ABC):
    """One document's run over the roots a schema's twin gives."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.invalid: list[dict[str, Any]] = []

    @abstractmethod
    def query_root(self) -> dict[str, Any]:
        """The ``Query`` object: the fields a query may start from."""

    @abstractmethod
    def mutation_root(self) -> dict[str, Any]:
        """The ``Mutation`` object: each field a change, run in the order asked."""

    def run(self, kind: str, selections: list[Field | Fragment]) -> dict[str, Any]:
        """The answer's body: ``data`` (and ``errors``), or ``errors`` alone when invalid."""
        root = self.mutation_root() if kind == "mutation" else self.query_root()
        data = self.select(root, selections, [])
        if self.invalid:
            return {"errors": self.invalid}
        return {"data": data, "errors": self.errors} if self.errors else {"data": data}

    def select(self, obj: dict[str, Any], selections: list, path: list) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for selection in selections:
            if isinstance(selection, Fragment):
                if selection.type_name in (None, obj["__typename"]):
                    out.update(self.select(obj, selection.selections, path))
                continue
            out[selection.key] = self.value(obj, selection, [*path, selection.key])
        return out

    def value(self, obj: dict[str, Any], field: Field, path: list) -> Any:
        where = [{"line": field.line, "column": field.column}]
        if field.name == "__typename":
            return obj["__typename"]
        if field.name not in obj:
            type_name = obj["__typename"]
            self.invalid.append({
                "path": path, "locations": where,
                "extensions": {"code": "undefinedField", "typeName": type_name,
                               "fieldName": field.name},
                "message": f"Field '{field.name}' doesn't exist on type '{type_name}'",
            })  # fmt: skip
            return None
        raw = obj[field.name]
        try:
            value = raw(field.args) if callable(raw) else raw
        except FieldError as error:
            found: dict[str, Any] = {"type": error.kind, "path": path, "locations": where}
            if error.extensions:
                found["extensions"] = error.extensions
            self.errors.append({**found, "message": error.message})
            return None
        return self.shape(value, field, path)

    def shape(self, value: Any, field: Field, path: list) -> Any:
        if isinstance(value, list):
            return [self.shape(item, field, [*path, i]) for i, item in enumerate(value)]
        if isinstance(value, dict) and not field.selections:
            self.invalid.append({
                "path": path, "message": f"Field must have selections (field '{field.name}'"
                f" returns {value['__typename']} but has no selections.",
            })  # fmt: skip
            return None
        if isinstance(value, dict):
            return self.select(value, field.selections, path)
        if field.selections and value is not None:
            self.invalid.append({
                "path": path,
                "message": f"Selections can't be made on scalars (field '{field.name}')",
            })  # fmt: skip
            return None
        return value

    def connection(
        self, items: list[Any], args: dict[str, Any], name: str,
        key: Callable[[Any], tuple[float, ...]], make: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:  # fmt: skip
        """A GitHub connection over ``items``, ordered by ``key`` (cursors encode it)."""
        first, last = args.get("first"), args.get("last")
        if first is None and last is None:
            raise FieldError(
                "MISSING_PAGINATION_BOUNDARIES",
                f"You must provide a `first` or `last` value to properly paginate the `{name}`"
                " connection.",
            )
        for arg, count in (("first", first), ("last", last)):
            if count is not None and (not isinstance(count, int) or not 0 <= count <= PAGE_LIMIT):
                raise FieldError(
                    "EXCESSIVE_PAGINATION",
                    f"Requesting {count} records on the `{name}` connection exceeds the `{arg}`"
                    f" limit of {PAGE_LIMIT} records.",
                )
        ordered = sorted(items, key=key)
        keys = [key(item) for item in ordered]
        low, high = 0, len(ordered)
        if args.get("after") is not None:
            low = bisect_right(keys, _uncursor(args["after"]))
        if args.get("before") is not None:
            high = min(high, bisect_left(keys, _uncursor(args["before"])))
        high = max(low, high)
        if first is not None:
            high = min(high, low + first)
        if last is not None:
            low = max(low, high - last)
        chosen = ordered[low:high]
        nodes = [make(item) for item in chosen]
        edges = [
            {"__typename": "Edge", "cursor": _cursor(keys[low + i]), "node": node}
            for i, node in enumerate(nodes)
        ]
        return {
            "__typename": "Connection",
            "totalCount": len(ordered),
            "nodes": nodes,
            "edges": edges,
            "pageInfo": {
                "__typename": "PageInfo",
                "hasNextPage": high < len(ordered),
                "hasPreviousPage": low > 0,
                "startCursor": edges[0]["cursor"] if edges else None,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }
