"""The sparse features the learned model reads: words, word pairs, and the lexicon's verdict.

The same function builds the features when the model is trained (``train``) and when a
comment is scored (``pipeline``), so the two can never drift apart. A feature is a
name → value pair; most are 1.0 (the word is there), the lexicon's score is its
value in [-1, 1].

- words as the tokenizer leaves them, counted: lowered, accents folded, held-down letters
  squeezed ("nuuul" → "nul"), texting shorthand spelt out, emoji and emoticons as
  tokens; digits, links and handles as one token each, since which number or
  which link says nothing about the writer;
- a negator's scope: the three words after a negator of the lexicon, up to the
  clause's end, are read as ``NOT_word`` ("not good", "pas terrible"), so the
  model learns "good" and "not good" apart without a rule per phrase;
- word pairs ("still waiting", "j'aime pas"), with the text's edges;
- letter sequences of three to five inside each word, counted;
- stacking: what the lexicon pipeline concluded (its sentiment score and label,
  each intent it found, each cue section seen, negation, irony, questions,
  capitals and exclamation marks), and the language. The lexicons carry the
  rules written by hand; the words let the model correct them where writers
  differ from the lexicon's authors.
"""

from __future__ import annotations

from functools import lru_cache

from cm_inbox.listening.reading import BOUNDARIES, BOUNDARY, CLAUSE_ENDS, VALENCES, Reading
from cm_inbox.listening.sentiment import Mood
from cm_inbox.listening.tokens import Tokens

SCOPE = 3  # words a negator reaches
GRAMS = (3, 4, 5)  # lengths of the letter sequences read inside each word
# Sections of the lexicon walk worth a feature of their own (sentiment markers).
MARKERS = frozenset({"sarcasm", "ironic", "informative", "intensifiers", "diminishers", "contrast"})
# Valence section → ((its key, the closing clause's key) when positive, when negative).
_VALENCE_KEYS = {
    section: ((f"v:{section}+", "v:last+"), (f"v:{section}-", "v:last-")) for section in VALENCES
}


@lru_cache(maxsize=20_000)
def letter_grams(word: str) -> tuple[str, ...]:
    """The letter sequences of ``word`` with its edges marked ("nul" → " nu", "nul", "ul "...).

    They carry what whole words miss: a misspelling, an inflection the lexicon
    never listed, a brand-new compound, the same stem in French and English.
    """
    marked = f" {word} "
    return tuple(
        "g:" + marked[at : at + size] for size in GRAMS for at in range(len(marked) - size + 1)
    )


@lru_cache(maxsize=20_000)
def expand(form: str) -> tuple[str, ...]:
    """The features one token brings: its word as read ("w:nul", "w:NOT_good"), then
    the letter sequences of the word itself."""
    if form.startswith("NOT_"):
        # A negated word's letters mean its opposite: they are read apart ("n:").
        base = form[4:]
        if len(base) > 1 and base[0].isalpha():
            return ("w:" + form, *("n:" + gram[2:] for gram in letter_grams(base)))
        return ("w:" + form,)
    if len(form) > 1 and form[0].isalpha():
        return ("w:" + form, *letter_grams(form))
    return ("w:" + form,)


def features(
    tokens: Tokens,
    reading: Reading,
    mood: Mood,
    intents: tuple[str, ...],
    language: str | None,
) -> dict[str, float]:
    """The features of one comment, name → value (see the module's docstring)."""
    found, forms = parts(tokens, reading, mood, intents, language)
    for form in forms:
        for name in expand(form):
            found[name] = found.get(name, 0.0) + 1.0
    return found


def parts(
    tokens: Tokens,
    reading: Reading,
    mood: Mood,
    intents: tuple[str, ...],
    language: str | None,
) -> tuple[dict[str, float], list[str]]:
    """The features of one comment as the scorer reads them: the comment's own
    features, and each token's form, whose features (``expand``) are counted.

    A scorer keeps each form's features summed (``learned.Model``), since the
    same few thousand forms make most comments.
    """
    words = reading.words
    negated_from: dict[int, int] = {}
    markers: set[str] = set()
    masses: dict[str, float] = {}
    last: dict[str, float] = {}  # the closing clause often carries the verdict
    clause_end = len(words) - 1
    for start, end, roles in reading.units:
        if roles is BOUNDARY:
            if words[start] in CLAUSE_ENDS and end < clause_end:
                last = {}
            continue
        for section, value in roles.sections.items():
            signs = _VALENCE_KEYS.get(section)
            if signs is not None:
                if value:
                    # The lexicon's good and bad words apart: praise told through a
                    # solved problem holds both, and the net score hides it.
                    key, closing = signs[0] if value > 0 else signs[1]
                    masses[key] = masses.get(key, 0.0) + abs(value)
                    last[closing] = last.get(closing, 0.0) + abs(value)
            elif section == "negators":
                for at in range(end, min(end + SCOPE, len(words))):
                    if words[at] in BOUNDARIES:
                        break
                    negated_from[at] = start
            elif section in MARKERS:
                markers.add(section)
    found: dict[str, float] = {}
    forms = ["<num>" if word.isdigit() else word for word in words]
    for at in negated_from:
        forms[at] = "NOT_" + forms[at]
    previous = "<s>"
    for form in forms:
        found["b:" + previous + " " + form] = 1.0
        previous = form
    found["b:" + previous + " </s>"] = 1.0
    if tokens.links:
        found["w:<link>"] = 1.0
    if tokens.mentions:
        found["w:<handle>"] = 1.0
    if not words:
        found["x:empty"] = 1.0

    # Stacking: the lexicon pipeline's own reading of the comment.
    found["x:score"] = mood.score
    masses.update(last)
    for key, mass in masses.items():
        found[key] = min(mass, 6.0) / 3.0
    found["x:" + mood.label] = 1.0
    for intent in intents:
        found["i:" + intent] = 1.0
    for section, cues in reading.cues.items():
        found["c:" + section] = min(sum(weight for _, _, weight in cues), 3.0)
    for name in markers:
        found["m:" + name] = 1.0
    if negated_from:
        found["m:negated"] = 1.0
    if tokens.quoted:
        found["m:quoted"] = 1.0
    if tokens.shouted:
        found["m:shouted"] = 1.0
    if tokens.stretched:
        found["m:stretched"] = 1.0
    if mood.praised:
        found["m:praised"] = 1.0
    if mood.grieved:
        found["m:grieved"] = 1.0
    if mood.hurt:
        found["m:hurt"] = 1.0
    if mood.failed:
        found["m:failed"] = 1.0
    found["l:" + (language or "none")] = 1.0
    return found, forms
