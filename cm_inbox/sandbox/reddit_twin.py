"""The machinery of the sandbox Reddit: the brand's posts, comments, tokens, rate limits.

The routes are in ``cm_inbox.sandbox.reddit``. Shapes follow the praw and
asyncpraw recordings in tests/conformance/reddit: inbox items in the message
form (``subject``, ``type``, ``context``, ``was_comment``), thread comments in
the comment form (``link_id``, ``permalink``, ``replies`` as a Listing or "").
"""

from __future__ import annotations

import hashlib
import html
import re
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cm_inbox.demo.networks import ACCOUNTS, REDDIT_POSTS
from cm_inbox.sandbox.state import SandboxState

NETWORK = "reddit"
PREFIX = "/reddit"  # every path of this twin, so none collides with another network's
SUBREDDIT = "lumo"
CLIENT_ID = "cmInboxSandbox"  # the installed app's id, as reddit.com/prefs/apps shows one
WINDOW_S = 600  # Reddit counts calls per 10-minute window
LIMIT = 1000  # 100 a minute, averaged over the window
TOKEN_S = 3600
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def brand_username() -> str:
    return next(a.handle for a in ACCOUNTS if a.network == NETWORK)


def refresh_token_for(seed: int) -> str:
    """The brand's refresh token, fixed by the seed (Reddit's look: digits, a dash, letters)."""
    digest = hashlib.sha256(f"cm-inbox sandbox reddit {seed}".encode()).hexdigest()
    return f"{int(digest[:10], 16) % 10**12}-{digest[10:40]}"


@dataclass(slots=True)
class Thing:
    """A post (t3) or a comment (t1) of r/lumo."""

    name: str
    author: str
    body: str
    at: float
    parent: str  # a t1 or t3 fullname; "" for a post
    link: str  # the post's fullname
    title: str = ""
    removed: bool = False
    spam: bool = False

    @property
    def id(self) -> str:
        return self.name.split("_", 1)[1]

    @property
    def kind(self) -> str:
        return self.name[:2]


@dataclass(slots=True)
class Access:
    generation: int
    expires: float


@dataclass(slots=True)
class Index:
    key: tuple[int, ...]
    things: dict[str, Thing] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    inbox: list[Thing] = field(default_factory=list)  # newest first


