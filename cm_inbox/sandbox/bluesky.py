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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import regex
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cm_inbox.demo.networks import did_for, tid
from cm_inbox.sandbox.state import AcceptedReply, SandboxState

NETWORK = "bluesky"
BRAND_HANDLE = "lumo.app"
BRAND_NAME = "Lumo"
BRAND_FOLLOWERS = 41_300
BRAND_DID = did_for(BRAND_HANDLE)
POST = "app.bsky.feed.post"
# Token scopes, as the PDS writes them: app-password sessions and refresh tokens.
ACCESS = "com.atproto.appPass"
REFRESH = "com.atproto.refresh"
THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"
NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
ACCESS_TTL = 2 * 3600
REFRESH_TTL = 90 * 86_400
WINDOW = 300
CALL_LIMIT = 3000
LOGIN_LIMIT = 30
FAULT_WAIT = 10  # seconds a rate_limit fault asks to wait
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
_TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_DATETIME = regex.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_GRAPHEME = regex.compile(r"\X")
_MENTION = "@" + BRAND_HANDLE


class XrpcError(Exception):
    """An answer in the PDS's error shape."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def response(self) -> JSONResponse:
        """The error as the PDS answers it."""
        return JSONResponse({"error": self.error, "message": self.message}, self.status)


@dataclass
class Post:
    """A post the twin knows, with why the brand is notified of it (``reason``)."""

    uri: str
    cid: str
    did: str
    handle: str
    name: str | None
    record: dict[str, Any]
    indexed_ms: int
    parent: str | None
    root: str | None
    reason: str | None  # why the brand is notified; None for the brand's own posts
    subject: str | None = None

    @property
    def indexed(self) -> str:
        """indexedAt, as the AppView writes it."""
        return _iso_ms(self.indexed_ms)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _ms(iso: str) -> int | None:
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def cid_for(*parts: str) -> str:
    """A CIDv1 (dag-cbor, sha-256) lookalike: 'bafyrei' and 52 base32 characters."""
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def app_password(seed: int) -> str:
    """The sandbox account's app password, in Bluesky's xxxx-xxxx-xxxx-xxxx form."""
    digest = hashlib.sha256(f"cm-inbox sandbox bluesky {seed}".encode()).digest()
    letters = base64.b32encode(digest).decode().lower()[:16]
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


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


class BlueskyTwin:
    """The PDS's memory for one SandboxState: sessions, logins, posts written, seenAt."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.password = app_password(state.seed)
        self.secret = hashlib.sha256(f"sandbox jwt {state.seed}".encode()).digest()
        self.serial = 0  # tokens carry the serial they were issued with
        self.revoked_upto = 0
        self.spent: set[str] = set()  # refresh tokens used once already
        self.logins = 0
        self.login_times: list[float] = []
        self.calls: dict[int, int] = defaultdict(int)  # window start -> calls
        self.seen_ms: int | None = None
        self.created: dict[str, Post] = {}
        started = state.started - 15 * 86_400
        text = (
            "Lumo 4.2 is out: calendar view, offline mode and a faster sync. "
            "Tell us what you think! https://lumo.app/blog/4-2"
        )
        link = text.index("https://")
        self.announcement = self.own_post(
            tid(started * 1_000_000 << 10),
            {
                "$type": POST,
                "text": text,
                "createdAt": _iso_ms(started * 1000),
                "langs": ["en"],
                "facets": [_facet(link, len(text), "link", text[link:])],  # ASCII: bytes = chars
            },
            started * 1000,
        )
        self._key: tuple[int, int] | None = None
        self._by_uri: dict[str, Post] = {}
        self._children: dict[str, list[Post]] = {}
        self._authors: dict[str, tuple[str, str | None, int | None]] = {}

    # -- posts ------------------------------------------------------------------

    def own_post(self, rkey: str, record: dict[str, Any], ms: int) -> Post:
        """A post of the brand's, as written (createRecord) and indexed at ``ms``."""
        uri = f"at://{BRAND_DID}/{POST}/{rkey}"
        reply = record.get("reply") or {}
        return Post(
            uri, cid_for(uri, json.dumps(record, sort_keys=True)), BRAND_DID, BRAND_HANDLE,
            BRAND_NAME, record, ms, reply.get("parent", {}).get("uri"),
            reply.get("root", {}).get("uri"), None,
        )  # fmt: skip

    def _post_of(self, item: dict[str, Any]) -> Post:
        """A demo record as the post it stands for."""
        uri, text = item["id"], item["text"]
        author = item["author"]
        handle = author["handle"]
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": item["created_at"]}
        if item.get("language"):
            record["langs"] = [item["language"]]
        facets = []
        for found in regex.finditer(regex.escape(_MENTION) + r"(?![\w.-])", text):
            start = len(text[: found.start()].encode())
            facets.append(_facet(start, start + len(_MENTION.encode()), "mention", BRAND_DID))
        if facets:
            record["facets"] = facets
        parent, root = item.get("parent_id"), item.get("root_id")
        ours = handle == BRAND_HANDLE
        reason = subject = None
        if parent:
            record["reply"] = {
                "root": {"uri": root or parent, "cid": cid_for(root or parent)},
                "parent": {"uri": parent, "cid": cid_for(parent)},
            }
            reason, subject = "reply", parent
        elif facets:
            reason = "mention"
        else:
            # Not addressed by name: a quote of Lumo's announcement.
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": self.announcement.uri, "cid": self.announcement.cid},
            }
            reason, subject = "quote", self.announcement.uri
        # Indexed a few hundred milliseconds after the post, the same for every run.
        delay = int.from_bytes(hashlib.sha256(uri.encode()).digest()[:2], "big") % 1000
        return Post(
            uri, cid_for(uri), did_for(handle), handle, author.get("name"), record,
            int(item["_at"]) * 1000 + delay, parent, root or parent,
            None if ours else reason, None if ours else subject,
        )  # fmt: skip

    def posts(self) -> tuple[dict[str, Post], dict[str, list[Post]]]:
        """Every post the clock has reached, by uri, and the replies under each."""
        self._index()
        return self._by_uri, self._children

    def authors(self) -> dict[str, tuple[str, str | None, int | None]]:
        """did -> (handle, display name, followers) of everyone the sandbox knows."""
        self._index()
        return self._authors

    def _index(self) -> None:
        """Rebuild the indexes when the clock has revealed posts or the brand wrote one."""
        records = self.state.records(NETWORK)
        key = (len(records), len(self.created))
        if key == self._key:
            return
        by_uri = {self.announcement.uri: self.announcement}
        authors = {BRAND_DID: (BRAND_HANDLE, BRAND_NAME, BRAND_FOLLOWERS)}
        for item in records:
            post = by_uri[item["id"]] = self._post_of(item)
            author = item["author"]
            authors.setdefault(post.did, (post.handle, post.name, author.get("followers")))
        by_uri.update(self.created)
        children: dict[str, list[Post]] = defaultdict(list)
        for post in by_uri.values():
            if post.parent:
                children[post.parent].append(post)
        for replies in children.values():
            replies.sort(key=lambda p: (p.indexed_ms, p.uri))
        self._key, self._by_uri, self._children, self._authors = key, by_uri, children, authors

    # -- views (app.bsky.actor.defs, app.bsky.feed.defs) ------------------------------

    def profile(self, did: str, *, kind: str = "basic") -> dict[str, Any]:
        """actor.defs#profileViewBasic, #profileView ("full") or #profileViewDetailed."""
        handle, name, followers = self.authors().get(did, ("handle.invalid", None, None))
        view: dict[str, Any] = {"did": did, "handle": handle}
        if name:
            view["displayName"] = name
        view["avatar"] = f"https://cdn.bsky.app/img/avatar/plain/{did}/{cid_for(did)}@jpeg"
        view["viewer"] = {"muted": False, "blockedBy": False}
        view["labels"] = []
        view["createdAt"] = "2023-09-01T12:00:00.000Z"
        if kind != "basic":
            view["indexedAt"] = "2026-01-15T08:00:00.000Z"
        if kind == "detailed":
            view["followersCount"] = followers or 0
            view["followsCount"] = (followers or 0) % 997
            view["postsCount"] = sum(1 for p in self.posts()[0].values() if p.did == did)
        return view

    def post_view(self, post: Post, children: dict[str, list[Post]]) -> dict[str, Any]:
        """feed.defs#postView."""
        return {
            "uri": post.uri,
            "cid": post.cid,
            "author": self.profile(post.did),
            "record": post.record,
            "replyCount": len(children.get(post.uri, ())),
            "repostCount": 0,
            "likeCount": int(post.cid[-3:], 36) % 40,
            "quoteCount": 0,
            "indexedAt": post.indexed,
            "viewer": {"threadMuted": False},
            "labels": [],
        }

    def thread(self, post: Post, depth: int, height: int) -> dict[str, Any]:
        """feed.defs#threadViewPost: ``height`` parents up, ``depth`` levels of replies down."""
        by_uri, children = self.posts()
        node: dict[str, Any] = {"$type": THREAD_VIEW, "post": self.post_view(post, children)}
        chain, cursor = node, post
        for _ in range(height):  # the parents, each without its other replies
            if not cursor.parent:
                break
            parent = by_uri.get(cursor.parent)
            if parent is None:
                chain["parent"] = {"$type": NOT_FOUND, "uri": cursor.parent, "notFound": True}
                break
            chain["parent"] = {"$type": THREAD_VIEW, "post": self.post_view(parent, children)}
            chain, cursor = chain["parent"], parent
        node["replies"] = self._replies(post, depth, children)
        return node

    def _replies(self, post: Post, depth: int, children: dict[str, list[Post]]) -> list[Any]:
        if depth <= 0:
            return []
        return [
            {
                "$type": THREAD_VIEW,
                "post": self.post_view(child, children),
                "replies": self._replies(child, depth - 1, children),
            }
            for child in children.get(post.uri, ())
        ]

    def notification(self, post: Post) -> dict[str, Any]:
        """notification.listNotifications#notification."""
        item = {
            "uri": post.uri,
            "cid": post.cid,
            "author": self.profile(post.did, kind="full"),
            "reason": post.reason,
            "record": post.record,
            "isRead": self.seen_ms is not None and post.indexed_ms <= self.seen_ms,
            "indexedAt": post.indexed,
            "labels": [],
        }
        if post.subject:
            item["reasonSubject"] = post.subject
        return item

    # -- sessions -------------------------------------------------------------------

    def issue(self, scope: str) -> str:
        """A JWT signed by the sandbox: access ("at+jwt") or refresh ("refresh+jwt")."""
        now = int(self.state.now())
        self.serial += 1
        access = scope == ACCESS
        claims = {
            "scope": scope,
            "sub": BRAND_DID,
            "aud": "did:web:sandbox.invalid",
            "iat": now,
            "exp": now + (ACCESS_TTL if access else REFRESH_TTL),
            "jti": f"{self.serial}-{cid_for(str(now), str(self.serial))[-10:]}",
            "serial": self.serial,
            "gen": self.state.token_generation[NETWORK],
        }
        header = {"typ": "at+jwt" if access else "refresh+jwt", "alg": "HS256"}
        body = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return body + "." + _b64(hmac.new(self.secret, body.encode(), "sha256").digest())

    def session_body(self) -> dict[str, Any]:
        """createSession's and refreshSession's answer: a new token pair."""
        return {
            "accessJwt": self.issue(ACCESS),
            "refreshJwt": self.issue(REFRESH),
            "handle": BRAND_HANDLE,
            "did": BRAND_DID,
            "active": True,
        }

    def verify(self, request: Request, scope: str, *, optional: bool = False) -> dict | None:
        """The claims of the request's bearer token, or the PDS's refusal."""
        header = request.headers.get("authorization", "")
        if not header:
            if optional:
                return None
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        token = header.removeprefix("Bearer ").strip()
        try:
            body, _, signature = token.rpartition(".")
            expected = hmac.new(self.secret, body.encode(), "sha256").digest()
            if not hmac.compare_digest(_unb64(signature), expected):
                raise ValueError
            claims = json.loads(_unb64(body.split(".")[1]))
        except (ValueError, IndexError):
            raise XrpcError(400, "InvalidToken", "Token could not be verified") from None
        if claims.get("scope") != scope:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if NETWORK in self.state.revoked:
            self.revoked_upto = self.serial  # every session so far, for good
        revoked = claims["serial"] <= self.revoked_upto
        if scope == REFRESH:
            if revoked or claims["jti"] in self.spent:
                raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        elif revoked:
            raise XrpcError(401, "AuthenticationRequired", "Token has been revoked")
        if claims["exp"] <= self.state.now() or (
            scope == ACCESS and claims["gen"] < self.state.token_generation[NETWORK]
        ):
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return claims

    # -- rate limits ------------------------------------------------------------------

    def count_call(self) -> dict[str, str]:
        """Count one call against 3000 per 5 minutes; the RateLimit-* headers to send."""
        now = self.state.now()
        window = int(now // WINDOW * WINDOW)
        self.calls[window] += 1
        used = self.calls[window]
        headers = _limit_headers(CALL_LIMIT, CALL_LIMIT - used, window + WINDOW)
        if used > CALL_LIMIT:
            raise _TooMany(headers)
        return headers

    def count_login(self) -> dict[str, str]:
        """Count one createSession against 30 per 5 minutes; the headers to send."""
        now = self.state.now()
        self.login_times = [t for t in self.login_times if t > now - WINDOW]
        if len(self.login_times) >= LOGIN_LIMIT:
            raise _TooMany(_limit_headers(LOGIN_LIMIT, 0, int(self.login_times[0]) + WINDOW))
        self.login_times.append(now)
        oldest = int(self.login_times[0]) + WINDOW
        return _limit_headers(LOGIN_LIMIT, LOGIN_LIMIT - len(self.login_times), oldest)


class _TooMany(Exception):
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("rate limited")
        self.headers = headers

    def response(self) -> JSONResponse:
        """429 RateLimitExceeded, with the RateLimit-* headers."""
        body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        return JSONResponse(body, 429, headers=self.headers)


def _limit_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, remaining)),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{limit};w={WINDOW}",
    }


