"""Train the listening model and write ``cm_inbox/listening/data/model.npz``.

    pip install -e '.[train]'
    python -m cm_inbox.listening.train [--check]

Reads the labelled comments the model learns from (``TRAIN``: writers a and b,
written independently of the project, and the project's dev files) and the
validation set it never learns from (``VALIDATION``: writer c). Fits, with
scikit-learn:

- sentiment: multinomial logistic regression;
- complaint and praise: the sentiment model's negative and positive, as the
  label conventions have it (every negative comment carries complaint);
- each other intent: a binary logistic regression, its decision threshold set where
  F1 peaks on out-of-fold scores of the independent writers, each fold leaving
  out one writer's comments (so a threshold is set on a writer the fold never
  saw, as the held-out world will be);

over the features of ``features`` (words, word pairs, letter sequences,
negation scope and the lexicons' own reading). The lexicons were tuned on the
project's dev files, so on those comments their reading is right far more often
than on anyone else's: learning from it there would teach the model to trust the
lexicons blindly. The project's comments therefore lend only their words; how far
to trust the lexicons is learned from the independent writers alone. Weights near zero are dropped and the rest rounded; the
fitted estimators are given those same weights, then the pure-Python scorer
(``learned``) must reach exactly their decisions on every comment, or nothing
is written. Fixed seeds and a fixed feature order make the file the same on
every run. ``--check`` trains and reports without writing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cm_inbox.listening.evaluate import Row, intent_table, macro_f1, read_rows
from cm_inbox.listening.features import features
from cm_inbox.listening.intents import INTENTS
from cm_inbox.listening.learned import (
    MODEL_FILE,
    decide,
    from_document,
    model_bytes,
    to_document,
)
from cm_inbox.listening.pipeline import lexical

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
TRAIN = (
    "train/en-writer-a.jsonl",
    "train/fr-writer-a.jsonl",
    "train/en-writer-b.jsonl",
    "train/fr-writer-b.jsonl",
    "en-dev.jsonl",
    "fr-dev.jsonl",
    "en-extra-dev.jsonl",
    "fr-extra-dev.jsonl",
)
VALIDATION = ("validation/en-writer-c.jsonl", "validation/fr-writer-c.jsonl")
SENTIMENTS = ("negative", "neutral", "positive")
# The label conventions: every negative comment is a complaint, every positive one
# praise. These two intents follow the sentiment model rather than a model of their own.
IMPLIED = {"complaint": "negative", "praise": "positive"}
LEARNED = tuple(intent for intent in INTENTS if intent not in IMPLIED)
SENTIMENT_C = 1.0  # inverse regularisation, chosen on writer c
INTENT_C = 1.0
PRUNE = 1e-2  # weights smaller than this change no decision worth keeping
DIGITS = 5  # significant digits kept per weight


PROJECT = "project"
# The features of the text itself; the others are the lexicons' reading of it.
TEXTUAL = ("w:", "b:", "g:", "n:", "l:")


def source(path: Path) -> str:
    """Who wrote a file: "writer-a", "writer-b", or "project" for the project's own."""
    stem = path.stem
    return stem.split("-", 1)[1] if "writer" in stem else PROJECT


def majority_language(rows: Sequence[Row]) -> str | None:
    """The language most of a file's rows are labelled in: its deployment's default."""
    counts = Counter(row.language for row in rows if row.language)
    return counts.most_common(1)[0][0] if counts else None


def load(names: Sequence[str]) -> tuple[list[Row], list[dict[str, float]], list[str]]:
    """Rows, their features and their writers, for the files ``names`` under tests/eval."""
    rows: list[Row] = []
    found: list[dict[str, float]] = []
    writers: list[str] = []
    for name in names:
        path = EVAL / name
        chosen = [row for row in read_rows(path) if row.sentiment and row.intents is not None]
        default = majority_language(chosen)
        for row in chosen:
            tokens, language, reading, mood, intents = lexical(row.text, row.hint, default)
            found_ = features(tokens, reading, mood, intents, language)
            if source(path) == PROJECT:
                found_ = {name: value for name, value in found_.items() if name[:2] in TEXTUAL}
            found.append(found_)
            rows.append(row)
            writers.append(source(path))
    return rows, found, writers


