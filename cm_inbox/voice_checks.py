"""The draft checks that hold a reply to the brand book and to good manners.

Each is a function of a :class:`~cm_inbox.draft.Draft` yielding problems with
their default severity; ``compose.check_draft`` applies the user's ``[checks]``
settings. They read the brand book, the template library, the language
detector and the recent replies from ``draft.context``, and find nothing to
say when the context has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from cm_inbox.draft import MENTION, Draft, DraftProblem
from cm_inbox.sameness import compare_draft
from cm_inbox.templates import (
    VARIABLE_IN_TEXT,
    first_name,
    template_matching,
    variable_values,
    why_unfilled,
)

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "ja": "Japanese",
}  # fmt: skip
# Fewer letters than this, and a language detector guesses.
_MIN_LETTERS_TO_DETECT = 20
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, f'"{code}"')


def _base(code: str | None) -> str | None:
    return code.lower().replace("_", "-").split("-")[0] if code else None


def _detected(draft: Draft, text: str) -> str | None:
    detect = draft.context.detect_language
    without_links = _URL.sub(" ", text)
    if detect is None or sum(ch.isalpha() for ch in without_links) < _MIN_LETTERS_TO_DETECT:
        return None
    return _base(detect(without_links))


def reply_language(draft: Draft) -> str | None:
    """The language the reply is written in, when a detector can tell; else the one expected."""
    return _detected(draft, draft.body) or draft.language


# --- words ---------------------------------------------------------------------------


def check_avoid_words(draft: Draft) -> Iterator[DraftProblem]:
    """Words the brand book says to avoid, with what to say instead."""
    for item in draft.context.brand.avoid:
        for start, end in item.find(draft.text):
            said = draft.text[start:end]
            instead = f'say "{item.instead}" instead' if item.instead else "leave it out"
            yield DraftProblem(
                "avoid-word",
                f'"{said}" is on the brand book\'s list of words to avoid: {instead}',
                blocking=False,
                span=(start, end),
            )


def _opens_with(body: str, greetings: Sequence[str]) -> bool:
    start = body.lstrip(" \t\n¡¿👋🙌💜✨").casefold()
    for greeting in greetings:
        wanted = greeting.casefold().lstrip("¡¿")
        if start.startswith(wanted):
            rest = start[len(wanted) :]
            if not rest or not rest[0].isalnum():
                return True
    return False


def _closes_with(body: str, sign_offs: Sequence[str]) -> bool:
    end = body.casefold().rstrip(" \t\n.!?…")
    for sign_off in sign_offs:
        wanted = sign_off.casefold().strip(" .!?…-–—")
        if end.endswith(wanted):
            before = end[: len(end) - len(wanted)]
            if not before or not before[-1].isalnum():
                return True
    return False


def _listed(words: Sequence[str]) -> str:
    quoted = [f'"{word}"' for word in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def check_greeting(draft: Draft) -> Iterator[DraftProblem]:
    """A greeting and a sign-off where the brand book requires them for the reply's language."""
    body = draft.body
    if not body:
        return
    language = reply_language(draft)
    voice = draft.context.brand.voice_for(language)
    if voice is None:
        return
    brand = draft.context.brand.name or "the brand"
    if voice.require_greeting and not _opens_with(body, voice.greetings):
        yield DraftProblem(
            "missing-greeting",
            f"no greeting: {brand} replies in {_language_name(language or '')} open with "
            f"{_listed(voice.greetings)}",
            blocking=False,
        )
    if voice.require_sign_off and not _closes_with(body, voice.sign_offs):
        yield DraftProblem(
            "missing-sign-off",
            f"no sign-off: {brand} replies in {_language_name(language or '')} end with "
            f"{_listed(voice.sign_offs)}",
            blocking=False,
        )


def check_language(draft: Draft) -> Iterator[DraftProblem]:
    """The reply in another language than the comment (needs a language detector)."""
    written = _detected(draft, draft.body)
    if written is None:
        return
    expected = _base(draft.comment.language) or _detected(draft, draft.comment.text)
    if expected is not None and written != expected:
        yield DraftProblem(
            "wrong-language",
            f"the reply looks {_language_name(written)}; the comment is in "
            f"{_language_name(expected)}",
            blocking=False,
        )


# --- tone -----------------------------------------------------------------------------

_WORDS = re.compile(r"[^\W\d_]{2,}")
_PILE = re.compile(r"[!！‼❗](?:\s*[!！‼❗?？]){2,}")
# Three or more words in capitals in a row is shouting; one acronym is not.
_CAPS_RUN = 3
_MAX_EXCLAMATIONS = 3


