"""The sandbox twin of Mastodon: the API cm-inbox uses, answering like a 4.6 server.

The brand's accounts (``lumo`` and ``lumo_fr``, from the demo) are local
accounts of this one instance; the generated audience writes to them from
remote instances. Every mention becomes a ``mention`` notification once the
shared clock reaches it. Shapes mirror the recordings (see ``mastodon_shapes``);
behaviour follows Mastodon's own code where the recordings are silent:

- Paging like ``paginate_by_id``: ``max_id`` older, ``since_id`` newest above,
  ``min_id`` the page just above; newest first; a ``Link`` header with next
  (``max_id``) and prev (``min_id``) whenever the page is not empty.
- Rate limits like config/initializers/rack_attack.rb: 300 calls per token (or
  per address without one) per 5-minute window, X-RateLimit-* on every /api
  answer; a 429 says {"error": "Too many requests"}. Real Mastodon sends no
  Retry-After; this one adds it (seconds to the reset). The "rate_limit" fault
  is a short throttle (10 s) that a sync waits out; spending the real quota
  asks for the rest of the window.
- 401 like Doorkeeper: "The access token is invalid", or "The access token was
  revoked" for a revoked one (Mastodon's spec/requests/api/v1/apps/credentials_spec.rb).
- ``Idempotency-Key`` on POST /api/v1/statuses answers the same status for an hour.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from cm_inbox.networks.rules import count_mastodon
from cm_inbox.sandbox import mastodon_shapes as shapes
from cm_inbox.sandbox.mastodon_search import routes as search_routes
from cm_inbox.sandbox.mastodon_shapes import Person, Post
from cm_inbox.sandbox.mastodon_twin import (
    BRAND,
    NETWORK,
    MastodonTwin,
    Token,
    api,
    base_url,
    brand_token,
    error,
    read_params,
    text_to_html,
)
from cm_inbox.sandbox.state import AcceptedReply, SandboxState

IDEMPOTENCY_S = 3600
OOB = "urn:ietf:wg:oauth:2.0:oob"
VISIBILITIES = ("public", "unlisted", "private", "direct")
# What the next and prev links keep of a notifications query (pagination_params).
LINK_PARAMS = ("account_id", "exclude_types[]", "include_filtered", "limit", "types[]")
INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin that connect the brand account of this sandbox."""
    return {
        "args": [
            "accounts",
            "add",
            "mastodon",
            "--name",
            BRAND,
            "--instance",
            base_url,
            "--token-stdin",
        ],
        "stdin": brand_token(state.seed, BRAND),
    }


# -- login ---------------------------------------------------------------------------------


def _digest(text: str) -> str:
    """A 43-character id or secret, the same for the same sandbox every run."""
    return hashlib.sha256(text.encode()).hexdigest()[:43]


async def create_app(twin: MastodonTwin, request: Request, token, headers) -> Response:
    params = await read_params(request)
    redirect = params.get("redirect_uris", "").strip()
    if not params.get("client_name", "").strip() or not redirect:
        blank = (
            "Name can't be blank"
            if not params.get("client_name")
            else "Redirect URI can't be blank"
        )
        return error(f"Validation failed: {blank}", 422, headers)
    with twin.state.lock:
        number = len(twin.apps) + 1
        seed = f"{twin.state.seed}:{number}"
        client_id = _digest(f"client {seed}")
        app = {
            "id": str(number),
            "client_id": client_id,
            "client_secret": _digest(f"secret {seed}"),
            "scopes": params.get("scopes") or "read",
            "redirect": redirect,
        }
        twin.apps[client_id] = app
    body = shapes.app_json(app["id"], client_id, app["client_secret"], app["scopes"], redirect)
    return JSONResponse(body, headers=headers)


async def authorize(request: Request, twin: MastodonTwin) -> Response:
    """The sign-in page, already signed in as the brand: it shows the code (out-of-band).

    ``login_as=lumo_fr`` (a sandbox extra, not Mastodon's) signs in as the other brand account.
    """
    query = request.query_params
    app = twin.apps.get(query.get("client_id", ""))
    redirect = query.get("redirect_uri", "")
    if (
        app is None
        or query.get("response_type") != "code"
        or redirect not in app["redirect"].split()
    ):
        return HTMLResponse("<h1>The client is not authorised to perform this request.</h1>", 400)
    username = query.get("login_as") or BRAND
    if username not in twin.brands:
        return HTMLResponse("<h1>Unknown account.</h1>", 404)
    with twin.state.lock:
        code = _digest(f"code {app['client_id']} {len(twin.codes)}")
        twin.codes[code] = (app["client_id"], username)
    if redirect != OOB:
        return RedirectResponse(f"{redirect}?{urlencode({'code': code})}", 302)
    return HTMLResponse(
        "<!DOCTYPE html><html><head><title>Authorization code - Mastodon</title></head><body>"
        f"<h1>Authorization code</h1><p>Signed in as @{html.escape(username)}. "
        "Copy this authorization code and paste it to the application.</p>"
        f'<input class="oauth-code" readonly type="text" value="{code}"></body></html>'
    )


