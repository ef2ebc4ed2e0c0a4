"""The learned model's scorer: linear models read from ``data/model.npz``.

The model is trained offline (``python -m cm_inbox.listening.train``) with
scikit-learn and exported as plain weights, so reading a comment needs neither
scikit-learn nor anything fetched. It holds, over the features of ``features``:

- a multinomial logistic regression for sentiment (negative, neutral, positive);
- one binary logistic regression per intent, each with its own decision
  threshold (chosen on data the model was not fitted on), but for the intents
  the label conventions tie to a sentiment (``implied``: a negative comment is
  a complaint, a positive one praise), which follow the sentiment model.

Every class's score is ``intercept + Σ weight × value`` over the comment's
features, as scikit-learn's ``decision_function`` computes it; features the
training never saw weigh nothing. The training script checks that this scorer
gives the fitted estimators' decisions on every training and validation comment.

The file is a zip of plain ``.npy`` arrays (numpy's ``npz``, read without
pickle): the weights as float64, the feature names as one UTF-8 text, and a
small JSON header (classes, thresholds' owners, the reference checks). Every
process that ingests reads it once; parsing the same weights from JSON took
about a second on this machine, this takes a few hundredths.
"""

from __future__ import annotations

import io
import json
import math
import threading
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from cm_inbox.listening.features import expand

MODEL_FILE = "model.npz"
FORMAT = 2
FORM_CACHE = 50_000  # token forms whose features' weights are kept summed (~5 MB at most)


class ModelError(ValueError):
    """A model file that cannot be read, with the file and what is wrong in the message."""


class Model:
    """Weights for sentiment and each intent, one row per feature.

    One model serves every thread. Its only changing state is the cache of each
    token form's summed feature weights ("w:nul" and its letter sequences), kept
    as extra rows after the features' own so that a comment is scored with a
    single gather.
    """

    def __init__(
        self,
        sentiments: tuple[str, ...],
        intents: tuple[str, ...],
        index: dict[str, int],
        weights: np.ndarray,
        intercepts: np.ndarray,
        thresholds: np.ndarray,
        implied: dict[str, str] | None = None,
    ) -> None:
        self.sentiments = sentiments
        self.intents = intents
        self.index = index
        """Feature name → its row in ``weights``."""
        count, width = weights.shape
        self.weights = np.zeros((count + FORM_CACHE, width))
        """One row per feature (sentiment classes, then each intent), then the forms'."""
        self.weights[:count] = weights
        self.intercepts = intercepts
        self.thresholds = thresholds.tolist()
        """Per intent, the decision score at or above which it is said to apply."""
        self.implied = {
            mood: tuple(sorted(i for i, m in (implied or {}).items() if m == mood))
            for mood in sentiments
        }
        """Sentiment → the intents it carries by the label conventions (negative: complaint)."""
        self._forms: dict[str, int] = {}
        self._free = count  # the next row for a form's summed features
        self._lock = threading.Lock()
        positive = sentiments.index("positive") if "positive" in sentiments else None
        negative = sentiments.index("negative") if "negative" in sentiments else None
        self._poles = (positive, negative)

    def scores(self, found: dict[str, float], forms: Sequence[str] = ()) -> np.ndarray:
        """The decision scores of every class for the features ``found`` and the
        tokens' ``forms`` (each bringing the features ``features.expand`` names)."""
        rows = []
        values = []
        for row, value in zip(map(self.index.get, found), found.values(), strict=True):
            if row is not None:
                rows.append(row)
                values.append(value)
        cached = list(map(self._forms.get, forms))
        if None in cached:
            for at, row in enumerate(cached):
                if row is None:
                    more = self._form_rows(forms[at])
                    rows.extend(more)
                    values.extend([1.0] * len(more))
                else:
                    rows.append(row)
                    values.append(1.0)
        else:
            rows.extend(cached)  # type: ignore[arg-type]
            values.extend([1.0] * len(cached))
        if not rows:
            return self.intercepts.copy()
        return np.dot(values, self.weights.take(rows, axis=0)) + self.intercepts

    def _form_rows(self, form: str) -> list[int]:
        """The rows of ``form``'s features: one summed row, cached while there is room."""
        index = self.index
        found = [row for row in map(index.get, expand(form)) if row is not None]
        with self._lock:
            row = self._forms.get(form)
            if row is not None:
                return [row]
            if self._free == len(self.weights):
                return found  # the cache is full: this form is scored from its rows
            row = self._free
            # A row may repeat ("aaa" twice in "aaaa"): counts, as the features count them.
            self.weights[row] = self.weights.take(found, axis=0).sum(axis=0) if found else 0.0
            self._free += 1
            self._forms[form] = row
            return [row]

    def predict(
        self, found: dict[str, float], forms: Sequence[str] = ()
    ) -> tuple[str, float, tuple[str, ...]]:
        """(sentiment, score in [-1, 1], intents) for the features ``found`` (and ``forms``).

        The score is P(positive) − P(negative) under the sentiment model.
        """
        scores = self.scores(found, forms).tolist()
        count = len(self.sentiments)
        mood = scores[:count]
        top = max(mood)
        exps = [math.exp(value - top) for value in mood]
        total = sum(exps)
        positive, negative = self._poles
        score = 0.0
        if positive is not None:
            score += exps[positive] / total
        if negative is not None:
            score -= exps[negative] / total
        label = self.sentiments[mood.index(top)]
        margins = dict(
            zip(
                self.intents,
                map(float.__sub__, scores[count:], self.thresholds),
                strict=True,
            )
        )
        return label, round(score, 4), decide(margins, self.implied[label])


