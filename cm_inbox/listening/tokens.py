"""A social comment cut into the tokens the signal lexicons are written in.

One pass over the text gives what language, sentiment and intent detection all
need: links and @mentions set aside (they say nothing about the writer's mood
and confuse language detection), hashtags read as words (``#BoycottVanta`` is
"boycott vanta"), accents folded and case lowered so "déçu", "decu" and "DÉÇU"
meet one lexicon entry, French elisions split ("j'adore" is "j'" + "adore"),
and emoticons and emoji kept as tokens of their own.

Lexicon entries go through the same ``tokenize`` as comments, so an entry and
the text it should match can never disagree on how a word is cut.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Handles, then links: a URL's path must not turn into words, and "@lumo.app" is a handle.
_TLDS = (
    "com|net|org|io|ly|gg|me|co|fr|de|es|it|nl|pt|be|ch|uk|eu"
    "|app|shop|store|xyz|info|biz|link|example|online|site|club|tv"
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DOMAIN = re.compile(rf"\b[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b(?:/\S*)?", re.IGNORECASE)
_MAYBE_DOMAIN = re.compile(rf"\w\.(?:{_TLDS})\b", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+(?:@[\w.-]+)?")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# Emoticons count only standing alone, so "x" in a word or ":" in "10:30" stays text.
EMOTICONS = {
    ":)": ":)",
    ":-)": ":)",
    "=)": ":)",
    ":]": ":)",
    ":))": ":)",
    "(:": ":)",
    "^^": ":)",
    "^_^": ":)",
    ":3": ":)",
    ";)": ";)",
    ";-)": ";)",
    ":d": ":D",
    ":-d": ":D",
    "xd": ":D",
    "=d": ":D",
    ":p": ":p",
    ":-p": ":p",
    ";p": ":p",
    "<3": "<3",
    "<33": "<3",
    "<333": "<3",
    ":(": ":(",
    ":-(": ":(",
    "=(": ":(",
    ":((": ":(",
    ":[": ":(",
    "</3": "</3",
    ":'(": ":'(",
    ":’(": ":'(",
    "t_t": ":'(",
    ":/": ":/",
    ":-/": ":/",
    ":\\": ":/",
    ":|": ":|",
    "-_-": "-_-",
    ":o": ":o",
    ":-o": ":o",
    ">:(": ">:(",
    ":@": ">:(",
}
_EMOTICON_RE = "|".join(re.escape(e) for e in sorted(EMOTICONS, key=len, reverse=True))
# Pictographs, dingbats and symbols; variation selectors, skin tones and joiners are
# dropped so "❤️" and "❤" are one token and a family emoji is its people.
_EMOJI_RANGES = (
    "\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2900-\u297f\u2b00-\u2bff\u3030\u303d"
    "\U0001f000-\U0001f3fa\U0001f400-\U0001faff"
)
# Words first: most tokens are words, and trying the emoticons (guarded by their first
# characters) only where a word cannot start keeps the scan fast.
_TOKEN = re.compile(
    r"[^\W_]+(?:'[^\W_]+)*"
    rf"|(?<!\S)(?=[:;=(^<>\-'xXtT])(?:{_EMOTICON_RE})(?!\S)"
    r"|\.{2,}|…|[!?.,;:]"
    rf"|[{_EMOJI_RANGES}]",
    re.IGNORECASE,
)
_IGNORED = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d"), None) | dict.fromkeys(
    range(0x1F3FB, 0x1F400), None
)
_INVISIBLE = re.compile("[\ufe0f\ufe0e\u200d\U0001f3fb-\U0001f3ff]")
_ELISIONS = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_TRIPLE = re.compile(r"(.)\1\1")
_TWO_CAPITALS = re.compile(r"[A-Z]{2}")
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'\w")

# Accents folded with one str.translate (several times faster than NFKD per token).
_FOLD: dict[int, str] = {}
for _code in range(0xC0, 0x250):
    _base = unicodedata.normalize("NFKD", chr(_code))[0]
    if _base.isascii() and _base.isalpha():
        _FOLD[_code] = _base
_FOLD.update({ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE", ord("ß"): "ss"})
_FOLD.update({ord("’"): "'", ord("‘"): "'", ord("´"): "'", ord("`"): "'"})

# The English contractions people type without their apostrophe.
_CONTRACTIONS = {
    "cant": "can't",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "arent": "aren't",
    "werent": "weren't",
    "wont": "won't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "aint": "ain't",
    "im": "i'm",
    "ive": "i've",
    "youre": "you're",
    "thats": "that's",
}


class Tokens(NamedTuple):
    """A comment as tokens, with what was set aside on the way."""

    words: tuple[str, ...]
    """Every token, lowered and folded: words, "?", "!", ".", "...", emoticons, emoji."""
    shouted: frozenset[int]
    """Indexes of words written in capitals in a text that is not all capitals."""
    stretched: frozenset[int]
    """Indexes of words typed with a letter held down ("nuuul", "sooo")."""
    links: int
    mentions: int
    letters: str
    """The text's words alone (no links, handles, hashtags, emoji), for language detection."""
    quoted: bool
    """A word or three in quotes ("express" delivery, "24/7" support): often a sneer."""


