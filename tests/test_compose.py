"""The reply checks the CLI and the composer share."""

from __future__ import annotations

import pytest
from compose_fixtures import comment as lumo_comment

from cm_inbox import compose
from cm_inbox.brand import BrandBook, LanguageVoice
from cm_inbox.brand_file import demo_brand_book
from cm_inbox.check_settings import DEFAULT_SEVERITIES, CheckSettings
from cm_inbox.compose import (
    DraftContext,
    DraftProblem,
    check_draft,
    is_blocked,
    length_status,
    reply_prefill,
)
from cm_inbox.model import Author, Comment, Status
from cm_inbox.model.context import PastReply
from cm_inbox.sameness import SamenessIndex
from cm_inbox.template_files import load_library

T0 = 1_795_168_800


def comment(network: str = "mastodon", handle: str = "bob@example.org") -> Comment:
    return Comment(
        id=1,
        network=network,
        account="acme",
        account_id=1,
        remote_id="r1",
        parent_remote_id=None,
        root_remote_id="r1",
        author=Author(id=1, network=network, handle=handle),
        text="Is the app down?",
        created_at=T0,
        fetched_at=T0,
        status=Status.NEW,
    )


def codes(problems: list[DraftProblem]) -> list[str]:
    return [problem.code for problem in problems]


def test_prefill_mentions_the_author_only_where_the_network_needs_it() -> None:
    assert reply_prefill(comment("mastodon", "bob@example.org")) == "@bob@example.org "
    assert reply_prefill(comment("mastodon", "@bob@example.org")) == "@bob@example.org "
    assert reply_prefill(comment("bluesky", "carol.bsky.social")) == ""
    assert reply_prefill(comment("youtube", "Carol")) == ""


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_reply_is_blocked(text: str) -> None:
    problems = check_draft(comment(), text)
    assert codes(problems) == ["empty"]
    assert is_blocked(problems)


@pytest.mark.parametrize(
    "text", ["@bob@example.org", "@bob@example.org  @alice ", "@carol.bsky.social"]
)
def test_a_reply_of_mentions_only_is_blocked(text: str) -> None:
    problems = check_draft(comment(), text)
    assert codes(problems) == ["mention-only"]
    assert problems[0].blocking


def test_a_good_reply_has_no_problems() -> None:
    assert check_draft(comment(), "@bob@example.org we are on it, sorry!") == []
    assert check_draft(comment("bluesky", "carol.bsky.social"), "Thanks Carol!") == []


def test_over_the_limit_is_blocked_with_the_count_in_the_networks_unit() -> None:
    # Bluesky counts graphemes: a skin-toned emoji is one, however many code points.
    text = "a" * 311 + "👍🏽"
    problems = check_draft(comment("bluesky", "carol.bsky.social"), text)
    assert codes(problems) == ["too-long"]
    assert problems[0].blocking
    assert "312 / 300 graphemes" in problems[0].message
    assert check_draft(comment("bluesky", "carol.bsky.social"), "a" * 299 + "👍🏽") == []


def test_mastodon_counts_a_link_as_23_characters() -> None:
    link = "https://example.org/" + "x" * 200
    text = "@bob@example.org " + "y" * 450 + " " + link
    assert check_draft(comment(), text) == []  # 17 + 450 + 1 + 23 = 491 <= 500
    count, limit, unit = length_status("mastodon", text)
    assert (limit, unit) == (500, "characters")
    assert count == len("@bob ") + 450 + 1 + 23


def test_an_instance_limit_overrides_the_default() -> None:
    problems = check_draft(comment(), "@bob@example.org " + "y" * 100, limit=50)
    assert codes(problems) == ["too-long"]
    assert "/ 50 characters" in problems[0].message
    assert length_status("mastodon", "hi", limit=50) == (2, 50, "characters")


def test_mastodon_warns_when_the_author_is_not_mentioned() -> None:
    problems = check_draft(comment(), "We are on it!")
    assert codes(problems) == ["missing-mention"]
    assert not problems[0].blocking
    assert not is_blocked(problems)
    assert "@bob@example.org" in problems[0].message


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("@Bob@Example.org thanks", False),  # handles are case-insensitive
        ("thanks @bob@example.org!", False),
        ("@bob@example.org.uk thanks", True),  # someone else
        ("@bobby@example.org thanks", True),
        ("mail bob@example.org thanks", True),  # not a mention
    ],
)
def test_the_mention_must_be_the_authors_whole_handle(text: str, warned: bool) -> None:
    assert ("missing-mention" in codes(check_draft(comment(), text))) is warned


def test_other_networks_do_not_need_a_mention() -> None:
    assert check_draft(comment("bluesky", "carol.bsky.social"), "On it!") == []
    assert check_draft(comment("reddit", "dan"), "On it!") == []


