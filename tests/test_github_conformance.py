"""The GitHub parser against GitHub's own API description (tests/conformance/github).

GitHub publishes no recorded traffic; its OpenAPI description (via
@octokit/openapi 23.0.2, see tests/conformance/PROVENANCE.md) carries the
documented examples and the schema. Every example that holds comments must
read into comments with author, text, time and parent; the schema must not
let a field the parser needs go missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cm_inbox.networks.github_parse import Unreadable, parse_comment, parse_key
from cm_inbox.networks.mastodon_parse import parse_link_header

FILES = Path(__file__).parent / "conformance" / "github"


def load(name: str) -> Any:
    return json.loads((FILES / name).read_text(encoding="utf-8"))


def comments_in(value: Any) -> list[dict]:
    """Issue comments in an example value: one object or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict) and "issue_url" in item]


def examples() -> list[tuple[str, Any]]:
    found = [(p.name, load(p.name)["value"]) for p in sorted(FILES.glob("example.*.json"))]
    spec = load("issue-comments.openapi-subset.json")
    for name, example in spec["components"]["examples"].items():
        found.append((f"openapi#{name}", example["value"]))
    return found


def test_every_file_is_covered():
    names = {p.name for p in FILES.iterdir()}
    assert names == {
        "example.issue-comment-items.json",
        "example.issue-comment-pinned.json",
        "example.issue-comment.json",
        "issue-comments.openapi-subset.json",
        "schema.issue-comment.json",
    }, "a new recorded file needs a test here"


@pytest.mark.parametrize(("name", "value"), examples(), ids=[n for n, _ in examples()])
def test_every_documented_comment_reads(name, value):
    raw = comments_in(value)
    assert raw, f"{name} holds no comment"
    for item in raw:
        comment = parse_comment(item, "lumo", own_login=None)
        assert comment.author.handle == "octocat"
        assert comment.text == "Me too"
        assert comment.created_at == 1302796849  # 2011-04-14T16:00:49Z
        assert comment.parent_remote_id == "octocat/Hello-World#1347"
        assert comment.root_remote_id == comment.parent_remote_id
        assert comment.remote_id == "octocat/Hello-World#1347/issuecomment-1"
        assert parse_key(comment.remote_id)[1] == "1"
        assert comment.url == "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1"
        assert comment.extra["author_association"] == "COLLABORATOR"
        assert comment.extra["node_id"] == "MDEyOklzc3VlQ29tbWVudDE="


def test_we_know_it_is_ours_by_login():
    item = load("example.issue-comment.json")["value"]
    assert parse_comment(item, "lumo", own_login="OctoCat").is_ours
    assert not parse_comment(item, "lumo", own_login="lumo-app").is_ours


def test_the_schema_requires_every_field_the_parser_needs():
    schemas = load("schema.issue-comment.json")["schemas"]
    required = set(schemas["issue-comment"]["required"])
    assert {"id", "issue_url", "user", "created_at", "html_url", "node_id"} <= required
    assert "login" in schemas["simple-user"]["required"]
    # body may be absent (the raw media type is the default, but it is not required).
    assert "body" not in required
    item = dict(load("example.issue-comment.json")["value"])
    del item["body"]
    assert parse_comment(item, "lumo", None).text == ""


def test_documented_pages_link_reads():
    spec = load("issue-comments.openapi-subset.json")
    links = parse_link_header(spec["components"]["headers"]["link"]["example"])
    assert links["next"] == "https://api.github.com/resource?page=2"
    assert links["last"].endswith("page=5")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"user": None}, "user"),
        ({"issue_url": "https://api.github.com/repos/octocat/Hello-World/pulls"}, "issue"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"id": "1"}, "id"),
        ({"body": ["x"]}, "body"),
    ],
)
def test_a_broken_comment_is_refused_with_a_reason(change, reason):
    item = {**load("example.issue-comment.json")["value"], **change}
    with pytest.raises(Unreadable, match=reason):
        parse_comment(item, "lumo", None)


def test_markdown_becomes_plain_text_with_real_link_targets():
    item = {
        **load("example.issue-comment.json")["value"],
        "body": "**Thanks!** See [the docs](https://evil.example/x) and <b>[@click=app.quit]</b>\n"
        "<script>alert(1)</script>\x1b[2J\u202eend",
    }
    text = parse_comment(item, "lumo", None).text
    assert "Thanks!" in text and "**" not in text
    assert "the docs <https://evil.example/x>" in text
    assert "<b>" not in text and "alert" not in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "[@click=app.quit]" in text  # shown as text: the TUI never reads it as markup