def fold(text: str) -> str:
    """``text`` lowered, accents removed, curly apostrophes made straight."""
    return text.translate(_FOLD).lower()


_NONE: frozenset[int] = frozenset()
# One lookup turns a raw lowered token into its token: contractions, emoticon variants.
_PLAIN: dict[str, str] = {**_CONTRACTIONS, **EMOTICONS, "…": "..."}
_SCARE_QUOTES = re.compile(r"[\"“«]\s?[^\s\"“”«»]+(?:\s[^\s\"“”«»]+){0,2}\s?[\"”»]")


def tokenize(text: str, known: frozenset[str] = frozenset()) -> Tokens:
    """Cut ``text`` into tokens; ``known`` words settle how a stretched word is squeezed.

    "goood" becomes "good" when "good" is known, else "god"; "nuuul" becomes "nul".
    """
    ascii_only = text.isascii()
    if not ascii_only and _INVISIBLE.search(text):
        text = text.translate(_IGNORED)
    links = mentions = 0
    if "@" in text:
        text, mentions = _MENTION.subn(" ", text)
    if "." in text:
        if "://" in text or "www." in text:
            text, links = _URL.subn(" ", text)
        if _MAYBE_DOMAIN.search(text):
            text, more = _DOMAIN.subn(" ", text)
            links += more
    plain = text
    if "#" in text:
        plain = _HASHTAG.sub(" ", text)
        text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    folded = text if text.isascii() else text.translate(_FOLD)
    lowered = folded.lower()
    # Capitals only count in a text that has some lower case too ("NUL" in a sentence),
    # and only in words of two capitals or more (a capital starting a sentence is not shouting).
    caps = lowered != folded and not folded.isupper() and _TWO_CAPITALS.search(folded) is not None
    stretchy = _TRIPLE.search(lowered) is not None  # a cheap gate; words are checked below
    elided = "'" in lowered and _ELISION.search(lowered) is not None
    if not (caps or stretchy or elided):
        # Most comments: no capitals to note, no held-down letters, no elisions.
        words = [_PLAIN.get(raw, raw) for raw in _TOKEN.findall(lowered)]
        if "..." in lowered or "…" in lowered:
            words = [word if word[0] != "." or len(word) < 3 else "..." for word in words]
        return Tokens(
            tuple(words), _NONE, _NONE, links, mentions, _letters(plain, ascii_only), _quoted(text)
        )
    words: list[str] = []
    shouted: set[int] = set()
    stretched: set[int] = set()
    raws = _TOKEN.findall(folded) if caps else _TOKEN.findall(lowered)
    for raw in raws:
        first = raw[0]
        if first.isalnum() and raw not in EMOTICONS:
            word = raw.lower() if caps else raw
            if elided and "'" in word:
                head, _, rest = word.partition("'")
                if head in _ELISIONS and rest:
                    words.append(head + "'")
                    word = rest
            if stretchy and _REPEAT.search(word):
                two = _REPEAT.sub(r"\1\1", word)
                word = two if two in known else _REPEAT.sub(r"\1", word)
                stretched.add(len(words))
            word = _CONTRACTIONS.get(word, word)
            if caps and len(raw) > 1 and raw.isupper() and not raw.isdigit():
                shouted.add(len(words))
            words.append(word)
        elif first in ".…":
            words.append("..." if len(raw) > 1 or first == "…" else ".")
        else:
            words.append(EMOTICONS.get(raw.lower(), raw))
    return Tokens(
        tuple(words),
        frozenset(shouted) if shouted else _NONE,
        frozenset(stretched) if stretched else _NONE,
        links,
        mentions,
        _letters(plain, ascii_only),
        _quoted(text),
    )


def _quoted(text: str) -> bool:
    return ('"' in text or "“" in text or "«" in text) and _SCARE_QUOTES.search(text) is not None


_NOT_LETTERS = re.compile(r"(?<!\S)[:;=][-']?[()\[\]DdPpOo3/\\|]+(?!\S)|[^\w'’\s-]+|\d+|_")


def _letters(text: str, ascii_only: bool = False) -> str:
    """The words of ``text`` alone, for language detection (no emoji, digits or symbols).

    ASCII text goes as it is: it has no emoji, and py3langid reads past punctuation.
    """
    if ascii_only:
        return text.strip()
    return " ".join(_NOT_LETTERS.sub(" ", text).split())