def round_weights(weights: np.ndarray) -> np.ndarray:
    """``weights`` without the near-zero ones, the rest to ``DIGITS`` significant digits."""
    kept = np.where(np.abs(weights) < PRUNE, 0.0, weights)
    with np.errstate(divide="ignore"):
        scale = np.where(kept == 0, 1.0, 10.0 ** (DIGITS - 1 - np.floor(np.log10(np.abs(kept)))))
    return np.round(kept * scale) / scale


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The decision score at which F1 peaks (midway between neighbouring scores)."""
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], truth[order]
    positives = hits.sum()
    if not positives:
        return float(ranked[0] + 1.0)
    tp = np.cumsum(hits)
    f1 = 2 * tp / (np.arange(1, len(hits) + 1) + positives)
    # Only where the next score differs can a threshold fall.
    valid = np.append(ranked[:-1] > ranked[1:], True)
    best = int(np.argmax(np.where(valid, f1, -1.0)))
    below = ranked[best + 1] if best + 1 < len(ranked) else ranked[best] - 1.0
    return float((ranked[best] + below) / 2)


def fit(x, rows: Sequence[Row], writers: Sequence[str], sentiment_c: float, intent_c: float):
    """The fitted sentiment estimator, the intent estimators and their thresholds."""
    from sklearn.linear_model import LogisticRegression

    def sentiment_model():
        return LogisticRegression(C=sentiment_c, max_iter=5000, random_state=0)

    def intent_model():
        return LogisticRegression(
            C=intent_c, max_iter=5000, class_weight="balanced", random_state=0
        )

    moods = np.array([row.sentiment for row in rows])
    sentiment = sentiment_model().fit(x, moods)
    groups = np.array(writers)
    estimators, thresholds = [], []
    for intent in LEARNED:
        truth = np.array([intent in row.intents for row in rows])  # type: ignore[operator]
        # Out-of-fold scores, one writer left out at a time, set the threshold.
        held = np.zeros(len(rows))
        for writer in sorted(set(writers) - {PROJECT}):
            out = groups == writer
            model = intent_model().fit(x[~out], truth[~out])
            held[out] = model.decision_function(x[out])
        independent = groups != PROJECT
        thresholds.append(best_threshold(held[independent], truth[independent]))
        estimators.append(intent_model().fit(x, truth))
    return sentiment, estimators, thresholds


def export(vectorizer, sentiment, estimators, thresholds, about: dict) -> dict:
    """The model document, with the estimators' weights replaced by the exported ones."""
    classes = [str(c) for c in sentiment.classes_]
    sentiment.coef_ = round_weights(sentiment.coef_)
    sentiment.intercept_ = round_weights(sentiment.intercept_)
    columns = [sentiment.coef_]
    intercepts = list(sentiment.intercept_)
    for estimator in estimators:
        estimator.coef_ = round_weights(estimator.coef_)
        estimator.intercept_ = round_weights(estimator.intercept_)
        columns.append(estimator.coef_)
        intercepts.append(estimator.intercept_[0])
    weights = np.vstack(columns).T  # one row per feature
    names = list(vectorizer.get_feature_names_out())
    used = np.flatnonzero(np.any(weights != 0, axis=1))
    return to_document(
        classes,
        list(LEARNED),
        [names[i] for i in used],
        weights[used],
        np.asarray(intercepts),
        [round(t, 6) for t in thresholds],
        about,
        IMPLIED,
    )


def check_scorer(document: dict, vectorizer, sentiment, estimators, thresholds, found) -> int:
    """How many comments the exported scorer decides differently from the estimators."""
    model = from_document(json.loads(json.dumps(document)), "exported model")
    x = vectorizer.transform(found)
    moods = sentiment.predict(x)
    margins = np.column_stack(
        [est.decision_function(x) - t for est, t in zip(estimators, thresholds, strict=True)]
    ).tolist()
    differ = 0
    for i, features_ in enumerate(found):
        label, _, intents = model.predict(features_)
        implied = [n for n, mood in IMPLIED.items() if moods[i] == mood]
        expected = decide(dict(zip(LEARNED, margins[i], strict=True)), implied)
        differ += label != moods[i] or intents != expected
    return differ


