"""The sandbox twin of Discourse: the brand's forum, answering like a real one.

The demo's forum posts (network "discourse") become topics and posts once the
shared clock reaches them; each post by someone else is a notification for
the brand account ``lumo_team`` (2 replied when it answers one of ours, 1
mentioned when it names @lumo_team, 9 posted otherwise: the brand watches its
own forum). Shapes are those of tests/conformance/discourse; behaviour follows
Discourse where the recordings are silent:

- ``User-Api-Key`` (with ``User-Api-Client-Id``) or ``Api-Key`` + ``Api-Username``;
  a bad key is a 403 ``invalid_access``.
- Notifications newest first, 60 a page, ``offset`` pages back.
- 429 with ``Retry-After`` and ``extras.wait_seconds`` past the per-minute
  limit (real forums: 60 a minute for admin keys, 20 for User API keys; here
  ``state.call_limits["discourse"]`` or 600, so a first sync is not throttled).
- ``POST /posts.json`` keeps no idempotency key: a retry posts again. Replies
  get post numbers from 1000 up, clear of the demo's own numbering.
- Moderation: ``PUT /notifications/mark-read.json`` marks one notification
  (or all) read; ``POST /post_actions.json`` flags a post. The brand is staff
  on its own forum, so a spam or inappropriate flag with ``take_action`` hides
  the post at once; once ``state.not_moderator`` holds "discourse" it is a
  plain member, whose flags wait for review and hide nothing. Flagging a post
  twice is refused (403), as Discourse does. Every call is recorded
  (``state.moderation_on("discourse")``).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from cm_inbox.html_text import html_to_text
from cm_inbox.sandbox import discourse_shapes as shapes
from cm_inbox.sandbox.discourse_shapes import Post
from cm_inbox.sandbox.state import AcceptedReply, ModerationCall, SandboxState

NETWORK = "discourse"
BRAND = "lumo_team"
BRAND_ID = 2
PAGE = 60
LIMIT_PER_MINUTE = 600
FAULT_WAIT = 10
MAX_LENGTH = 32_000
_PLACE = re.compile(r"/t/([^/]+)/(\d+)/(\d+)")
INVALID = (
    "You are not permitted to view the requested resource. The API username or key is invalid."
)
NOT_FOUND = "The requested URL or resource could not be found."


def user_api_key(seed: int) -> str:
    """The brand's User API key: 32 hex characters like Discourse's, fixed by the seed."""
    return hashlib.sha256(f"cm-inbox sandbox discourse {seed}".encode()).hexdigest()[:32]


def admin_key(seed: int) -> str:
    """An admin API key (64 hex characters), for `--username` accounts."""
    return hashlib.sha256(f"cm-inbox sandbox discourse admin {seed}".encode()).hexdigest()


def account_command(base_url: str, state: SandboxState) -> dict[str, Any]:
    """The `cm-inbox` arguments and stdin that connect the brand account of this sandbox."""
    return {
        "args": ["accounts", "add", "discourse", "--name", BRAND, "--site", base_url,
                 "--token-stdin"],
        "stdin": user_api_key(state.seed),
    }  # fmt: skip


class DiscourseTwin:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.posted: list[Post] = []
        self.read: set[int] = set()
        self.all_read_below = 0
        self.flags: list[tuple[int, int, str]] = []  # (post id, flag type, by)
        self.hits: dict[tuple[str, int], int] = {}
        self.serial = 0
        self._cache: tuple[tuple[int, int], dict[str, Any]] | None = None

    # -- what exists ---------------------------------------------------------------

    def world(self) -> dict[str, Any]:
        """Posts by id, topics (posts by number), and the brand's notifications."""
        records = self.state.records(NETWORK)
        key = (len(records), len(self.posted))
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        posts: dict[int, Post] = {}
        parent_of: dict[int, int] = {}
        for record in sorted(records, key=lambda r: (r["_at"], r["id"])):
            place = _PLACE.search(record.get("url") or "")
            if place is None or not str(record["id"]).isdigit():
                continue
            author = record["author"]
            post = Post(
                id=int(record["id"]), topic_id=int(place.group(2)), number=int(place.group(3)),
                slug=place.group(1), username=author["handle"], name=author.get("name") or "",
                cooked=record["html"], raw=record.get("text") or html_to_text(record["html"]), at=float(record["_at"]),
                reply_to=None, likes=int(record.get("likes") or 0),
                user_id=BRAND_ID if author["handle"] == BRAND else 100 + len(posts),
            )  # fmt: skip
            posts[post.id] = post
            if record.get("parent_id") and str(record["parent_id"]).isdigit():
                parent_of[post.id] = int(record["parent_id"])
        for child, parent_id in parent_of.items():
            parent = posts.get(parent_id)
            if (
                parent is not None
                and parent.topic_id == posts[child].topic_id
                and parent.number > 1
            ):
                posts[child].reply_to = parent.number
        for post in self.posted:
            posts[post.id] = post
        topics: dict[int, dict[int, Post]] = {}
        for post in sorted(posts.values(), key=lambda p: (p.topic_id, p.number)):
            topics.setdefault(post.topic_id, {})[post.number] = post
        notifications = []
        ours = {p.id for p in self.posted}
        for rank, post in enumerate(sorted(
            (p for p in posts.values() if p.id not in ours), key=lambda p: (p.at, p.id)
        ), 1):  # fmt: skip
            if post.username == BRAND:
                continue
            parent = topics[post.topic_id].get(post.reply_to or 1)
            if parent is not None and parent.username == BRAND and parent is not post:
                kind = 2
            elif f"@{BRAND}" in post.raw:
                kind = 1
            else:
                kind = 9
            notifications.append((rank, kind, post))
        world = {"posts": posts, "topics": topics, "notifications": notifications[::-1]}
        self._cache = (key, world)
        return world

    def replies_of(self, post: Post) -> list[Post]:
        topic = self.world()["topics"][post.topic_id]
        if post.number == 1:
            return [p for p in topic.values() if p.number > 1 and p.reply_to is None]
        return [p for p in topic.values() if p.reply_to == post.number]

    def post_json(self, post: Post, *, with_raw: bool = True) -> dict[str, Any]:
        return shapes.post_json(
            post, viewer=BRAND, replies=len(self.replies_of(post)), with_raw=with_raw
        )

    # -- the rules every answer follows ------------------------------------------------

    def who(self, request: Request) -> str | None:
        """The brand's username when the request carries a key that is still good."""
        if NETWORK in self.state.revoked:
            return None
        generation = self.state.token_generation[NETWORK]
        seed = self.state.seed + 1000 * generation
        user_key = request.headers.get("user-api-key")
        if user_key is not None:
            return BRAND if user_key == user_api_key(seed) else None
        if request.headers.get("api-key") == admin_key(seed):
            username = request.headers.get("api-username", "")
            return BRAND if username.lower() == BRAND else None
        return None

    def too_many(self, wait: int) -> JSONResponse:
        words = (
            f"You’ve performed this action too many times. Please wait {wait} seconds "
            "before trying again."
        )
        body = shapes.errors(
            words, "rate_limit", extras={"wait_seconds": wait, "time_left": f"{wait} seconds"}
        )
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(wait)})

    def limited(self, key: str) -> JSONResponse | None:
        if self.state.take_fault(NETWORK, "rate_limit"):
            return self.too_many(FAULT_WAIT)
        if self.state.take_fault(NETWORK, "server_error"):
            return JSONResponse(shapes.errors("Service Unavailable"), status_code=503)
        now = self.state.now()
        minute = int(now) // 60
        used = self.hits.get((key, minute), 0) + 1
        self.hits = {k: v for k, v in self.hits.items() if k[1] >= minute}
        self.hits[(key, minute)] = used
        if used > self.state.call_limits.get(NETWORK, LIMIT_PER_MINUTE):
            return self.too_many(max(1, math.ceil(60 - now % 60)))
        return None


