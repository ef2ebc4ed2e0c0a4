"""The sandbox twin of GitHub's REST API (issue comments), under ``/github``; its
GraphQL endpoint (discussions, hiding) is ``github_graphql``.

Its audience is the demo's forum crowd (the generated Discourse threads): each
thread's opening post is an issue on one of Lumo's repositories (or, one in
``DISCUSSION_SHARE``, a discussion: ``github_discussions``), each answer
an issue comment, shown once the shared clock reaches it. Shapes follow GitHub's
OpenAPI description (tests/conformance/github); behaviour where it is silent
follows GitHub's docs:

- ``since`` is inclusive and filters on ``updated_at``; ``sort=updated``,
  ``direction=asc``; pages by ``page``/``per_page`` with a ``Link`` header.
- ``Last-Modified`` on listings; ``If-Modified-Since`` not older than it: 304.
- ``x-ratelimit-*`` on every answer (5,000 an hour, counted apart for REST's
  "core" and for "graphql"); the "rate_limit" fault is a secondary limit: 403
  with ``retry-after``; "revoke": 401 "Bad credentials".
- The device flow approves at the first poll (the sandbox user is always signed in).
- GraphQL ``minimizeComment`` hides an issue comment with a classifier; a
  FORBIDDEN error (in a 200, as GraphQL answers) once ``state.not_moderator``
  holds "github" (no triage rights). Every call is recorded
  (``state.moderation_on("github")``).
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cm_inbox.sandbox import github_common as common
from cm_inbox.sandbox import github_graphql
from cm_inbox.sandbox.github_common import (
    BRAND,
    LIMIT,
    MAX_BODY,
    NETWORK,
    PREFIX,
    REPOS,
    SOURCE,
    brand_token,
    is_discussion_thread,
    issues_only_token,
)
from cm_inbox.sandbox.github_discussions import DiscussionWorld
from cm_inbox.sandbox.mastodon_twin import read_params
from cm_inbox.sandbox.state import AcceptedReply, SandboxState

__all__ = ["BRAND", "NETWORK", "PREFIX", "REPOS", "account_command", "brand_token", "routes"]


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin that connect the brand account of this sandbox."""
    return {
        "args": [
            "accounts", "add", "github", "--name", BRAND, "--api", base_url + PREFIX,
            "--repo", REPOS[0], "--repo", REPOS[1], "--token-stdin",
        ],
        "stdin": brand_token(state.seed) + "\n",
    }  # fmt: skip