async def issue_token(request: Request, twin: MastodonTwin) -> Response:
    params = await read_params(request)
    app = twin.apps.get(params.get("client_id", ""))
    if app is None or params.get("client_secret") != app["client_secret"]:
        return JSONResponse({"error": "invalid_client", "error_description": INVALID_CLIENT}, 401)
    if params.get("grant_type") != "authorization_code":
        return JSONResponse(
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported by the authorization server.",
            },
            400,
        )
    with twin.state.lock:
        grant = twin.codes.pop(params.get("code", ""), None)
        if grant is None or grant[0] != app["client_id"]:
            return JSONResponse({"error": "invalid_grant", "error_description": INVALID_GRANT}, 400)
        token = brand_token(twin.state.seed, f"{grant[1]} {app['client_id']} {len(twin.tokens)}")
        twin.tokens[token] = Token(
            grant[1], twin.state.token_generation[NETWORK], NETWORK in twin.state.revoked
        )
    return JSONResponse(shapes.token_json(token, app["scopes"], twin.state.now()))


async def verify_credentials(twin: MastodonTwin, request: Request, token, headers) -> Response:
    person = twin.brands[token.username]
    return JSONResponse(shapes.credential_account_json(person, base_url(request)), headers=headers)


async def instance(twin: MastodonTwin, request: Request, token, headers) -> Response:
    return JSONResponse(
        shapes.instance_json(base_url(request), request.url.netloc), headers=headers
    )


# -- reading -------------------------------------------------------------------------------


def _limit(value: str | None) -> int:
    try:
        return min(80, max(1, int(value or 40)))
    except ValueError:
        return 40


async def notifications(twin: MastodonTwin, request: Request, token, headers) -> Response:
    query = request.query_params
    types = query.getlist("types[]")
    excluded = query.getlist("exclude_types[]")
    limit = _limit(query.get("limit"))
    base = base_url(request)
    with twin.state.lock:
        wanted = (not types or "mention" in types) and "mention" not in excluded
        mentions = twin.index().mentions if wanted else []
        found = [(n, post) for n, post in mentions if post.brand == token.username]
        bounds = {name: _int(query.get(name)) for name in ("max_id", "since_id", "min_id")}
        if bounds["max_id"] is not None:
            found = [n for n in found if n[0] < bounds["max_id"]]
        lower = bounds["min_id"] if bounds["min_id"] is not None else bounds["since_id"]
        if lower is not None:
            found = [n for n in found if n[0] > lower]
        # min_id: the page just above it; otherwise the newest page. Newest first either way.
        page = found[:limit] if bounds["min_id"] is not None else found[-limit:]
        page.reverse()
        body = [shapes.notification_json(str(n), twin.status(post, base)) for n, post in page]
        if body and twin.state.take_fault(NETWORK, "malformed"):
            broken = body[-1]["status"] = dict(body[-1]["status"])
            del broken["account"]
            broken["created_at"] = 1_700_000_000  # a number where a time string belongs
    if page:
        # Rails' to_query: the kept parameters and the bound, sorted by name.
        kept = [(k, v) for k, v in query.multi_items() if k in LINK_PARAMS]

        def url(name: str, value: int) -> str:
            pairs = sorted([*kept, (name, str(value))], key=lambda pair: pair[0])
            return f"{base}/api/v1/notifications?{urlencode(pairs)}"

        newer, older = url("min_id", page[0][0]), url("max_id", page[-1][0])
        headers = {**headers, "link": f'<{older}>; rel="next", <{newer}>; rel="prev"'}
    return JSONResponse(body, headers=headers)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


async def get_status(twin: MastodonTwin, request: Request, token, headers) -> Response:
    with twin.state.lock:
        post = twin.index().posts.get(request.path_params["id"])
        if post is None:
            return error("Record not found", 404, headers)
        return JSONResponse(twin.status(post, base_url(request)), headers=headers)


