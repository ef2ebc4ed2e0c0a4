"""The machinery of the sandbox Mastodon: accounts, tokens, statuses, rate limits, faults.

The routes and what they answer are in ``cm_inbox.sandbox.mastodon``; this
module keeps the twin's state beside the shared ``SandboxState`` and the rules
every /api answer follows (see that module's docstring for their sources).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from cm_inbox.demo.networks import ACCOUNTS
from cm_inbox.sandbox import mastodon_shapes as shapes
from cm_inbox.sandbox.chatter import HASHTAG, Chatter
from cm_inbox.sandbox.mastodon_shapes import Person, Post
from cm_inbox.sandbox.state import SandboxState

NETWORK = "mastodon"
BRAND = "lumo"  # the account `account_command` connects
WINDOW_S = 300
LIMIT = 300
FAULT_WAIT = 10  # seconds a "rate_limit" fault asks to wait
INVALID = "The access token is invalid"
REVOKED = "The access token was revoked"


def brand_token(seed: int, username: str) -> str:
    """The brand account's access token: 43 URL-safe characters like Mastodon's, fixed by the seed."""
    digest = hashlib.sha256(f"cm-inbox sandbox mastodon {seed} {username}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(slots=True)
class Index:
    """Everything the clock has reached, looked up by id.

    ``children`` maps a parent id to its reply ids, oldest first; ``mentions``
    holds (notification id, status) of the generated mentions, oldest first;
    ``people`` every author by lower-cased acct.
    """

    key: tuple[int, ...]
    posts: dict[str, Post] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    mentions: list[tuple[int, Post]] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)


@dataclass(slots=True)
class Token:
    username: str
    generation: int
    # Issued while the "revoke" fault was on: a new login, which that fault does not refuse.
    after_revoke: bool = False


class MastodonTwin:
    """The twin's own state beside the shared ``SandboxState``: tokens, apps, posts, counters."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.brands: dict[str, Person] = {}
        self.brand_handles: dict[str, str] = {}  # "lumo@mastodon.social" → "lumo"
        for account in ACCOUNTS:
            if account.network == NETWORK:
                username = account.handle.split("@")[0]
                self.brands[username] = Person(
                    username, None, account.display, account.followers or 0
                )
                self.brand_handles[account.handle.lower()] = username
        self.tokens = {brand_token(state.seed, name): Token(name, 0) for name in self.brands}
        self.apps: dict[str, dict[str, str]] = {}  # client_id → app
        self.codes: dict[str, tuple[str, str]] = {}  # code → (client_id, username)
        self.posted: list[Post] = []
        self.idempotent: dict[tuple[str, str], tuple[str, float]] = {}
        self.hits: dict[tuple[str, int], int] = {}
        self.serial = 0
        self._index: Index | None = None

    # -- what exists ---------------------------------------------------------------------

    def person(self, handle: str, name: str | None = None, followers: int | None = None) -> Person:
        handle = handle.strip().lstrip("@")
        brand = self.brand_handles.get(handle.lower())
        if brand is not None:
            return self.brands[brand]
        username, _, host = handle.partition("@")
        return Person(username, host or "mastodon.social", name or "", followers or 0)

    def index(self) -> Index:
        """What the clock has reached, rebuilt only when a record arrives or a reply is posted."""
        records = self.state.records(NETWORK)
        chatter = self.state.chatter(NETWORK)
        key = (len(records), len(self.posted), len(chatter))
        if self._index is not None and self._index.key == key:
            return self._index
        index = Index(key)
        # Notification ids are ranks among all generated statuses in time order:
        # records only ever arrive after those already shown, so an id never changes.
        for rank, record in enumerate(sorted(records, key=lambda r: (r["_at"], r["id"])), 1):
            post = self._from_record(record)
            index.posts[post.id] = post
            if post.brand is not None and post.author.host is not None:
                index.mentions.append((rank, post))
        for said in chatter:  # public posts about the brand that notify nobody
            post = chatter_post(said)
            index.posts[post.id] = post
        for post in self.posted:
            index.posts[post.id] = post
        for post in sorted(index.posts.values(), key=lambda p: (p.at, p.id)):
            index.people.setdefault(post.author.acct.lower(), post.author)
            if post.parent_id:
                index.children.setdefault(post.parent_id, []).append(post.id)
        self._index = index
        return index

    def _from_record(self, record: dict[str, Any]) -> Post:
        author = record["author"]
        person = self.person(author["handle"], author.get("name"), author.get("followers"))
        mentioned = [
            self.person(f"{user}@{host}") for host, user in MENTION_HREF.findall(record["html"])
        ]
        return Post(
            id=record["id"],
            at=float(record["_at"]),
            author=person,
            html=record["html"],
            text=record["text"],
            parent_id=record.get("parent_id"),
            language=record.get("language"),
            url=record.get("url") if person.host is not None else None,
            brand=self.brand_handles.get(str(record.get("account", "")).lower()),
            mentions=list(dict.fromkeys(mentioned)),
        )

    def status(self, post: Post, base: str) -> dict[str, Any]:
        index = self.index()
        parent = index.posts.get(post.parent_id) if post.parent_id else None
        replies = len(index.children.get(post.id, ()))
        return shapes.status_json(post, base, parent=parent, replies=replies)

    # -- the rules every answer follows ---------------------------------------------------

    def rate_headers(self, key: str) -> tuple[dict[str, str], bool]:
        """X-RateLimit-* for ``key`` (a token or an address), and whether it is over."""
        now = self.state.now()
        window = int(now) // WINDOW_S
        used = self.hits.get((key, window), 0) + 1
        self.hits = {k: v for k, v in self.hits.items() if k[1] >= window}
        self.hits[(key, window)] = used
        reset = now + (WINDOW_S - int(now) % WINDOW_S)
        limit = self.state.call_limits.get(NETWORK, LIMIT)
        headers = {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-reset": shapes.iso_us(reset),
        }
        return headers, used > limit

    def too_many(self, headers: dict[str, str], *, fault: bool) -> JSONResponse:
        """A 429. The quota spent: wait for the window's reset. A fault: a short
        throttle of FAULT_WAIT seconds, which a sync waits out (as on Bluesky's twin)."""
        now = self.state.now()
        wait = max(0, math.ceil(_epoch(headers["x-ratelimit-reset"]) - now))
        if fault and wait > FAULT_WAIT:
            wait = FAULT_WAIT
            headers = {**headers, "x-ratelimit-reset": shapes.iso_us(now + wait)}
        headers = {**headers, "x-ratelimit-remaining": "0", "retry-after": str(wait)}
        return JSONResponse({"error": "Too many requests"}, status_code=429, headers=headers)

    def who(self, request: Request) -> tuple[Token | None, str | None]:
        """The token's owner, or the 401 message Doorkeeper would give."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if found is None or found.generation < self.state.token_generation[NETWORK]:
            return None, INVALID
        if NETWORK in self.state.revoked and not found.after_revoke:
            return None, REVOKED
        return found, None

    def new_id(self) -> str:
        """A snowflake-like id from the clock: milliseconds and a counter, always growing."""
        self.serial += 1
        return str((int(self.state.now() * 1000) << 16) + (self.serial & 0xFFFF))


Handler = Callable[[MastodonTwin, Request, Token | None, dict[str, str]], Awaitable[Response]]


def chatter_post(said: Chatter) -> Post:
    """A public status about the brand by a remote author, hashtags linked as Mastodon links them."""
    handle = said.handle(NETWORK)
    user, _, host = handle.partition("@")
    # A snowflake from the time, its low half kept apart from ``new_id``'s counter.
    status_id = str((int(said.at * 1000) << 16) + 0x8000 + (said.serial & 0x7FFF))

    def tag(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            f'<a href="https://{host}/tags/{html.escape(name.lower())}" class="mention hashtag"'
            f' rel="tag">#<span>{html.escape(name)}</span></a>'
        )

    body = HASHTAG.sub(tag, html.escape(said.text, quote=False))
    return Post(
        id=status_id,
        at=said.at,
        author=Person(user, host, said.name, said.followers),
        html=f"<p>{body}</p>",
        text=said.text,
        url=f"https://{host}/@{user}/{status_id}",
        tags=said.hashtags,
    )


def error(message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def unauthorized(message: str, headers: dict[str, str]) -> JSONResponse:
    challenge = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{message}"'
    return error(message, 401, {**headers, "www-authenticate": challenge})


def api(twin: MastodonTwin, handler: Handler, *, auth: bool = True):
    """Faults, rate limit and token check around an /api handler, in Mastodon's order."""
    state = twin.state

    async def endpoint(request: Request) -> Response:
        if state.take_fault(NETWORK, "server_error"):
            return HTMLResponse("<html><body><h1>503 Service Unavailable</h1></body></html>", 503)
        with state.lock:
            token, problem = twin.who(request)
            key = request.headers.get("authorization", "") if token else f"ip:{address(request)}"
            headers, over = twin.rate_headers(key)
            if over:
                return twin.too_many(headers, fault=False)
            if state.take_fault(NETWORK, "rate_limit"):
                return twin.too_many(headers, fault=True)
            if auth and token is None:
                return unauthorized(problem or INVALID, headers)
        return await handler(twin, request, token, headers)

    return endpoint


