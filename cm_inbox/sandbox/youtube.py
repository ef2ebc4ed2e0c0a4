"""The sandbox twin of YouTube: the Data API v3 calls cm-inbox makes, and Google's
OAuth token endpoint, answering in the recorded shapes.

- ``GET /youtube/v3/channels?mine=true``: the brand channel "@lumo".
- ``GET /youtube/v3/commentThreads``: ``allThreadsRelatedToChannelId`` (newest
  first, 100 a page, ``pageToken``) or ``id``; each thread carries its newest
  five replies with ``part=replies``.
- ``GET /youtube/v3/comments?parentId=``: a thread's replies, newest first.
- ``POST /youtube/v3/comments?part=snippet``: a reply under a top-level comment.
- ``POST /youtube/v3/comments/setModerationStatus``: held or rejected comments
  leave the lists (a rejected one cannot be published again); 403 ``forbidden``
  once ``state.not_moderator`` holds "youtube" (the channel does not own the
  video). Every call is recorded (``state.moderation_on("youtube")``).
  ``markAsSpam`` is not served: Google retired it ("deprecated and no longer
  supported").
- ``POST /google/token``: refresh and authorization-code grants (PKCE checked);
  ``GET /google/auth`` signs in at once and redirects to the loopback with a code.
- Quota like Google's: a list costs 1, an insert or moderation 50, 10,000 a
  day (``state.call_limits["youtube"]`` for fewer); over it, 403 quotaExceeded.
- Faults: ``rate_limit`` (429 with Retry-After), ``server_error`` (503),
  ``expire_tokens`` and ``revoke`` (401 authError; a revoked refresh token is
  400 invalid_grant), ``malformed`` (a thread page with one broken item).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from cm_inbox.sandbox.state import AcceptedReply, ModerationCall, SandboxState
from cm_inbox.sandbox.youtube_twin import (
    BRAND,
    BRAND_CHANNEL,
    BRAND_HANDLE,
    CLIENT_ID,
    NETWORK,
    TOKEN_LIFETIME_S,
    YouTubeTwin,
    refresh_token,
    twin_for,
)

MAX_LENGTH = 10_000
FAULT_WAIT_S = 1


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin (the refresh token) that add the brand channel."""
    return {
        "args": [
            "accounts", "add", "youtube", "--name", BRAND, "--client-id", CLIENT_ID,
            "--api", base_url, "--token-url", f"{base_url}/google/token", "--token-stdin",
        ],
        "stdin": refresh_token(state.seed) + "\n",
    }  # fmt: skip


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.reason, self.message, self.headers = status, reason, message, headers

    def response(self) -> JSONResponse:
        return google_error(self.status, self.reason, self.message, self.headers)


def google_error(
    status: int, reason: str, message: str, headers: dict | None = None
) -> JSONResponse:
    """Google's error body, as in error_response.json and error_permission_resp.json."""
    domain = "youtube.quota" if reason == "quotaExceeded" else "youtube.api"
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


COSTS = {"list": 1, "insert": 50, "moderate": 50}


def _page(items: list[Any], request: Request, size_default: int = 20) -> tuple[list, str | None]:
    try:
        size = min(100, max(1, int(request.query_params.get("maxResults", size_default))))
        token = request.query_params.get("pageToken")
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalidPageToken", "The page token is not valid.") from error
    chunk = items[start : start + size]
    more = start + size < len(items)
    return chunk, base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None


