"""What a comment does: question, complaint, bug, praise, purchase, spam, crisis.

Several may apply ("the app is down again, is anyone working on it?" is a bug
report and a question). Each comes from the cue phrases in the language's
``intents.txt`` (see ``lexicon`` for the phrase syntax), with a few rules the
phrases alone cannot say:

- question: a question mark, unless every one closes a rhetorical phrase
  ("c'est une blague ?"), or a clause that opens like a question ("how do I",
  "est-ce que", "vous livrez"), or a phrase that asks ("anyone know", "je me
  demandais si");
- complaint: a complaint cue, or in a negative comment a negative evaluation or an
  account of trouble that is not a bug report;
- bug: a bug cue, or something technical ("the checkout", "mon compteur") that did
  not happen ("hasn't sent a reading", "n'envoie plus");
- praise: a positive evaluation carrying a positive comment, or a praise cue
  in a comment that is not negative;
- purchase: a purchase cue with no blocker ("cancel my subscription");
- spam: cue weights adding up to 2, a link counting 1 once another cue is there.
"""

from __future__ import annotations

from cm_inbox.listening.reading import BOUNDARIES, Reading
from cm_inbox.listening.sentiment import NEGATIVE, POSITIVE, Mood
from cm_inbox.listening.tokens import Tokens

INTENTS = ("question", "complaint", "bug", "praise", "purchase", "spam", "crisis")
SPAM_THRESHOLD = 2.0


def acts(reading: Reading, tokens: Tokens) -> frozenset[str]:
    """The intents the cues alone show, before sentiment is known (sentiment leans on them)."""
    cues = reading.cues
    found: set[str] = set()
    if _asks(reading, tokens):
        found.add("question")
    for name in ("complaint", "bug", "crisis"):
        if name in cues:
            found.add(name)
    if "press" in cues or "press_inquiry" in cues:
        # A journalist asking is a crisis to handle, however politely it is put.
        found.add("crisis")
    if "purchase" in cues and "purchase_block" not in cues:
        found.add("purchase")
    spam = sum(weight for _, _, weight in cues.get("spam", ()))
    if spam and tokens.links:
        spam += 1.0
    if spam >= SPAM_THRESHOLD:
        found.add("spam")
    return frozenset(found)


def settle(found: frozenset[str], reading: Reading, mood: Mood) -> tuple[str, ...]:
    """The final intents, sorted: the cues' ``found`` completed and checked by the ``mood``."""
    result = set(found)
    if "spam" in result:
        # Spam borrows the words of every intent ("free", "buy now", "?"); it is only spam.
        return ("spam",)
    if (
        "tech" in reading.cues
        and mood.label != POSITIVE
        and mood.failed
        and not result & {"bug", "crisis", "spam"}
    ):
        # "Promo code field is missing from the checkout", "mon compteur n'envoie plus de
        # relevé": something technical that went wrong is a bug report.
        result.add("bug")
    # Strong words in a crisis ("scandaleux", "unbelievable") are the crisis itself.
    # Otherwise a negative word of evaluation makes a complaint, and so does any
    # account of trouble that is not already a bug report.
    if (
        mood.label == NEGATIVE
        and "crisis" not in result
        and (mood.grieved or (mood.hurt and "bug" not in result))
    ):
        result.add("complaint")
    if "press_inquiry" in reading.cues:
        # "looking into complaints about your boilers": a journalist's subject, not theirs.
        result.discard("complaint")
    if mood.label == NEGATIVE and result & {"bug", "complaint"} and "question" not in result:
        # "The gift card page throws a 404": an angry report is not a sales lead.
        result.discard("purchase")
    if mood.label == POSITIVE:
        result.discard("complaint")
        result.discard("bug")
        if mood.praised or "praise" in reading.cues:
            result.add("praise")
    elif mood.praised:
        result.add("praise")
    return tuple(sorted(result))


def _asks(reading: Reading, tokens: Tokens) -> bool:
    cues = reading.cues
    if "question" in cues:
        return True
    words = reading.words
    greetings = {end for _, end, _ in cues.get("greeting", ())}
    for start, _, _ in cues.get("question_start", ()):
        opens = start == 0 or words[start - 1] in BOUNDARIES or start in greetings
        # "Vous avez un Discord" asks; "Vous avez une fuite de données." says.
        if opens and _clause_end(words, start) not in (".", "!"):
            return True
    for _, end, _ in cues.get("question_end", ()):
        # "les horaires commencent quand", "c'est où": the question word ends the clause.
        if end == len(words) or words[end] in ("?", "!", ".", "..."):
            return True
    if "?" not in words:
        return False
    rhetorical = {end for _, end, _ in cues.get("rhetorical", ())}
    for index, word in enumerate(words):
        if word == "?":
            # "??", "?!": the run of marks belongs to the words before it.
            start = index
            while start and words[start - 1] in ("?", "!"):
                start -= 1
            if start not in rhetorical:
                return True
    return False


def _clause_end(words: tuple[str, ...], start: int) -> str | None:
    """The mark that closes the clause opening at ``start`` (None at the end of the text)."""
    for word in words[start:]:
        if word in (".", "!", "?"):
            return word
    return None
