"""The learned listening model as ingest relies on it: the shipped weights reach the
decisions scikit-learn reached when they were fitted, negation and sarcasm turn the
verdict, and the language of short comments comes from their words, the network's tag
or the brand's default."""

from __future__ import annotations

import logging

import pytest

from cm_inbox.listening import analyze, pipeline
from cm_inbox.listening.features import features, parts
from cm_inbox.listening.learned import (
    ModelError,
    decide,
    from_document,
    load_model,
    load_model_parts,
    model_bytes,
)
from cm_inbox.listening.pipeline import lexical


def test_the_scorer_reaches_scikit_learns_decisions_on_the_shipped_examples():
    header, _, _ = load_model_parts()
    model = load_model()
    assert len(header["checks"]) >= 10
    for check in header["checks"]:
        tokens, language, reading, mood, intents = lexical(check["text"], None, check["default"])
        found, forms = parts(tokens, reading, mood, intents, language)
        scores = model.scores(found, forms).tolist()
        assert scores == pytest.approx(check["scores"], abs=1e-6), check["text"]
        label, _, decided = model.predict(found, forms)
        assert label == check["sentiment"], check["text"]
        assert list(decided) == check["intents"], check["text"]


def test_summed_rows_per_token_score_as_the_features_one_by_one():
    # The scorer caches each token's features as one summed row; the training side
    # sees every feature apart. Both must give the same scores.
    model = load_model()
    text = "Sooo slow, not good at all. The app crashed twice, twice!!"
    tokens, language, reading, mood, intents = lexical(text)
    whole = features(tokens, reading, mood, intents, language)
    found, forms = parts(tokens, reading, mood, intents, language)
    assert model.scores(whole).tolist() == pytest.approx(model.scores(found, forms).tolist())


@pytest.mark.parametrize(
    ("plain", "negated"),
    [
        ("good app", "not a good app"),
        ("c'est top", "c'est pas top"),
        ("I recommend it", "I would not recommend it"),
        ("je recommande", "je ne recommande pas du tout"),
    ],
)
def test_negation_flips_the_verdict(plain, negated):
    assert analyze(plain).sentiment == "positive"
    assert "praise" in analyze(plain).intents
    assert analyze(negated).sentiment == "negative"
    assert "complaint" in analyze(negated).intents


@pytest.mark.parametrize("text", ["not bad at all", "pas mal du tout", "no issues so far"])
def test_negated_trouble_reads_as_satisfaction(text):
    assert analyze(text).sentiment == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Great, another price increase. Just what we needed 🙄",
        "Thanks for absolutely nothing",
        "Bravo 👏 encore une panne 👏",
        "Génial... pas.",
    ],
)
def test_sarcasm_is_a_complaint(text):
    signals = analyze(text)
    assert signals.sentiment == "negative"
    assert "complaint" in signals.intents
    assert "praise" not in signals.intents


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("meh", "en"),
        ("bruh", "en"),
        ("smh", "en"),
        ("ptdr", "fr"),
        ("mdr", "fr"),
        ("bof", "fr"),
        ("ok merci", "fr"),
        ("la honte", "fr"),
        ("gracias", "es"),
        ("danke", "de"),
    ],
)
def test_a_word_only_one_language_owns_settles_a_short_comment(text, language):
    # py3langid alone reads "meh" as German and "ptdr" as Dutch.
    assert analyze(text).language == language
    assert analyze(text, default="nl" if language != "nl" else "en").language == language


@pytest.mark.parametrize("text", ["ok", "lol", "?", "👍", "🔥🔥🔥", "❤️"])
def test_a_comment_any_language_could_write_takes_the_default(text):
    assert analyze(text, default="fr").language == "fr"
    assert analyze(text, default="en-GB").language == "en"


def test_the_network_tag_comes_before_the_default():
    assert analyze("👍", "es", default="fr").language == "es"
    assert analyze("ok", "de-DE", default="fr").language == "de"


def test_without_tag_or_default_an_emoji_comment_has_no_language():
    assert analyze("😍😍").language is None


def test_sentences_are_read_by_their_words_not_the_default():
    assert analyze("The delivery was late again and nobody answers", default="fr").language == "en"
    assert (
        analyze("Livraison encore en retard et personne ne répond", default="en").language == "fr"
    )
    assert analyze("Hoe kan ik mijn abonnement opzeggen?", default="fr").language == "nl"


@pytest.mark.parametrize(
    ("margins", "implied", "expected"),
    [
        ({"spam": 2.0, "question": 0.5, "crisis": -1.0}, (), ("spam",)),
        ({"spam": 0.2, "question": 3.0, "crisis": 1.0}, (), ("crisis", "question")),
        ({"spam": 1.0, "crisis": 0.5}, ("praise",), ("crisis", "spam")),
        ({"spam": -0.1, "bug": 0.0}, ("complaint",), ("bug", "complaint")),
    ],
)
def test_spam_stands_alone_unless_another_intent_is_surer(margins, implied, expected):
    assert decide(margins, implied) == expected


def test_a_model_file_keeps_every_weight_and_the_same_document_writes_the_same_bytes(tmp_path):
    header, names, weights = load_model_parts()
    document = {**header, "features": dict(zip(names, weights.tolist(), strict=True))}
    again = tmp_path / "model.npz"
    again.write_bytes(model_bytes(document))
    assert model_bytes(document) == again.read_bytes()  # `make train` twice: no diff
    shipped, reread = load_model(), load_model(again)
    assert reread.index == shipped.index and reread.thresholds == shipped.thresholds
    assert (reread.weights == shipped.weights).all()
    assert from_document(document, "doc").index == shipped.index


def test_a_broken_model_file_is_named_and_the_lexicons_carry_on(tmp_path, monkeypatch, caplog):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match=str(broken)):
        load_model(broken)
    header, names, weights = load_model_parts()
    wrong = tmp_path / "wrong.npz"
    document = {**header, "features": dict(zip(names, weights.tolist(), strict=True))}
    wrong.write_bytes(model_bytes({**document, "sentiments": []}))
    with pytest.raises(ModelError, match="malformed model"):
        load_model(wrong)
    old = tmp_path / "old.npz"
    old.write_bytes(model_bytes({**document, "format": 1}))
    with pytest.raises(ModelError, match="format 2"):
        load_model(old)

    def fail() -> None:
        raise ModelError(f"{broken}: cannot read it")

    monkeypatch.setattr(pipeline, "load_model", fail)
    monkeypatch.setattr(pipeline, "_MODEL", None)
    monkeypatch.setattr(pipeline, "_MODEL_TRIED", False)
    with caplog.at_level(logging.WARNING):
        signals = pipeline.analyze("franchement c'est nul")
    assert signals.sentiment == "negative"
    assert str(broken) in caplog.text
