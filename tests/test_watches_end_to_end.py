"""`cm-inbox sandbox serve` prints a keyword watch; pasted into config.toml, the real
`cm-inbox sync` runs it against the sandbox on loopback, as a new user would."""

from __future__ import annotations

import json

from loopback import connect_all, run_cli, serving


def test_the_watch_the_sandbox_prints_brings_untagged_mentions(tmp_path, monkeypatch):
    db = tmp_path / "inbox.sqlite3"
    config = tmp_path / "config.toml"
    monkeypatch.setenv("CM_INBOX_CONFIG", str(config))
    with serving() as first_line:
        connect_all(first_line, db)
        config.write_text(first_line["watch"]["config"], encoding="utf-8")

        synced = run_cli("sync", "--json", db=db)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert "config:" not in synced.stderr  # the printed entry is valid as it stands
        lines = [line for line in json.loads(synced.stdout)["accounts"] if line.get("watch")]
        assert {(line["network"], line["source"]) for line in lines} == {
            ("mastodon", "search"),
            ("mastodon", "hashtags"),
            ("bluesky", "search"),
            ("rss", "feed"),
            ("hackernews", "comments"),
        }
        assert [line["error"] for line in lines] == [None] * 6
        new = {}
        for line in lines:
            new[line["network"]] = new.get(line["network"], 0) + line["new"]
        assert all(count > 0 for count in new.values()), new

        listed = run_cli("list", "--json", "--label", "untagged mention", "--limit", "1000", db=db)
        items = json.loads(listed.stdout)
        assert len(items) == sum(new.values())
        assert all(item["labels"] == ["untagged mention"] for item in items)
        assert not any("lamp" in item["text"].lower() for item in items)  # the example excludes it
        assert all(item["url"] for item in items if item["network"] in ("rss", "hackernews"))

        again = run_cli("sync", "--json", db=db)
        lines = [line for line in json.loads(again.stdout)["accounts"] if line.get("watch")]
        assert [line["new"] for line in lines] == [0] * 6
        feeds = [line for line in lines if line["network"] == "rss"]
        assert {line["note"] for line in feeds} == {"not modified since the last sync"}


def test_doctor_shows_how_each_watch_source_last_went(cli, tmp_path):
    from cm_inbox.store import Store

    db = tmp_path / "inbox.sqlite3"
    broken = "lumo|feed|https://blog.example/feed.xml"
    with Store(db) as store:
        store.record_watch_sync(broken, "https://blog.example/feed.xml answered 404 Not Found")
        store.record_watch_sync("lumo|hackernews|https://hn.algolia.com", None)
    report = json.loads(cli("doctor", "--db", db, "--json").out)
    assert report["watch_sources"] == [
        {
            "source": broken,
            "last_sync_at": report["watch_sources"][0]["last_sync_at"],
            "last_error": "https://blog.example/feed.xml answered 404 Not Found",
        },
        {
            "source": "lumo|hackernews|https://hn.algolia.com",
            "last_sync_at": report["watch_sources"][1]["last_sync_at"],
            "last_error": None,
        },
    ]
    shown = cli("doctor", "--db", db).out
    assert f"watch     {broken}" in shown and "answered 404 Not Found" in shown
