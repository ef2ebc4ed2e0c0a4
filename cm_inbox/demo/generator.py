"""The demo inbox as a stream of import records for Lumo, a fictional notes and calendar app.

Records come out oldest first (a reply may be nudged a second past its
neighbours, never before its parent), one at a time, so a million of them
cost no more memory than ten. Content (who says what, ids, threads, triage) is drawn
from one ``random.Random(seed)`` in a fixed order per record, so it depends on
the seed alone; times come from a second generator and are offsets before
``now``, so the same seed gives the same inbox whenever it is built.
"""

from __future__ import annotations

import math
import random
import time
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from cm_inbox.demo import words
from cm_inbox.demo.networks import ACCOUNTS, BrandAccount, Node, Styler
from cm_inbox.demo.people import Author, Crowd

SPAN = 14 * 86_400
# The newest record is this many seconds old, so a reply nudged one second
# after its parent still never lands in the future.
NEWEST = 90
HOURS = SPAN // 3600
# Hostile and featured records sit at these positions of every block, so the default 640
# records carry them all and a benchmark's million carry them throughout, whatever the seed.
BLOCK = 4096
HOSTILE_AT = {pos: n for n, pos in enumerate((29, 83, 131, 188, 245, 302, 377, 433, 509))}
FEATURED_AT = {
    pos: n for n, pos in enumerate((12, 47, 96, 150, 207, 266, 333, 399, 470, 541, 588, 611, 630))
}
REPLY_CHANCE = 0.4
T = TypeVar("T")

KIND_WEIGHTS = (
    ("question", 26),
    ("bug", 18),
    ("complaint", 11),
    ("praise", 15),
    ("purchase", 7),
    ("feature", 9),
    ("spam", 6),
    ("crisis", 1.5),
    ("chatter", 6.5),
)
# How likely a top-level comment of each kind draws replies.
THREAD_CHANCE = {
    "question": 0.33,
    "bug": 0.36,
    "complaint": 0.3,
    "praise": 0.12,
    "purchase": 0.26,
    "feature": 0.22,
    "spam": 0.0,
    "crisis": 0.7,
    "chatter": 0.18,
}
REPLY_LENGTHS = ((1, 30), (2, 25), (3, 20), (4, 14), (5, 11))
# What other people answer to each kind of comment (pools of words.REPLIES).
OTHER_POOLS = {
    "question": ("tip", "curious", "tip"),
    "bug": ("same", "fix", "disagree", "same"),
    "complaint": ("same", "defend"),
    "praise": ("praise",),
    "chatter": ("praise",),
    "purchase": ("purchase", "curious"),
    "feature": ("wish",),
    "crisis": ("crisis",),
}
# What the original poster says back once the brand has answered.
AFTER_BRAND = {
    "bug": ("ok", "ko", "dm"),
    "question": ("ok", "thanks"),
    "complaint": ("dm",),
    "crisis": ("dm",),
}
# The emoji a message may end on follows its mood, by kind or by reply pool.
MOODS = {
    "bug": "down",
    "complaint": "down",
    "crisis": "down",
    "same": "down",
    "ko": "down",
    "bump": "down",
    "praise": "up",
    "chatter": "up",
    "feature": "up",
    "wish": "up",
    "ok": "up",
    "thanks": "up",
}
KIND_LABELS = {"bug": "bug", "purchase": "billing", "feature": "feature-request", "crisis": "legal"}
PLATFORM_LABELS = {
    "android": ("Android", "Pixel", "Galaxy", "Samsung", "Xiaomi"),
    "ios": ("iOS", "iPad", "iPhone"),
}


def _table(pairs: Sequence[tuple[T, float]], size: int = 1000) -> tuple[T, ...]:
    """A lookup table for weighted picks by one random index (faster than random.choices)."""
    total = sum(weight for _, weight in pairs)
    table: list[T] = []
    for value, weight in pairs:
        table.extend([value] * round(size * weight / total))
    return tuple(table)


