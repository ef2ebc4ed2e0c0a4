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

from collections.abc import Callable
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
from cm_inbox.sandbox.graphql_answer import Executor, FieldError
from cm_inbox.sandbox.graphql_reader import GraphQLSyntaxError, read
from cm_inbox.sandbox.state import AcceptedReply, ModerationCall

if TYPE_CHECKING:
    from cm_inbox.sandbox.github import GitHubTwin

CLASSIFIERS = ("SPAM", "ABUSE", "OFF_TOPIC", "OUTDATED", "DUPLICATE", "RESOLVED")


class Answer(Executor):
    """One document's answer over the world as it is at this request."""

    def __init__(self, twin: GitHubTwin, may_discuss: bool) -> None:
        super().__init__()
        self.twin = twin
        self.may_discuss = may_discuss
        self.threads = twin.discussions.threads()
        self.nodes = DiscussionWorld.nodes(self.threads)

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
        state = self.twin.state
        allowed = state.is_moderator(NETWORK)
        state.record_moderation(
            ModerationCall(NETWORK, "minimizeComment", subject, str(classifier), allowed)
        )
        if not allowed:  # no triage rights on the repository
            raise FieldError(
                "FORBIDDEN", f"{BRAND} does not have permission to minimize the comment."
            )
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
