"""Theme files: the bundled ones load and apply, broken ones are reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color
from textual.theme import Theme

from cm_inbox import paths
from cm_inbox.tui.themes import bundled_themes_dir, load_app_themes, load_themes

BUNDLED = ("cm-dark", "cm-light", "cm-high-contrast")

GOOD = """\
name = "{name}"
primary = "#336699"
"""


def write(folder: Path, filename: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_folder_is_the_repo_themes_folder_in_a_dev_install() -> None:
    folder = bundled_themes_dir()
    assert folder.is_dir()
    assert {path.stem for path in folder.glob("*.toml")} >= set(BUNDLED)


def test_every_bundled_theme_loads_without_problems() -> None:
    themes, problems = load_themes(bundled_themes_dir())
    assert problems == []
    by_name = {theme.name: theme for theme in themes}
    assert set(BUNDLED) <= set(by_name)
    for theme in themes:
        assert isinstance(theme, Theme)
        # Every bundled theme spells out its whole palette rather than leaving
        # Textual to guess a background.
        for colour in (
            "primary",
            "secondary",
            "accent",
            "foreground",
            "background",
            "surface",
            "panel",
            "warning",
            "error",
            "success",
        ):
            assert getattr(theme, colour) is not None, (theme.name, colour)
    assert by_name["cm-light"].dark is False
    assert by_name["cm-dark"].dark is True


def test_high_contrast_is_black_and_white_with_strong_accents() -> None:
    themes, _ = load_themes(bundled_themes_dir())
    theme = next(t for t in themes if t.name == "cm-high-contrast")
    assert Color.parse(theme.background) == Color(0, 0, 0)
    assert Color.parse(theme.foreground) == Color(255, 255, 255)
    assert theme.text_alpha == 1.0
    black = Color(0, 0, 0)
    for colour in (theme.primary, theme.secondary, theme.accent):
        # WCAG contrast ratio against black: 7 is the AAA level for body text.
        assert _contrast(Color.parse(colour), black) >= 7, colour


def test_bundled_text_is_readable_on_its_background() -> None:
    themes, _ = load_themes(bundled_themes_dir())
    for theme in themes:
        for ground in (theme.background, theme.surface):
            ratio = _contrast(Color.parse(theme.foreground), Color.parse(ground))
            assert ratio >= 7, (theme.name, ratio)
            # Labels and badges in these colours must pass WCAG AA (4.5) too.
            for name in ("primary", "secondary", "accent", "warning", "error", "success"):
                ratio = _contrast(Color.parse(getattr(theme, name)), Color.parse(ground))
                assert ratio >= 4.5, (theme.name, name, ratio)


def _contrast(first: Color, second: Color) -> float:
    def luminance(colour: Color) -> float:
        def channel(value: int) -> float:
            value_ = value / 255
            return value_ / 12.92 if value_ <= 0.03928 else ((value_ + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


async def test_every_bundled_theme_applies_in_an_app() -> None:
    themes, _ = load_app_themes()

    class ThemedApp(App[None]):
        pass

    app = ThemedApp()
    async with app.run_test() as pilot:
        for theme in themes:
            app.register_theme(theme)
            app.theme = theme.name
            await pilot.pause()
            assert app.current_theme.name == theme.name
            assert app.get_css_variables()["background"]


BROKEN = [
    ('name = "x"\nprimary = \n', "invalid TOML", None),
    ('name = "x"\n', 'missing required key "primary"', None),
    ('primary = "#112233"\n', 'missing required key "name"', None),
    ('name = ""\nprimary = "#112233"\n', '"name" must be a non-empty string', 1),
    ('name = "x"\nprimary = "#112233"\nforground = "#ffffff"\n', 'unknown key "forground"', 3),
    ('name = "x"\nprimary = "#112233"\nforground = "#ffffff"\n', 'did you mean "foreground"', 3),
    ('name = "x"\nprimary = "#11223"\n', '"primary" = "#11223" is not a colour', 2),
    ('name = "x"\nprimary = "#112233"\nbackground = "darkish"\n', "is not a colour", 3),
    ('name = "x"\nprimary = 112233\n', '"primary" must be a colour string', 2),
    ('name = "x"\nprimary = "#112233"\ndark = "yes"\n', '"dark" must be true or false', 3),
    ('name = "x"\nprimary = "#112233"\ntext_alpha = 2\n', "from 0 to 1", 3),
    ('name = "x"\nprimary = "#112233"\nvariables = "none"\n', '"variables" must be a table', 3),
    (
        'name = "x"\nprimary = "#112233"\n\n[variables]\nfooter-key-foreground = "blurple"\n',
        '"variables.footer-key-foreground" = "blurple" is not a colour',
        5,
    ),
    (
        'name = "x"\nprimary = "#112233"\n[variables]\nblock-cursor-text-style = "shiny"\n',
        "not a text style",
        4,
    ),
    ('name = "x"\nprimary = "#112233"\n[variables]\nborder = 3\n', "must be a string", 4),
]


@pytest.mark.parametrize(("text", "reason", "line"), BROKEN)
def test_a_broken_theme_is_reported_and_skipped(
    tmp_path: Path, text: str, reason: str, line: int | None
) -> None:
    folder = tmp_path / "themes"
    write(folder, "a-good.toml", GOOD.format(name="good"))
    broken = write(folder, "broken.toml", text)
    themes, problems = load_themes(folder)
    assert [theme.name for theme in themes] == ["good"]
    assert len(problems) == 1
    message = problems[0]
    assert message.startswith(str(broken))
    if line is not None:
        assert message.startswith(f"{broken}, line {line}: "), message
    assert reason in message, message
    assert message.endswith("theme skipped")


def test_variable_css_values_with_alpha_and_auto_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "t.toml",
        'name = "t"\nprimary = "#112233"\n[variables]\n'
        'input-selection-background = "#6CA0DC 35%"\ntext = "auto 87%"\n'
        'block-cursor-text-style = "bold reverse"\nmy-own-setting = "anything"\n',
    )
    themes, problems = load_themes(tmp_path)
    assert problems == []
    assert themes[0].variables["input-selection-background"] == "#6CA0DC 35%"


def test_a_non_utf8_theme_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'name = "\xff"\nprimary = "#112233"\n')
    themes, problems = load_themes(tmp_path)
    assert themes == []
    assert problems[0].startswith(f"{path}: can't read it")


def test_missing_folders_are_not_problems(tmp_path: Path) -> None:
    themes, problems = load_themes(tmp_path / "absent", bundled_themes_dir())
    assert problems == []
    assert {theme.name for theme in themes} >= set(BUNDLED)


def test_a_file_where_a_folder_should_be_is_reported(tmp_path: Path) -> None:
    not_a_folder = write(tmp_path, "themes", "")
    themes, problems = load_themes(not_a_folder)
    assert themes == []
    assert problems == [f"{not_a_folder}: not a folder, so no themes were read from it"]


def test_same_name_twice_in_one_folder_keeps_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'name = "twin"\nprimary = "#111111"\n')
    second = write(tmp_path, "b.toml", 'name = "twin"\nprimary = "#222222"\n')
    themes, problems = load_themes(tmp_path)
    assert [(theme.name, theme.primary) for theme in themes] == [("twin", "#111111")]
    assert len(problems) == 1
    assert problems[0].startswith(f"{second}: ")
    assert '"twin"' in problems[0]


def test_a_user_theme_overrides_a_bundled_one_and_adds_its_own() -> None:
    user = paths.user_themes_dir()
    write(user, "my-dark.toml", 'name = "cm-dark"\nprimary = "#FF0000"\ndark = true\n')
    write(user, "mine.toml", GOOD.format(name="mine"))
    write(user, "oops.toml", 'name = "oops"\nprimary = "nope"\n')
    themes, problems = load_app_themes()
    by_name = {theme.name: theme for theme in themes}
    assert by_name["cm-dark"].primary == "#FF0000"
    assert by_name["cm-dark"].background is None  # replaced whole, not merged
    assert "mine" in by_name
    assert "oops" not in by_name
    assert set(BUNDLED) <= set(by_name)
    assert len([t for t in themes if t.name == "cm-dark"]) == 1
    assert len(problems) == 1 and "oops.toml" in problems[0]