class GitHubTwin:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.posted: list[dict[str, Any]] = []  # comments written through the API
        self.hidden: dict[str, str] = {}  # node id -> reason
        self.ids = itertools.count(3_000_000_000)
        # (token, resource) -> (used, window start)
        self.calls: dict[tuple[str, str], tuple[int, float]] = {}
        self.discussions = DiscussionWorld(state, self.hidden)

    # -- the generated world -------------------------------------------------------

    def _issue_of(self, root_id: str) -> tuple[str, int]:
        return REPOS[common.number(root_id, 0, len(REPOS))], common.number(root_id, 100, 90_000)

    def world(self) -> tuple[dict[tuple[str, int], dict], list[dict[str, Any]]]:
        """Issues by (repo, number) and every visible comment, generated and posted."""
        issues: dict[tuple[str, int], dict] = {}
        comments: list[dict[str, Any]] = []
        for record in self.state.records(SOURCE):
            if not record.get("parent_id") and not is_discussion_thread(record["id"]):
                issues[self._issue_of(record["id"])] = record
        for record in self.state.records(SOURCE):
            root = record.get("root_id") or record.get("parent_id")
            if not root or is_discussion_thread(root):
                continue
            repo, number = self._issue_of(root)
            cid = common.number(record["id"], 1_000_000_000, 10**9)
            login = common.login_of(record["author"]["handle"])
            comments.append({
                "id": cid, "repo": repo, "number": number, "login": login,
                "body": record["text"], "at": float(record["_at"]), "updated": float(record["_at"]),
            })  # fmt: skip
        comments.extend(self.posted)
        comments.sort(key=lambda c: (c["updated"], c["id"]))
        return issues, comments

    def comment_json(self, c: dict[str, Any], base: str) -> dict[str, Any]:
        repo, number, cid = c["repo"], c["number"], c["id"]
        node = f"IC_{cid}"
        hidden = self.hidden.get(node)
        return {
            "id": cid, "node_id": node,
            "url": f"{base}/repos/{repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{repo}/issues/{number}#issuecomment-{cid}",
            "body": c["body"], "user": common.user_json(c["login"], base),
            "created_at": common.iso(c["at"]), "updated_at": common.iso(c["updated"]),
            "issue_url": f"{base}/repos/{repo}/issues/{number}",
            "author_association": "OWNER" if c["login"] == BRAND else "NONE",
            "reactions": {"url": "", "total_count": int(c["id"]) % 7, "+1": int(c["id"]) % 7,
                          "-1": 0, "laugh": 0, "confused": 0, "heart": 0, "hooray": 0,
                          "eyes": 0, "rocket": 0},
            "minimized": {"is_minimized": True, "minimized_reason": hidden} if hidden else None,
        }  # fmt: skip

    # -- plumbing ------------------------------------------------------------------

    @staticmethod
    def token_of(request: Request) -> str:
        auth = request.headers.get("authorization", "")
        return auth.removeprefix("Bearer ").removeprefix("token ").strip()

    def guard(
        self, request: Request, resource: str = "core"
    ) -> tuple[Response | None, dict[str, str]]:
        """Refusals every call can meet, and the rate-limit headers of this call.

        ``resource``: "core" (REST) or "graphql", whose budgets GitHub counts apart.
        """
        state = self.state
        token = self.token_of(request)
        now = state.now()
        with state.lock:
            used, start = self.calls.get((token, resource), (0, now))
            if now - start >= 3600:
                used, start = 0, now
            used += 1
            self.calls[(token, resource)] = (used, start)
        limit = state.call_limits.get(NETWORK, LIMIT)
        headers = {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-reset": str(int(start + 3600)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": resource,
        }
        if state.take_fault(NETWORK, "server_error"):
            return JSONResponse({"message": "Server Error"}, 503), headers
        known = (brand_token(state.seed), issues_only_token(state.seed))
        if token not in known or NETWORK in state.revoked:
            body = {"message": "Bad credentials", "status": "401"}
            return JSONResponse(body, 401, headers=headers), headers
        if state.take_fault(NETWORK, "rate_limit"):
            body = {"message": "You have exceeded a secondary rate limit. Please wait."}
            return JSONResponse(body, 403, headers={**headers, "retry-after": "30"}), headers
        if used > limit:
            spent = {**headers, "x-ratelimit-remaining": "0"}
            message = f"API rate limit exceeded for user ID {BRAND}."
            if resource == "graphql":  # GraphQL's primary limit still answers 200
                body: dict[str, Any] = {"errors": [{"type": "RATE_LIMITED", "message": message}]}
                return JSONResponse(body, 200, headers=spent), headers
            return JSONResponse({"message": message}, 403, headers=spent), headers
        return None, headers


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def _since(request: Request) -> float | None:
    value = request.query_params.get("since")
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _paged(request: Request, items: list, headers: dict[str, str]) -> list:
    try:
        per_page = max(1, min(100, int(request.query_params.get("per_page", 30))))
        page = max(1, int(request.query_params.get("page", 1)))
    except ValueError:
        per_page, page = 30, 1
    chunk = items[(page - 1) * per_page : page * per_page]
    if page * per_page < len(items):
        query = dict(request.query_params)
        query.update(page=str(page + 1), per_page=str(per_page))
        url = str(request.url).split("?", 1)[0]
        last = (len(items) + per_page - 1) // per_page
        headers["link"] = (
            f'<{url}?{urlencode(query)}>; rel="next", '
            f'<{url}?{urlencode({**query, "page": str(last)})}>; rel="last"'
        )
    return chunk


