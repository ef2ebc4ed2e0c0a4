"""How well the listening signals do on labelled comments: ``make eval``.

    python -m cm_inbox.listening.evaluate [FILES...] [--compare-language] [--errors]

Each file is JSON Lines, one comment a line::

    {"text": "pas terrible", "language": "fr", "sentiment": "negative", "intents": ["complaint"]}

``language`` may be null (a comment of emoji alone), ``sentiment`` and
``intents`` may be left out (a row that only checks the language), and an
optional ``hint`` is passed to ``analyze`` as the network's language tag.
Without FILES, the project's test split under ``tests/eval/`` is read (every file
but the ``*-dev`` ones the model learnt from) and decides the exit status; the
validation set (``tests/eval/validation/``, writer c) is reported after it. The
language most of a file's rows are in is passed to ``analyze`` as the default
language, as a brand's inbox passes its own; a file named
``LANG-SPLIT.jsonl`` where SPLIT ends in ``dev`` or ``test`` ("en-dev", "fr-extra-dev",
"en-fresh-test") is also reported as its split, so tuning on dev can be checked
against sets never tuned on.

Prints language and sentiment accuracy per language, precision, recall and F1
per intent with their macro average, and the cost per comment. Exits 1 when a
target is missed, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cm_inbox.listening import Signals, analyze, preload
from cm_inbox.listening.intents import INTENTS
from cm_inbox.listening.language import LANGUAGES

LANGUAGE_TARGET = 0.99
SENTIMENT_TARGET = 0.85
SENTIMENT_TARGET_LANGUAGES = ("en", "fr")
INTENT_TARGET = 0.80
SENTIMENTS = ("negative", "neutral", "positive")


class EvalFileError(ValueError):
    """A labelled file that cannot be read, with the file and line in the message."""


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled comment."""

    text: str
    language: str | None
    sentiment: str | None
    intents: frozenset[str] | None
    hint: str | None
    split: str | None
    default: str | None = None
    """The language most of the row's file is in: the deployment's default language."""

    def language_right(self, found: str | None) -> bool:
        """Whether ``found`` is the row's language. A row labelled with no language
        (emoji alone) is right as None or as the default a deployment would give it."""
        if self.language is None:
            return found is None or found == (self.hint or self.default)
        return found == self.language

    @property
    def group(self) -> str:
        """The language a row is counted under ("none" for a comment with no words)."""
        return self.language or self.hint or "none"


def eval_folder() -> Path | None:
    """tests/eval from here or from the source tree."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        folder = root / "tests" / "eval"
        if any(folder.glob("*.jsonl")):
            return folder
    return None


def default_files() -> list[Path]:
    """The project's test split: tests/eval/*.jsonl but the dev files the model learnt from."""
    folder = eval_folder()
    if folder is None:
        return []
    return [path for path in sorted(folder.glob("*.jsonl")) if not path.stem.endswith("-dev")]


def heldout_files() -> list[Path]:
    """A fourth writer's comments (tests/eval/heldout/), written apart from everyone who
    built the signals and measured once before they joined the repository; never
    trained or tuned on."""
    folder = eval_folder()
    return sorted((folder / "heldout").glob("*.jsonl")) if folder else []


def validation_files() -> list[Path]:
    """The validation set: tests/eval/validation/*.jsonl (writer c, never trained on)."""
    folder = eval_folder()
    return sorted((folder / "validation").glob("*.jsonl")) if folder else []


def read_rows(path: Path) -> list[Row]:
    """The rows of one JSONL file, checked field by field."""
    # "en-dev" is the split "dev", "fr-extra-dev" the split "extra-dev".
    stem = path.stem
    split = stem.split("-", 1)[1] if stem.endswith(("-dev", "-test")) and "-" in stem else None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"{path}: cannot read it ({error})") from None
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalFileError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise EvalFileError(f"{where}: expected an object, got {type(data).__name__}")
        text = data.get("text")
        if not isinstance(text, str):
            raise EvalFileError(f"{where}: 'text' must be a string")
        language = data.get("language")
        if language is not None and not isinstance(language, str):
            raise EvalFileError(f"{where}: 'language' must be a string or null")
        hint = data.get("hint")
        if hint is not None and not isinstance(hint, str):
            raise EvalFileError(f"{where}: 'hint' must be a string or null")
        sentiment = data.get("sentiment")
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise EvalFileError(f"{where}: 'sentiment' must be one of {', '.join(SENTIMENTS)}")
        intents = data.get("intents")
        if intents is not None:
            if not isinstance(intents, list) or not all(i in INTENTS for i in intents):
                raise EvalFileError(
                    f"{where}: 'intents' must be a list drawn from {', '.join(INTENTS)}"
                )
            intents = frozenset(intents)
        rows.append(Row(text, language, sentiment, intents, hint, split))
    # A brand's inbox has a main language, passed to analyze as its default: a file's
    # majority language stands for it, so emoji-only lines count as a deployment reads them.
    counts = Counter(row.language for row in rows if row.language)
    if counts:
        default = counts.most_common(1)[0][0]
        rows = [replace(row, default=default) for row in rows]
    return rows