def test_blocking_problems_come_before_warnings() -> None:
    problems = check_draft(comment(), "y" * 600)
    assert codes(problems) == ["too-long", "missing-mention"]


def test_a_new_check_is_one_function_in_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_shouting(draft: compose.Draft):
        if draft.body.isupper():
            yield DraftProblem("shouting", "the reply is in capitals", blocking=False)

    monkeypatch.setattr(compose, "CHECKS", [*compose.CHECKS, no_shouting])
    assert codes(check_draft(comment(), "@bob@example.org SORRY")) == ["shouting"]
    assert check_draft(comment(), "@bob@example.org sorry") == []


def test_length_status_for_the_live_counter() -> None:
    assert length_status("bluesky", "hi 👋🏽") == (4, 300, "graphemes")
    assert length_status("youtube", "hello") == (5, 10_000, "characters")
    # Networks the rules do not know (imports) get lenient defaults.
    assert length_status("myspace", "hello") == (5, 10_000, "characters")


# --- the brand book's checks, and how hard each one is --------------------------------

LUMO = demo_brand_book()
FAMILY = "👨‍👩‍👧‍👦"  # one grapheme, seven code points (ZWJ sequence)
FLAG = "🇫🇷"  # one grapheme, two regional indicators
RAINBOW = "🏳️‍🌈"  # one grapheme, four code points


def lumo(**changes) -> DraftContext:
    fields = {"brand": LUMO, "templates": load_library()}
    fields.update(changes)
    return DraftContext(**fields)


def settings(**severities: str) -> CheckSettings:
    merged = dict(DEFAULT_SEVERITIES)
    merged.update({code.replace("_", "-"): value for code, value in severities.items()})
    return CheckSettings(severities=merged)  # type: ignore[arg-type]


def by_code(problems: list[DraftProblem], code: str) -> list[DraftProblem]:
    return [problem for problem in problems if problem.code == code]


def test_bluesky_counts_emoji_sequences_as_one_grapheme_and_blocks_over_300() -> None:
    bluesky = lumo_comment("bluesky")
    emoji = (FAMILY + FLAG + RAINBOW + "👍🏽") * 10  # 40 graphemes, 150 code points
    fits = "Hi Emma, " + "a" * (300 - 9 - 40) + emoji
    assert length_status("bluesky", fits)[0] == 300
    assert len(fits) > 300  # code points would have refused it
    assert by_code(check_draft(bluesky, fits, context=lumo()), "too-long") == []
    over = fits + FLAG
    (problem,) = by_code(check_draft(bluesky, over, context=lumo()), "too-long")
    assert problem.blocking
    assert problem.message == "too long for Bluesky: 301 / 300 graphemes"
    # No setting makes it a warning: Bluesky itself would refuse the post.
    relaxed = lumo(checks=CheckSettings(severities={"too-long": "warn"}))  # type: ignore[dict-item]
    assert is_blocked(check_draft(bluesky, over, context=relaxed))


# A draft that trips each check on a Bluesky comment by Emma (English), with Lumo's book.
TRIPS = {
    "avoid-word": "Hi Emma, we will fix it ASAP.",
    "missing-greeting": "We are looking into it right now, thanks for telling us.",
    "wrong-language": "Bonjour Emma, merci beaucoup pour votre message, on regarde tout de suite.",
    "shouting": "Hi Emma, WE ARE ON IT right now.",
    "foreign-link": "Hi Emma, see https://bit.ly/3xF for the details.",
    "template-only": "Hi Emma, this made our day, thank you!",
    "unknown-variable": "Hi {author.nmae}, we are on it.",
    "same-as-recent": "Hi Emma, the sync problem is fixed in version 4.2.2, update and you are set.",
}


def detector(text: str) -> str | None:
    return "fr" if "merci" in text else "en"


def recent() -> SamenessIndex:
    words = "Hi Noah, the sync problem is fixed in version 4.2.2, update and you are set."
    return SamenessIndex(
        [PastReply(1, 100, "bluesky", words, T0 - 3600, "noah.bsky.social", "Noah")], now=T0
    )


@pytest.mark.parametrize("code", sorted(TRIPS))
@pytest.mark.parametrize("severity", ["warn", "block", "off"])
def test_each_check_warns_blocks_or_stays_quiet_as_configured(code: str, severity: str) -> None:
    context = lumo(checks=settings(**{code: severity}), detect_language=detector, recent=recent())
    problems = check_draft(lumo_comment(), TRIPS[code], context=context)
    found = by_code(problems, code)
    if severity == "off":
        assert found == []
    else:
        assert found, problems
        assert all(problem.blocking is (severity == "block") for problem in found)
        assert is_blocked(problems) is (severity == "block")


