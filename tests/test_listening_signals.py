"""The listening signals as a community manager relies on them: what a comment says,
how it feels, what it asks for, whatever the language, spelling or emoji."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from cm_inbox.listening import Signals, analyze
from cm_inbox.listening.pipeline import lexical


def mood(text: str, hint: str | None = None) -> str:
    return analyze(text, hint).sentiment


def test_signals_are_a_frozen_record_with_sorted_intents():
    signals = analyze("The app keeps crashing, is anyone working on it?")
    assert isinstance(signals, Signals)
    assert signals.language == "en"
    assert signals.intents == tuple(sorted(signals.intents))
    # The label conventions: a negative comment is a complaint too.
    assert set(signals.intents) == {"bug", "complaint", "question"}
    assert -1.0 <= signals.sentiment_score <= 1.0
    with pytest.raises(AttributeError):
        signals.sentiment = "positive"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("plain", "negated"),
    [
        ("good app", "not a good app"),
        ("c'est top", "c'est pas top"),
        ("j'aime", "j'aime pas"),
        ("I recommend it", "I would not recommend it"),
        ("je recommande", "je ne recommande pas du tout"),
    ],
)
def test_negation_turns_praise_into_a_grievance(plain, negated):
    assert mood(plain) == "positive"
    assert mood(negated) == "negative"


@pytest.mark.parametrize(
    "text", ["not bad at all", "pas mal du tout", "no issues so far", "can't complain"]
)
def test_negated_complaints_read_as_satisfaction(text):
    assert mood(text) == "positive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("franchement c'est nul", "negative"),
        ("nuuuul", "negative"),
        ("trop bien 😍", "positive"),
        ("grave déçu par la qualité", "negative"),
        ("lol love this", "positive"),
        ("wtf is this update", "negative"),
        ("ngl the new update slaps", "positive"),
        ("c'est une dinguerie cette appli", "positive"),
        ("pas ouf la nouvelle formule", "negative"),
        ("ur app is useless", "negative"),
        ("tjrs pas de réponse", "negative"),
    ],
)
def test_slang_stretched_letters_and_shorthand(text, expected):
    assert mood(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😍😍", "positive"),
        ("😡😡😡", "negative"),
        (":)", "positive"),
        (":(", "negative"),
        ("🤔", "neutral"),
        ("you guys never miss 🔥", "positive"),
    ],
)
def test_emoji_and_emoticons_carry_sentiment(text, expected):
    assert mood(text) == expected


def test_intensifiers_and_diminishers_move_the_lexicons_score():
    # The lexicons' score is the intensity the learned model reads among its features;
    # the model's own score is how sure it is of the label, not how strong the feeling.
    def lexicon_score(text: str) -> float:
        return lexical(text)[3].score

    assert lexicon_score("very good") > lexicon_score("good") > 0
    assert lexicon_score("the app is slow") < lexicon_score("the app is a bit slow") < 0
    assert (
        analyze("very good").sentiment_score > 0 > analyze("the app is a bit slow").sentiment_score
    )


@pytest.mark.parametrize(
    "text",
    [
        "Great, another price increase. Just what we needed 🙄",
        "Thanks for absolutely nothing",
        "Merci pour rien",
        "Bravo 👏 encore une panne 👏",
        "I asked for a callback three times. No callback. Amazing.",
        'Sorry but your "express" shipping took 11 days',
        "Génial... pas.",
    ],
)
def test_sarcasm_reads_as_negative(text):
    assert mood(text) == "negative"


def test_but_weighs_the_second_clause():
    assert mood("I was angry yesterday but you fixed it in an hour, thank you") == "positive"
    assert mood("Nice design but the sync has been broken for a week") == "negative"


def test_politeness_in_a_question_is_not_praise():
    signals = analyze("Hi! Could you tell me how to export my notes? Thanks in advance")
    assert signals.sentiment == "neutral"
    assert signals.intents == ("question",)


@pytest.mark.parametrize(
    "text",
    [
        "how do I export all my notes to Markdown",
        "Comment supprimer mon compte",
        "Vous avez un Discord",
        "les horaires d'été commencent quand",
        "anyone know if the flight to Lisbon is still on",
    ],
)
def test_questions_without_a_question_mark(text):
    assert "question" in analyze(text).intents


def test_a_statement_is_not_a_question_and_a_rhetorical_question_is_a_complaint():
    assert "question" not in analyze("Vous avez une fuite de données.").intents
    rhetorical = analyze("Been a customer for 8 years and this is how you treat me?")
    assert "question" not in rhetorical.intents
    assert "complaint" in rhetorical.intents


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Still no answer to my email from last Monday...", "complaint"),
        ("Ça fait 3 semaines que j'attends mon remboursement", "complaint"),
        ("Error 500 when I try to reset my password", "bug"),
        ("l'appli plante à chaque fois que j'ouvre le calendrier", "bug"),
        ("Hats off to your support team", "praise"),
        ("Le livreur était super sympa, merci !", "praise"),
        ("thinking about upgrading to Pro, worth it?", "purchase"),
        ("Vous livrez en Belgique ?", "purchase"),
        ("🔥 Make $500/day from home!! DM me for details 🔥", "spam"),
        ("Gagnez 500 €/jour depuis chez vous, écrivez-moi en MP", "spam"),
    ],
)
def test_intents(text, intent):
    assert intent in analyze(text).intents


@pytest.mark.parametrize(
    "text",
    [
        "If this isn't refunded by Friday my lawyer will be in touch.",
        "Your charger caught fire on my desk last night.",
        "Everyone should boycott them until they pay their workers. #BoycottVanta",
        "A stranger emailed me my order history. You have a data leak.",
        "Hi, I'm a journalist at the Daily Ledger writing about the outage.",
        "Je vais poster ça partout : mon fils s'est blessé avec votre vélo.",
        "Demande RGPD ignorée depuis 2 mois. Prochaine étape : la CNIL.",
    ],
)
def test_crisis_signals(text):
    assert "crisis" in analyze(text).intents


def test_a_journalist_asking_politely_is_a_crisis_but_not_an_angry_one():
    signals = analyze(
        "Hello, I'm a reporter with Reuters working on a story about delivery pay. "
        "Who can I speak to?"
    )
    assert "crisis" in signals.intents
    assert signals.sentiment == "neutral"


def test_spam_is_only_spam_and_neutral():
    signals = analyze("CLICK HERE TO WIN AN IPHONE 15 🎁🎁🎁 https://win-prize.example/claim")
    assert signals.intents == ("spam",)
    assert signals.sentiment == "neutral"


def test_links_mentions_and_hashtags_do_not_confuse_the_language():
    assert analyze("@lumo.app c'est vraiment nul https://example.com/en/help").language == "fr"
    assert analyze("#fail the app crashed again @lumo").sentiment == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La app se cierra cada vez que abro el calendario", "es"),
        ("Die App stürzt jedes Mal ab, wenn ich den Kalender öffne", "de"),
        ("L'app si chiude ogni volta che apro il calendario", "it"),
        ("O aplicativo fecha toda vez que abro o calendário", "pt"),
        ("De app crasht elke keer als ik de agenda open", "nl"),
        ("Приложение постоянно падает", "ru"),
    ],
)
def test_languages_beyond_french_and_english(text, language):
    assert analyze(text).language == language


def test_the_network_tag_settles_short_and_wordless_comments():
    assert analyze("👍👍").language is None
    assert analyze("👍👍", hint="fr-FR").language == "fr"
    assert analyze("ok", hint="en").language == "en"
    # A long comment in French is French, whatever the network's tag says.
    assert (
        analyze("L'appli plante à chaque fois que j'ouvre le calendrier", hint="en").language
        == "fr"
    )
    assert analyze("", hint="nonsense!").language is None


def test_hostile_and_odd_input_never_breaks_analysis():
    for text in (
        "",
        " ",
        "[@click=app.quit]x[/]",
        "\x1b[2J\u202eevil",
        "a\u200db\ufe0f",
        "x" * 10_000,
        "😀" * 500,
        "@a @b @c",
        "#### ???? !!!!",
    ):
        signals = analyze(text)
        assert signals.sentiment in ("negative", "neutral", "positive")


def test_analyze_is_thread_safe():
    texts = [
        "Still no answer to my email",
        "J'adore le nouveau mode sombre 😍",
        "Is the app down?",
        "Votre chargeur a pris feu",
    ] * 50
    expected = [analyze(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(analyze, texts)) == expected


def test_importing_the_package_loads_no_model():
    code = (
        "import sys, cm_inbox.listening as l; "
        "print(any(m.split('.')[0] in ('py3langid', 'numpy') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