def address(request: Request) -> str:
    return request.client.host if request.client else "local"


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def read_params(request: Request) -> dict[str, str]:
    """A JSON or URL-encoded body, as Rails reads both (no multipart: nothing here uploads)."""
    raw = await request.body()
    if "json" in request.headers.get("content-type", ""):
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return {}
        if not isinstance(body, dict):
            return {}
        return {str(k): str(v) for k, v in body.items() if v is not None}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


# -- text as Mastodon formats what it is sent ---------------------------------------------

# Account::MENTION_RE, simplified: "@user" or "@user@domain[:port]", not inside a word or URL.
MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([\w-]+(?:\.[\w-]+)*(?::\d+)?))?",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
MENTION_HREF = re.compile(r'<a href="https?://([^/"]+)/@([^/"]+)" class="u-url mention"')

Resolve = Callable[[str, str | None], Person | None]


def text_to_html(text: str, resolve: Resolve, base: str) -> tuple[str, list[Person]]:
    """Posted plain text as Mastodon renders it: paragraphs, <br />, h-card mentions, links.

    Mentions of accounts the sandbox does not know stay plain text, as on a
    server that cannot resolve them.
    """
    mentioned: list[Person] = []
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [_format_line(line, resolve, base, mentioned) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(paragraphs), list(dict.fromkeys(mentioned))


def _format_line(line: str, resolve: Resolve, base: str, mentioned: list[Person]) -> str:
    out: list[str] = []
    position = 0
    tokens = sorted(
        [(m.start(), m.end(), "mention", m) for m in MENTION.finditer(line)]
        + [(m.start(), m.end(), "url", m) for m in _URL.finditer(line)],
        key=lambda token: token[0],
    )
    for start, end, kind, match in tokens:
        if start < position:
            continue  # inside a URL already written
        out.append(html.escape(line[position:start], quote=False))
        if kind == "url":
            href = html.escape(match.group(0))
            scheme, _, rest = match.group(0).partition("://")
            out.append(
                f'<a href="{href}" target="_blank" rel="nofollow noopener" translate="no">'
                f'<span class="invisible">{html.escape(scheme)}://</span>'
                f'<span class="">{html.escape(rest)}</span><span class="invisible"></span></a>'
            )
        else:
            person = resolve(match.group(1), match.group(2))
            if person is None:
                out.append(html.escape(match.group(0), quote=False))
            else:
                mentioned.append(person)
                out.append(
                    f'<span class="h-card" translate="no"><a href="{html.escape(person.url(base))}"'
                    f' class="u-url mention">@<span>{html.escape(person.username)}</span></a></span>'
                )
        position = end
    out.append(html.escape(line[position:], quote=False))
    return "".join(out)
