"""Reply templates that stay human (issue rule 7).

Templates live in TOML files (template_files.py reads them): the bundled set
in ``cm_inbox/default_templates/`` and the user's own in the ``templates``
folder beside config.toml. Each template has variants per
language; inserting one picks a variant other than the one used last (the
store remembers, across runs), so the same words do not go out twice in a
row. Variables (``{author.first_name}``, ``{brand.name}``, ``{link.support}``…)
are filled from the comment, its author and the brand book; one that cannot
be filled stays in the text as ``{name}``, where the draft checks flag it
before anything is queued.

A file::

    [outage]
    title = "Outage: we know, here is the status page"
    tags = ["outage", "down"]

    [outage.en]
    variants = ["{greeting} {author.first_name}, ...", "..."]

    [outage.fr]
    title = "Panne : on est dessus"
    variants = ["..."]
"""

from __future__ import annotations

import difflib
import hashlib
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cm_inbox.brand import BrandBook
from cm_inbox.model import Comment
from cm_inbox.networks.rules import rules_for
from cm_inbox.tomlfile import did_you_mean

# Variables with a fixed name; "link.NAME" and "fact.NAME" come from the brand book.
FIXED_VARIABLES: dict[str, str] = {
    "author.name": "the author's display name (their handle if they have none)",
    "author.first_name": "the first word of the author's display name",
    "author.handle": "the author's @handle",
    "brand.name": "the brand's name, from the brand book",
    "greeting": "the brand book's first greeting in the reply's language",
    "sign_off": "the brand book's first sign-off in the reply's language",
    "network": "the network's name (Mastodon, Bluesky, ...)",
}
BRAND_NAMESPACES = ("link", "fact")

# "{{" and "}}" are literal braces; "{name}" a variable. Spaces inside are forgiven.
TOKEN = re.compile(r"\{\{|\}\}|\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}")
# A variable left in a draft (the draft checks look for these).
VARIABLE_IN_TEXT = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}")


@dataclass(frozen=True)
class TemplateText:
    """A template in one language: its variants say the same thing in other words."""

    variants: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Template:
    """One template: what it is for, and its words per language."""

    id: str
    title: str
    texts: Mapping[str, TemplateText]
    tags: tuple[str, ...] = ()
    # Templates meant to follow one another ("admit-mistake": acknowledge,
    # apologise, say what is done, follow up), in ``step`` order.
    group: str = ""
    step: int = 0
    source: str = ""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def title_in(self, language: str) -> str:
        text = self.texts.get(language)
        return text.title if text is not None and text.title else self.title

    def language_for(self, *wanted: str | None) -> str:
        """The first of ``wanted`` this template is written in, else its first language."""
        for language in wanted:
            if language and language in self.texts:
                return language
        return next(iter(self.texts))


@dataclass
class TemplateLibrary:
    """Every template available, in file order, and what was wrong in the files."""

    templates: list[Template] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def __len__(self) -> int:
        return len(self.templates)


def variant_key(text: str) -> str:
    """A short, stable name for a variant's words (what the store remembers)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def variable_hint(name: str, choices: Iterable[str]) -> str:
    """ " (did you mean {author.name}?)" when a close variable name exists, else ""."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {{{close[0]}}}?)" if close else ""


def known_variable_names() -> list[str]:
    """The variable names, with "link.name" and "fact.name" standing for the brand's."""
    return [*FIXED_VARIABLES, *(f"{space}.name" for space in BRAND_NAMESPACES)]


# --- filling in ----------------------------------------------------------------