def _api(twin: DiscourseTwin, handler):
    async def endpoint(request: Request) -> Response:
        key = request.headers.get("user-api-key") or request.headers.get("api-key") or "-"
        refused = twin.limited(key)
        if refused is not None:
            return refused
        user = twin.who(request)
        if user is None:
            return JSONResponse(shapes.errors(INVALID, "invalid_access"), status_code=403)
        with twin.state.lock:
            return await handler(twin, request)

    return endpoint


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 18:
        return int(value)
    return None


def _missing() -> JSONResponse:
    return JSONResponse(shapes.errors(NOT_FOUND, "not_found"), status_code=404)


async def current(twin: DiscourseTwin, request: Request) -> Response:
    return JSONResponse({"current_user": {"id": BRAND_ID, "username": BRAND, "name": "Lumo Team"}})


async def notifications(twin: DiscourseTwin, request: Request) -> Response:
    offset = _int(request.query_params.get("offset", "0")) or 0
    listed = twin.world()["notifications"]
    page = []
    for rank, kind, post in listed[offset : offset + PAGE]:
        title = twin.world()["topics"][post.topic_id].get(1, post).raw[:80]
        read = rank <= twin.all_read_below or rank in twin.read
        page.append(shapes.notification_json(rank, kind, post, title, BRAND_ID, read))
    if page and twin.state.take_fault(NETWORK, "malformed"):
        page[0] = {**page[0], "topic_id": "seven", "post_number": None}
    return JSONResponse({
        "notifications": page,
        "total_rows_notifications": len(listed),
        "seen_notification_id": listed[0][0] if listed else 0,
        "load_more_notifications": f"/notifications?offset={offset + PAGE}&username={BRAND}",
    })  # fmt: skip


