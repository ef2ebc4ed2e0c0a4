"""Finding a template: the composer's picker calls these as the user types.

:func:`search_templates` ranks templates by fuzzy match (rapidfuzz) on their
titles, ids, tags and words; with an empty query it gives
:func:`suggest_templates`, the templates suited to the comment: for an
escalated one, the "admit the mistake" templates first, in the order they are
meant to be sent (acknowledge, apologise, say what is being done, follow up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cm_inbox.model import Comment, Status
from cm_inbox.templates import Template, TemplateLibrary

ADMIT_MISTAKE = "admit-mistake"
# Below this, a fuzzy match is noise.
_CUTOFF = 70
# A template not written in the wanted language still shows, after those that are.
_OTHER_LANGUAGE_PENALTY = 8
# Words matched in a template's body count a little less than in its title.
_BODY_WEIGHT = 0.9
_WORD_BONUS = 10
_LEADING_VARIABLES = re.compile(r"^(?:\{[^{}]*\}[\s,!.:;]*)+")


@dataclass(frozen=True)
class TemplateMatch:
    """One line of the picker: a template in the language it would be inserted in."""

    template: Template
    language: str
    title: str
    # The first variant's words as written (variables unfilled) after the opening
    # "{greeting} {author.first_name}," every template shares, for a preview.
    preview: str
    score: float
    # Suggested for this comment (escalated, or a tag matching its labels).
    suited: bool = False


def _fuzzy_scores(query: str, choices: list[str], weight: float) -> dict[int, float]:
    """Index -> best score of ``query`` against each choice, in any word order, typos forgiven."""
    from rapidfuzz import fuzz, process, utils

    scores: dict[int, float] = {}
    for scorer in (fuzz.partial_ratio, fuzz.partial_token_sort_ratio):
        for _, score, index in process.extract(
            query,
            choices,
            scorer=scorer,
            processor=utils.default_process,
            limit=None,
            score_cutoff=min(100.0, _CUTOFF / weight),
        ):
            scores[index] = max(scores.get(index, 0.0), score * weight)
    return scores


def _wanted_language(comment: Comment | None, language: str | None, default: str) -> str:
    return language or (comment.language if comment is not None and comment.language else default)


def _suitability(template: Template, comment: Comment | None, escalated: bool) -> float:
    if comment is None:
        return 0.0
    score = 0.0
    if escalated and template.group == ADMIT_MISTAKE:
        # Far above any tag match, and in the order the steps are meant to go out.
        score += 1000 - template.step
    topics = {*comment.labels, *comment.intents}
    score += 10 * len(topics.intersection(template.tags))
    return score


def _match(template: Template, wanted: str, score: float, suited: bool) -> TemplateMatch:
    language = template.language_for(wanted)
    return TemplateMatch(
        template=template,
        language=language,
        title=template.title_in(language),
        preview=_LEADING_VARIABLES.sub("", " ".join(template.texts[language].variants[0].split())),
        score=score,
        suited=suited,
    )


def suggest_templates(
    library: TemplateLibrary,
    comment: Comment | None,
    *,
    escalated: bool | None = None,
    language: str | None = None,
    default_language: str = "en",
    limit: int | None = None,
) -> list[TemplateMatch]:
    """Every template, those suited to ``comment`` first.

    ``escalated`` defaults to the comment's status being escalated; pass True
    for a comment that was escalated earlier and is being answered now. Within
    the same suitability, templates in the comment's language come first, then
    file order.
    """
    is_escalated = (
        escalated
        if escalated is not None
        else (comment is not None and comment.status is Status.ESCALATED)
    )
    wanted = _wanted_language(comment, language, default_language)
    ranked = sorted(
        enumerate(library.templates),
        key=lambda item: (
            -_suitability(item[1], comment, is_escalated),
            wanted not in item[1].texts,
            item[0],
        ),
    )
    matches = []
    for _, template in ranked:
        suitability = _suitability(template, comment, is_escalated)
        matches.append(_match(template, wanted, suitability, suitability > 0))
    return matches[:limit] if limit is not None else matches


def search_templates(
    library: TemplateLibrary,
    query: str,
    *,
    comment: Comment | None = None,
    escalated: bool | None = None,
    language: str | None = None,
    default_language: str = "en",
    limit: int | None = 20,
) -> list[TemplateMatch]:
    """Templates matching ``query`` (typos forgiven), best first; all suggestions when blank.

    Fast enough to run on every key press: a few hundred templates take well
    under a millisecond.
    """
    if not query.strip():
        return suggest_templates(
            library,
            comment,
            escalated=escalated,
            language=language,
            default_language=default_language,
            limit=limit,
        )
    from rapidfuzz import utils

    is_escalated = (
        escalated
        if escalated is not None
        else (comment is not None and comment.status is Status.ESCALATED)
    )
    wanted = _wanted_language(comment, language, default_language)
    names: list[str] = []
    bodies: list[str] = []
    for template in library.templates:
        shown = template.language_for(wanted)
        titles = {template.title, template.title_in(shown)}
        names.append(" ".join([*titles, template.id, template.group, *template.tags]))
        bodies.append(" ".join(template.texts[shown].variants))
    scores = _fuzzy_scores(query, names, 1.0)
    for index, score in _fuzzy_scores(query, bodies, _BODY_WEIGHT).items():
        scores[index] = max(scores.get(index, 0.0), score)
    # Whole words typed ("dm", "bug") beat the same letters inside another word ("admit").
    typed = utils.default_process(query).split()
    for index in scores:
        words = utils.default_process(names[index]).split()
        if all(any(word.startswith(part) for word in words) for part in typed):
            scores[index] += _WORD_BONUS
    matches = []
    for index, score in scores.items():
        template = library.templates[index]
        suitability = _suitability(template, comment, is_escalated)
        if wanted not in template.texts:
            score -= _OTHER_LANGUAGE_PENALTY
        matches.append(
            (score, suitability, -index, _match(template, wanted, score, suitability > 0))
        )
    matches.sort(key=lambda item: item[:3], reverse=True)
    found = [match for *_, match in matches]
    return found[:limit] if limit is not None else found
