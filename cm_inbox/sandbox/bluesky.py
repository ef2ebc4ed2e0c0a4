"""The sandbox twin of Bluesky: a PDS and AppView for the brand account lumo.app.

It answers the XRPC methods cm-inbox uses in the shapes of the official
lexicons (tests/conformance/bluesky/lexicons) and with the PDS's habits:
JWT sessions (access tokens live 2 hours, refresh tokens are spent on use),
``{"error": Name, "message": text}`` errors (an expired token is 400
ExpiredToken), RateLimit-* headers on every answer (3000 calls per 5 minutes,
createSession 30 per 5 minutes), and a refusal to write over an existing
record key. The audience is the demo generator's (``state.records``): people
who mention Lumo, quote its announcement, or reply in threads.

Faults (``state.set_fault``): ``rate_limit`` and ``server_error`` answer the
next calls with 429 or 503; ``expire_tokens`` makes every access token issued
so far expire (refresh still works); ``revoke`` refuses every token issued so
far and every login until the fault is cleared; ``malformed`` breaks one
notification of the next notifications page.

The twin's parts: ``bluesky_records`` (the brand, posts, the post lexicon's
rules), ``bluesky_xrpc`` (the error shape, reading params and bodies),
``bluesky_auth`` (app password, JWT sessions, rate limits), ``bluesky_twin``
(the PDS's memory per ``SandboxState``) and ``bluesky_views`` (the AppView's
answers). This module holds the XRPC methods and their routes.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cm_inbox.demo.networks import tid
from cm_inbox.sandbox.bluesky_auth import (
    ACCESS,
    ACCESS_TTL,
    CALL_LIMIT,
    FAULT_WAIT,
    LOGIN_LIMIT,
    REFRESH,
    REFRESH_TTL,
    WINDOW,
    TooMany,
    app_password,
    limit_headers,
)
from cm_inbox.sandbox.bluesky_records import (
    BRAND_DID,
    BRAND_FOLLOWERS,
    BRAND_HANDLE,
    BRAND_NAME,
    DATETIME,
    MAX_GRAPHEMES,
    MAX_TEXT_BYTES,
    NETWORK,
    POST,
    TID,
    Post,
    cid_for,
    epoch_ms,
    iso_ms,
    post_problem,
)
from cm_inbox.sandbox.bluesky_search import search_posts
from cm_inbox.sandbox.bluesky_twin import BlueskyTwin, twin_for
from cm_inbox.sandbox.bluesky_views import (
    NOT_FOUND,
    THREAD_VIEW,
    notification,
    post_view,
    profile,
    thread,
)
from cm_inbox.sandbox.bluesky_xrpc import Body, XrpcError, int_param, need, param
from cm_inbox.sandbox.state import AcceptedReply, SandboxState

# Importable from here as before the twin was split into modules.
__all__ = [
    "ACCESS",
    "ACCESS_TTL",
    "BRAND_DID",
    "BRAND_FOLLOWERS",
    "BRAND_HANDLE",
    "BRAND_NAME",
    "CALL_LIMIT",
    "FAULT_WAIT",
    "LOGIN_LIMIT",
    "MAX_GRAPHEMES",
    "MAX_TEXT_BYTES",
    "NETWORK",
    "NOT_FOUND",
    "POST",
    "REFRESH",
    "REFRESH_TTL",
    "THREAD_VIEW",
    "WINDOW",
    "Body",
    "BlueskyTwin",
    "Post",
    "XrpcError",
    "account_command",
    "app_password",
    "cid_for",
    "routes",
    "twin_for",
]


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin that add the sandbox's Bluesky account."""
    return {
        "args": [
            "accounts",
            "add",
            "bluesky",
            "--name",
            BRAND_HANDLE,
            "--handle",
            BRAND_HANDLE,
            "--pds",
            base_url,
            "--app-password-stdin",
        ],
        "stdin": app_password(state.seed),
    }


# -- com.atproto.server, com.atproto.identity ---------------------------------------