@lru_cache(maxsize=64)
def _day(day: int) -> str:
    return time.strftime("%Y-%m-%dT", time.gmtime(day * 86_400))


def iso(seconds: int) -> str:
    """ISO-8601 UTC with a Z, as records carry times (the date part cached: 14 days in all)."""
    day, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    return f"{_day(day)}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


class Timeline:
    """Spreads ``count`` records over the 14 days before now: denser lately, quieter at night.

    The density is a table of hourly weights; record ``i`` goes where the
    cumulative weight reaches ``(i + jitter) / count``, so times rise with ``i``.
    """

    def __init__(self, count: int, seed: int) -> None:
        self.count = max(count, 1)
        self.jitter = random.Random(seed * 7919 + 17).random
        weights = []
        for index in range(HOURS):
            hours_ago = HOURS - 1 - index
            recency = 1.0 + 2.5 * math.exp(-hours_ago / 60)
            # Times are offsets, so the rhythm assumes "now" is a European morning (the tests'
            # 10:00 UTC): quietest around 03:00, busiest mid-afternoon.
            daily = 1.0 + 0.6 * math.cos(2 * math.pi * (hours_ago - 19) / 24)
            weights.append(recency * daily)
        self.weights = weights
        self.cumulative = [0.0]
        for weight in weights:
            self.cumulative.append(self.cumulative[-1] + weight)
        self.total = self.cumulative[-1]
        self.bucket_seconds = (SPAN - 60 - NEWEST) / HOURS

    def offset(self, index: int) -> int:
        """Seconds before now of record ``index``."""
        target = (index + self.jitter()) / self.count * self.total
        bucket = min(bisect_right(self.cumulative, target) - 1, HOURS - 1)
        within = (target - self.cumulative[bucket]) / self.weights[bucket]
        return NEWEST + int((HOURS - bucket - within) * self.bucket_seconds)


class Thread:
    """A conversation still going: who started it, where it stands, what comes next."""

    __slots__ = (
        "account",
        "language",
        "kind",
        "root",
        "last",
        "asker",
        "script",
        "step",
        "place",
        "said",
        "template",
    )

    def __init__(
        self,
        account: BrandAccount,
        language: str,
        kind: str,
        root: Node,
        script: list[str],
        place: list[Any],
    ) -> None:
        self.account = account
        self.language = language
        self.kind = kind
        self.root = root
        self.last = root
        self.asker = root[1]
        self.script = script
        self.step = 0
        self.place = place  # per network: reddit post, youtube video, discourse topic
        self.said = kind  # what the last message did: its reply pool, or "brand"
        self.template = ""  # the last reply's template, so nobody echoes it word for word


class Slots(dict):
    """Fills template slots on demand from the language's pools, remembering each pick."""

    def __init__(self, pools: dict[str, tuple[str, ...]], rnd: Callable[[], float]) -> None:
        super().__init__()
        self.pools = pools
        self.rnd = rnd

    def __missing__(self, key: str) -> str:
        pool = self.pools[key]
        value = pool[int(self.rnd() * len(pool))]
        self[key] = value
        return value


def _platform_labels() -> dict[str, str]:
    """Which label each platform slot value implies (Pixel → android)."""
    found: dict[str, str] = {}
    for pools in words.SLOTS.values():
        for value in pools["platform"]:
            for label, markers in PLATFORM_LABELS.items():
                if any(marker in value for marker in markers):
                    found[value] = label
    return found


_PLATFORM_LABEL = _platform_labels()