@dataclass
class Score:
    """Counts for one accuracy figure."""

    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.value:7.1%} ({self.right}/{self.total})"


def intent_table(pairs: Iterable[tuple[frozenset[str], tuple[str, ...]]]) -> dict[str, tuple]:
    """Per intent: (precision, recall, F1, support) over (expected, predicted) pairs."""
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for expected, predicted in pairs:
        got = set(predicted)
        for intent in INTENTS:
            if intent in got and intent in expected:
                tp[intent] += 1
            elif intent in got:
                fp[intent] += 1
            elif intent in expected:
                fn[intent] += 1
    table = {}
    for intent in INTENTS:
        precision = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        recall = tp[intent] / (tp[intent] + fn[intent]) if tp[intent] + fn[intent] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[intent] = (precision, recall, f1, tp[intent] + fn[intent])
    return table


def macro_f1(table: dict[str, tuple]) -> float:
    """The mean F1 of the intents that occur in the labels."""
    present = [row[2] for row in table.values() if row[3]]
    return sum(present) / len(present) if present else 0.0


def evaluate(rows: Sequence[Row], out: Callable[[str], None] = print, errors: bool = False) -> bool:
    """Print every figure for ``rows``; True when all targets hold."""
    preload()
    results: list[Signals] = [analyze(row.text, row.hint, row.default) for row in rows]
    started = time.perf_counter()
    for row in rows:
        analyze(row.text, row.hint, row.default)
    per_comment = (time.perf_counter() - started) / max(len(rows), 1) * 1e6

    language: dict[str, Score] = defaultdict(Score)
    sentiment: dict[str, Score] = defaultdict(Score)
    overall_language = Score()
    for row, got in zip(rows, results, strict=True):
        language[row.group].add(row.language_right(got.language))
        overall_language.add(row.language_right(got.language))
        if row.sentiment is not None:
            sentiment[row.group].add(got.sentiment == row.sentiment)

    ok = True
    out(f"{len(rows)} comments, {per_comment:.1f} µs per comment (analyze, all signals)\n")
    out("language  language accuracy  sentiment accuracy")
    order = sorted(language, key=lambda g: (g not in LANGUAGES, -language[g].total, g))
    for group in order:
        shown = str(sentiment[group]) if group in sentiment else "        -"
        out(f"{group:8}  {language[group]!s:17}  {shown}")
    out(f"{'all':8}  {overall_language!s:17}")
    if overall_language.value < LANGUAGE_TARGET:
        ok = False
        out(f"  MISSED: language accuracy {overall_language.value:.1%} < {LANGUAGE_TARGET:.0%}")
    for group in SENTIMENT_TARGET_LANGUAGES:
        if group in sentiment and sentiment[group].value < SENTIMENT_TARGET:
            ok = False
            out(
                f"  MISSED: {group} sentiment {sentiment[group].value:.1%} < {SENTIMENT_TARGET:.0%}"
            )

    labelled = [
        (row, got) for row, got in zip(rows, results, strict=True) if row.intents is not None
    ]
    table = intent_table((row.intents, got.intents) for row, got in labelled)  # type: ignore[misc]
    out("\nintent      precision  recall     F1  support")
    for intent, (precision, recall, f1, support) in table.items():
        out(f"{intent:10}  {precision:9.2f}  {recall:6.2f}  {f1:5.2f}  {support:7}")
    macro = macro_f1(table)
    out(f"{'macro-F1':10}  {'':9}  {'':6}  {macro:5.2f}")
    if labelled and macro < INTENT_TARGET:
        ok = False
        out(f"  MISSED: intent macro-F1 {macro:.2f} < {INTENT_TARGET:.2f}")

    splits = sorted({row.split for row in rows if row.split})
    if splits:
        out("\nsplit       language   sentiment (per language)                  intent macro-F1")
        for split in splits:
            chosen = [(r, g) for r, g in zip(rows, results, strict=True) if r.split == split]
            lang = Score()
            moods: dict[str, Score] = defaultdict(Score)
            for row, got in chosen:
                lang.add(row.language_right(got.language))
                if row.sentiment is not None:
                    moods[row.group].add(got.sentiment == row.sentiment)
            shown = "  ".join(f"{g} {moods[g].value:.1%}" for g in sorted(moods))
            split_table = intent_table(
                (r.intents, g.intents) for r, g in chosen if r.intents is not None
            )
            out(f"{split:10}  {lang.value:7.1%}   {shown:40}  {macro_f1(split_table):.2f}")

    if errors:
        out("\nerrors (expected → got)")
        for row, got in zip(rows, results, strict=True):
            wrong = []
            if not row.language_right(got.language):
                wrong.append(f"language {row.language}→{got.language}")
            if row.sentiment is not None and got.sentiment != row.sentiment:
                wrong.append(f"sentiment {row.sentiment}→{got.sentiment} ({got.sentiment_score})")
            if row.intents is not None and set(got.intents) != row.intents:
                wrong.append(f"intents {sorted(row.intents)}→{list(got.intents)}")
            if wrong:
                out(f"  {row.text!r}: " + "; ".join(wrong))
    out("\nall targets hold" if ok else "\nsome targets missed")
    return ok


