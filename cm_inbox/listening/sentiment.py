"""Sentiment of a brand-directed comment: negative, neutral or positive, with a score.

Lexicon-based, in the manner of VADER but written for what people say to a brand:

- valences from the language's lexicon (evaluations like "nul", "disappointed",
  and customer-service *events* like "still waiting", "charged twice",
  "problem solved"), emoji and emoticons;
- negation before the word ("not good", "pas top", "no issues"), and after it
  in French and in sarcasm ("j'aime pas", "génial... pas", "great... not");
- intensifiers and diminishers ("so", "grave", "trop", "a bit", "un peu"),
  capitals and stretched letters ("NUUUL"), exclamation marks;
- a contrast word ("but", "mais") halves what came before it and weighs what
  follows by half again;
- irony: a complaint, bug or crisis cue with generic praise words ("Great,
  another price increase", "Bravo 👏 encore une panne") turns that praise
  negative, as does a sarcasm marker (🙄, "yeah right", "merci du cadeau");
- what the comment *does* counts too: a crisis, complaint or bug report leans
  negative even in polite words, a question's politeness ("thanks in advance")
  does not make it positive, and spam is neutral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cm_inbox.listening.reading import BOUNDARY, CLAUSE_ENDS, Reading
from cm_inbox.listening.tokens import Tokens

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
NEGATION = -0.7  # "not good" is less bad than "bad" is bad
WINDOW = 4  # a negator reaches words fewer than this many tokens after it
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
SHOUTED, STRETCHED = 1.3, 1.2
EXCLAMATION = 0.3  # per "!", up to four
ALPHA = 4.0  # the raw sum x maps to x / sqrt(x² + ALPHA)
THRESHOLD = 0.3  # |score| below this is neutral
# What a comment does shifts its sum: the weight of each intent cue.
LEAN = {"crisis": -2.0, "press": -1.5, "complaint": -1.5, "bug": -1.5}
ASKED_BUG = 0.0  # "Is the app down?" asks; it does not complain
POLITE_QUESTION = 0.5  # positive words in a plain question are mostly politeness
ASKED_POSITIVE, ASKED_NEGATIVE = 0.3, 0.3  # a word in a clause ending with "?"
SARCASM = -1.2  # what a sarcasm marker says by itself
FAILURE = -0.7  # a negator that negates nothing ("no call"), twice at most
INFORMATIVE = 0.3  # trouble reported as information ("fyi", "pour info")


@dataclass(frozen=True, slots=True)
class Mood:
    """The sentiment of a comment, and what carried it (for the praise and complaint intents)."""

    label: str
    score: float
    praised: bool
    """A positive evaluation ("love", "great", "merci") carried it, not irony or excitement."""
    grieved: bool
    """A negative evaluation in words ("nul", "useless", "déçu"), irony included."""
    hurt: bool = False
    """Something went wrong, said in words ("still waiting", "arrived broken")."""
    failed: bool = False
    """Something did not happen, said as a statement ("no van, no call", "hasn't sent")."""


class _Part:
    """One contribution to the sum: a valence and what is known about where it stands."""

    __slots__ = ("value", "section", "start", "negated", "after", "ironic", "irony", "word")

    def __init__(
        self, value: float, section: str, start: int, after: bool, ironic: bool, word: bool
    ) -> None:
        self.value = value
        self.section = section
        self.start = start  # its first token
        self.negated = False
        self.after = after  # follows a contrast word
        self.ironic = ironic  # a praise word that reads as irony next to trouble
        self.irony = False  # turned negative as irony
        self.word = word  # a word, not an emoji or emoticon


def weigh(reading: Reading, tokens: Tokens, acts: frozenset[str]) -> Mood:
    """The mood of a comment from its ``reading`` and the intent cues already found (``acts``)."""
    if "spam" in acts:
        return Mood(NEUTRAL, 0.0, False, False)
    words = reading.words
    units = reading.units
    asked = _asked_units(units, words)
    parts: list[_Part] = []
    # A pending negator: the token it ends on (-1: none) and the one it starts on.
    neg_end = -1
    neg_start = -1
    neg_unit = -1
    neg_post = False
    factor = 1.0
    factor_end = -1
    contrast = False
    sarcasm = tokens.quoted  # scare quotes: "express" shipping, "support 24h/24"
    informative = False
    exclaim = 0

    # Negators that negated nothing: "No van, no call, no email", "jamais nettoyée".
    # Said to a brand, what did not happen is what went wrong.
    unsaid: list[int] = []

    def post_negate() -> None:
        # A negator with nothing to negate after it negates what just came before
        # ("j'aime pas", "génial... pas", "great... not").
        if neg_post and parts:
            part = parts[-1]
            if part.start >= neg_start - 3 and not part.negated and part.section != "events":
                part.value *= NEGATION
                part.negated = True
                return
        unsaid.append(neg_unit)

    for index, (start, end, roles) in enumerate(units):
        if roles is BOUNDARY:
            mark = words[start]
            if mark == "!":
                exclaim += 1
            if mark != "...":
                # "not good, not bad": a negation ends with its clause or at a comma.
                if neg_end >= 0:
                    post_negate()
                neg_end, factor_end = -1, -1
            continue
        if roles.informative:
            informative = True
        section = roles.section
        if roles.sarcasm:
            sarcasm = True
            if section is None:
                # The marker itself says the writer is not pleased ("oh great", "🙄").
                part = _Part(SARCASM, "words", start, contrast, False, True)
                part.irony = True
                parts.append(part)
                continue
        if roles.contrast:
            for part in parts:
                part.value *= BEFORE_CONTRAST
            contrast = True
            if neg_end >= 0:
                post_negate()
            neg_end, factor_end = -1, -1
            continue
        modifier = roles.modifier
        if modifier and (section is None or _valence_follows(units, index)):
            factor = factor * modifier if factor_end >= 0 and start - factor_end <= 1 else modifier
            factor_end = end
            continue
        if section is None:
            if roles.negator:
                if neg_end >= 0 and start - neg_end >= WINDOW:
                    post_negate()
                if neg_end < 0 or start - neg_end >= WINDOW:
                    neg_start, neg_unit = start, index  # "ne ... pas", "not ... never": one
                neg_end = end
                neg_post = roles.postnegator
            elif roles.postnegator:
                neg_start, neg_unit, neg_post = start, index, True
                post_negate()
                neg_end = -1
            continue
        value = roles.value
        if factor_end >= 0 and start - factor_end <= 1:
            value *= factor
        factor_end = -1
        if start in tokens.shouted:
            value *= SHOUTED
        if start in tokens.stretched:
            value *= STRETCHED
        part = _Part(value, section, start, contrast, roles.ironic, words[start][0].isalnum())
        if neg_end >= 0:
            if start - neg_end < WINDOW:
                # Events carry their own negation ("no answer", "sans aucune solution"):
                # a negator before them is the same negation said twice, not its reverse.
                # Emoji are not negated either: "never miss 🔥" is all praise.
                if section != "events" and value and part.word:
                    part.value *= NEGATION
                    part.negated = True
            else:
                post_negate()
            neg_end = -1
        if asked[index]:
            # "Is it worth it?", "Is there an outage?": asked about, not said.
            part.value *= ASKED_POSITIVE if part.value > 0 else ASKED_NEGATIVE
        if contrast:
            part.value *= AFTER_CONTRAST
        parts.append(part)
    if neg_end >= 0:
        post_negate()

    # Only in statements: "Don't you have it in blue?" asks, it does not report.
    failures = [
        index for index in unsaid if not asked[index] and words[units[index][0]][0].isalpha()
    ]
    if failures and "question" not in acts:
        part = _Part(
            FAILURE * min(len(failures), 2), "events", units[failures[0]][0], contrast, False, True
        )
        parts.append(part)
    troubled = bool(acts & {"crisis", "complaint", "bug"})
    negative_mass = sum(p.value for p in parts if p.value < 0)
    first_negative = min((p.start for p in parts if p.value < 0), default=len(words))
    resolved = any(p.section == "events" and p.value > 0 and not p.after for p in parts)
    for part in parts:
        if part.value <= 0 or part.after:
            continue
        if (
            (sarcasm and (troubled or negative_mass < 0))
            or (troubled and part.ironic and not resolved)
            # "Brilliant. Fourth time this month...": praise standing alone beside trouble.
            or (part.ironic and not resolved and negative_mass < 0 and _alone(words, part.start))
            # "No callback. Amazing.": praise after a plain account of trouble.
            or (
                part.ironic
                and not resolved
                and part.start > first_negative
                and negative_mass <= -1.0
            )
        ):
            part.value = -abs(part.value) * 0.8
            part.irony = True
    cues = reading.cues
    plain_report = informative and not ("complaint" in cues or "crisis" in cues)
    if plain_report:
        # "fyi the link in your bio is broken": a report, not a grievance.
        for part in parts:
            if part.value < 0 and part.section == "events":
                part.value *= INFORMATIVE
    if "question" in acts and not troubled and negative_mass > -0.5:
        for part in parts:
            if part.value > 0:
                part.value *= POLITE_QUESTION

    raw = sum(p.value for p in parts)
    if "press_inquiry" in cues:
        pass  # a journalist asking, even about a crisis, asks politely
    elif "crisis" in cues:
        raw += LEAN["crisis"]
    elif "press" in cues:
        raw += LEAN["press"]  # "I've shared this with a journalist" is a threat
    if "complaint" in acts:
        raw += LEAN["complaint"]
    if "bug" in acts and not resolved:
        raw += ASKED_BUG if plain_report or _asked_bug(acts) else LEAN["bug"]
    if raw:
        raw += math.copysign(min(exclaim, 4) * EXCLAMATION, raw)
    score = raw / math.sqrt(raw * raw + ALPHA)
    label = POSITIVE if score >= THRESHOLD else NEGATIVE if score <= -THRESHOLD else NEUTRAL
    praised = label == POSITIVE and any(
        p.value > 0 and p.section != "excitement" and not p.irony for p in parts
    )
    grieved = any(p.value < 0 and p.word and (p.section == "words" or p.irony) for p in parts)
    hurt = any(p.value < 0 and p.word for p in parts)
    return Mood(label, round(score, 4), praised, grieved, hurt, bool(failures))


def _alone(words: tuple[str, ...], start: int) -> bool:
    """Whether the word at ``start`` is a clause by itself ("Brilliant.", "Génial,")."""
    before = start == 0 or words[start - 1] in CLAUSE_ENDS
    after = start + 1 >= len(words) or words[start + 1] in CLAUSE_ENDS or words[start + 1] == ","
    return before and after


def _asked_units(units: tuple, words: tuple[str, ...]) -> list[bool]:
    """For each unit, whether its clause ends with a question mark."""
    asked = [False] * len(units)
    current = False
    for index in range(len(units) - 1, -1, -1):
        start, _, roles = units[index]
        if roles is BOUNDARY:
            mark = words[start]
            if mark == "?":
                current = True
            elif mark in CLAUSE_ENDS:
                current = False
        asked[index] = current
    return asked


def _valence_follows(units: tuple, index: int) -> bool:
    """Whether a valence comes right after the modifier at ``index`` (maybe after another one)."""
    end = units[index][1]
    for start, next_end, roles in units[index + 1 : index + 3]:
        if start - end > 1:
            return False
        if roles.section is not None:
            return True
        if not (roles.modifier or roles.negator):
            return False
        end = next_end
    return False


def _asked_bug(acts: frozenset[str]) -> bool:
    """A bug raised as a plain question, with no complaint or crisis in it."""
    return "question" in acts and not acts & {"complaint", "crisis"}
