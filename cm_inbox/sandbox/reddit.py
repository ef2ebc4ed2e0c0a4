"""The sandbox twin of Reddit: the API cm-inbox uses, answering like oauth.reddit.com.

Everything lives under ``/reddit`` (both the www and the oauth host's paths,
which do not collide). The brand account (u/LumoOfficial, from the demo)
owns r/lumo's announcement posts; the generated audience comments under
them, and each comment lands in the brand's inbox once the shared clock
reaches it. Behaviour follows the recordings and Reddit's API documentation:

- Listings newest first, ``limit`` up to 100, ``after``/``before`` anchored on
  a fullname (an anchor that is gone gives an empty page, as on Reddit).
- ``x-ratelimit-used/remaining/reset`` on every answer: 1,000 calls per
  10-minute window; over it, a 429 ``{"message": "Too Many Requests", "error": 429}``.
  The "rate_limit" fault answers a reply with Reddit's in-body ``RATELIMIT``
  error (a 200), and any other call with a 429 that resets in 10 s.
- 401 ``{"message": "Unauthorized", "error": 401}`` for an unknown or
  expired token; a revoked refresh token is ``{"error": "invalid_grant"}``.
- No idempotency key: a reply sent twice is two comments.
- Moderation: ``/api/read_message`` marks inbox items read; ``/api/remove``
  removes a comment (as spam with ``spam=true``) while the brand moderates
  r/lumo, and answers 403 ``{"message": "Forbidden", "error": 403}`` once
  ``state.not_moderator`` holds "reddit". Every call is recorded
  (``state.moderation_on("reddit")``).
"""

from __future__ import annotations

import base64
import secrets as random_tokens
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from cm_inbox.sandbox.reddit_twin import (
    CLIENT_ID,
    NETWORK,
    PREFIX,
    RedditTwin,
    listing,
    refresh_token_for,
    twin_for,
)
from cm_inbox.sandbox.state import AcceptedReply, ModerationCall, SandboxState

FAULT_WAIT = 10
MAX_BODY = 10_000

Handler = Callable[[RedditTwin, Request, dict[str, str]], Awaitable[Response]]


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin that connect the brand account of this sandbox."""
    twin = twin_for(state)
    return {
        "args": [
            "accounts", "add", "reddit", "--name", twin.brand, "--client-id", CLIENT_ID,
            "--api", base_url + PREFIX, "--auth", base_url + PREFIX, "--token-stdin",
        ],
        "stdin": refresh_token_for(state.seed) + "\n",
    }  # fmt: skip


def reddit_error(message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "error": status}, status_code=status, headers=headers)


def api(twin: RedditTwin, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Faults, rate limit and token check around an oauth.reddit.com handler."""
    state = twin.state

    async def endpoint(request: Request) -> Response:
        if state.take_fault(NETWORK, "server_error"):
            return reddit_error("Service Unavailable", 503)
        with state.lock:
            authorization = request.headers.get("authorization", "")
            headers, over = twin.rate_headers(authorization or "anonymous")
            if over:
                return reddit_error("Too Many Requests", 429, headers)
            is_reply = request.url.path.endswith("/api/comment")
            if not is_reply and state.take_fault(NETWORK, "rate_limit"):
                throttled = {**headers, "x-ratelimit-remaining": "0.0"}
                throttled["x-ratelimit-reset"] = str(FAULT_WAIT)
                return reddit_error("Too Many Requests", 429, throttled)
            if not twin.token_ok(authorization):
                return reddit_error("Unauthorized", 401, headers)
        return await handler(twin, request, headers)

    return endpoint


async def form(request: Request) -> dict[str, str]:
    raw = await request.body()
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _limit(request: Request, default: int = 25) -> int:
    value = request.query_params.get("limit", "")
    return max(1, min(100, int(value))) if value.isdigit() else default


# -- login (www.reddit.com) ---------------------------------------------------------------


async def authorize(request: Request, twin: RedditTwin) -> Response:
    """The consent page, already agreed to: straight back to the app's redirect with a code."""
    query = request.query_params
    redirect = query.get("redirect_uri", "")
    if query.get("client_id") != CLIENT_ID or not redirect.startswith("http://localhost:"):
        return reddit_error("invalid client_id or redirect_uri", 400)
    code = random_tokens.token_urlsafe(20)
    twin.codes.add(code)
    target = f"{redirect}?{urlencode({'state': query.get('state', ''), 'code': code})}"
    return RedirectResponse(target, status_code=302)