@pytest.mark.parametrize("code", sorted(TRIPS))
def test_each_trip_draft_trips_only_its_own_check(code: str) -> None:
    context = lumo(detect_language=detector, recent=recent())
    problems = check_draft(lumo_comment(), TRIPS[code], context=context)
    assert {problem.code for problem in problems} == {code}
    assert is_blocked(problems) is (DEFAULT_SEVERITIES[code] == "block")


def test_mention_checks_follow_the_settings_too() -> None:
    mastodon = lumo_comment("mastodon", "bob@example.org", "Bob")
    quiet = lumo(checks=settings(missing_mention="off", mention_only="warn"))
    assert by_code(check_draft(mastodon, "Hi Bob, on it", context=quiet), "missing-mention") == []
    problems = check_draft(mastodon, "@bob@example.org", context=quiet)
    assert not is_blocked(problems)


def test_words_to_avoid_say_what_to_write_instead_and_where() -> None:
    text = "Hi Emma, obviously we'll fix it asap, we never tell users to Calm  down."
    problems = by_code(check_draft(lumo_comment(), text, context=lumo()), "avoid-word")
    messages = [problem.message for problem in problems]
    assert messages == [
        '"asap" is on the brand book\'s list of words to avoid: say "as soon as we can" instead',
        '"users" is on the brand book\'s list of words to avoid: say "people" instead',
        '"obviously" is on the brand book\'s list of words to avoid: leave it out',
        '"Calm  down" is on the brand book\'s list of words to avoid: leave it out',
    ]
    spans = [text[slice(*problem.span)] for problem in problems]  # type: ignore[misc]
    assert spans == ["asap", "users", "obviously", "Calm  down"]
    # Whole words only.
    assert (
        by_code(
            check_draft(lumo_comment(), "Hi Emma, cheaper plans soon", context=lumo()), "avoid-word"
        )
        == []
    )


def test_greeting_and_sign_off_follow_the_replys_language() -> None:
    brand = BrandBook(
        name="Acme",
        languages={
            "en": LanguageVoice(("Hi", "Hello"), ("Team Acme",), True, True),
            "fr": LanguageVoice(("Bonjour",), ("L'équipe Acme",), True, False),
        },
    )
    context = DraftContext(brand=brand)
    english = lumo_comment(language="en")
    assert check_draft(english, "Hi Emma, on it. Team Acme", context=context) == []
    assert check_draft(english, "👋 hello Emma! On it — team acme!", context=context) == []
    codes_found = codes(check_draft(english, "Hiya Emma, on it.", context=context))
    assert codes_found == ["missing-greeting", "missing-sign-off"]
    (greeting,) = by_code(
        check_draft(english, "On it. Team Acme", context=context), "missing-greeting"
    )
    assert greeting.message == 'no greeting: Acme replies in English open with "Hi" or "Hello"'
    french = lumo_comment(language="fr")
    assert check_draft(french, "Bonjour Emma, on regarde.", context=context) == []
    # A language the book says nothing about is not held to anything.
    assert check_draft(lumo_comment(language="de"), "Wir schauen es uns an.", context=context) == []
    # Unknown comment language: the brand's default language.
    assert codes(check_draft(lumo_comment(language=None), "On it. Team Acme", context=context)) == [
        "missing-greeting"
    ]


def test_the_language_check_needs_a_detector_and_enough_words() -> None:
    text = "Bonjour Emma, merci beaucoup pour votre message, on regarde tout de suite."
    assert by_code(check_draft(lumo_comment(), text, context=lumo()), "wrong-language") == []
    (problem,) = by_code(
        check_draft(lumo_comment(), text, context=lumo(detect_language=detector)), "wrong-language"
    )
    assert problem.message == "the reply looks French; the comment is in English"
    short = "Hi, merci!"
    assert (
        by_code(
            check_draft(lumo_comment(), short, context=lumo(detect_language=detector)),
            "wrong-language",
        )
        == []
    )
    # A comment without a language is detected too.
    unknown = lumo_comment(
        language=None, text="Is the sync broken again? Nothing loads on my phone"
    )
    assert by_code(
        check_draft(unknown, text, context=lumo(detect_language=detector)), "wrong-language"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Hi Emma, WE ARE SO SORRY about this",
            '"WE ARE SO SORRY" is in capitals: it reads as shouting',
        ),
        ("HI EMMA, ON IT", "the whole reply is in capitals: it reads as shouting"),
        ("Hi Emma, thanks!!!", 'a pile of "!" ("!!!"): one is plenty'),
        ("Hi Emma, thanks! ! !", 'a pile of "!" ("! ! !"): one is plenty'),
        ("Hi! Emma! on it! see you!", '4 "!" in one reply: keep one or two'),
    ],
)
def test_shouting_is_flagged(text: str, message: str) -> None:
    (problem,) = by_code(check_draft(lumo_comment(), text, context=lumo()), "shouting")
    assert problem.message == message