async def mark_read(twin: DiscourseTwin, request: Request) -> Response:
    number = _int((await _params(request)).get("id"))
    if number is None:
        listed = twin.world()["notifications"]
        twin.all_read_below = listed[0][0] if listed else 0
    else:
        twin.read.add(number)
    twin.state.record_moderation(
        ModerationCall(NETWORK, "mark-read", str(number) if number is not None else "all")
    )
    return JSONResponse({"success": "OK"})


async def get_post(twin: DiscourseTwin, request: Request) -> Response:
    post = twin.world()["posts"].get(_int(request.path_params["id"]) or -1)
    return JSONResponse(twin.post_json(post)) if post else _missing()


async def post_by_number(twin: DiscourseTwin, request: Request) -> Response:
    topic = twin.world()["topics"].get(_int(request.path_params["topic"]) or -1, {})
    post = topic.get(_int(request.path_params["number"]) or -1)
    return JSONResponse(twin.post_json(post)) if post else _missing()


async def post_replies(twin: DiscourseTwin, request: Request) -> Response:
    post = twin.world()["posts"].get(_int(request.path_params["id"]) or -1)
    if post is None:
        return _missing()
    return JSONResponse([twin.post_json(p, with_raw=False) for p in twin.replies_of(post)])


async def get_topic(twin: DiscourseTwin, request: Request) -> Response:
    topic_id = _int(request.path_params["id"]) or -1
    topic = twin.world()["topics"].get(topic_id)
    if not topic:
        return _missing()
    posts = [topic[n] for n in sorted(topic)]
    replies = {p.id: len(twin.replies_of(p)) for p in posts[:20]}
    return JSONResponse(shapes.topic_json(topic_id, posts, viewer=BRAND, replies_of=replies))


async def topic_posts(twin: DiscourseTwin, request: Request) -> Response:
    topic = twin.world()["topics"].get(_int(request.path_params["id"]) or -1)
    if not topic:
        return _missing()
    wanted = {_int(v) for v in request.query_params.getlist("post_ids[]")}
    posts = [topic[n] for n in sorted(topic) if topic[n].id in wanted]
    return JSONResponse(
        {"post_stream": {"posts": [twin.post_json(p, with_raw=False) for p in posts]}, "id": 0}
    )


