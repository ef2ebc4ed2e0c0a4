"""Reads a GraphQL document into the fields it asks for, for the sandbox twins.

Enough of the GraphQL language (the October 2021 spec) for what clients send
GitHub: one ``query`` or ``mutation`` (named or not, with variable
definitions), fields with aliases and arguments (variables, strings, numbers,
booleans, null, enums, lists, input objects), nested selection sets and
inline fragments (``... on DiscussionComment { }``). Not read: named
fragments, directives' effects, subscriptions. A document outside that
raises ``GraphQLSyntaxError`` with where it went wrong, as GitHub's parse
errors say it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<skip>[\s,\ufeff]+|\#[^\n\r]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$&()\[\]{}:=@|])
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<block>\"\"\"(?:\\\"\"\"|[^"]|"(?!""))*\"\"\")
  | (?P<string>"(?:\\.|[^"\\\n\r])*")
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
    """,
    re.VERBOSE,
)


class GraphQLSyntaxError(ValueError):
    """The document cannot be read; ``line`` and ``column`` say where (1-based)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass
class Field:
    """One field asked for: its arguments (variables already put in) and sub-selections."""

    name: str
    alias: str | None
    args: dict[str, Any]
    selections: list[Field | Fragment]
    line: int
    column: int

    @property
    def key(self) -> str:
        """The name the answer uses for it."""
        return self.alias or self.name


@dataclass
class Fragment:
    """``... on Type { }``: selections that apply when the object is a ``Type``."""

    type_name: str | None
    selections: list[Field | Fragment] = field(default_factory=list)


@dataclass
class Operation:
    kind: str  # "query" or "mutation"
    selections: list[Field | Fragment]


@dataclass
class _Token:
    kind: str
    text: str
    line: int
    column: int


def _tokens(document: str) -> list[_Token]:
    tokens = []
    position, line, line_start = 0, 1, 0
    while position < len(document):
        match = _TOKEN.match(document, position)
        column = position - line_start + 1
        if not match:
            raise GraphQLSyntaxError(
                f'Parse error on "{document[position]}" at [{line}, {column}]', line, column
            )
        kind = match.lastgroup or ""
        text = match.group()
        if kind != "skip":
            tokens.append(_Token(kind, text, line, column))
        for newline in re.finditer(r"\r\n|\n|\r", text):
            line += 1
            line_start = match.start() + newline.end()
        position = match.end()
    tokens.append(_Token("end", "", line, position - line_start + 1))
    return tokens


class _Reader:
    def __init__(self, document: str, variables: dict[str, Any]) -> None:
        self.tokens = _tokens(document)
        self.at = 0
        self.variables = variables

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self.peek()
        if (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            shown = token.text or "end of document"
            raise GraphQLSyntaxError(
                f'Parse error on "{shown}" at [{token.line}, {token.column}]',
                token.line,
                token.column,
            )
        self.at += 1
        return token

    def skip(self, text: str) -> bool:
        if self.peek().text == text and self.peek().kind != "string":
            self.at += 1
            return True
        return False

    def document(self) -> Operation:
        kind = "query"
        if self.peek().kind == "name" and self.peek().text in ("query", "mutation", "subscription"):
            kind = self.take().text
            if kind == "subscription":
                token = self.peek()
                raise GraphQLSyntaxError(
                    "Subscriptions are not supported", token.line, token.column
                )
            if self.peek().kind == "name":
                self.take()  # the operation's name
            if self.skip("("):
                while not self.skip(")"):
                    self.variable_definition()
            self.directives()
        selections = self.selection_set()
        if self.peek().kind != "end":
            token = self.peek()
            raise GraphQLSyntaxError(
                f'Parse error on "{token.text}" at [{token.line}, {token.column}]'
                " (one operation per document here)",
                token.line,
                token.column,
            )
        return Operation(kind, selections)

    def variable_definition(self) -> None:
        self.take("$")
        name = self.take(kind="name").text
        self.take(":")
        self.type_reference()
        if self.skip("="):
            default = self.value(constant=True)
            self.variables.setdefault(name, default)
        self.directives()

    def type_reference(self) -> None:
        if self.skip("["):
            self.type_reference()
            self.take("]")
        else:
            self.take(kind="name")
        self.skip("!")

    def directives(self) -> None:
        while self.skip("@"):
            self.take(kind="name")
            if self.skip("("):
                while not self.skip(")"):
                    self.argument()

    def selection_set(self) -> list[Field | Fragment]:
        self.take("{")
        selections: list[Field | Fragment] = []
        while not self.skip("}"):
            if self.peek().kind == "spread":
                self.take()
                if self.peek().text != "on":
                    token = self.peek()
                    raise GraphQLSyntaxError(
                        "Named fragments are not supported here", token.line, token.column
                    )
                self.take("on")
                type_name = self.take(kind="name").text
                self.directives()
                selections.append(Fragment(type_name, self.selection_set()))
            else:
                selections.append(self.field())
        return selections

    def field(self) -> Field:
        first = self.take(kind="name")
        alias, name = None, first.text
        if self.skip(":"):
            alias, name = first.text, self.take(kind="name").text
        args: dict[str, Any] = {}
        if self.skip("("):
            while not self.skip(")"):
                key, value = self.argument()
                args[key] = value
        self.directives()
        selections = self.selection_set() if self.peek().text == "{" else []
        return Field(name, alias, args, selections, first.line, first.column)

    def argument(self) -> tuple[str, Any]:
        name = self.take(kind="name").text
        self.take(":")
        return name, self.value()

    def value(self, constant: bool = False) -> Any:
        token = self.peek()
        if token.text == "$" and not constant:
            self.take()
            return self.variables.get(self.take(kind="name").text)
        if token.kind == "number":
            self.take()
            number = float(token.text)
            return int(number) if re.fullmatch(r"-?[0-9]+", token.text) else number
        if token.kind == "string":
            self.take()
            return json.loads(token.text)
        if token.kind == "block":
            self.take()
            return token.text[3:-3].replace('\\"""', '"""')
        if token.kind == "name":
            self.take()
            return {"true": True, "false": False, "null": None}.get(token.text, token.text)
        if self.skip("["):
            items = []
            while not self.skip("]"):
                items.append(self.value(constant))
            return items
        if self.skip("{"):
            fields = {}
            while not self.skip("}"):
                key = self.take(kind="name").text
                self.take(":")
                fields[key] = self.value(constant)
            return fields
        shown = token.text or "end of document"
        raise GraphQLSyntaxError(
            f'Parse error on "{shown}" at [{token.line}, {token.column}]', token.line, token.column
        )


def read(document: str, variables: dict[str, Any] | None = None) -> Operation:
    """The operation in ``document``, with ``variables`` put in its arguments."""
    return _Reader(document, dict(variables or {})).document()