class DemoStream:
    """One stream's state: its random source, the people it knows, the threads still open."""

    def __init__(self, seed: int, now: int) -> None:
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.now = now
        self.threads: list[Thread] = []
        self.style = Styler(self.rng)
        self.people = Crowd(seed, self.rnd)
        self.account_table = _table([(account, account.weight) for account in ACCOUNTS])
        self.first_account: dict[str, BrandAccount] = {}
        for account in ACCOUNTS:
            self.first_account.setdefault(account.network, account)
        self.language_tables = {a.name: _table(a.languages, 100) for a in ACCOUNTS}
        self.kind_table = _table(KIND_WEIGHTS)
        self.length_table = _table(REPLY_LENGTHS, 100)
        self.slot_pools = {
            lang: {**words.SLOTS[lang], **words.COMMON_SLOTS} for lang in words.LANGUAGES
        }
        self.brand = {a.name: (a.handle, a.display, a.followers) for a in ACCOUNTS}
        self.accounts = {a.name: a for a in ACCOUNTS}

    def pick(self, pool: Sequence[T]) -> T:
        """One item of ``pool``, uniformly."""
        return pool[int(self.rnd() * len(pool))]

    def next(self, index: int, created_at: int) -> tuple[dict[str, Any], str]:
        """Record ``index`` of the stream and its kind (question, bug, …, hostile)."""
        position = index % BLOCK
        if position in HOSTILE_AT:
            return self.hostile(words.HOSTILE[HOSTILE_AT[position]], created_at), "hostile"
        if position in FEATURED_AT:
            return self.start(created_at, words.FEATURED[FEATURED_AT[position]])
        threads = self.threads
        if threads and self.rnd() < REPLY_CHANCE:
            # Recent conversations are the ones that get answered.
            thread = threads[len(threads) - 1 - int(self.rnd() * min(len(threads), 10))]
            return self.reply(thread, created_at), thread.kind
        return self.start(created_at)

    # Conversations ----------------------------------------------------------

    def start(
        self, created_at: int, featured: tuple[str, str, str, str | None, str] | None = None
    ) -> tuple[dict[str, Any], str]:
        """A new top-level comment (drawn, or ``featured`` as written), which may open a thread."""
        slots = Slots({}, self.rnd)
        if featured is None:
            account = self.account_table[int(self.rnd() * len(self.account_table))]
            language = self.pick(self.language_tables[account.name])
            kind = self.pick(self.kind_table)
            slots = Slots(self.slot_pools[language], self.rnd)
            body = self.pick(words.TEMPLATES[language][kind]).format_map(slots)
            if kind != "spam":
                body = self.roughen(body, language, MOODS.get(kind, "neutral"), sign_off=True)
        else:
            name, language, kind, persona, body = featured
            account = self.accounts[name]
        network = account.network
        if featured is not None and featured[3] is not None:
            author = self.people.persona(featured[3], network)
        else:
            author = (
                self.people.spammer(network)
                if kind == "spam"
                else self.people.person(network, language)
            )
        script = self.script(kind)
        place = self.style.place(network, body)
        remote_id, url, text, html = self.style.emit(
            account, place, None, None, author[0], body, slots.get("link")
        )
        status = "replied" if script and script[0] == "brand" else self.triage(kind)
        labels = self.labels(kind, slots, author, status)
        node: Node = (remote_id, author, created_at, 1)
        if script:
            self.threads.append(Thread(account, language, kind, node, script, place))
            if len(self.threads) > 40:
                del self.threads[0]  # left unanswered, as real threads often are
        record = self.record(account, node, None, text, url, language, html, status, labels)
        return record, kind

    def script(self, kind: str) -> list[str]:
        """Who speaks next in a new thread, in order: "other", "asker" or "brand"."""
        if self.rnd() >= THREAD_CHANCE[kind]:
            return []
        roles: list[str] = []
        for _ in range(self.pick(self.length_table)):
            previous = roles[-1] if roles else "asker"
            chance = self.rnd()
            if previous == "brand":
                role = "asker" if chance < 0.7 else "other"
            elif "brand" not in roles and chance < 0.1:
                role = "brand"
            elif previous != "asker" and chance < 0.55:
                role = "asker"
            else:
                role = "other"
            roles.append(role)
        return roles

    def reply(self, thread: Thread, created_at: int) -> dict[str, Any]:
        """The next message of an open thread, following its script."""
        role = thread.script[thread.step]
        thread.step += 1
        following = thread.script[thread.step] if thread.step < len(thread.script) else None
        if following is None:
            self.threads.remove(thread)
        account, language, kind = thread.account, thread.language, thread.kind
        addressed = thread.last
        linear = True
        if account.network == "youtube":
            parent = (
                thread.root
            )  # YouTube threads are one level deep: every reply hangs off the top
        elif (
            role != "brand"
            and following != "brand"
            and thread.last is not thread.root
            and self.rnd() < 0.2
        ):
            parent = addressed = thread.root
            linear = False
        else:
            parent = thread.last
        slots = Slots(self.slot_pools[language], self.rnd)
        if role == "brand":
            author = self.brand[account.name]
            body = self.pick(words.BRAND[language][kind]).format_map(slots)
        else:
            if role == "asker":
                author = thread.asker
                pool = self.asker_pool(kind, thread.said)
            else:
                author = self.people.person(account.network, language)
                pool = self.pick(OTHER_POOLS[kind])
            choices = words.REPLIES[language][pool]
            template = self.pick(choices)
            if template == thread.template and len(choices) > 1:
                template = choices[(choices.index(template) + 1) % len(choices)]
            thread.template = template
            body = self.roughen(template.format_map(slots), language, MOODS.get(pool, "neutral"))
        thread.said = "brand" if role == "brand" else pool
        # A reply is always later than what it answers, even when two land in the same second.
        created_at = max(created_at, thread.last[2] + 1)
        remote_id, url, text, html = self.style.emit(
            account, thread.place, parent, addressed, author[0], body, None
        )
        if following == "brand" and linear:
            status: str | None = "replied"
        elif role == "brand":
            status = "done"
        else:
            status = self.triage(kind, in_thread=True)
        node: Node = (remote_id, author, created_at, parent[3] + 1)
        if linear:
            thread.last = node
        labels = self.labels(kind, slots, author, status) if role != "brand" else []
        return self.record(
            account, node, (parent[0], thread.root[0]), text, url, language, html, status, labels
        )

    def asker_pool(self, kind: str, said: str) -> str:
        """What the original poster answers, given what was said to them last."""
        if kind in ("praise", "chatter"):
            return "praise"
        if said == "brand":
            return self.pick(AFTER_BRAND.get(kind, ("thanks",)))
        if said in ("fix", "tip", "purchase"):
            return "ok" if self.rnd() < 0.6 else "ko"
        return "bump"

    def triage(self, kind: str, in_thread: bool = False) -> str | None:
        """The status a community manager already gave the comment, if any (about one in seven)."""
        chance = self.rnd()
        if kind == "spam":
            return "spam" if chance < 0.72 else None
        # Escalations start from the message that raised the alarm, not from the replies under it.
        if not in_thread and (kind == "crisis" and chance < 0.5 or kind == "bug" and chance < 0.04):
            return "escalated"
        chance = self.rnd() * (2.0 if in_thread else 1.0)
        if chance < 0.02:
            return "done"
        if chance < 0.045:
            return "replied"
        if chance < 0.056:
            return "snoozed"
        return None

    def labels(self, kind: str, slots: Slots, author: Author, status: str | None) -> list[str]:
        """Labels on some comments, mostly those already triaged."""
        if status == "spam":
            return []
        # Influencers get flagged whatever they say; topic labels mostly come with triage.
        labels = ["vip"] if (author[2] or 0) > 50_000 and self.rnd() < 0.6 else []
        if self.rnd() >= (0.8 if status else 0.18):
            return labels
        if kind in KIND_LABELS:
            labels.append(KIND_LABELS[kind])
        platform = _PLATFORM_LABEL.get(slots.get("platform", ""))
        if platform:
            labels.append(platform)
        return labels

    def roughen(self, text: str, language: str, mood: str, sign_off: bool = False) -> str:
        """Make a template read like someone typed it: casing, typos, emoji, sign-offs."""
        rnd = self.rnd
        chance = rnd()
        if chance < 0.07:
            text = text.lower()
        elif chance < 0.11:
            text = text.rstrip("?!. ")
        if rnd() < 0.05 and len(text) > 12:
            at = 3 + int(rnd() * (len(text) - 6))
            if text[at].isalpha() and text[at + 1].isalpha():
                text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        chance = rnd()
        if chance < 0.14:
            text += " " + self.pick(words.EMOJI[mood])
        elif chance < 0.24 and sign_off:  # "thx", "svp": how people end asking, not answering
            text += self.pick(words.SIGN_OFFS[language])
        return text

    def hostile(
        self, entry: tuple[str, str, str | None, str | None], created_at: int
    ) -> dict[str, Any]:
        """A top-level comment carrying a string the app must show as typed."""
        network, language, text, html = entry
        account = self.first_account[network]
        author = self.people.person(network, language)
        body = text if text is not None else "embed widget"
        place = self.style.place(network, body)
        remote_id, url, shown, markup = self.style.emit(
            account, place, None, None, author[0], body, None
        )
        node: Node = (remote_id, author, created_at, 1)
        record = self.record(account, node, None, shown, url, language, html or markup, None, [])
        if text is None:
            del record[
                "text"
            ]  # only the HTML, as some exports carry it: the import derives the text
        return record

    def record(
        self,
        account: BrandAccount,
        node: Node,
        ancestry: tuple[str, str] | None,
        text: str,
        url: str,
        language: str,
        html: str | None,
        status: str | None,
        labels: list[str],
    ) -> dict[str, Any]:
        """One import record (see cm_inbox.records)."""
        remote_id, author, created_at, _depth = node
        record: dict[str, Any] = {
            "network": account.network,
            "account": account.name,
            "id": remote_id,
            "parent_id": ancestry[0] if ancestry else None,
            "root_id": ancestry[1] if ancestry else None,
            "author": {"handle": author[0], "name": author[1], "followers": author[2]},
            "text": text,
            "created_at": iso(created_at),
            "url": url,
            "language": language,
            **_traction(remote_id),
        }
        if html is not None:
            record["html"] = html
        if status is not None:
            record["status"] = status
            if status == "snoozed":
                record["snoozed_until"] = iso(self.now + 3600 * (6 + int(self.rnd() * 90)))
        if labels:
            record["labels"] = labels
        return record