def _facet(start: int, end: int, kind: str, target: str) -> dict[str, Any]:
    key = "did" if kind == "mention" else "uri"
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": f"app.bsky.richtext.facet#{kind}", key: target}],
    }


_TWINS: weakref.WeakKeyDictionary[SandboxState, BlueskyTwin] = weakref.WeakKeyDictionary()


def twin_for(state: SandboxState) -> BlueskyTwin:
    """The Bluesky side of ``state`` (one per state, shared by every app built on it)."""
    with state.lock:
        twin = _TWINS.get(state)
        if twin is None:
            twin = _TWINS[state] = BlueskyTwin(state)
        return twin


Body = dict[str, Any] | None


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise XrpcError(400, "InvalidRequest", f'Params must have the property "{name}"')
    return value


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise XrpcError(400, "InvalidRequest", f"{name} must be an integer") from None
    if not low <= number <= high:
        raise XrpcError(400, "InvalidRequest", f"{name} must be between {low} and {high}")
    return number


def _need(body: Body, *names: str) -> dict[str, Any]:
    if body is None:
        raise XrpcError(400, "InvalidRequest", "Request body must be a JSON object")
    for name in names:
        if name not in body:
            raise XrpcError(400, "InvalidRequest", f'Input must have the property "{name}"')
    return body


