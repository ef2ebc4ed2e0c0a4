"""The composer's checks as the user types, against 10,000 past replies.

Measures, on one core, in-process:

- ``index_build_ms``: reducing 10,000 past replies for comparison (once, when
  the composer opens);
- ``load_index_ms``: reading them from a real store and reducing them
  (``sameness.load_index``), with ``--store``;
- ``sameness_p50_ms`` / ``p95`` / ``max``: one ``SamenessIndex.compare`` of a
  draft, over drafts as they grow key by key: near-copies of past replies
  (flagged), fresh words (not flagged), and every prefix in between;
- ``check_draft_p50_ms`` / ``p95``: every draft check at once with the demo's
  brand book, the bundled templates and the same 10,000 replies: what the
  composer runs on a key press.

The target is under 30 ms per check, so it can run on each (debounced) key.

    .venv/bin/python benchmarks/sameness.py [--replies 10000] [--store]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cm_inbox.brand_file import demo_brand_book  # noqa: E402
from cm_inbox.compose import DraftContext, check_draft  # noqa: E402
from cm_inbox.demo import words  # noqa: E402
from cm_inbox.model import Author, Comment, Status  # noqa: E402
from cm_inbox.model.context import PastReply  # noqa: E402
from cm_inbox.sameness import DAY, SamenessIndex, compare_draft  # noqa: E402
from cm_inbox.template_files import load_library  # noqa: E402
from cm_inbox.templates import render  # noqa: E402

NOW = 1_795_168_800
EXTRAS = (
    "",
    " Thanks for your patience!",
    " We'll post an update here.",
    " Let us know if that helps.",
    " Have a lovely day.",
    " (It's fixed in {version}.)",
    " Our DMs are open if you need more.",
)


def comment_for(rng: random.Random, language: str = "en") -> Comment:
    first = rng.choice(words.FIRST_NAMES[language])
    last = rng.choice(words.LAST_NAMES[language])
    handle = f"{first.lower()}{rng.randint(1, 999)}.bsky.social"
    return Comment(
        id=rng.randint(1, 10**9),
        network="bluesky",
        account="lumo.app",
        account_id=1,
        remote_id="r",
        parent_remote_id=None,
        root_remote_id="r",
        author=Author(id=1, network="bluesky", handle=handle, display_name=f"{first} {last}"),
        text="Is Lumo down? nothing loads",
        created_at=NOW,
        fetched_at=NOW,
        status=Status.NEW,
        language=language,
    )


def past_replies(count: int, seed: int = 7) -> list[PastReply]:
    """What a brand sends in a busy month: template variants and the demo's own answers,
    each to a different person, with a sentence added now and then."""
    rng = random.Random(seed)
    library = load_library()
    brand = demo_brand_book()
    pool: list[str] = []
    for answers in words.BRAND["en"].values():
        pool.extend(answers)
    replies = []
    for number in range(count):
        comment = comment_for(rng)
        if rng.random() < 0.6:
            template = rng.choice(library.templates)
            variant = rng.randrange(len(template.texts["en"].variants))
            text = render(template, comment, brand, language="en", variant=variant).text
        else:
            text = rng.choice(pool)
        text += rng.choice(EXTRAS).format(version=rng.choice(words.COMMON_SLOTS["version"]))
        replies.append(
            PastReply(
                id=number,
                comment_id=number,
                network="bluesky",
                text=text,
                at=NOW - rng.randrange(30 * DAY),
                author_handle=comment.author.handle,
                author_name=comment.author.display_name,
            )
        )
    replies.sort(key=lambda reply: -reply.at)
    return replies


def drafts(replies: list[PastReply], seed: int = 11) -> list[str]:
    """Drafts as typed: every 8th prefix of near-copies and of fresh replies."""
    rng = random.Random(seed)
    finished = []
    for _ in range(15):
        finished.append(rng.choice(replies).text.replace("Thanks", "Thank you"))
    fresh = (
        "Hi Emma, the calendar view now remembers the week you were on, try it after updating!",
        "Hello Noah, we moved the export button to Settings > Data; it is the second item there.",
        "Hey Ava, good catch: the widget ignores dark mode on Android 14, a fix is being tested.",
    )
    finished.extend(fresh * 5)
    typed = []
    for text in finished:
        typed.extend(text[:end] for end in range(8, len(text) + 1, 8))
        typed.append(text)
    return typed


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "max": round(ordered[-1], 3),
    }


def store_figures(replies: list[PastReply]) -> dict[str, float]:
    """Put the replies in a real store (through its own API) and time ``load_index``."""
    from cm_inbox.model.incoming import IncomingAuthor, IncomingComment
    from cm_inbox.sameness import load_index
    from cm_inbox.store import Store

    with tempfile.TemporaryDirectory() as folder:
        clock = [float(NOW - 30 * DAY)]
        with Store(Path(folder) / "bench.sqlite3", clock=lambda: clock[0]) as store:
            store.upsert_comments(
                IncomingComment(
                    network="bluesky",
                    account="lumo.app",
                    remote_id=f"c{reply.id}",
                    author=IncomingAuthor(handle=reply.author_handle, name=reply.author_name),
                    text="a comment",
                    created_at=reply.at - 60,
                )
                for reply in replies
            )
            # Oldest first, each queued at its own time, as they went out.
            for comment_id, reply in enumerate(sorted(replies, key=lambda r: r.at), start=1):
                clock[0] = reply.at
                store.queue_reply(comment_id, reply.text)
            clock[0] = NOW
            samples = [timed(load_index, store)[0] for _ in range(5)]
            index = load_index(store)
    return {"load_index_ms": round(statistics.median(samples), 1), "loaded": len(index)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=10_000)
    parser.add_argument("--store", action="store_true", help="also time reading them from a store")
    args = parser.parse_args()

    replies = past_replies(args.replies)
    build_ms, index = timed(SamenessIndex, replies, now=NOW)
    assert isinstance(index, SamenessIndex)
    typed = drafts(replies)
    comment = comment_for(random.Random(3))
    # Warm up: the first call imports rapidfuzz.
    compare_draft(index, comment, typed[-1])

    compare_ms = []
    flagged = 0
    for text in typed:
        elapsed, report = timed(compare_draft, index, comment, text)
        compare_ms.append(elapsed)
        flagged += report is not None
    context = DraftContext(brand=demo_brand_book(), templates=load_library(), recent=index)
    check_ms = [timed(check_draft, comment, text, context=context)[0] for text in typed]

    figures = {
        "replies": len(index),
        "drafts": len(typed),
        "flagged": flagged,
        "index_build_ms": round(build_ms, 1),
        "sameness_ms": summary(compare_ms),
        "check_draft_ms": summary(check_ms),
        "target_ms": 30,
    }
    if args.store:
        figures.update(store_figures(replies))
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
