"""Setting up the composer: the brand book, templates and recent replies a draft is checked with.

The TUI composer (when it opens, in a worker) and `cm-inbox reply` both call
:func:`draft_context`, then ``compose.check_draft(comment, text, context=...)``
on every change, so both hold a reply to the same rules.
"""

from __future__ import annotations

from pathlib import Path

from cm_inbox.brand import BrandBook
from cm_inbox.brand_file import demo_brand_book
from cm_inbox.config import Config
from cm_inbox.draft import DraftContext, LanguageDetector
from cm_inbox.model import Comment
from cm_inbox.sameness import SamenessIndex, load_index
from cm_inbox.template_files import load_library, user_templates_dir
from cm_inbox.templates import TemplateLibrary


def composer_brand(config: Config, *, demo: bool = False) -> BrandBook:
    """The brand book replies are held to: the demo's Lumo in the demo, else the user's."""
    return demo_brand_book() if demo else config.brand


def composer_templates(config: Config, *, demo: bool = False) -> TemplateLibrary:
    """The bundled templates, and in the user's own inbox theirs from ``templates/`` too."""
    if demo or config.path is None:
        return load_library(None)
    return load_library(user_templates_dir(config.path))


def find_language_detector() -> LanguageDetector:
    """``detect_language(text) -> code | None``: the language listening reads in a draft
    (None when the words do not tell, so a short "Merci !" is not called wrong)."""
    from cm_inbox.listening import analyze

    def detect_language(text: str) -> str | None:
        # A language is a matter of words: one long token ("xxxx…", a URL) says nothing.
        if len({word.lower() for word in text.split() if any(ch.isalpha() for ch in word)}) < 3:
            return None
        return analyze(text).language

    return detect_language


def draft_context(
    store,
    config: Config,
    comment: Comment | None = None,
    *,
    demo: bool = False,
    detect_language: LanguageDetector | None = None,
    templates: TemplateLibrary | None = None,
    recent: SamenessIndex | None = None,
    now: int | None = None,
) -> DraftContext:
    """Everything ``check_draft`` needs beyond the text, for replies to ``comment``.

    ``store`` is a ``cm_inbox.store.Store``: the recent replies (those of the
    last ``[checks] similar_days``) are read from it here, once, so each later
    check costs milliseconds; reading 10,000 takes a few hundred, so call this
    in a worker. ``templates`` and ``recent`` reuse a library and an index
    already loaded (the picker's, the last composer's): replies to ``comment``
    itself are left out when comparing, so one index serves every comment.
    """
    checks = config.checks
    if recent is None:
        recent = load_index(store, now=now, days=checks.similar_days)
    return DraftContext(
        brand=composer_brand(config, demo=demo),
        checks=checks,
        templates=templates if templates is not None else composer_templates(config, demo=demo),
        detect_language=detect_language,
        recent=recent,
    )


def is_demo_database(path: Path) -> bool:
    """True when ``path`` is the demo inbox (`cm-inbox demo` uses Lumo's brand book there)."""
    from cm_inbox.paths import demo_db_path

    try:
        return path.resolve() == demo_db_path().resolve()
    except OSError:
        return False
