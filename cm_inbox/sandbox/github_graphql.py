"""The sandbox twin of GitHub's GraphQL endpoint (``POST /github/graphql``).

The document sent is read for real (``graphql_reader``) and answered with
exactly the fields it selects, from objects that carry GitHub's field names.
Documented shapes it follows:

- "Using the GraphQL API for Discussions": ``Repository.discussions(first,
  last, after, before, orderBy = {field: UPDATED_AT, direction: DESC})``,
  ``Repository.discussion(number)``, the ``Discussion`` and
  ``DiscussionComment`` fields (``replyTo``, ``replies``, ``databaseId``...),
  ``addDiscussionComment(input: {discussionId, body, replyToId})`` answering
  ``{comment}``.
- The GraphQL reference: ``Repository.hasDiscussionsEnabled``, ``Query.node(id)``,
  ``minimizeComment(input: {subjectId, classifier})`` answering
  ``{minimizedComment {isMinimized minimizedReason}}``; connections with
  ``nodes``, ``edges {cursor node}``, ``totalCount`` and ``pageInfo``.
- "Rate limits and query limits": ``first`` or ``last`` on every connection,
  1 to 100 (``MISSING_PAGINATION_BOUNDARIES``, ``EXCESSIVE_PAGINATION``); a
  spent primary limit answers 200 with a ``RATE_LIMITED`` error (``guard``).
- Errors as GitHub words them: ``{"type", "path", "locations", "message"}``
  beside ``data`` holding null where the field failed (``NOT_FOUND`` "Could
  not resolve to a Repository with the name 'o/r'.", ``FORBIDDEN`` "Resource
  not accessible by personal access token" with ``extensions.saml_failure``);
  an unknown field fails the whole document (``undefinedField``), no data.

Where GitHub documents nothing, the sandbox's own words: a ``replyToId`` that
is itself a reply is refused as ``UNPROCESSABLE`` (GitHub nests one level).
The fine-grained token without the Discussions permission
(``issues_only_token``) reads issues but is refused every discussion field.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from cm_inbox.sandbox.github_common import (
    BRAND,
    DISCUSSION_REPOS,
    MAX_BODY,
    NETWORK,
    REPOS,
    brand_token,
    iso,
    number,
)
from cm_inbox.sandbox.github_discussions import DiscussionWorld, Note, Thread
from cm_inbox.sandbox.graphql_reader import Field, Fragment, GraphQLSyntaxError, read
from cm_inbox.sandbox.state import AcceptedReply

if TYPE_CHECKING:
    from cm_inbox.sandbox.github import GitHubTwin

CLASSIFIERS = ("SPAM", "ABUSE", "OFF_TOPIC", "OUTDATED", "DUPLICATE", "RESOLVED")
PAGE_LIMIT = 100


class FieldError(Exception):
    """A field GitHub would answer null, with an error of this ``kind``."""

    def __init__(self, kind: str, message: str, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.extensions = extensions


class Invalid(Exception):
    """The document asks for what the schema lacks: nothing runs, errors only."""


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


class Answer:
    """One document's answer over the world as it is at this request."""

    def __init__(self, twin: GitHubTwin, may_discuss: bool) -> None:
        self.twin = twin
        self.may_discuss = may_discuss
        self.threads = twin.discussions.threads()
        self.nodes = DiscussionWorld.nodes(self.threads)
        self.errors: list[dict[str, Any]] = []
        self.invalid: list[dict[str, Any]] = []

    def run(self, kind: str, selections: list[Field | Fragment]) -> dict[str, Any]:
        root = self.mutation_root() if kind == "mutation" else self.query_root()
        data = self.select(root, selections, [])
        if self.invalid:
            return {"errors": self.invalid}
        return {"data": data, "errors": self.errors} if self.errors else {"data": data}

    # -- selection -----------------------------------------------------------------

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

    # -- objects -------------------------------------------------------------------

    def query_root(self) -> dict[str, Any]:
        return {
            "__typename": "Query",
            "repository": self.repository,
            "node": self.node,
            "viewer": lambda args: self.user(BRAND),
        }

    def mutation_root(self) -> dict[str, Any]:
        return {
            "__typename": "Mutation",
            "addDiscussionComment": self.add_comment,
            "minimizeComment": self.minimize,
        }

    def user(self, login: str) -> dict[str, Any]:
        return {
            "__typename": "Organization" if login == BRAND else "User",
            "login": login,
            "url": f"https://github.com/{login}",
            "avatarUrl": f"https://avatars.githubusercontent.com/u/{number(login, 1000, 10**8)}",
        }

    def _access(self) -> None:
        if not self.may_discuss:
            raise FieldError(
                "FORBIDDEN",
                "Resource not accessible by personal access token",
                {"saml_failure": False},
            )

    def repository(self, args: dict[str, Any]) -> dict[str, Any]:
        repo = f"{args.get('owner')}/{args.get('name')}"
        if repo not in REPOS:
            raise FieldError(
                "NOT_FOUND", f"Could not resolve to a Repository with the name '{repo}'."
            )
        owner, name = repo.split("/")
        threads = [t for t in self.threads.values() if t.repo == repo]
        return {
            "__typename": "Repository",
            "id": f"R_{number(repo, 10**6, 10**8)}",
            "name": name,
            "nameWithOwner": repo,
            "owner": self.user(owner),
            "url": f"https://github.com/{repo}",
            "hasIssuesEnabled": True,
            "hasDiscussionsEnabled": repo in DISCUSSION_REPOS,
            "discussions": lambda a: self.discussions(threads, a),
            "discussion": lambda a: self.discussion_numbered(threads, a),
        }

    def discussions(self, threads: list[Thread], args: dict[str, Any]) -> dict[str, Any]:
        self._access()
        order = args.get("orderBy") or {"field": "UPDATED_AT", "direction": "DESC"}
        by_update = order.get("field") != "CREATED_AT"
        sign = -1 if order.get("direction", "DESC") == "DESC" else 1

        def key(t: Thread) -> tuple[float, ...]:
            return (sign * (t.updated if by_update else t.at), sign * t.database_id)

        return self.connection(threads, args, "discussions", key, self.discussion)

    def discussion_numbered(self, threads: list[Thread], args: dict[str, Any]) -> dict[str, Any]:
        self._access()
        wanted = args.get("number")
        for thread in threads:
            if thread.number == wanted:
                return self.discussion(thread)
        raise FieldError(
            "NOT_FOUND", f"Could not resolve to a Discussion with the number of {wanted}."
        )

    def _association(self, login: str) -> str:
        return "OWNER" if login == BRAND else "NONE"

    def discussion(self, t: Thread) -> dict[str, Any]:
        return {
            "__typename": "Discussion",
            "id": t.node_id, "databaseId": t.database_id, "number": t.number,
            "title": t.title, "body": t.body, "bodyText": t.body,
            "url": f"https://github.com/{t.repo}/discussions/{t.number}",
            "createdAt": iso(t.at), "updatedAt": iso(t.updated), "publishedAt": iso(t.at),
            "lastEditedAt": None, "locked": False, "upvoteCount": t.database_id % 9,
            "author": self.user(t.login), "authorAssociation": self._association(t.login),
            "comments": lambda a: self.connection(
                t.comments, a, "comments", lambda c: (c.at, c.database_id), self.comment
            ),
            "repository": lambda a: self.repository(
                {"owner": t.repo.split("/")[0], "name": t.repo.split("/")[1]}
            ),
        }  # fmt: skip

    def comment(self, c: Note) -> dict[str, Any]:
        hidden = self.twin.hidden.get(c.node_id)
        return {
            "__typename": "DiscussionComment",
            "id": c.node_id, "databaseId": c.database_id, "url": f"https://github.com/"
            f"{c.thread.repo}/discussions/{c.thread.number}#discussioncomment-{c.database_id}",
            "body": c.body, "bodyText": c.body,
            "createdAt": iso(c.at), "updatedAt": iso(c.updated), "publishedAt": iso(c.at),
            "lastEditedAt": None, "deletedAt": None, "isAnswer": False,
            "upvoteCount": c.database_id % 5,
            "isMinimized": hidden is not None,
            "minimizedReason": hidden.lower() if hidden else None,
            "author": self.user(c.login), "authorAssociation": self._association(c.login),
            "replyTo": lambda a: self.comment(c.reply_to) if c.reply_to else None,
            "replies": lambda a: self.connection(
                c.replies, a, "replies", lambda r: (r.at, r.database_id), self.comment
            ),
            "discussion": lambda a: self.discussion(c.thread),
        }  # fmt: skip

    def node(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.nodes.get(str(args.get("id")))
        if found is None:
            message = f"Could not resolve to a node with the global id of '{args.get('id')}'"
            raise FieldError("NOT_FOUND", message)
        self._access()
        return self.discussion(found) if isinstance(found, Thread) else self.comment(found)

    # -- mutations -----------------------------------------------------------------

    def add_comment(self, args: dict[str, Any]) -> dict[str, Any]:
        given = args.get("input") if isinstance(args.get("input"), dict) else {}
        self._access()
        thread = self.nodes.get(str(given.get("discussionId")))
        if not isinstance(thread, Thread):
            message = (
                f"Could not resolve to a node with the global id of '{given.get('discussionId')}'"
            )
            raise FieldError("NOT_FOUND", message)
        body = given.get("body")
        if not isinstance(body, str) or not body.strip():
            raise FieldError("UNPROCESSABLE", "Body can't be blank")
        if len(body) > MAX_BODY:
            raise FieldError(
                "UNPROCESSABLE", f"Body is too long (maximum is {MAX_BODY} characters)"
            )
        reply_to = None
        if given.get("replyToId") is not None:
            reply_to = self.nodes.get(str(given["replyToId"]))
            if not isinstance(reply_to, Note) or reply_to.thread is not thread:
                message = (
                    f"Could not resolve to a node with the global id of '{given['replyToId']}'"
                )
                raise FieldError("NOT_FOUND", message)
            if reply_to.reply_to is not None:
                raise FieldError(
                    "UNPROCESSABLE", "Parent comment is already in a thread, cannot reply to it"
                )
        note = self.twin.discussions.post(thread, reply_to, BRAND, body)
        self.twin.state.accept_reply(AcceptedReply(
            network=NETWORK, parent_id=reply_to.key if reply_to else thread.key, text=body,
            created_at=iso(note.at), remote_id=note.key, account=BRAND,
        ))  # fmt: skip
        return {
            "__typename": "AddDiscussionCommentPayload",
            "clientMutationId": given.get("clientMutationId"),
            "comment": self.comment(note),
        }

    def minimize(self, args: dict[str, Any]) -> dict[str, Any]:
        given = args.get("input") if isinstance(args.get("input"), dict) else {}
        subject, classifier = str(given.get("subjectId")), given.get("classifier")
        _, issue_comments = self.twin.world()
        typename = "DiscussionComment" if isinstance(self.nodes.get(subject), Note) else None
        if typename is None and any(f"IC_{c['id']}" == subject for c in issue_comments):
            typename = "IssueComment"
        if typename is None:
            message = f"Could not resolve to a node with the global id of '{subject}'"
            raise FieldError("NOT_FOUND", message)
        if classifier not in CLASSIFIERS:
            raise FieldError("UNPROCESSABLE", f"{classifier!r} is not a ReportedContentClassifiers")
        self.twin.hidden[subject] = str(classifier)
        return {
            "__typename": "MinimizeCommentPayload",
            "clientMutationId": given.get("clientMutationId"),
            "minimizedComment": {"__typename": typename, "isMinimized": True,
                                 "minimizedReason": str(classifier).lower()},
        }  # fmt: skip


def endpoint(twin: GitHubTwin) -> Callable[[Request], Any]:
    """The ``POST /graphql`` handler of ``twin``."""

    async def graphql(request: Request) -> Response:
        refused, headers = twin.guard(request, "graphql")
        if refused:
            return refused
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"message": "Problems parsing JSON"}, 400, headers=headers)
        query = payload.get("query") if isinstance(payload, dict) else None
        variables = payload.get("variables") if isinstance(payload, dict) else None
        if not isinstance(query, str):
            message = "A query attribute must be specified and must be a string."
            return JSONResponse({"errors": [{"message": message}]}, headers=headers)
        try:
            operation = read(query, variables if isinstance(variables, dict) else {})
        except GraphQLSyntaxError as error:
            where = [{"line": error.line, "column": error.column}]
            return JSONResponse(
                {"errors": [{"message": str(error), "locations": where}]}, headers=headers
            )
        may_discuss = twin.token_of(request) == brand_token(twin.state.seed)
        answer = Answer(twin, may_discuss).run(operation.kind, operation.selections)
        return JSONResponse(answer, headers=headers)

    return graphql