def _list_body(kind: str, items: list[Any], next_token: str | None, per_page: int) -> dict:
    body: dict[str, Any] = {
        "kind": kind,
        "etag": hashlib.sha1(json.dumps([i.get("id") for i in items]).encode()).hexdigest()[:27],
        "pageInfo": {"totalResults": len(items), "resultsPerPage": per_page},
        "items": items,
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


# -- handlers -------------------------------------------------------------------------


def _channels(twin: YouTubeTwin, request: Request, body: Any) -> dict:
    if request.query_params.get("mine") != "true":
        raise ApiError(400, "missingRequiredParameter", "No filter selected. Expected one of: mine")
    channel = {
        "kind": "youtube#channel",
        "etag": "sandbox",
        "id": BRAND_CHANNEL,
        "snippet": {"title": BRAND, "customUrl": BRAND_HANDLE, "description": "Lumo, the app."},
    }
    return _list_body("youtube#channelListResponse", [channel], None, 5)


def _threads(twin: YouTubeTwin, request: Request, body: Any) -> dict:
    query = request.query_params
    part = set(query.get("part", "").split(","))
    if "snippet" not in part:
        raise ApiError(400, "invalidPart", "The part parameter must include snippet.")
    by_id, replies = twin.comments()
    tops = [c for c in by_id.values() if c.parent is None]
    if query.get("id"):
        wanted = set(query["id"].split(","))
        chosen = [c for c in tops if c.id in wanted]
    elif query.get("allThreadsRelatedToChannelId"):
        if query["allThreadsRelatedToChannelId"] != BRAND_CHANNEL:
            raise ApiError(403, "forbidden", "The comment threads of that channel are not yours.")
        chosen = sorted(tops, key=lambda c: (c.at, c.id), reverse=True)
    else:
        raise ApiError(400, "missingRequiredParameter", "No filter selected.")
    chunk, token = _page(chosen, request)
    items = [twin.thread(top, replies.get(top.id, []), part) for top in chunk]
    if items and twin.state.take_fault(NETWORK, "malformed"):
        items[0] = {"kind": "youtube#commentThread", "id": items[0]["id"], "snippet": "broken"}
    return _list_body("youtube#commentThreadListResponse", items, token, len(chunk))


def _comments(twin: YouTubeTwin, request: Request, body: Any) -> dict:
    query = request.query_params
    by_id, replies = twin.comments()
    if query.get("parentId"):
        chosen = list(reversed(replies.get(query["parentId"], [])))
    elif query.get("id"):
        chosen = [by_id[i] for i in query["id"].split(",") if i in by_id]
    else:
        raise ApiError(400, "missingRequiredParameter", "No filter selected.")
    chunk, token = _page(chosen, request)
    plain = query.get("textFormat") == "plainText"
    items = [c.resource(html_text=not plain) for c in chunk]
    return _list_body("youtube#commentListResponse", items, token, len(chunk))


def _insert(twin: YouTubeTwin, request: Request, body: Any) -> dict:
    snippet = body.get("snippet") if isinstance(body, dict) else None
    if not isinstance(snippet, dict):
        raise ApiError(400, "invalidCommentMetadata", "The request metadata is invalid.")
    parent, text = snippet.get("parentId"), snippet.get("textOriginal")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "commentTextRequired", "The comment must contain text.")
    if len(text) > MAX_LENGTH:
        raise ApiError(400, "commentTextTooLong", "The comment is too long.")
    by_id, _ = twin.comments()
    if not isinstance(parent, str) or parent not in by_id:
        raise ApiError(404, "parentCommentNotFound", "The parent comment could not be found.")
    if by_id[parent].parent is not None:
        raise ApiError(400, "operationNotSupported", "Replies go under a top-level comment.")
    comment = twin.add_reply(parent, text)
    twin.state.accept_reply(
        AcceptedReply(
            network=NETWORK, parent_id=parent, text=text, created_at=comment.resource()["snippet"]["publishedAt"],
            remote_id=comment.id, account=BRAND,
        )
    )  # fmt: skip
    return comment.resource()


def _moderate(twin: YouTubeTwin, request: Request, body: Any) -> Response:
    query = request.query_params
    status = query.get("moderationStatus")
    ids = [i for i in query.get("id", "").split(",") if i]
    allowed = twin.state.is_moderator(NETWORK)
    for comment_id in ids:
        twin.state.record_moderation(
            ModerationCall(NETWORK, "setModerationStatus", comment_id, str(status), allowed)
        )
    if status not in ("heldForReview", "published", "rejected"):
        raise ApiError(400, "invalidModerationStatus", "The moderation status is not valid.")
    if not allowed:
        raise ApiError(
            403, "forbidden",
            "The comment's moderation status could not be set due to insufficient permissions.",
        )  # fmt: skip
    by_id, _ = twin.comments()
    for comment_id in ids:
        if comment_id not in by_id and comment_id not in twin.moderation:
            raise ApiError(404, "commentNotFound", "The comment could not be found.")
        if status == "published" and twin.moderation.get(comment_id) == "rejected":
            raise ApiError(
                400, "invalidModerationStatus", "A rejected comment cannot be published."
            )
    for comment_id in ids:
        twin.moderation[comment_id] = status
    return Response(status_code=204)


# -- OAuth ---------------------------------------------------------------------------