# -- com.atproto.server, com.atproto.identity ---------------------------------------


def _create_session(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    body = _need(body, "identifier", "password")
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
    handle = _param(request, "handle").lower()
    for did, (known, _name, _followers) in twin.authors().items():
        if known == handle:
            return {"did": did}
    raise XrpcError(400, "HandleNotFound", "Unable to resolve handle")


# -- app.bsky (the AppView, through the PDS) ------------------------------------------


def _list_notifications(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    limit = _int_param(request, "limit", 50, 1, 100)
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
    notifications = [twin.notification(post) for post in page]
    if notifications and twin.state.take_fault(NETWORK, "malformed"):
        broken = notifications[min(1, len(notifications) - 1)]
        broken["author"] = {"did": broken["author"]["did"]}
        broken["record"] = {"$type": POST, "text": 42}
    out: dict[str, Any] = {"notifications": notifications, "priority": False}
    if len(items) > limit:
        out["cursor"] = f"{page[-1].indexed_ms}::{page[-1].cid}"
    if twin.seen_ms is not None:
        out["seenAt"] = _iso_ms(twin.seen_ms)
    return out


def _update_seen(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    seen = _need(body, "seenAt")["seenAt"]
    ms = _ms(seen) if isinstance(seen, str) and _DATETIME.match(seen) else None
    if ms is None:
        raise XrpcError(400, "InvalidRequest", "Input/seenAt must be an valid atproto datetime")
    twin.seen_ms = max(twin.seen_ms or 0, ms)
    return Response(status_code=200)


def _get_post_thread(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    uri = _param(request, "uri")
    depth = _int_param(request, "depth", 6, 0, 1000)
    height = _int_param(request, "parentHeight", 80, 0, 1000)
    post = twin.posts()[0].get(uri)
    if post is None:
        raise XrpcError(400, "NotFound", f"Post not found: {uri}")
    return {"thread": twin.thread(post, min(depth, 50), min(height, 200))}


def _get_posts(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    uris = request.query_params.getlist("uris")
    if len(uris) > 25:
        raise XrpcError(400, "InvalidRequest", "uris must not have more than 25 elements")
    by_uri, children = twin.posts()
    return {"posts": [twin.post_view(by_uri[u], children) for u in uris if u in by_uri]}


def _get_profiles(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    actors = request.query_params.getlist("actors")
    if len(actors) > 25:
        raise XrpcError(400, "InvalidRequest", "actors must not have more than 25 elements")
    known = twin.authors()
    by_handle = {handle: did for did, (handle, _n, _f) in known.items()}
    dids = [a if a in known else by_handle.get(a.lower()) for a in actors]
    return {"profiles": [twin.profile(d, kind="detailed") for d in dids if d]}


# -- com.atproto.repo -----------------------------------------------------------------


def _get_record(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS, optional=True)
    repo, collection, rkey = (_param(request, n) for n in ("repo", "collection", "rkey"))
    did = BRAND_DID if repo.lower() == BRAND_HANDLE else repo
    uri = f"at://{did}/{collection}/{rkey}"
    post = twin.posts()[0].get(uri)
    if post is None:
        raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
    return {"uri": post.uri, "cid": post.cid, "value": post.record}


def _create_record(twin: BlueskyTwin, request: Request, body: Body) -> Any:
    twin.verify(request, ACCESS)
    body = _need(body, "repo", "collection", "record")
    if body["repo"] not in (BRAND_DID, BRAND_HANDLE):
        raise XrpcError(400, "InvalidRequest", "Can not write to another account's repo")
    if body["collection"] != POST:
        raise XrpcError(400, "InvalidRequest", f"The sandbox keeps only {POST} records")
    now = twin.state.now()
    rkey = body.get("rkey")
    if rkey is None:
        rkey = tid(int(now * 1_000_000) << 10)
    elif not isinstance(rkey, str) or not _TID.match(rkey):
        raise XrpcError(400, "InvalidRequest", "Invalid record key: app.bsky.feed.post uses TIDs")
    record = body["record"]
    problem = _post_problem(record)
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


def _post_problem(record: Any) -> str | None:
    """What app.bsky.feed.post (lexicons/app/bsky/feed/post.json) forbids in ``record``.

    Facet ranges are also checked against the text, which the PDS leaves to
    the AppView: a range past the text is a client bug worth failing on here.
    """
    if not isinstance(record, dict):
        return "Record must be an object"
    if record.get("$type") != POST:
        return f"Record/$type must be {POST}"
    text = record.get("text")
    if not isinstance(text, str):
        return 'Record must have the property "text"'
    if len(_GRAPHEME.findall(text)) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    size = len(text.encode())
    if size > MAX_TEXT_BYTES:
        return f"Record/text must not be longer than {MAX_TEXT_BYTES} characters"
    created = record.get("createdAt")
    if not isinstance(created, str) or not _DATETIME.match(created) or _ms(created) is None:
        return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
    langs = record.get("langs", [])
    if not isinstance(langs, list) or len(langs) > 3 or not all(isinstance(x, str) for x in langs):
        return "Record/langs must be an array of at most 3 language codes"
    facets = record.get("facets", [])
    if not isinstance(facets, list):
        return "Record/facets must be an array"
    for n, facet in enumerate(facets):
        problem = _facet_problem(facet, size)
        if problem:
            return f"Record/facets/{n}{problem}"
    reply = record.get("reply")
    if reply is not None:
        if not isinstance(reply, dict):
            return "Record/reply must be an object"
        for part in ("root", "parent"):
            ref = reply.get(part)
            if not (
                isinstance(ref, dict)
                and isinstance(ref.get("uri"), str)
                and ref["uri"].startswith("at://")
                and isinstance(ref.get("cid"), str)
                and ref["cid"]
            ):
                return f"Record/reply/{part} must be a strong ref {{uri, cid}}"
    return None


def _facet_problem(facet: Any, size: int) -> str | None:
    if not isinstance(facet, dict):
        return " must be an object"
    index = facet.get("index")
    if not isinstance(index, dict):
        return ' must have the property "index"'
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
        return "/index must be a byte range inside the text"
    features = facet.get("features")
    if not isinstance(features, list) or not features:
        return ' must have the property "features"'
    for feature in features:
        kind = feature.get("$type") if isinstance(feature, dict) else None
        key = {"mention": "did", "link": "uri", "tag": "tag"}.get(
            str(kind).removeprefix("app.bsky.richtext.facet#")
        )
        if key is None or not isinstance(feature.get(key), str):
            return "/features must be mentions {did}, links {uri} or tags {tag}"
        if key == "did" and not feature["did"].startswith("did:"):
            return "/features/did must be a DID"
    return None


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
                    raise _TooMany(_limit_headers(CALL_LIMIT, 0, reset))
                headers = twin.count_login() if login else twin.count_call()
            except _TooMany as too_many:
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