@pytest.mark.parametrize(
    "text",
    [
        "Hi Emma, the FAQ and the PDF export are in the iOS app!",
        "Hi Emma, see https://lumo.app/HELP/FAQ/NOW for it",
        "Hi Emma! On it!",
    ],
)
def test_acronyms_links_and_a_little_enthusiasm_are_not_shouting(text: str) -> None:
    assert by_code(check_draft(lumo_comment(), text, context=lumo()), "shouting") == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Hi Emma, https://lumo.app@evil.example/help", "a link to evil.example,"),
        ("Hi Emma, https://lumo.app.evil.example/help", "a link to lumo.app.evil.example,"),
        ("Hi Emma, www.lumo-pro-free.xyz/claim", "a link to www.lumo-pro-free.xyz,"),
        ("Hi Emma, bit.ly/3xF", "a link to bit.ly,"),
        ("Hi Emma, free-airdrop.click", "a link to free-airdrop.click,"),
        (
            "Hi Emma, https://lumо.app/help",
            "a link to lumо.app (spelt xn--lum-ued.app: look-alike letters),",
        ),
    ],
)
def test_a_link_outside_the_allowed_domains_shows_its_real_domain(text: str, shown: str) -> None:
    (problem,) = by_code(check_draft(lumo_comment(), text, context=lumo()), "foreign-link")
    assert problem.blocking
    assert problem.message.startswith(shown), problem.message
    assert problem.message.endswith("outside the allowed domains (lumo.app)")
    assert text[slice(*problem.span)] == problem.detail  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "Hi Emma, see https://status.lumo.app/incidents/42.",
        "Hi Emma, the guide is at lumo.app/help (step 3).",
        "Hi Emma, write to security@lumo.app or support@LUMO.APP",
        "Hi Emma, export notes.txt from Node.js, version 4.2.2",
        "Hi Emma, sorry.It works again.Thanks for waiting, e.g. on iOS",
    ],
)
def test_allowed_links_emails_and_file_names_pass(text: str) -> None:
    assert by_code(check_draft(lumo_comment(), text, context=lumo()), "foreign-link") == []


def test_without_allowed_domains_links_are_not_checked() -> None:
    text = "Hi Emma, https://anything.example"
    assert by_code(check_draft(lumo_comment(), text, context=DraftContext()), "foreign-link") == []


def test_a_template_sent_as_it_is_is_flagged_until_something_is_added() -> None:
    mastodon = lumo_comment("mastodon", "emma@example.org", "Emma Martin")
    text = "@emma@example.org Hi Emma, this made our day, thank you!"
    (problem,) = by_code(check_draft(mastodon, text, context=lumo()), "template-only")
    assert problem.message == (
        'the reply is the template "Thank them for the kind words" word for word: '
        "add something for Emma"
    )
    personal = text + " Enjoy the new calendar view!"
    assert by_code(check_draft(mastodon, personal, context=lumo()), "template-only") == []


def test_a_variable_left_in_the_text_blocks_with_the_reason() -> None:
    text = "Hi {author.first_name}, see {link.statuss} and {author.nmae}"
    problems = by_code(check_draft(lumo_comment(), text, context=lumo()), "unknown-variable")
    assert [problem.message for problem in problems] == [
        '{author.first_name} is not filled in: it would be "Emma": write that instead',
        '{link.statuss} is not filled in: the brand book has no link "statuss" '
        '(did you mean "status"?); add it under [links]',
        "{author.nmae} is not filled in: unknown variable (did you mean {author.name}?)",
    ]
    assert all(problem.blocking for problem in problems)
    assert text[slice(*problems[1].span)] == "{link.statuss}"  # type: ignore[misc]


def test_the_composer_reads_a_drafts_language_with_listening() -> None:
    from cm_inbox.drafting import find_language_detector

    listening = lumo(detect_language=find_language_detector())
    french = lumo_comment(language="fr")
    english = "Hi Emma, thanks a lot for your message, we are looking into it right now."
    (problem,) = by_code(check_draft(french, english, context=listening), "wrong-language")
    assert problem.message == "the reply looks English; the comment is in French"
    fine = "Bonjour Emma, merci beaucoup pour votre message, on regarde tout de suite."
    assert by_code(check_draft(french, fine, context=listening), "wrong-language") == []