async def access_token(request: Request, twin: RedditTwin) -> Response:
    """POST /api/v1/access_token with Basic ``client_id:`` (installed apps have no secret)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        client_id = base64.b64decode(encoded).decode().partition(":")[0]
    except ValueError:
        client_id = ""
    if scheme.lower() != "basic" or client_id != CLIENT_ID:
        return reddit_error("Unauthorized", 401)
    body = await form(request)
    grant = body.get("grant_type")
    with twin.state.lock:
        if grant == "refresh_token":
            refresh = body.get("refresh_token", "")
            if refresh not in twin.refresh_tokens or NETWORK in twin.state.revoked:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
        elif grant == "authorization_code":
            code = body.get("code", "")
            if code not in twin.codes:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            twin.codes.discard(code)
            refresh = refresh_token_for(twin.state.seed)
            twin.state.revoked.discard(NETWORK)
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        token, lifetime = twin.issue()
    answer = {"access_token": token, "token_type": "bearer", "expires_in": lifetime,
              "scope": "identity read privatemessages submit history modposts"}  # fmt: skip
    if grant == "authorization_code":
        answer["refresh_token"] = refresh
    return JSONResponse(answer)


# -- the API (oauth.reddit.com) ---------------------------------------------------------------


async def me(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"name": twin.brand, "id": "lumo0", "created_utc": 1_500_000_000.0,
         "link_karma": 5_120, "comment_karma": 18_400,
         "is_mod": twin.state.is_moderator(NETWORK)},
        headers=headers,
    )  # fmt: skip


async def inbox(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    """/message/inbox and /message/unread: the brand's inbox, newest first."""
    with twin.state.lock:
        items = twin.index().inbox
        if request.url.path.endswith("/unread"):
            items = [t for t in items if t.name not in twin.read]
        names = [t.name for t in items]
        limit = _limit(request)
        query = request.query_params
        start = 0
        if "after" in query:
            anchor = query["after"]
            start = names.index(anchor) + 1 if anchor in names else len(names)
        elif "before" in query:
            anchor = query["before"]
            end = names.index(anchor) if anchor in names else 0
            start = max(0, end - limit)
            items = items[:end]
        page = items[start : start + limit]
        children = [{"kind": "t1", "data": twin.as_message(t)} for t in page]
        if page and twin.state.take_fault(NETWORK, "malformed"):
            children[0]["data"]["created_utc"] = "yesterday"
        if query.get("mark", "true").lower() == "true":
            twin.read.update(t.name for t in page)
        after = page[-1].name if page and start + limit < len(items) else None
        before = page[0].name if page and start > 0 else None
    return JSONResponse(listing(children, after=after, before=before), headers=headers)