def check_shouting(draft: Draft) -> Iterator[DraftProblem]:
    """ALL CAPS, or a pile of "!"."""
    # Blanked, not removed, so spans still point into the draft.
    text = _URL.sub(lambda m: " " * len(m.group(0)), draft.text)
    text = MENTION.sub(lambda m: " " * len(m.group(0)), text)
    words = list(_WORDS.finditer(text))
    run: list[re.Match[str]] = []
    longest: list[re.Match[str]] = []
    for word in words:
        if word.group(0).isupper():
            run.append(word)
            if len(run) > len(longest):
                longest = list(run)
        else:
            run = []
    all_caps = len(words) >= 2 and len(longest) == len(words)
    if len(longest) >= _CAPS_RUN or all_caps:
        start, end = longest[0].start(), longest[-1].end()
        shown = "the whole reply is" if all_caps else f'"{draft.text[start:end]}" is'
        yield DraftProblem(
            "shouting",
            f"{shown} in capitals: it reads as shouting",
            blocking=False,
            span=(start, end),
        )
    pile = _PILE.search(text)
    exclamations = sum(text.count(mark) for mark in "!！‼❗")
    if pile is not None:
        yield DraftProblem(
            "shouting",
            f'a pile of "!" ("{pile.group(0)}"): one is plenty',
            blocking=False,
            span=(pile.start(), pile.end()),
        )
    elif exclamations > _MAX_EXCLAMATIONS:
        yield DraftProblem(
            "shouting",
            f'{exclamations} "!" in one reply: keep one or two',
            blocking=False,
        )


# --- links ------------------------------------------------------------------------------

# A link as a reader sees one: with a scheme, "www.", or a bare domain. Not the
# domain of an email address ("security@lumo.app").
_LINK = re.compile(
    r"(?<![\w@.\-/])(?:"
    r"https?://[^\s<>\"'`]+"
    r"|www\.[^\s<>\"'`]+"
    r"|(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,24}(?![\w@\-])(?:/[^\s<>\"'`]*)?"
    r")",
    re.IGNORECASE,
)
# A bare domain without a path is taken for a link only with a TLD people
# recognise as one; "notes.txt" or "Node.js" are not links.
_LINK_TLDS = frozenset({
    "com", "org", "net", "io", "app", "co", "ly", "me", "xyz", "click", "top", "link", "site",
    "online", "info", "biz", "gg", "tv", "ai", "dev", "fr", "de", "es", "it", "uk", "eu", "us",
    "ca", "be", "ch", "nl", "pl", "pt", "br", "jp", "ru", "cn", "in", "au",
})  # fmt: skip
_TRAILING = ".,;:!?)]}'\"…"


def _links(text: str) -> Iterator[tuple[int, int, str, str]]:
    """``(start, end, link, host)`` of each link in ``text``."""
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(_TRAILING)
        has_scheme = "://" in link
        try:
            host = urlsplit(link if has_scheme else "//" + link).hostname or ""
        except ValueError:
            continue
        if not host:
            continue
        bare = not has_scheme and not link.lower().startswith("www.") and "/" not in link
        # "Sorry.It works" is a missing space, not a link to sorry.it: a bare
        # domain counts when its ending is typed in lowercase, as addresses are.
        ending = link.rsplit(".", 1)[-1]
        if bare and (ending not in _LINK_TLDS or not ending.islower()):
            continue
        yield match.start(), match.start() + len(link), link, host.rstrip(".")


def _shown_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return f"{host} (spelt {host.encode('idna').decode('ascii')}: look-alike letters)"
    except UnicodeError:
        return f"{host} (with letters that are not plain ASCII)"


def check_links(draft: Draft) -> Iterator[DraftProblem]:
    """Links to a domain the brand book does not allow; the message names the real domain."""
    brand = draft.context.brand
    domains = brand.link_domains()
    if not domains:
        return
    for start, end, link, host in _links(draft.text):
        if brand.allows(host):
            continue
        yield DraftProblem(
            "foreign-link",
            f"a link to {_shown_host(host)}, outside the allowed domains ({', '.join(domains)})",
            blocking=True,
            detail=link,
            span=(start, end),
        )


# --- templates and sameness ----------------------------------------------------------------


def check_template_only(draft: Draft) -> Iterator[DraftProblem]:
    """A template sent word for word: nothing in it was written for this person."""
    library = draft.context.templates
    if library is None or not draft.body:
        return
    template = template_matching(library, draft.comment, draft.context.brand, draft.text)
    if template is not None:
        yield DraftProblem(
            "template-only",
            f'the reply is the template "{template.title}" word for word: add something '
            f"for {first_name(draft.comment)}",
            blocking=False,
        )


def check_variables(draft: Draft) -> Iterator[DraftProblem]:
    """A template ``{variable}`` left in the text, with why it could not be filled."""
    language = draft.language or "en"
    fillable = variable_values(draft.comment, draft.context.brand, language)
    for match in VARIABLE_IN_TEXT.finditer(draft.text):
        name = match.group(1)
        if name in fillable:
            reason = f'it would be "{fillable[name]}": write that instead'
        else:
            reason = why_unfilled(name, draft.context.brand, language)
        yield DraftProblem(
            "unknown-variable",
            f"{{{name}}} is not filled in: {reason}",
            blocking=True,
            span=(match.start(), match.end()),
        )


def check_sameness(draft: Draft) -> Iterator[DraftProblem]:
    """Near-identical to replies of the last days: "91 % like 14 replies sent this week"."""
    index = draft.context.recent
    if index is None or not draft.body:
        return
    report = compare_draft(
        index, draft.comment, draft.text, threshold=draft.context.checks.similar_percent
    )
    if report is not None:
        yield DraftProblem(
            "same-as-recent",
            report.message,
            blocking=False,
            detail=report.closest_line(index.now),
        )
