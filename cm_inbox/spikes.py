"""The spike alert: more negative comments in the last hour than usual, and why.

"Usual" is the hourly average of negative comments over the baseline window
(``[alerts] baseline``, 7 days) that ends where the last hour begins, counted
only from the first comment in the inbox on, so a young inbox is not compared
with empty days. A spike is at least ``spike_minimum`` negatives in the last
hour and more than ``spike_factor`` times that average.

The words driving it are those found in many of the last hour's negative
comments and rarely in the baseline's (document frequency, smoothed), with
English and French stop words, links and @handles left out. They are counted,
never interpreted: a comment's text is untrusted and they are shown as plain text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from cm_inbox.response_config import AlertSettings
from cm_inbox.store import Store

if TYPE_CHECKING:
    import regex

RECENT_S = 3600
HOUR = 3600
# Texts read to find the words: the last hour's, and a sample of the baseline's (its newest).
RECENT_TEXTS = 500
BASELINE_TEXTS = 2000
WORDS_SHOWN = 5
# A word must be in this share of the last hour's negatives (and in two at least)...
MIN_SHARE = 0.2
# ...and this many times more common there than in the baseline.
MIN_LIFT = 2.0

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each even ever every few for from further get gets got had hadn has hasn have
    haven having he her here hers herself him himself his how i if in into is isn it its itself
    just let like ll me more most much must mustn my myself no nor not now of off on once only or
    other ought our ours ourselves out over own really re same shan she should shouldn so some
    still such than that the their theirs them themselves then there these they this those
    through to too under until up us ve very was wasn we were weren what when where which while
    who whom why will with won would wouldn you your yours yourself yourselves im ive youre dont
    cant wont thats theres one two also yet via per get got getting anyone someone something
    anything everything everyone today yesterday again already always never please thanks thank
    ai aie aient aies ait as au aucun aussi autre aux avaient avais avait avant avec avez aviez
    avions avoir avons ayant ayez ayons bon car ce ceci cela celle celles celui ces cet cette ceux
    chaque ci comme comment dans de des donc dont du elle elles en encore es est et étaient étais
    était étant été êtes étiez étions être eu eue eues eurent eus eut eux fait faire fais font
    fut ici il ils je jamais juste la le les leur leurs lui ma mais me même mes moi mon ne ni nos
    notre nous on ont ou où par parce pas peu peut plus pour pourquoi quand que quel quelle
    quelles quels qui quoi sa sans se sera serait ses si sien son sont sous suis sur ta te tes
    toi ton tous tout toute toutes très tu un une vos votre vous vu ça cest jai ya déjà depuis
    rien toujours merci bonjour salut aujourd hui hier alors après avant chez contre entre
    vers voici voilà
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
# French elisions: "l'appli" is "appli".
_ELIDED = frozenset({"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"})


@cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """Links, mentions and tags to drop, and words to count; compiled on the first
    spike reading, after the first frame."""
    import regex

    return (
        regex.compile(r"https?://\S+|www\.\S+|@[\w.@-]+|#\w+"),
        regex.compile(r"\p{L}[\p{L}\p{M}'’-]*"),
    )


@dataclass(frozen=True, slots=True)
class SpikeReading:
    """Negative comments in the last hour against the baseline, and whether that is a spike."""

    at: int  # the moment measured
    count: int  # negatives created in (at - 1 h, at]
    baseline_per_hour: float
    baseline_hours: int  # hours the average covers (0: no history yet)
    spike: bool
    words: tuple[str, ...] = ()

    @property
    def ratio(self) -> float | None:
        """The last hour against the average; None without a baseline to divide by."""
        if self.baseline_per_hour <= 0:
            return None
        return self.count / self.baseline_per_hour

    def describe(self) -> str:
        """One line for a banner or a report."""
        noun = "comment" if self.count == 1 else "comments"
        ratio = self.ratio
        against = (
            f", {ratio:.1f}× the usual {self.baseline_per_hour:.1f} an hour"
            if ratio is not None
            else ", where there are usually none"
        )
        words = f" · words: {', '.join(self.words)}" if self.words else ""
        return f"{self.count} negative {noun} in the last hour{against}{words}"


def read_spike(store: Store, settings: AlertSettings, now: int) -> SpikeReading:
    """Measure the last hour against the baseline at ``now``; words only for a spike."""
    recent_start = now - RECENT_S + 1
    count = store.negatives_between(recent_start, now + 1)
    # Whole hours before the last one: the tallies count them without reading comments.
    end_hour = recent_start // HOUR
    first_hour = end_hour - max(1, settings.baseline_seconds // HOUR)
    first_at = store.first_comment_at()
    if first_at is not None:
        first_hour = max(first_hour, first_at // HOUR)
    hours = max(0, end_hour - first_hour)
    baseline = store.negatives_in_hours(first_hour, end_hour) / hours if hours else 0.0
    spike = (
        hours > 0 and count >= settings.spike_minimum and count > settings.spike_factor * baseline
    )
    words: tuple[str, ...] = ()
    if spike:
        recent = store.negative_texts(recent_start, now + 1, RECENT_TEXTS)
        usual = store.negative_texts(first_hour * HOUR, end_hour * HOUR, BASELINE_TEXTS)
        words = driving_words(recent, usual)
    return SpikeReading(now, count, baseline, hours, spike, words)


def words_of(text: str) -> set[str]:
    """The distinct content words of a text: lower case, no stop words, links or handles."""
    found: set[str] = set()
    noise, word = _patterns()
    for raw in word.findall(noise.sub(" ", text.lower())):
        word = raw.replace("’", "'")
        head, apostrophe, rest = word.partition("'")
        if apostrophe and head in _ELIDED:
            word = rest
        word = word.strip("'-")
        if len(word) >= 3 and word not in STOP_WORDS and word.replace("'", "") not in STOP_WORDS:
            found.add(word)
    return found


def driving_words(
    recent: Iterable[str], baseline: Iterable[str], limit: int = WORDS_SHOWN
) -> tuple[str, ...]:
    """Words over-represented in ``recent`` texts against ``baseline`` ones, strongest first."""
    recent = list(recent)
    baseline = list(baseline)
    recent_docs = Counter(word for text in recent for word in words_of(text))
    recent_total = len(recent)
    usual_docs = Counter(word for text in baseline for word in words_of(text))
    if not recent_total:
        return ()
    floor = max(2, math.ceil(MIN_SHARE * recent_total))
    scored: list[tuple[float, int, str]] = []
    for word, docs in recent_docs.items():
        if docs < floor:
            continue
        share = docs / recent_total
        usual_share = (usual_docs[word] + 0.5) / (len(baseline) + 1)
        lift = share / usual_share
        if lift >= MIN_LIFT:
            scored.append((lift, docs, word))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return tuple(word for _, _, word in scored[:limit])