def _create_session(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    body = need(body, "identifier", "password")
    refused = XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
    if NETWORK in twin.state.revoked:
        twin.revoked_upto = twin.serial
        raise refused
    identifier = str(body["identifier"]).strip().lstrip("@").lower()
    if identifier not in (BRAND_HANDLE, BRAND_DID) or body["password"] != twin.password:
        raise refused
    twin.logins += 1
    return twin.session_body()


def _refresh_session(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    claims = twin.verify(request, REFRESH) or {}
    twin.spent.add(claims["jti"])  # a refresh token works once
    return twin.session_body()


def _get_session(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    return {"handle": BRAND_HANDLE, "did": BRAND_DID, "active": True}


def _resolve_handle(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    handle = param(request, "handle").lower()
    for did, (known, _name, _followers) in twin.authors().items():
        if known == handle:
            return {"did": did}
    raise XrpcError(400, "HandleNotFound", "Unable to resolve handle")


# -- app.bsky (the AppView, through the PDS) ------------------------------------------


def _list_notifications(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    limit = int_param(request, "limit", 50, 1, 100)
    reasons = set(request.query_params.getlist("reasons"))
    by_uri, _children = twin.posts()
    items = [p for p in by_uri.values() if p.reason and (not reasons or p.reason in reasons)]
    # The AppView's keyset cursors read "<epoch ms>::<cid>", newest first.
    items.sort(key=lambda p: (p.indexed_ms, p.cid), reverse=True)
    cursor = request.query_params.get("cursor")
    if cursor:
        ms, _, cid = cursor.partition("::")
        if not ms.isdigit():
            raise XrpcError(400, "InvalidRequest", "Malformed cursor")
        items = [p for p in items if (p.indexed_ms, p.cid) < (int(ms), cid)]
    page = items[:limit]
    notifications = [notification(twin, post) for post in page]
    if notifications and twin.state.take_fault(NETWORK, "malformed"):
        broken = notifications[min(1, len(notifications) - 1)]
        broken["author"] = {"did": broken["author"]["did"]}
        broken["record"] = {"$type": POST, "text": 42}
    out: dict[str, Any] = {"notifications": notifications, "priority": False}
    if len(items) > limit:
        out["cursor"] = f"{page[-1].indexed_ms}::{page[-1].cid}"
    if twin.seen_ms is not None:
        out["seenAt"] = iso_ms(twin.seen_ms)
    return out


def _update_seen(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    seen = need(body, "seenAt")["seenAt"]
    ms = epoch_ms(seen) if isinstance(seen, str) and DATETIME.match(seen) else None
    if ms is None:
        raise XrpcError(400, "InvalidRequest", "Input/seenAt must be an valid atproto datetime")
    twin.seen_ms = max(twin.seen_ms or 0, ms)
    return Response(status_code=200)


def _get_post_thread(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    uri = param(request, "uri")
    depth = int_param(request, "depth", 6, 0, 1000)
    height = int_param(request, "parentHeight", 80, 0, 1000)
    post = twin.posts()[0].get(uri)
    if post is None:
        raise XrpcError(400, "NotFound", f"Post not found: {uri}")
    return {"thread": thread(twin, post, min(depth, 50), min(height, 200))}


def _get_posts(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    uris = request.query_params.getlist("uris")
    if len(uris) > 25:
        raise XrpcError(400, "InvalidRequest", "uris must not have more than 25 elements")
    by_uri, children = twin.posts()
    return {"posts": [post_view(twin, by_uri[u], children) for u in uris if u in by_uri]}


def _get_profiles(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    actors = request.query_params.getlist("actors")
    if len(actors) > 25:
        raise XrpcError(400, "InvalidRequest", "actors must not have more than 25 elements")
    known = twin.authors()
    by_handle = {handle: did for did, (handle, _n, _f) in known.items()}
    dids = [a if a in known else by_handle.get(a.lower()) for a in actors]
    return {"profiles": [profile(twin, d, kind="detailed") for d in dids if d]}


# -- com.atproto.repo -----------------------------------------------------------------


def _get_record(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    repo, collection, rkey = (param(request, n) for n in ("repo", "collection", "rkey"))
    did = BRAND_DID if repo.lower() == BRAND_HANDLE else repo
    uri = f"at://{did}/{collection}/{rkey}"
    post = twin.posts()[0].get(uri)
    if post is None:
        raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
    return {"uri": post.uri, "cid": post.cid, "value": post.record}


def _create_record(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    body = need(body, "repo", "collection", "record")
    if body["repo"] not in (BRAND_DID, BRAND_HANDLE):
        raise XrpcError(400, "InvalidRequest", "Can not write to another account's repo")
    if body["collection"] != POST:
        raise XrpcError(400, "InvalidRequest", f"The sandbox keeps only {POST} records")
    now = twin.state.now()
    rkey = body.get("rkey")
    if rkey is None:
        rkey = tid(int(now * 1_000_000) << 10)
    elif not isinstance(rkey, str) or not TID.match(rkey):
        raise XrpcError(400, "InvalidRequest", "Invalid record key: app.bsky.feed.post uses TIDs")
    record = body["record"]
    problem = post_problem(record)
    if problem:
        raise XrpcError(400, "InvalidRequest", f"Invalid {POST} record: {problem}")
    uri = f"at://{BRAND_DID}/{POST}/{rkey}"
    if uri in twin.posts()[0]:
        raise XrpcError(400, "InvalidRequest", f"Record already exists: {uri}")
    post = twin.own_post(rkey, record, int(now * 1000))
    twin.created[uri] = post
    reply = record.get("reply")
    if reply:
        twin.state.accept_reply(
            AcceptedReply(
                network=NETWORK,
                parent_id=reply["parent"]["uri"],
                text=record["text"],
                created_at=record["createdAt"],
                remote_id=uri,
                account=BRAND_HANDLE,
                extra={"cid": post.cid, "root": reply["root"], "facets": record.get("facets")},
            )
        )
    return {
        "uri": uri,
        "cid": post.cid,
        "commit": {"cid": cid_for("commit", uri), "rev": tid(int(now * 1_000_000) << 10)},
        "validationStatus": "valid",
    }


# -- routing --------------------------------------------------------------------------

_METHODS = (
    ("com.atproto.server.createSession", "POST", _create_session),
    ("com.atproto.server.refreshSession", "POST", _refresh_session),
    ("com.atproto.server.getSession", "GET", _get_session),
    ("com.atproto.identity.resolveHandle", "GET", _resolve_handle),
    ("app.bsky.notification.listNotifications", "GET", _list_notifications),
    ("app.bsky.notification.updateSeen", "POST", _update_seen),
    ("app.bsky.feed.getPostThread", "GET", _get_post_thread),
    ("app.bsky.feed.getPosts", "GET", _get_posts),
    ("app.bsky.feed.searchPosts", "GET", search_posts),
    ("app.bsky.actor.getProfiles", "GET", _get_profiles),
    ("com.atproto.repo.getRecord", "GET", _get_record),
    ("com.atproto.repo.createRecord", "POST", _create_record),
)


def _endpoint(twin: BlueskyTwin, handler: Any, *, login: bool) -> Any:
    state = twin.state

    async def endpoint(request: Request) -> Response:
        body: Body = None
        if request.method == "POST":
            raw = await request.body()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            body = parsed if isinstance(parsed, dict) else None
        with state.lock:  # one call at a time, as the handlers share the twin
            try:
                if state.take_fault(NETWORK, "rate_limit"):
                    reset = int(state.now()) + FAULT_WAIT
                    raise TooMany(limit_headers(CALL_LIMIT, 0, reset))
                headers = twin.count_login() if login else twin.count_call()
            except TooMany as too_many:
                return too_many.response()
            if state.take_fault(NETWORK, "server_error"):
                error = {"error": "InternalServerError", "message": "Service Unavailable"}
                return JSONResponse(error, 503, headers=headers)
            try:
                result = handler(twin, request, body)
            except XrpcError as refusal:
                response: Response = refusal.response()
            else:
                response = result if isinstance(result, Response) else JSONResponse(result)
        response.headers.update(headers)
        return response

    return endpoint


def routes(state: SandboxState) -> list[Route]:
    """The XRPC routes of the twin, sharing ``state`` with the other networks."""
    twin = twin_for(state)
    return [
        Route(
            f"/xrpc/{nsid}",
            _endpoint(twin, handler, login=handler is _create_session),
            methods=[method],
        )
        for nsid, method, handler in _METHODS
    ]