async def create_post(twin: DiscourseTwin, request: Request) -> Response:
    params = await _params(request)
    raw = params.get("raw")
    topic_id = _int(params.get("topic_id"))
    world = twin.world()
    topic = world["topics"].get(topic_id or -1)
    if not topic:
        return _missing()
    if not isinstance(raw, str) or not raw.strip():
        return JSONResponse(shapes.errors("Body can’t be blank"), status_code=422)
    if len(raw) > MAX_LENGTH:
        words = f"Body is limited to {MAX_LENGTH} characters; you entered {len(raw)}."
        return JSONResponse(shapes.errors(words), status_code=422)
    reply_to = _int(params.get("reply_to_post_number"))
    parent = topic.get(reply_to or 1)
    if parent is None:
        return _missing()
    twin.serial += 1
    number = max(1000, max(topic)) + 1
    post = Post(
        id=10_000_000 + twin.serial, topic_id=parent.topic_id, number=number, slug=parent.slug,
        username=BRAND, name="Lumo Team", cooked=_cook(raw), raw=raw, at=twin.state.now(),
        reply_to=reply_to if reply_to and reply_to > 1 else None, user_id=BRAND_ID,
    )  # fmt: skip
    twin.posted.append(post)
    twin.state.accept_reply(
        AcceptedReply(
            network=NETWORK, parent_id=str(parent.id), text=raw,
            created_at=shapes.iso_ms(post.at), remote_id=str(post.id), account=BRAND,
            extra={"topic_id": post.topic_id, "post_number": number},
        )
    )  # fmt: skip
    return JSONResponse(twin.post_json(post))


async def post_action(twin: DiscourseTwin, request: Request) -> Response:
    params = await _params(request)
    post = twin.world()["posts"].get(_int(params.get("id")) or -1)
    kind = _int(params.get("post_action_type_id"))
    if post is None:
        return _missing()
    if kind not in (2, 3, 4, 6, 7, 8):
        return JSONResponse(shapes.errors("Invalid post action type"), status_code=400)
    staff = twin.state.is_moderator(NETWORK)
    act = str(params.get("take_action", "")).lower() == "true"
    again = any(p == post.id and k == kind for p, k, _ in twin.flags)
    twin.state.record_moderation(
        ModerationCall(NETWORK, "post_actions", str(post.id), str(kind), not again)
    )
    if again:  # Discourse's guardian: one flag of a kind per post and user
        return JSONResponse(
            shapes.errors(
                "You are not permitted to view the requested resource.", "invalid_access"
            ),
            status_code=403,
        )
    twin.flags.append((post.id, kind, BRAND))
    if kind in (4, 8) and staff and act:  # a staff flag that takes action hides at once
        post.hidden = True
    return JSONResponse(twin.post_json(post))


async def approve_page(request: Request) -> Response:
    """/user-api-key/new without a redirect: the page shows the encrypted payload to paste."""
    from cm_inbox.networks.discourse_login import seal_payload

    twin: DiscourseTwin = request.app.state.discourse
    public_key = request.query_params.get("public_key", "")
    nonce = request.query_params.get("nonce", "")
    try:
        payload = seal_payload(public_key.encode(), user_api_key(twin.state.seed), nonce)
    except (ValueError, TypeError):
        return HTMLResponse("<p>Invalid public key</p>", status_code=400)
    body = f"<h1>Approved</h1><pre id='payload'>{html.escape(payload)}</pre>"
    return HTMLResponse(body)


def routes(state: SandboxState) -> list[Route]:
    twin = DiscourseTwin(state)
    state.discourse = twin  # type: ignore[attr-defined]  # tests read the flags and posts

    def api(handler):
        return _api(twin, handler)

    async def approve(request: Request) -> Response:
        request.app.state.discourse = twin
        return await approve_page(request)

    return [
        Route("/session/current.json", api(current), methods=["GET"]),
        Route("/notifications.json", api(notifications), methods=["GET"]),
        Route("/notifications/mark-read.json", api(mark_read), methods=["PUT"]),
        Route("/posts.json", api(create_post), methods=["POST"]),
        Route("/posts/by_number/{topic}/{number}.json", api(post_by_number), methods=["GET"]),
        Route("/posts/{id}/replies.json", api(post_replies), methods=["GET"]),
        Route("/posts/{id}.json", api(get_post), methods=["GET"]),
        Route("/t/{id}/posts.json", api(topic_posts), methods=["GET"]),
        Route("/t/{id}.json", api(get_topic), methods=["GET"]),
        Route("/post_actions.json", api(post_action), methods=["POST"]),
        Route("/user-api-key/new", approve, methods=["GET"]),
    ]


def _cook(raw: str) -> str:
    """Markdown as the forum would render the plain paragraphs of a reply."""
    paragraphs = [p.strip() for p in raw.split("\n\n") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
