"""The brand book: who the brand is and how it speaks (issue rule 1).

It lives in ``[brand]`` of config.toml, or in ``brand.toml`` beside config.toml
with the same keys at the top level (``cm_inbox.composer_config`` decides which).
The composer shows it in a side panel (:func:`brand_sections`), templates take
their variables from it, and the draft checks read its words to avoid, its
greetings and sign-offs, and its allowed link domains. Reading it from TOML
is brand_file.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from cm_inbox.networks.rules import NETWORKS


@dataclass(frozen=True)
class LanguageVoice:
    """How replies in one language open and close."""

    greetings: tuple[str, ...] = ()
    sign_offs: tuple[str, ...] = ()
    require_greeting: bool = False
    require_sign_off: bool = False


@dataclass(frozen=True)
class AvoidWord:
    """A word or phrase the brand does not say, and what it says instead ("" if nothing)."""

    word: str
    instead: str = ""

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each whole-word occurrence in ``text``, any case."""
        for match in _avoid_pattern(self.word).finditer(text):
            yield match.start(), match.end()


@cache
def _avoid_pattern(word: str) -> re.Pattern[str]:
    # Whole words only, so avoiding "cheap" leaves "cheapest" alone; a phrase
    # matches across any run of spaces or a line break.
    parts = [re.escape(part) for part in word.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class BrandBook:
    """Everything the brand book says; empty fields mean "not said", never an error."""

    name: str = ""
    voice: str = ""
    default_language: str = "en"
    products: tuple[str, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, str] = field(default_factory=dict)
    allowed_domains: tuple[str, ...] = ()
    languages: Mapping[str, LanguageVoice] = field(default_factory=dict)
    avoid: tuple[AvoidWord, ...] = ()
    networks: Mapping[str, str] = field(default_factory=dict)
    # Where it was read from, for the side panel and messages.
    source: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.name or self.voice or self.links or self.facts or self.languages or self.avoid
        )

    def voice_for(self, language: str | None) -> LanguageVoice | None:
        """The greeting and sign-off rules of ``language`` (the default language when None)."""
        return self.languages.get(base_language(language or self.default_language))

    def link_domains(self) -> tuple[str, ...]:
        """Domains links may point to: those listed, plus those of the book's own links."""
        domains = list(self.allowed_domains)
        for url in self.links.values():
            host = (urlsplit(url).hostname or "").lower()
            if host and not any(host == d or host.endswith("." + d) for d in domains):
                domains.append(host)
        return tuple(domains)

    def allows(self, host: str) -> bool:
        """True when ``host`` is an allowed domain or one of its subdomains."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.link_domains())


def base_language(code: str) -> str:
    """ "en-GB", "EN_us" → "en"."""
    return code.lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class BrandSection:
    """One block of the composer's side panel: a title and plain-text lines."""

    title: str
    lines: tuple[str, ...]


def brand_sections(
    book: BrandBook, *, language: str | None = None, network: str | None = None
) -> list[BrandSection]:
    """The brand book as plain-text sections for the composer's side panel.

    ``language`` and ``network`` narrow the greeting rules and the network notes
    to the reply being written; without them every language and network shows.
    Nothing here is markup: the UI shows the lines as plain text.
    """
    if book.is_empty:
        return [
            BrandSection(
                "No brand book",
                (
                    "Add a [brand] section to config.toml, or a brand.toml beside it,",
                    'to see the voice, greetings and facts here (README: "Brand book").',
                ),
            )
        ]
    sections: list[BrandSection] = []
    if book.name or book.voice:
        lines = [line.strip() for line in book.voice.strip().splitlines() if line.strip()]
        sections.append(
            BrandSection(f"Voice of {book.name}" if book.name else "Voice", tuple(lines))
        )
    wanted = base_language(language) if language else None
    for code, rules in book.languages.items():
        if wanted is not None and code != wanted:
            continue
        lines = []
        if rules.greetings:
            need = "required" if rules.require_greeting else "optional"
            lines.append(f"Open with ({need}): " + ", ".join(rules.greetings))
        if rules.sign_offs:
            need = "required" if rules.require_sign_off else "optional"
            lines.append(f"Sign with ({need}): " + ", ".join(rules.sign_offs))
        if lines:
            sections.append(BrandSection(f"Greeting and sign-off ({code})", tuple(lines)))
    if book.avoid:
        lines = [
            f'"{item.word}" → "{item.instead}"' if item.instead else f'"{item.word}" → leave it out'
            for item in book.avoid
        ]
        sections.append(BrandSection("Words to avoid", tuple(lines)))
    facts = [f"Products: {', '.join(book.products)}"] if book.products else []
    facts += [f"{name.replace('_', ' ')}: {value}" for name, value in book.facts.items()]
    if facts:
        sections.append(BrandSection("Facts", tuple(facts)))
    if book.links:
        sections.append(
            BrandSection("Links", tuple(f"{name}: {url}" for name, url in book.links.items()))
        )
    domains = book.link_domains()
    if domains:
        sections.append(
            BrandSection("Links may point to", (", ".join(domains) + " (and their subdomains)",))
        )
    for name, notes in book.networks.items():
        if network is not None and name != network:
            continue
        label = NETWORKS[name].label if name in NETWORKS else name
        lines = [line.strip() for line in notes.strip().splitlines() if line.strip()]
        sections.append(BrandSection(f"On {label}", tuple(lines)))
    return sections