def routes(state: SandboxState) -> list[Route]:
    twin = GitHubTwin(state)

    async def user(request: Request) -> Response:
        refused, headers = twin.guard(request)
        return refused or JSONResponse(common.user_json(BRAND, _base(request)), headers=headers)

    async def repo_comments(request: Request) -> Response:
        refused, headers = twin.guard(request)
        if refused:
            return refused
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        if repo not in REPOS:
            return JSONResponse({"message": "Not Found", "status": "404"}, 404, headers=headers)
        since = _since(request)
        _, comments = twin.world()
        mine = [
            c for c in comments if c["repo"] == repo and (since is None or c["updated"] >= since)
        ]
        newest = max((c["updated"] for c in mine), default=state.started)
        headers["last-modified"] = format_datetime(
            datetime.fromtimestamp(int(newest), UTC), usegmt=True
        )
        asked = request.headers.get("if-modified-since")
        if asked and "page" not in request.query_params:
            try:
                if parsedate_to_datetime(asked).timestamp() >= int(newest):
                    return Response(status_code=304, headers=headers)
            except (TypeError, ValueError):
                pass
        page = _paged(request, mine, headers)
        return JSONResponse([twin.comment_json(c, _base(request)) for c in page], headers=headers)

    def find_issue(request: Request) -> tuple[str, int, dict | None]:
        repo = f"{request.path_params['owner']}/{request.path_params['repo']}"
        number = int(request.path_params["number"])
        issues, _ = twin.world()
        return repo, number, issues.get((repo, number))

    async def issue(request: Request) -> Response:
        refused, headers = twin.guard(request)
        if refused:
            return refused
        repo, number, record = find_issue(request)
        if record is None:
            return JSONResponse({"message": "Not Found", "status": "404"}, 404, headers=headers)
        base = _base(request)
        text = record["text"]
        _, comments = twin.world()
        body = {
            "id": common.number(record["id"], 10**9, 10**9), "node_id": f"I_{record['id']}",
            "number": number, "title": " ".join(text.split()[:8]), "body": text, "state": "open",
            "user": common.user_json(common.login_of(record["author"]["handle"]), base),
            "created_at": common.iso(record["_at"]), "updated_at": common.iso(record["_at"]),
            "html_url": f"https://github.com/{repo}/issues/{number}",
            "url": f"{base}/repos/{repo}/issues/{number}",
            "comments": sum(1 for c in comments if (c["repo"], c["number"]) == (repo, number)),
        }  # fmt: skip
        return JSONResponse(body, headers=headers)

    async def issue_comments(request: Request) -> Response:
        refused, headers = twin.guard(request)
        if refused:
            return refused
        repo, number, record = find_issue(request)
        if record is None:
            return JSONResponse({"message": "Not Found", "status": "404"}, 404, headers=headers)
        since = _since(request)
        _, comments = twin.world()
        mine = [
            c for c in comments
            if (c["repo"], c["number"]) == (repo, number) and (since is None or c["updated"] >= since)
        ]  # fmt: skip
        mine.sort(key=lambda c: c["id"])  # "ordered by ascending ID"
        page = _paged(request, mine, headers)
        return JSONResponse([twin.comment_json(c, _base(request)) for c in page], headers=headers)

    async def create_comment(request: Request) -> Response:
        refused, headers = twin.guard(request)
        if refused:
            return refused
        repo, number, record = find_issue(request)
        if record is None:
            return JSONResponse({"message": "Not Found", "status": "404"}, 404, headers=headers)
        try:
            body = (await request.json()).get("body")
        except (ValueError, AttributeError):
            body = None
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_BODY:
            errors = [{"resource": "IssueComment", "code": "invalid", "field": "body"}]
            return JSONResponse(
                {"message": "Validation Failed", "errors": errors, "status": "422"}, 422,
                headers=headers,
            )  # fmt: skip
        now = state.now()
        with state.lock:
            comment = {"id": next(twin.ids), "repo": repo, "number": number, "login": BRAND,
                       "body": body, "at": now, "updated": now}  # fmt: skip
            twin.posted.append(comment)
        key = f"{repo}#{number}"
        state.accept_reply(AcceptedReply(
            network=NETWORK, parent_id=key, text=body, created_at=common.iso(now),
            remote_id=f"{key}/issuecomment-{comment['id']}", account=BRAND,
        ))  # fmt: skip
        return JSONResponse(twin.comment_json(comment, _base(request)), 201, headers=headers)

    async def device_code(request: Request) -> Response:
        form = await read_params(request)
        if not form.get("client_id"):
            return JSONResponse({"error": "unauthorized_client"})
        code = hashlib.sha256(f"device {form.get('client_id')}".encode()).hexdigest()[:40]
        return JSONResponse({
            "device_code": code, "user_code": "WDJB-MJHT",
            "verification_uri": "https://github.com/login/device", "expires_in": 900, "interval": 5,
        })  # fmt: skip

    async def access_token(request: Request) -> Response:
        form = await read_params(request)
        if not form.get("device_code"):
            return JSONResponse({"error": "incorrect_device_code"})
        token = brand_token(state.seed)
        return JSONResponse({"access_token": token, "token_type": "bearer", "scope": "repo"})

    repo_path = PREFIX + "/repos/{owner}/{repo}"
    return [
        Route(PREFIX + "/user", user, methods=["GET"]),
        Route(repo_path + "/issues/comments", repo_comments, methods=["GET"]),
        Route(repo_path + "/issues/{number:int}", issue, methods=["GET"]),
        Route(repo_path + "/issues/{number:int}/comments", issue_comments, methods=["GET"]),
        Route(repo_path + "/issues/{number:int}/comments", create_comment, methods=["POST"]),
        Route(PREFIX + "/graphql", github_graphql.endpoint(twin), methods=["POST"]),
        Route(PREFIX + "/login/device/code", device_code, methods=["POST"]),
        Route(PREFIX + "/login/oauth/access_token", access_token, methods=["POST"]),
    ]