@dataclass(frozen=True)
class Unfilled:
    """A variable that could not be filled, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Rendered:
    """A template variant with its variables filled in."""

    text: str
    template_id: str
    language: str
    variant: int
    unfilled: tuple[Unfilled, ...] = ()


def author_name(comment: Comment) -> str:
    """The author's display name, else their handle's user part ("bob" of "@bob@a.org")."""
    name = " ".join((comment.author.display_name or "").split())
    if name:
        return name
    handle = comment.author.handle.lstrip("@")
    user = handle.split("@")[0]
    # A Bluesky handle is a domain: "carol.bsky.social" is Carol.
    return user.split(".")[0] if "." in user and "@" not in handle else user


def first_name(comment: Comment) -> str:
    """The first word of the display name that has a letter in it (not an emoji)."""
    for word in author_name(comment).split():
        if any(ch.isalpha() for ch in word):
            return word.strip(",;:")
    return author_name(comment)


def variable_values(comment: Comment, brand: BrandBook, language: str) -> dict[str, str]:
    """Every variable that can be filled for ``comment`` in ``language``."""
    values = {
        "author.name": author_name(comment),
        "author.first_name": first_name(comment),
        "author.handle": "@" + comment.author.handle.lstrip("@"),
        "network": rules_for(comment.network).label,
    }
    if brand.name:
        values["brand.name"] = brand.name
    voice = brand.voice_for(language)
    if voice is not None and voice.greetings:
        values["greeting"] = voice.greetings[0]
    if voice is not None and voice.sign_offs:
        values["sign_off"] = voice.sign_offs[0]
    values.update({f"link.{name}": url for name, url in brand.links.items()})
    values.update({f"fact.{name}": fact for name, fact in brand.facts.items()})
    return values


def why_unfilled(name: str, brand: BrandBook, language: str) -> str:
    """Why ``{name}`` has no value: the words the checks and the picker show."""
    space, _, rest = name.partition(".")
    if space in BRAND_NAMESPACES and rest:
        names = brand.links if space == "link" else brand.facts
        table = "links" if space == "link" else "facts"
        hint = did_you_mean(rest, names)
        return f'the brand book has no {space} "{rest}"{hint}; add it under [{table}]'
    if name in ("greeting", "sign_off"):
        what = "greetings" if name == "greeting" else "sign_offs"
        return f'the brand book lists no {what} for "{language}" (under [languages.{language}])'
    if name == "brand.name":
        return 'the brand book has no name (name = "...")'
    return "unknown variable" + variable_hint(name, known_variable_names())


def fill(
    text: str, values: Mapping[str, str], brand: BrandBook, language: str
) -> tuple[str, tuple[Unfilled, ...]]:
    """``text`` with its variables replaced; those without a value stay as ``{name}``."""
    unfilled: dict[str, Unfilled] = {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name in values:
            return values[name]
        unfilled.setdefault(name, Unfilled(name, why_unfilled(name, brand, language)))
        return "{" + name + "}"

    return TOKEN.sub(replace, text), tuple(unfilled.values())


def render(
    template: Template, comment: Comment, brand: BrandBook, *, language: str, variant: int
) -> Rendered:
    """One variant of ``template`` in ``language``, filled in for ``comment``."""
    words = template.texts[language].variants[variant]
    text, unfilled = fill(words, variable_values(comment, brand, language), brand, language)
    return Rendered(text, template.id, language, variant, unfilled)


# --- choosing a variant ----------------------------------------------------------


class UsageMemory(Protocol):
    """What inserting needs from the store (``cm_inbox.store.Store`` has it)."""

    def template_variant_uses(self, template_id: str, language: str) -> dict[str, int]: ...

    def record_template_use(self, template_id: str, language: str, variant: str) -> None: ...


def pick_variant(keys: Sequence[str], uses: Mapping[str, int], rng: random.Random) -> int:
    """The index of the variant to use next: never the last one used when there is another.

    Variants never used come first (at random among them); once all have been
    used, the one used longest ago.
    """
    if len(keys) <= 1:
        return 0
    last = max(uses.items(), key=lambda item: item[1])[0] if uses else None
    candidates = [index for index, key in enumerate(keys) if key != last]
    fresh = [index for index in candidates if keys[index] not in uses]
    if fresh:
        return rng.choice(fresh)
    return min(candidates, key=lambda index: uses[keys[index]])


def insert_template(
    memory: UsageMemory,
    template: Template,
    comment: Comment,
    brand: BrandBook,
    *,
    language: str | None = None,
    rng: random.Random | None = None,
) -> Rendered:
    """The words to insert for ``template`` in a reply to ``comment``, remembered as used.

    ``language`` defaults to the comment's when the template has it, else the
    brand's default language, else the template's first. Two insertions in a
    row (even across runs) give different variants when there are several.
    """
    chosen = template.language_for(language, comment.language, brand.default_language)
    variants = template.texts[chosen].variants
    keys = [variant_key(words) for words in variants]
    index = pick_variant(
        keys, memory.template_variant_uses(template.id, chosen), rng or random.Random()
    )
    memory.record_template_use(template.id, chosen, keys[index])
    return render(template, comment, brand, language=chosen, variant=index)


# --- recognising a template in a draft ----------------------------------------------

_MENTION = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_EDGES = " \t\n.,;:!?…-–—"


def plain(text: str) -> str:
    """Text reduced for comparing words: no mentions, one space, no case, no end punctuation."""
    return " ".join(_MENTION.sub(" ", text).casefold().split()).strip(_EDGES)


def template_matching(
    library: TemplateLibrary, comment: Comment, brand: BrandBook, text: str
) -> Template | None:
    """The template whose variant ``text`` is, word for word (nothing of the writer's own)."""
    wanted = plain(text)
    if not wanted:
        return None
    for template in library.templates:
        for language, words in template.texts.items():
            values = variable_values(comment, brand, language)
            for variant in words.variants:
                if plain(fill(variant, values, brand, language)[0]) == wanted:
                    return template
    return None