# Comments whose scikit-learn decisions ship with the model, so the tests can check
# that the scorer, without scikit-learn, still reaches them (tests/test_listening_model.py).
CHECKS = (
    ("The app keeps crashing since the update, is anyone working on it?", None),
    ("not a good app", None),
    ("good app", None),
    ("c'est pas top", None),
    ("J'adore le nouveau mode sombre, merci !", None),
    ("Great, another price increase. Just what we needed 🙄", None),
    ("Do you deliver to Belgium? How much is the large size?", None),
    ("Earn $500 a day from home!!! DM me for the link", None),
    ("Hi, I'm a journalist at the Daily Ledger, could your press office contact me?", "en"),
    ("Demande RGPD ignorée depuis 2 mois. Prochaine étape : la CNIL.", None),
    ("ptdr", "fr"),
    ("😍😍", "en"),
)


def reference_decisions(vectorizer, sentiment, estimators, thresholds) -> list[dict]:
    """For each of ``CHECKS``: scikit-learn's decision scores, sentiment and intents."""
    checks = []
    for text, default in CHECKS:
        tokens, language, reading, mood, intents = lexical(text, None, default)
        x = vectorizer.transform([features(tokens, reading, mood, intents, language)])
        scores = [*sentiment.decision_function(x)[0]]
        scores += [est.decision_function(x)[0] for est in estimators]
        label = str(sentiment.predict(x)[0])
        margins = {
            name: est.decision_function(x)[0] - t
            for name, est, t in zip(LEARNED, estimators, thresholds, strict=True)
        }
        implied = [n for n, mood_ in IMPLIED.items() if mood_ == label]
        checks.append(
            {
                "text": text,
                "default": default,
                "scores": [round(float(v), 9) for v in scores],
                "sentiment": label,
                "intents": list(decide(margins, implied)),
            }
        )
    return checks


def report(title: str, rows: Sequence[Row], predicted: list[tuple[str, tuple[str, ...]]]) -> None:
    """Sentiment accuracy per language and intent figures for ``rows``."""
    print(f"\n{title}: {len(rows)} comments")
    for language in sorted({row.language or "none" for row in rows}):
        pairs = [
            (row, got)
            for row, got in zip(rows, predicted, strict=True)
            if (row.language or "none") == language
        ]
        right = sum(row.sentiment == got[0] for row, got in pairs)
        print(f"  sentiment {language}: {right / len(pairs):.1%} ({right}/{len(pairs)})")
    table = intent_table((row.intents, got[1]) for row, got in zip(rows, predicted, strict=True))
    for intent, (precision, recall, f1, support) in table.items():
        print(f"  {intent:10} P {precision:.2f}  R {recall:.2f}  F1 {f1:.2f}  ({support})")
    print(f"  intent macro-F1: {macro_f1(table):.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cm_inbox.listening.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="train and report, write nothing")
    parser.add_argument("--sentiment-c", type=float, default=SENTIMENT_C)
    parser.add_argument("--intent-c", type=float, default=INTENT_C)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "data" / MODEL_FILE)
    args = parser.parse_args(argv)
    try:
        from sklearn.feature_extraction import DictVectorizer
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2

    rows, found, writers = load(TRAIN)
    valid_rows, valid_found, _ = load(VALIDATION)
    print(
        f"training on {len(rows)} comments ({dict(Counter(writers))}), "
        f"validating on {len(valid_rows)} (writer c)"
    )
    vectorizer = DictVectorizer(sort=True)
    x = vectorizer.fit_transform(found)
    sentiment, estimators, thresholds = fit(x, rows, writers, args.sentiment_c, args.intent_c)
    about = {
        "trained_on": list(TRAIN),
        "validated_on": list(VALIDATION),
        "sentiment_c": args.sentiment_c,
        "intent_c": args.intent_c,
    }
    document = export(vectorizer, sentiment, estimators, thresholds, about)
    differ = check_scorer(
        document, vectorizer, sentiment, estimators, thresholds, found + valid_found
    )
    print(
        f"{len(document['features'])} features kept of {len(vectorizer.vocabulary_)}; "
        f"scorer differs from scikit-learn on {differ} of {len(found) + len(valid_found)}"
    )
    document["checks"] = reference_decisions(vectorizer, sentiment, estimators, thresholds)
    model = from_document(document, "exported model")
    predicted = [model.predict(f)[::2] for f in valid_found]
    report("validation (writer c)", valid_rows, predicted)
    if differ:
        print(
            "the exported scorer does not reproduce the estimators: nothing written",
            file=sys.stderr,
        )
        return 1
    if not args.check:
        args.output.write_bytes(model_bytes(document))
        print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
