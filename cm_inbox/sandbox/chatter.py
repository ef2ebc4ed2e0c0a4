"""People talking about Lumo without tagging it: what keyword watches find in the sandbox.

The demo generator's audience writes *to* the brand (mentions, replies,
quotes); this is the rest of the public conversation, which only a search,
a hashtag, a feed or Hacker News brings in. Each network twin shows the
posts for its network once the shared clock reaches them, in its own shapes
(``SandboxState.chatter``). The lines are chosen to exercise a watch: plain
mentions of the name, a misspelling ("Loomo"), an accent ("Lúmo"), a
hashtag ("#LumoApp"), a look-alike word that must not match ("Lumosity"),
and a namesake the example watch excludes ("Lumo lamp").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

# The networks chatter is written on; "rss" and "atom" are the two sandbox feeds.
NETWORKS = ("mastodon", "bluesky", "rss", "atom", "hackernews")
PER_NETWORK = 24
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")

LINES = (
    "Been trying Lumo for a week: the calendar view finally makes my week readable.",
    "Anyone else's Lumo sync stuck since this morning? Notes won't show on my phone.",
    "Switched from three apps to lumo. No regrets so far.",
    "Loomo? Lumo? Whatever it's called, its offline mode saved my trip.",
    "Dark theme in #LumoApp when? My eyes at 2am would like a word.",
    "Lúmo's new pricing is a bit steep for students, honestly.",
    "My Lumo lamp arrived today, lovely warm light in the hallway.",
    "Lumosity streak: 40 days! Brain feels sharper already.",
    "Is the Lumo app's export to Markdown any good? Thinking of moving my notes.",
    "Recommend a notes app? I keep hearing about Lumo from coworkers.",
    "The new Lumo widget on Android is small but it does exactly what I need.",
    "Our team tried LUMO for shared calendars; the invite flow confused everyone.",
)
TITLES = (
    "Five calendar apps compared",
    "What I use to plan my week",
    "Notes apps that work offline",
    "A month with a new productivity stack",
    "Why I stopped syncing everything",
    "Small tools, big habits",
)
PEOPLE = (
    ("ana", "Ana Ruiz"),
    ("tomasz", "Tomasz K."),
    ("mei_lin", "Mei Lin"),
    ("jo_baker", "Jo Baker"),
    ("farid", "Farid"),
    ("ines_d", "Inès D."),
)
INSTANCES = ("fosstodon.org", "mastodon.online", "hachyderm.io", "social.coop")


@dataclass(frozen=True, slots=True)
class Chatter:
    """One public post, feed entry or comment that talks about Lumo (or seems to)."""

    serial: int  # unique within a sandbox: the twins derive their ids from it
    network: str
    at: float
    user: str
    name: str
    text: str
    title: str | None = None  # feed entries' titles, Hacker News stories' titles
    followers: int = 0

    @property
    def hashtags(self) -> list[str]:
        return HASHTAG.findall(self.text)

    def handle(self, network: str | None = None) -> str:
        """The author as their network writes them."""
        network = network or self.network
        if network == "mastodon":
            return f"{self.user}@{INSTANCES[self.serial % len(INSTANCES)]}"
        if network == "bluesky":
            return self.user.replace("_", "-") + ".bsky.social"
        return self.user


def generate(seed: int, start: float, end: float) -> list[Chatter]:
    """``PER_NETWORK`` posts per network between ``start`` and ``end``, the same for a seed."""
    rng = random.Random(f"chatter {seed}")
    found = []
    serial = 0
    for network in NETWORKS:
        for _ in range(PER_NETWORK):
            serial += 1
            user, name = PEOPLE[rng.randrange(len(PEOPLE))]
            found.append(
                Chatter(
                    serial=serial,
                    network=network,
                    at=float(int(rng.uniform(start, end))),
                    user=user,
                    name=name,
                    text=LINES[rng.randrange(len(LINES))],
                    title=TITLES[rng.randrange(len(TITLES))],
                    followers=rng.randrange(20, 4000),
                )
            )
    found.sort(key=lambda chatter: (chatter.at, chatter.serial))
    return found