class RedditTwin:
    """The twin's state beside the shared ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.brand = brand_username()
        self.refresh_tokens = {refresh_token_for(state.seed)}
        self.access: dict[str, Access] = {}
        self.codes: set[str] = set()
        self.posted: list[Thing] = []
        self.read: set[str] = set()
        self.removed: dict[str, bool] = {}  # fullname → as spam
        self.hits: dict[tuple[str, int], int] = {}
        self.serial = 0
        self.next_comment = int("zzz0000", 36)  # above every generated id
        self._index: Index | None = None
        started = state.started - 30 * 86_400
        self.posts = {
            f"t3_{post_id}": Thing(
                f"t3_{post_id}",
                self.brand,
                "",
                started + n * 86_400,
                "",
                f"t3_{post_id}",
                title=slug.replace("_", " ").capitalize(),
            )
            for n, (post_id, slug) in enumerate(REDDIT_POSTS)
        }

    # -- what exists -----------------------------------------------------------------

    def index(self) -> Index:
        records = self.state.records(NETWORK)
        key = (len(records), len(self.posted), len(self.removed))
        if self._index is not None and self._index.key == key:
            return self._index
        index = Index(key, dict(self.posts))
        for record in records:
            article = _article(record.get("url") or "")
            if article is None:
                continue
            link = f"t3_{article}"
            thing = Thing(
                record["id"],
                record["author"]["handle"],
                record.get("text") or "",
                float(record["_at"]),
                record.get("parent_id") or link,
                link,
            )
            index.things[thing.name] = thing
            if thing.author != self.brand:
                index.inbox.append(thing)
        for thing in self.posted:
            index.things[thing.name] = thing
        for name, spam in self.removed.items():
            if name in index.things:
                index.things[name].removed, index.things[name].spam = True, spam
        for thing in sorted(index.things.values(), key=lambda t: (t.at, t.name)):
            if thing.parent:
                index.children.setdefault(thing.parent, []).append(thing.name)
        index.inbox.sort(key=lambda t: (t.at, t.name), reverse=True)
        self._index = index
        return index

    def new_comment(self, author: str, body: str, parent: Thing) -> Thing:
        self.next_comment += 1
        thing = Thing(
            "t1_" + base36(self.next_comment),
            author,
            body,
            self.state.now(),
            parent.name,
            parent.link,
        )
        self.posted.append(thing)
        return thing

    # -- tokens and limits --------------------------------------------------------------

    def issue(self) -> tuple[str, int]:
        self.serial += 1
        digest = hashlib.sha256(f"{self.state.seed} {self.serial}".encode()).hexdigest()
        token = f"eyJhbGciOiJSUzI1NiJ9.{digest}"
        self.access[token] = Access(
            self.state.token_generation[NETWORK], self.state.now() + TOKEN_S
        )
        return token, TOKEN_S

    def token_ok(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        access = self.access.get(token.strip()) if scheme.lower() == "bearer" else None
        return (
            access is not None
            and NETWORK not in self.state.revoked
            and access.generation >= self.state.token_generation[NETWORK]
            and access.expires > self.state.now()
        )

    def rate_headers(self, key: str) -> tuple[dict[str, str], bool]:
        now = self.state.now()
        window = int(now) // WINDOW_S
        used = self.hits.get((key, window), 0) + 1
        self.hits = {k: v for k, v in self.hits.items() if k[1] >= window}
        self.hits[(key, window)] = used
        limit = self.state.call_limits.get(NETWORK, LIMIT)
        headers = {
            "x-ratelimit-used": str(used),
            "x-ratelimit-remaining": f"{max(0, limit - used):.1f}",
            "x-ratelimit-reset": str(WINDOW_S - int(now) % WINDOW_S),
        }
        return headers, used > limit

    # -- shapes ----------------------------------------------------------------------

    def as_message(self, thing: Thing) -> dict[str, Any]:
        """An inbox item, as /message/inbox lists a comment reply (TestInbox cassettes)."""
        index = self.index()
        post = index.things.get(thing.link)
        top = thing.parent == thing.link
        return {
            "first_message": None,
            "first_message_name": None,
            "subreddit": SUBREDDIT,
            "likes": None,
            "replies": "",
            "author_fullname": author_fullname(thing.author),
            "id": thing.id,
            "subject": "post reply" if top else "comment reply",
            "associated_awarding_id": None,
            "score": 1,
            "author": thing.author,
            "num_comments": len(index.children.get(thing.link, ())),
            "parent_id": thing.parent,
            "subreddit_name_prefixed": f"r/{SUBREDDIT}",
            "new": thing.name not in self.read,
            "type": "post_reply" if top else "comment_reply",
            "body": thing.body,
            "link_title": post.title if post else "",
            "dest": self.brand,
            "was_comment": True,
            "body_html": markdown_html(thing.body),
            "name": thing.name,
            "created": thing.at,
            "created_utc": thing.at,
            "context": self.permalink(thing) + "?context=3",
            "distinguished": None,
        }

    def as_comment(self, thing: Thing, *, depth: int = 0, tree: bool = False) -> dict[str, Any]:
        """A comment (or the post) as threads and /api/info show it, replies nested when ``tree``."""
        index = self.index()
        if thing.kind == "t3":
            return {
                "name": thing.name,
                "id": thing.id,
                "author": thing.author,
                "title": thing.title,
                "selftext": thing.body,
                "selftext_html": markdown_html(thing.body) if thing.body else None,
                "created": thing.at,
                "created_utc": thing.at,
                "subreddit": SUBREDDIT,
                "num_comments": sum(
                    1 for t in index.things.values() if t.link == thing.name and t.kind == "t1"
                ),
                "score": 42,
                "permalink": self.permalink(thing),
                "url": "https://www.reddit.com" + self.permalink(thing),
            }
        replies: Any = ""
        if tree and index.children.get(thing.name):
            replies = listing(
                [
                    {
                        "kind": "t1",
                        "data": self.as_comment(index.things[c], depth=depth + 1, tree=True),
                    }
                    for c in index.children[thing.name]
                ]
            )
        return {
            "subreddit_id": "t5_2lumo0",
            "link_id": thing.link,
            "likes": None,
            "replies": replies,
            "id": thing.id,
            "author": thing.author,
            "author_fullname": author_fullname(thing.author),
            "created": thing.at,
            "created_utc": thing.at,
            "parent_id": thing.parent,
            "subreddit": SUBREDDIT,
            "subreddit_name_prefixed": f"r/{SUBREDDIT}",
            "body": thing.body,
            "body_html": markdown_html(thing.body),
            "name": thing.name,
            "permalink": self.permalink(thing),
            "score": 1,
            "ups": 1,
            "depth": depth,
            "removed": thing.removed,
            "spam": thing.spam,
            "distinguished": None,
        }

    def permalink(self, thing: Thing) -> str:
        post = self.posts.get(thing.link)
        slug = post.title.lower().replace(" ", "_") if post else "_"
        article = thing.link.split("_", 1)[1]
        if thing.kind == "t3":
            return f"/r/{SUBREDDIT}/comments/{article}/{slug}/"
        return f"/r/{SUBREDDIT}/comments/{article}/{slug}/{thing.id}/"


def listing(children: list[dict[str, Any]], *, after: str | None = None,
            before: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": before,
        },
    }


def author_fullname(author: str) -> str:
    return "t2_" + hashlib.blake2b(author.encode(), digest_size=4).hexdigest()


def base36(value: int) -> str:
    out = ""
    while value:
        value, digit = divmod(value, 36)
        out = BASE36[digit] + out
    return out or "0"


_ARTICLE = re.compile(r"/comments/([0-9a-z]+)/")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")


def _article(url: str) -> str | None:
    match = _ARTICLE.search(urlsplit(url).path)
    return match.group(1) if match else None


def markdown_html(body: str) -> str:
    """Reddit's rendering of the Markdown it keeps, for what this sandbox is sent:
    paragraphs, line breaks and [text](url) links, everything else escaped."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        escaped = html.escape(block, quote=False)
        linked = _LINK.sub(
            lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', escaped
        )
        paragraphs.append("<p>" + linked.replace("\n", "<br/>\n") + "</p>")
    return '<!-- SC_OFF --><div class="md">' + "\n\n".join(paragraphs) + "\n</div><!-- SC_ON -->"


_TWINS: weakref.WeakKeyDictionary[SandboxState, RedditTwin] = weakref.WeakKeyDictionary()


def twin_for(state: SandboxState) -> RedditTwin:
    """The Reddit side of ``state`` (one per state, shared by every app built on it)."""
    with state.lock:
        twin = _TWINS.get(state)
        if twin is None:
            twin = _TWINS[state] = RedditTwin(state)
        return twin
