"""Who writes to Lumo in the demo: recurring personas, a heavy-tailed crowd, spammers.

A crowd member is a number: it picks their name (a seeded shuffle of first
and last names, with a variant that keeps handles unique) and seeds the hash
their display name, instance and audience come from, so the same person
comes back with the same name on every network they use. The crowd is finite, so remembering whoever has
already spoken costs a bounded amount of memory however long the stream.
"""

from __future__ import annotations

from collections.abc import Callable

from cm_inbox.demo import words
from cm_inbox.demo.networks import NETWORKS, fold, handle_for

Author = tuple[str, str | None, int | None]  # handle, display name, followers
AUTHOR_POOL = 6000
SHUFFLE = 4099  # a prime sharing no factor with the name-pair counts: multiplying permutes them
PERSONA_CHANCE = 0.12
_M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64: spreads a person's number into independent-looking bits."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


class Crowd:
    """Picks authors, drawing on the stream's random source so the stream stays reproducible."""

    def __init__(self, seed: int, rnd: Callable[[], float]) -> None:
        self.rnd = rnd
        self.salt = _mix(seed & _M64)
        self.known: dict[tuple[str, str, int], Author] = {}
        self.personas: dict[tuple[str, str], list[Author]] = {}
        for name, languages, followers, handles in words.PERSONAS:
            for network, handle in handles.items():
                for language in languages:
                    self.personas.setdefault((network, language), []).append(
                        (handle, name, followers)
                    )
        groups = (*words.FIRST_NAMES.values(), *words.LAST_NAMES.values())
        self.folded = {name: fold(name).replace(" ", "") for group in groups for name in group}

    def person(self, network: str, language: str) -> Author:
        """Someone writing in ``language``: a recurring persona, or one of a heavy-tailed crowd."""
        if self.rnd() < PERSONA_CHANCE:
            personas = self.personas.get((network, language))
            if personas:
                return personas[int(self.rnd() * len(personas))]
        # Low numbers come up far more often: regulars and a long tail of one-timers.
        return self.generated(network, language, int(AUTHOR_POOL * self.rnd() ** 2.5))

    def persona(self, name: str, network: str) -> Author:
        """A recurring persona as they appear on ``network``."""
        for display, _languages, followers, handles in words.PERSONAS:
            if display == name:
                return handles[network], display, followers
        raise KeyError(name)

    def generated(self, network: str, language: str, number: int) -> Author:
        """Person ``number`` of a language, the same name on every network they use."""
        # People come back, so each is made once; the crowd is finite (AUTHOR_POOL per language
        # and network), so this stays bounded however many records are generated.
        cached = self.known.get((network, language, number))
        if cached is None:
            cached = self.known[(network, language, number)] = self.make_person(
                network, language, number
            )
        return cached

    def make_person(self, network: str, language: str, number: int) -> Author:
        """Name, handle and audience of person ``number``, from the bits of one hash."""
        firsts, lasts = words.FIRST_NAMES[language], words.LAST_NAMES[language]
        # Each name pair is used by several people: the variant tells them apart, so two people
        # never share a handle. Regulars (low numbers) get the clean handles; the seeded shuffle
        # keeps them from all sharing a surname.
        pairs = len(firsts) * len(lasts)
        variant = number // pairs
        pair = ((number % pairs) * SHUFFLE + self.salt) % pairs
        first, last = firsts[pair % len(firsts)], lasts[pair // len(firsts)]
        f, la = self.folded[first], self.folded[last]
        styles = (f + la, f"{f}_{la}", f"{la}_{f}")
        base = styles[(variant + pair) % 3] if variant < 3 else f"{f}{la}{variant}"
        key = self.salt ^ (words.LANGUAGES.index(language) << 40) ^ number
        bits = _mix(key)
        name = (f"{first} {last}", first, f"{first} {last[0]}.")[bits % 3]
        bits //= 3
        # Audiences differ per network; a Pareto tail gives a few influencers among many small accounts.
        spread = (_mix(key ^ ((NETWORKS.index(network) + 1) << 56)) & 0xFFFF) / 65536
        followers = min(int(12 * (1 - spread) ** -1.3), 2_400_000)
        instances = words.FEDIVERSE_INSTANCES[language]
        handle = handle_for(network, base, instances[bits % len(instances)], 10 + bits // 8 % 90)
        return handle, name, followers

    def spammer(self, network: str) -> Author:
        """One of a few hundred throwaway spam accounts."""
        number = int(self.rnd() * 400)
        word = words.SPAM_WORDS[number % len(words.SPAM_WORDS)]
        base = f"{word}{1000 + number * 7919 % 9000}"
        handle = handle_for(network, base, "mastodon.online", 0)
        return handle, "💰 " + word.replace("_", " ").title() + " 💰", number * 131 % 9000