def _traction(remote_id: str) -> dict[str, int]:
    """Likes, reposts and replies with the long tail real comments have (most get none).

    Drawn from a hash of the id rather than the generator's random stream, so the
    demo's texts and triage stay the same whatever is added here.
    """
    mix = zlib.crc32(remote_id.encode())
    spread = [((mix >> shift) & 0x3FF) / 1024 for shift in (0, 10, 20)]
    return {
        "likes": int(spread[0] ** 5 * 600),
        "reposts": int(spread[1] ** 7 * 120),
        "replies": int(spread[2] ** 6 * 40),
    }


def iter_tagged(
    *, seed: int = 7, now: int, count: int = 640
) -> Iterator[tuple[dict[str, Any], str]]:
    """Like ``iter_records``, with each record's kind ("question", "bug", …, "hostile")."""
    now = int(now)
    stream = DemoStream(seed, now)
    timeline = Timeline(count, seed)
    for index in range(count):
        yield stream.next(index, now - timeline.offset(index))


def iter_records(*, seed: int = 7, now: int, count: int = 640) -> Iterator[dict[str, Any]]:
    """Stream ``count`` demo records (the format of cm_inbox.records), oldest first.

    The same ``seed`` gives the same people, words, ids and threads; times are
    spread over the 14 days before ``now``, never after it. Parents always
    come before their replies, in the stream and in time.
    """
    now = int(now)
    stream = DemoStream(seed, now)
    timeline = Timeline(count, seed)
    for index in range(count):
        yield stream.next(index, now - timeline.offset(index))[0]


def generate_records(*, seed: int = 7, now: int, count: int = 640) -> list[dict[str, Any]]:
    """All of ``iter_records`` as a list, for tests and small demos."""
    return list(iter_records(seed=seed, now=now, count=count))