async def context(twin: MastodonTwin, request: Request, token, headers) -> Response:
    base = base_url(request)
    with twin.state.lock:
        index = twin.index()
        posts, children = index.posts, index.children
        post = posts.get(request.path_params["id"])
        if post is None:
            return error("Record not found", 404, headers)
        ancestors: list[Post] = []
        parent = posts.get(post.parent_id) if post.parent_id else None
        while parent is not None and len(ancestors) < 40:
            ancestors.insert(0, parent)
            parent = posts.get(parent.parent_id) if parent.parent_id else None
        descendants: list[Post] = []
        stack = list(reversed(children.get(post.id, [])))
        while stack:  # depth first, oldest reply first, as Mastodon orders them
            child = posts[stack.pop()]
            descendants.append(child)
            stack.extend(reversed(children.get(child.id, [])))
        body = {
            "ancestors": [twin.status(p, base) for p in ancestors],
            "descendants": [twin.status(p, base) for p in descendants],
        }
    return JSONResponse(body, headers=headers)


# -- writing -------------------------------------------------------------------------------


async def post_status(twin: MastodonTwin, request: Request, token, headers) -> Response:
    params = await read_params(request)
    base = base_url(request)
    text = params.get("status", "")
    key = request.headers.get("idempotency-key")
    state = twin.state
    with state.lock:
        index = twin.index()
        posts = index.posts
        now = state.now()
        if key:
            earlier = twin.idempotent.get((token.username, key))
            if earlier is not None and now - earlier[1] < IDEMPOTENCY_S and earlier[0] in posts:
                return JSONResponse(twin.status(posts[earlier[0]], base), headers=headers)
        parent_id = params.get("in_reply_to_id") or None
        if parent_id is not None and parent_id not in posts:
            return error(
                "The post you are trying to reply to does not appear to exist.", 404, headers
            )
        if not text.strip():
            return error("Validation failed: Text can't be blank", 422, headers)
        if count_mastodon(text) > shapes.MAX_CHARACTERS:
            return error(
                f"Validation failed: Text character limit of {shapes.MAX_CHARACTERS} exceeded",
                422,
                headers,
            )
        visibility = params.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            return error("Validation failed: Visibility is not included in the list", 422, headers)

        def resolve(user: str, host: str | None) -> Person | None:
            handle = f"{user}@{host}" if host else user
            if host is None or host.lower() == request.url.netloc.lower():
                return twin.brands.get(user.lower())
            brand = twin.brand_handles.get(handle.lower())
            return twin.brands[brand] if brand else index.people.get(handle.lower())

        markup, mentioned = text_to_html(text, resolve, base)
        post = Post(
            id=twin.new_id(),
            at=now,
            author=twin.brands[token.username],
            html=markup,
            text=text,
            parent_id=parent_id,
            language=params.get("language") or "en",
            visibility=visibility,
            spoiler_text=params.get("spoiler_text", ""),
            mentions=mentioned,
        )
        twin.posted.append(post)
        if key:
            twin.idempotent[(token.username, key)] = (post.id, now)
        state.accept_reply(
            AcceptedReply(
                network=NETWORK,
                parent_id=parent_id or "",
                text=text,
                created_at=post.created_at,
                remote_id=post.id,
                account=token.username,
                extra={"visibility": visibility},
            )
        )
        return JSONResponse(twin.status(post, base), headers=headers)


def routes(state: SandboxState) -> list[Route]:
    """Mastodon's paths over ``state``, for ``cm_inbox.sandbox.make_sandbox``."""
    twin = MastodonTwin(state)

    def plain(handler):
        async def endpoint(request: Request) -> Response:
            return await handler(request, twin)

        return endpoint

    return [
        Route("/api/v1/apps", api(twin, create_app, auth=False), methods=["POST"]),
        Route("/oauth/authorize", plain(authorize), methods=["GET"]),
        Route("/oauth/token", plain(issue_token), methods=["POST"]),
        Route(
            "/api/v1/accounts/verify_credentials", api(twin, verify_credentials), methods=["GET"]
        ),
        Route("/api/v2/instance", api(twin, instance, auth=False), methods=["GET"]),
        Route("/api/v2/instance/", api(twin, instance, auth=False), methods=["GET"]),
        Route("/api/v1/notifications", api(twin, notifications), methods=["GET"]),
        Route("/api/v1/statuses", api(twin, post_status), methods=["POST"]),
        Route("/api/v1/statuses/{id}", api(twin, get_status), methods=["GET"]),
        Route("/api/v1/statuses/{id}/context", api(twin, context), methods=["GET"]),
        *search_routes(twin),
    ]


__all__ = ["NETWORK", "account_command", "brand_token", "routes"]