async def sent(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    """/message/sent: the brand's private messages (this sandbox's audience sends none)."""
    return JSONResponse(listing([]), headers=headers)


async def info(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    with twin.state.lock:
        things = twin.index().things
        wanted = request.query_params.get("id", "").split(",")
        children = [
            {"kind": things[n].kind, "data": twin.as_comment(things[n])}
            for n in wanted
            if n in things
        ]
    return JSONResponse(listing(children), headers=headers)


async def thread(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    """/comments/{article}[/_/{comment}]: the post, then the comment tree (``comment``'s
    branch with ``context`` ancestors above it, or every top-level comment)."""
    article = "t3_" + request.path_params["article"]
    focus = request.path_params.get("comment") or request.query_params.get("comment")
    context = request.query_params.get("context", "0")
    with twin.state.lock:
        index = twin.index()
        post = index.things.get(article)
        if post is None:
            return reddit_error("Not Found", 404, headers)
        if focus:
            top = index.things.get("t1_" + focus)
            if top is None or top.link != article:
                return reddit_error("Not Found", 404, headers)
            for _ in range(min(8, int(context) if context.isdigit() else 0)):
                if top.parent == article or top.parent not in index.things:
                    break
                top = index.things[top.parent]
            tops = [top]
        else:
            tops = [index.things[n] for n in index.children.get(article, ())][
                : _limit(request, 200)
            ]
        body = [
            listing([{"kind": "t3", "data": twin.as_comment(post)}]),
            listing([{"kind": "t1", "data": twin.as_comment(t, tree=True)} for t in tops]),
        ]
    return JSONResponse(body, headers=headers)


async def user_comments(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    user = request.path_params["user"].lower()
    with twin.state.lock:
        things = [
            t for t in twin.index().things.values() if t.kind == "t1" and t.author.lower() == user
        ]
        things.sort(key=lambda t: (t.at, t.name), reverse=True)
        children = [{"kind": "t1", "data": twin.as_comment(t)} for t in things[: _limit(request)]]
    return JSONResponse(listing(children), headers=headers)


def _errors(*error: str) -> dict[str, Any]:
    return {"json": {"errors": [list(error)]}}


async def comment(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    """POST /api/comment (api_type=json): the new comment, or Reddit's errors with a 200."""
    body = await form(request)
    text = body.get("text", "")
    with twin.state.lock:
        if twin.state.take_fault(NETWORK, "rate_limit"):
            return JSONResponse(
                _errors("RATELIMIT", "Take a break for 1 minute before trying again.", "ratelimit"),
                headers=headers,
            )
        parent = twin.index().things.get(body.get("thing_id", ""))
        if parent is None or parent.removed:
            return JSONResponse(
                _errors("DELETED_COMMENT", "that comment has been deleted", "parent"),
                headers=headers,
            )
        if not text.strip():
            return JSONResponse(
                _errors("NO_TEXT", "we need something here", "text"), headers=headers
            )
        if len(text) > MAX_BODY:
            return JSONResponse(
                _errors("TOO_LONG", f"this is too long (max: {MAX_BODY})", "text"), headers=headers
            )
        made = twin.new_comment(twin.brand, text, parent)
        twin.state.accept_reply(
            AcceptedReply(
                network=NETWORK,
                parent_id=parent.name,
                text=text,
                created_at=_iso(made.at),
                remote_id=made.name,
                account=twin.brand,
            )
        )
        data = twin.as_comment(made)
    answer = {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": data}]}}}
    return JSONResponse(answer, headers=headers)


async def read_message(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    body = await form(request)
    with twin.state.lock:
        names = [n for n in body.get("id", "").split(",") if n]
        twin.read.update(names)
        for name in names:
            twin.state.record_moderation(ModerationCall(NETWORK, "read_message", name))
    return JSONResponse({}, headers=headers)


async def remove(twin: RedditTwin, request: Request, headers: dict[str, str]) -> Response:
    """POST /api/remove: the brand moderates r/lumo, so any of its comments may go."""
    body = await form(request)
    with twin.state.lock:
        name = body.get("id", "")
        spam = body.get("spam", "false").lower() == "true"
        allowed = twin.state.is_moderator(NETWORK)
        twin.state.record_moderation(
            ModerationCall(NETWORK, "remove", name, f"spam={str(spam).lower()}", allowed)
        )
        if not allowed:
            return reddit_error("Forbidden", 403, headers)
        if name not in twin.index().things:
            return reddit_error("Not Found", 404, headers)
        twin.removed[name] = spam
    return JSONResponse({}, headers=headers)


def _iso(at: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def routes(state: SandboxState) -> list[Mount]:
    """Reddit's paths over ``state``, for ``cm_inbox.sandbox.make_sandbox``."""
    twin = twin_for(state)

    def plain(handler):
        async def endpoint(request: Request) -> Response:
            return await handler(request, twin)

        return endpoint

    return [
        Mount(
            PREFIX,
            routes=[
                Route("/api/v1/authorize", plain(authorize), methods=["GET"]),
                Route("/api/v1/access_token", plain(access_token), methods=["POST"]),
                Route("/api/v1/me", api(twin, me), methods=["GET"]),
                Route("/message/inbox", api(twin, inbox), methods=["GET"]),
                Route("/message/unread", api(twin, inbox), methods=["GET"]),
                Route("/message/sent", api(twin, sent), methods=["GET"]),
                Route("/api/info", api(twin, info), methods=["GET"]),
                Route("/comments/{article}", api(twin, thread), methods=["GET"]),
                Route("/comments/{article}/{slug}/{comment}", api(twin, thread), methods=["GET"]),
                Route("/user/{user}/comments", api(twin, user_comments), methods=["GET"]),
                Route("/api/comment", api(twin, comment), methods=["POST"]),
                Route("/api/read_message", api(twin, read_message), methods=["POST"]),
                Route("/api/remove", api(twin, remove), methods=["POST"]),
            ],
        )
    ]


__all__ = ["NETWORK", "account_command", "routes"]