async def _token(request: Request) -> Response:
    twin = twin_for(request.app.state.sandbox)
    # Read by hand: Starlette's form parser needs python-multipart, not a dependency.
    raw = (await request.body()).decode(errors="replace")
    form = {k: v[0] for k, v in parse_qs(raw).items()}
    with twin.state.lock:
        if form.get("client_id") != CLIENT_ID:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
                status_code=401,
            )
        grant = form.get("grant_type")
        if grant == "refresh_token":
            ok = form.get("refresh_token") == refresh_token(twin.state.seed)
        elif grant == "authorization_code":
            challenge = twin.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier", ""))
            digest = hashlib.sha256(verifier.encode()).digest()
            ok = challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if not ok or NETWORK in twin.state.revoked:
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
                status_code=400,
            )
        answer = {
            "access_token": twin.issue(),
            "expires_in": TOKEN_LIFETIME_S - 1,
            "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
            "token_type": "Bearer",
        }
        if grant == "authorization_code":
            answer["refresh_token"] = refresh_token(twin.state.seed)
    return JSONResponse(answer)


async def _auth(request: Request) -> Response:
    """Google's consent page, already signed in and agreeing: back to the loopback with a code."""
    twin = twin_for(request.app.state.sandbox)
    query = request.query_params
    redirect = query.get("redirect_uri", "")
    if not redirect.startswith(("http://127.0.0.1:", "http://localhost:")):
        return JSONResponse({"error": "redirect_uri_mismatch"}, status_code=400)
    code = "4/0" + hashlib.sha256(f"{query.get('state')}{twin.issued}".encode()).hexdigest()[:40]
    with twin.state.lock:
        twin.codes[code] = query.get("code_challenge", "")
    params = urlencode({"code": code, "state": query.get("state", ""), "scope": query.get("scope")})
    return RedirectResponse(f"{redirect}?{params}", status_code=302)


# -- routing ---------------------------------------------------------------------------

_METHODS = (
    ("/youtube/v3/channels", "GET", _channels, "list"),
    ("/youtube/v3/commentThreads", "GET", _threads, "list"),
    ("/youtube/v3/comments", "GET", _comments, "list"),
    ("/youtube/v3/comments", "POST", _insert, "insert"),
    ("/youtube/v3/comments/setModerationStatus", "POST", _moderate, "moderate"),
)


def _endpoint(twin: YouTubeTwin, handlers: dict[str, tuple[Any, str]]) -> Any:
    state = twin.state

    async def endpoint(request: Request) -> Response:
        handler, kind = handlers[request.method]
        body: Any = None
        if request.method == "POST":
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return google_error(
                    400, "parseError", "This API does not support parsing form data."
                )
        with state.lock:
            try:
                if state.take_fault(NETWORK, "rate_limit"):
                    raise ApiError(429, "rateLimitExceeded", "Too many requests.",
                                   {"retry-after": str(FAULT_WAIT_S)})  # fmt: skip
                if state.take_fault(NETWORK, "server_error"):
                    raise ApiError(503, "backendError", "The service is currently unavailable.")
                authorization = request.headers.get("authorization", "")
                token = authorization.removeprefix("Bearer ").strip() or None
                if not twin.token_ok(token):
                    raise ApiError(
                        401, "authError",
                        "Request had invalid authentication credentials. Expected OAuth 2 access"
                        " token, login cookie or other valid authentication credential.",
                        {"www-authenticate": 'Bearer realm="https://accounts.google.com/"'},
                    )  # fmt: skip
                if not twin.charge(COSTS[kind]):
                    raise ApiError(
                        403, "quotaExceeded",
                        "The request cannot be completed because you have exceeded your quota.",
                    )  # fmt: skip
                result = handler(twin, request, body)
            except ApiError as refusal:
                return refusal.response()
        return result if isinstance(result, Response) else JSONResponse(result)

    return endpoint


def routes(state: SandboxState) -> list[Route]:
    """The API and OAuth routes of the twin, sharing ``state`` with the other networks."""
    twin = twin_for(state)
    by_path: dict[str, dict[str, tuple[Any, str]]] = {}
    for path, method, handler, kind in _METHODS:
        by_path.setdefault(path, {})[method] = (handler, kind)
    found = [
        Route(path, _endpoint(twin, handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]
    return [
        *found,
        Route("/google/token", _token, methods=["POST"]),
        Route("/google/auth", _auth, methods=["GET"]),
    ]
