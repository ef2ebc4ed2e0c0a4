"""What a draft check looks at and what it says: :class:`Draft`, :class:`DraftContext`,
:class:`DraftProblem`. The checks themselves are in compose.py and voice_checks.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from cm_inbox.brand import BrandBook
from cm_inbox.check_settings import CheckSettings
from cm_inbox.model import Comment
from cm_inbox.networks.rules import NetworkRules

if TYPE_CHECKING:
    from cm_inbox.sameness import SamenessIndex
    from cm_inbox.templates import TemplateLibrary

# A mention as people type them: "@bob", "@bob@example.org", "@bob.bsky.social".
MENTION = regex.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")

# A language detector: text in, an ISO 639-1 code (or None when unsure) out.
LanguageDetector = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class DraftProblem:
    """Something wrong with a draft. A blocking problem stops the reply from being queued."""

    code: str
    message: str
    blocking: bool
    # A second line: the closest past reply, what to say instead.
    detail: str = ""
    # Where in the text, as (start, end) character offsets, for a UI to underline.
    span: tuple[int, int] | None = None


def _no_brand() -> BrandBook:
    return BrandBook()


@dataclass(frozen=True)
class DraftContext:
    """What the checks know beyond the text: built once when the composer opens.

    Everything is optional: without a brand book the brand checks find
    nothing to hold the draft to, without a detector the language check
    stays quiet, without recent replies there is no sameness check.
    """

    brand: BrandBook = field(default_factory=_no_brand)
    checks: CheckSettings = field(default_factory=CheckSettings)
    templates: TemplateLibrary | None = None
    detect_language: LanguageDetector | None = None
    recent: SamenessIndex | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """What every check looks at: the reply, the comment it answers, the network's rules."""

    comment: Comment
    text: str
    rules: NetworkRules
    limit: int
    context: DraftContext = field(default_factory=DraftContext)

    @property
    def body(self) -> str:
        """The text without any @mentions, stripped: what the reply actually says."""
        return MENTION.sub("", self.text).strip()

    @property
    def language(self) -> str | None:
        """The language the reply should be in: the comment's, else the brand's default."""
        return _base(self.comment.language) or self.context.brand.default_language


def _base(code: str | None) -> str | None:
    return code.lower().replace("_", "-").split("-")[0] if code else None


Check = Callable[[Draft], Iterable[DraftProblem]]
