"""Reply templates that stay human (issue rule 7).

Templates live in TOML files: the bundled set in ``cm_inbox/default_templates/``
and the user's own in the ``templates`` folder beside config.toml (a user
template with a bundled one's id replaces it). Each template has variants per
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
from pathlib import Path
from typing import Any, Protocol

from cm_inbox.brand import BrandBook
from cm_inbox.model import Comment
from cm_inbox.networks.rules import rules_for
from cm_inbox.tomlfile import FileProblems, did_you_mean, read_toml_file, type_name

BUNDLED_DIR = Path(__file__).parent / "default_templates"

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
_TOKEN = re.compile(r"\{\{|\}\}|\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}")
# A variable left in a draft (the draft checks look for these).
VARIABLE_IN_TEXT = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TEMPLATE_KEYS = ("title", "tags", "group", "step")
_TEXT_KEYS = ("title", "variants")


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


# --- loading -------------------------------------------------------------------


def user_templates_dir(config_path: Path) -> Path:
    """The user's templates: the ``templates`` folder beside config.toml."""
    return config_path.parent / "templates"


def load_library(user_dir: Path | None = None, *, bundled: bool = True) -> TemplateLibrary:
    """The bundled templates (unless ``bundled`` is False) and the user's ``*.toml``.

    Never raises for a mistake in a file: each one becomes a message in
    ``problems`` naming the file and the line, and the rest still loads. A
    user template with the id of a bundled one replaces it.
    """
    library = TemplateLibrary()
    by_id: dict[str, int] = {}
    folders = ([(BUNDLED_DIR, True)] if bundled else []) + (
        [(user_dir, False)] if user_dir is not None else []
    )
    for folder, is_bundled in folders:
        seen_here: dict[str, str] = {}
        try:
            files = sorted(folder.glob("*.toml"))
        except OSError as error:
            library.problems.append(
                f"{folder}: can't list the templates ({error.strerror or error})"
            )
            continue
        for path in files:
            for template in _read_file(path, library.problems):
                if template.id in seen_here:
                    library.problems.append(
                        f'{template.source}: template "{template.id}" is already in '
                        f"{seen_here[template.id]}; this one is ignored"
                    )
                    continue
                seen_here[template.id] = template.source
                if template.id in by_id and not is_bundled:
                    library.templates[by_id[template.id]] = template
                else:
                    by_id[template.id] = len(library.templates)
                    library.templates.append(template)
    return library


def _read_file(path: Path, problems: list[str]) -> list[Template]:
    parsed = read_toml_file(path)
    if parsed.data is None or parsed.problems is None:
        problems.extend(f"{message}; its templates are skipped" for message in parsed.fatal)
        return []
    found = [
        template
        for template_id, raw in parsed.data.items()
        if (template := _read_template(template_id, raw, parsed.problems, path)) is not None
    ]
    problems.extend(parsed.problems.messages)
    return found


def _read_template(
    template_id: str, raw: Any, problems: FileProblems, path: Path
) -> Template | None:
    where = f'template "{template_id}"'
    if not isinstance(raw, dict):
        problems.add(
            (template_id,),
            f"{where} must be a table ([{template_id}]) with a title and languages, "
            f"not {type_name(raw)}",
        )
        return None
    if not _ID.match(template_id):
        problems.add(
            (template_id,),
            f'{where}: ids are lowercase letters, digits, "-", "_" and "."; skipped',
        )
        return None
    fields: dict[str, Any] = {"title": template_id}
    texts: dict[str, TemplateText] = {}
    for key, value in raw.items():
        keys = (template_id, key)
        if _LANGUAGE.match(key):
            text = _read_text(template_id, key, value, problems)
            if text is not None:
                texts[key] = text
        elif key == "title" or key == "group":
            if isinstance(value, str) and value.strip():
                fields[key] = value.strip()
            else:
                problems.add(keys, f'"{key}" of {where} must be a non-empty string')
        elif key == "tags":
            if isinstance(value, list) and all(isinstance(t, str) for t in value):
                fields[key] = tuple(t.strip().lower() for t in value if t.strip())
            else:
                problems.add(
                    keys, f'"tags" of {where} must be a list of words, such as ["billing"]'
                )
        elif key == "step":
            if isinstance(value, int) and not isinstance(value, bool):
                fields[key] = value
            else:
                problems.add(keys, f'"step" of {where} must be a whole number')
        else:
            hint = did_you_mean(key, _TEMPLATE_KEYS)
            problems.add(
                keys,
                f'unknown key "{key}" in {where}{hint} (languages are codes such as "en", "fr")',
            )
    if not texts:
        problems.add(
            (template_id,),
            f"{where} has no language with variants (add [{template_id}.en] with variants = [...]); skipped",
        )
        return None
    return Template(id=template_id, texts=texts, source=str(path), **fields)


def _read_text(
    template_id: str, language: str, raw: Any, problems: FileProblems
) -> TemplateText | None:
    where = f'template "{template_id}" ({language})'
    keys = (template_id, language)
    if not isinstance(raw, dict):
        problems.add(keys, f"{where} must be a table ([{template_id}.{language}]) with variants")
        return None
    title = ""
    variants: list[str] = []
    for key, value in raw.items():
        if key == "title":
            if isinstance(value, str):
                title = value.strip()
            else:
                problems.add((*keys, key), f'"title" of {where} must be a string')
        elif key == "variants":
            if not isinstance(value, list):
                problems.add((*keys, key), f'"variants" of {where} must be a list of texts')
                continue
            for number, item in enumerate(value, start=1):
                if not isinstance(item, str) or not item.strip():
                    problems.add((*keys, key), f"variant {number} of {where} is empty or not text")
                elif item.strip() in variants:
                    problems.add(
                        (*keys, key), f"variant {number} of {where} repeats an earlier one"
                    )
                else:
                    variants.append(item.strip())
                    for name in _unknown_names(item):
                        hint = _variable_hint(name, _known_names())
                        problems.add(
                            (*keys, key),
                            f"variant {number} of {where} uses an unknown variable {{{name}}}{hint}",
                        )
        else:
            problems.add(
                (*keys, key), f'unknown key "{key}" in {where}{did_you_mean(key, _TEXT_KEYS)}'
            )
    if not variants:
        problems.add(keys, f"{where} has no variants; skipped")
        return None
    return TemplateText(variants=tuple(variants), title=title)


def _variable_hint(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {{{close[0]}}}?)" if close else ""


def _known_names() -> list[str]:
    return [*FIXED_VARIABLES, *(f"{space}.name" for space in BRAND_NAMESPACES)]


def _unknown_names(text: str) -> list[str]:
    """Variables whose name can never be filled, whatever the brand book says."""
    unknown = []
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        if name is None or name in FIXED_VARIABLES:
            continue
        space, _, rest = name.partition(".")
        if space in BRAND_NAMESPACES and rest and "." not in rest:
            continue
        unknown.append(name)
    return unknown


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
    return "unknown variable" + _variable_hint(name, _known_names())


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

    return _TOKEN.sub(replace, text), tuple(unfilled.values())


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