def decide(margins: dict[str, float], implied: Sequence[str] = ()) -> tuple[str, ...]:
    """The intents whose ``margins`` (score minus threshold) are not below zero, with
    the ``implied`` ones (from the sentiment), made consistent: spam stands alone
    (a scam posing as the brand is a crisis too), so when another intent is surer
    than spam, the comment is not spam; when spam is the surer, it is only spam.
    """
    chosen = [name for name, margin in margins.items() if margin >= 0]
    chosen.extend(implied)
    if "spam" in chosen:
        spam = margins["spam"]
        if any(margins.get(name, 0.0) > spam for name in chosen if name not in SPAM_COMPANIONS):
            chosen.remove("spam")
        else:
            chosen = [name for name in chosen if name in SPAM_COMPANIONS]
    return tuple(sorted(chosen))


SPAM_COMPANIONS = frozenset({"spam", "crisis"})


def to_document(
    sentiments: list[str],
    intents: list[str],
    names: list[str],
    weights: np.ndarray,
    intercepts: np.ndarray,
    thresholds: list[float],
    about: dict,
    implied: dict[str, str],
) -> dict:
    """The JSON document of a model (what ``train`` writes and ``from_document`` reads)."""
    return {
        "format": FORMAT,
        "about": about,
        "sentiments": sentiments,
        "intents": intents,
        "intercepts": [float(v) for v in intercepts],
        "thresholds": [float(v) for v in thresholds],
        "implied": implied,
        "checks": [],
        "features": {
            name: [float(v) for v in row] for name, row in zip(names, weights, strict=True)
        },
    }


def from_document(document: object, where: str) -> Model:
    """A ``Model`` from its document (``to_document``'s shape), checked field by field."""
    if not isinstance(document, dict):
        raise ModelError(f"{where}: not a listening model")
    try:
        features = document["features"]
        names = list(features)
        weights = np.asarray(list(features.values()), dtype=np.float64)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelError(f"{where}: malformed model ({error})") from None
    header = {key: value for key, value in document.items() if key != "features"}
    return _build(header, names, weights, where)


def _build(header: object, names: list[str], weights: np.ndarray, where: str) -> Model:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"{where}: not a listening model of format {FORMAT}")
    try:
        sentiments = tuple(str(s) for s in header["sentiments"])
        intents = tuple(str(i) for i in header["intents"])
        width = len(sentiments) + len(intents)
        intercepts = np.asarray(header["intercepts"], dtype=np.float64)
        thresholds = np.asarray(header["thresholds"], dtype=np.float64)
        implied = {str(k): str(v) for k, v in header.get("implied", {}).items()}
        weights = np.asarray(weights, dtype=np.float64).reshape(-1, width)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelError(f"{where}: malformed model ({error})") from None
    if len(names) != len(weights):
        raise ModelError(f"{where}: {len(names)} feature names for {len(weights)} weight rows")
    if intercepts.shape != (width,) or thresholds.shape != (len(intents),):
        raise ModelError(f"{where}: intercepts or thresholds do not match the classes")
    if not set(implied.values()) <= set(sentiments):
        raise ModelError(f"{where}: 'implied' names a sentiment the model does not have")
    index = {name: row for row, name in enumerate(names)}
    return Model(sentiments, intents, index, weights, intercepts, thresholds, implied)


def model_bytes(document: dict) -> bytes:
    """The model file of ``document``: the same document always gives the same bytes."""
    names = list(document["features"])
    if any("\n" in name for name in names):
        raise ValueError("a feature name holds a line break")
    header = {key: value for key, value in document.items() if key != "features"}
    arrays = {
        "header": np.frombuffer(json.dumps(header, separators=(",", ":")).encode(), np.uint8),
        "names": np.frombuffer("\n".join(names).encode("utf-8"), np.uint8),
        "weights": np.asarray(list(document["features"].values()), dtype="<f8"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            # A fixed date: numpy's own savez stamps the time of writing.
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return out.getvalue()


def read_model_file(data: bytes, where: str) -> tuple[dict, list[str], np.ndarray]:
    """(header, feature names, weights) of a model file's bytes."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
            text = arrays["names"].tobytes().decode("utf-8")
            weights = arrays["weights"]
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as error:
        # json's and unicode's decoding errors are ValueErrors too.
        raise ModelError(f"{where}: cannot read it ({error})") from None
    return header, text.split("\n") if text else [], weights


def load_model(path: Path | None = None) -> Model:
    """The model shipped in ``data/`` (or at ``path``); ``ModelError`` when it cannot be read."""
    header, names, weights = load_model_parts(path)
    return _build(header, names, weights, _where(path))


def load_model_parts(path: Path | None = None) -> tuple[dict, list[str], np.ndarray]:
    """The shipped model file's (header, names, weights), as stored."""
    if path is None:
        resource = resources.files("cm_inbox.listening").joinpath("data", MODEL_FILE)
    else:
        resource = path
    try:
        data = resource.read_bytes()
    except OSError as error:
        raise ModelError(f"{_where(path)}: cannot read it ({error})") from None
    return read_model_file(data, _where(path))


def _where(path: Path | None) -> str:
    return f"cm_inbox/listening/data/{MODEL_FILE}" if path is None else str(path)