def compare_language(rows: Sequence[Row], out: Callable[[str], None] = print) -> None:
    """py3langid against lingua on the rows that have a language: accuracy and µs per comment."""
    from cm_inbox.listening.language import identifiers
    from cm_inbox.listening.tokens import tokenize

    chosen = [row for row in rows if row.language and not row.hint]
    texts = [tokenize(row.text).letters for row in chosen]
    restricted = identifiers()[0]
    detectors: list[tuple[str, Callable[[str], str | None]]] = [
        ("py3langid (7 languages)", lambda text: restricted.classify(text)[0])
    ]
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:
        out("lingua is not installed (pip install lingua-language-detector) to compare with it")
    else:
        wanted = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
        for name, builder in (
            ("lingua (high accuracy)", LanguageDetectorBuilder.from_languages(*wanted)),
            (
                "lingua (low accuracy)",
                LanguageDetectorBuilder.from_languages(*wanted).with_low_accuracy_mode(),
            ),
        ):
            detector = builder.with_preloaded_language_models().build()

            def detect(text: str, detector=detector) -> str | None:  # type: ignore[no-untyped-def]
                found = detector.detect_language_of(text)
                return found.iso_code_639_1.name.lower() if found else None

            detectors.append((name, detect))
    out(f"\nlanguage libraries on {len(chosen)} comments (links, handles and emoji removed)")
    out("library                   accuracy   µs per comment")
    for name, detect in detectors:
        detect(texts[0] if texts else "")
        started = time.perf_counter()
        found = [detect(text) for text in texts]
        cost = (time.perf_counter() - started) / max(len(texts), 1) * 1e6
        right = sum(got == row.language for got, row in zip(found, chosen, strict=True))
        out(f"{name:24}  {right / max(len(chosen), 1):8.1%}   {cost:10.1f}")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cm_inbox.listening.evaluate",
        description="Accuracy of the listening signals on labelled comments (JSON Lines).",
    )
    parser.add_argument("files", nargs="*", type=Path, help="default: tests/eval/*.jsonl")
    parser.add_argument(
        "--compare-language", action="store_true", help="also compare py3langid with lingua"
    )
    parser.add_argument("--errors", action="store_true", help="list every comment got wrong")
    args = parser.parse_args(argv)
    files = args.files or default_files()
    if not files:
        print("no evaluation files given and none found under tests/eval/", file=sys.stderr)
        return 2
    # Without FILES: the test split decides the exit status; writer c, the
    # validation set the model's settings were chosen on, is shown beside it.
    sets = [("", files)]
    if not args.files and validation_files():
        sets = [("test split (tests/eval/*-test.jsonl, more-languages)", files)]
        sets.append(("validation (writer c, never trained on)", validation_files()))
        if heldout_files():
            sets.append(("held out (a fourth writer, never seen while building)", heldout_files()))
    ok = True
    for number, (title, chosen) in enumerate(sets):
        rows: list[Row] = []
        try:
            for path in chosen:
                rows.extend(read_rows(path))
        except EvalFileError as error:
            print(error, file=sys.stderr)
            return 2
        if not rows:
            print("the evaluation files hold no comment", file=sys.stderr)
            return 2
        if title:
            print(f"{'' if number == 0 else chr(10)}== {title} ==")
        held = evaluate(rows, errors=args.errors)
        if number == 0:
            ok = held
            if args.compare_language:
                compare_language(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
