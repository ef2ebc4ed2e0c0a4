"""RSS and Atom documents as plain-text entries, and documents that are refused."""

from __future__ import annotations

import time

import pytest

from cm_inbox.watches.feed_parse import FeedError, parse_feed

URL = "https://blog.example/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Tools &amp; Habits</title><link>https://blog.example/</link>
<item>
  <title>Five calendar apps compared</title>
  <link>https://blog.example/posts/5</link>
  <guid isPermaLink="false">5</guid>
  <pubDate>Fri, 20 Nov 2026 09:00:00 +0100</pubDate>
  <dc:creator>Ana Ruiz</dc:creator>
  <description>&lt;p&gt;We tried &lt;b&gt;Lumo&lt;/b&gt; and &lt;a href="https://evil.example/"&gt;lumo.app&lt;/a&gt;.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
</item>
<item>
  <title>Relative links</title>
  <link>/posts/6</link>
  <description>Plain words about Lumo</description>
</item>
</channel></rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>News</title><id>https://news.example/</id><updated>2026-11-20T08:00:00Z</updated>
<entry>
  <id>tag:news.example,2026:42</id>
  <title type="html">Lumo &amp;lt;3 offline</title>
  <link rel="alternate" href="https://news.example/42"/>
  <published>2026-11-20T08:00:00Z</published><updated>2026-11-20T09:00:00Z</updated>
  <author><name>Tomasz K.</name></author>
  <content type="html">&lt;p&gt;Offline mode, at last.&lt;/p&gt;</content>
</entry>
</feed>
"""


def test_rss_items_become_plain_text_with_real_link_targets():
    feed = parse_feed(RSS, URL, "application/rss+xml")
    assert feed.title == "Tools & Habits"
    first, second = feed.entries
    # A bare guid is only unique within its feed.
    assert first.remote_id == f"{URL}#5"
    assert first.url == "https://blog.example/posts/5"
    assert first.author == "Ana Ruiz"
    assert first.published == 1_795_161_600  # 08:00 UTC
    assert first.text == (
        "Five calendar apps compared\n\nWe tried Lumo and lumo.app <https://evil.example/>."
    )
    assert "alert" not in first.text and "<b>" not in first.text
    # Relative links resolve against the feed's address.
    assert second.url == "https://blog.example/posts/6"
    assert second.remote_id == "https://blog.example/posts/6"
    assert second.published is None
    assert feed.problem is None


def test_atom_entries_keep_their_id_dates_and_author():
    (entry,) = parse_feed(ATOM, "https://news.example/feed.atom").entries
    assert entry.remote_id == "tag:news.example,2026:42"
    assert entry.title == "Lumo <3 offline"
    assert entry.body == "Offline mode, at last."
    assert entry.author == "Tomasz K."
    assert entry.published == 1_795_161_600
    assert entry.url == "https://news.example/42"


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rss version="2.0"><channel><item><title>Lumo &e;</title></item></channel></rss>
"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>Lumo &x;</title><guid>1</guid></item></channel></rss>
"""


@pytest.mark.parametrize("document", [LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_a_document_that_declares_entities_is_refused_before_parsing(document):
    started = time.perf_counter()
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(document, URL)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<!DOCTYPE html><html><body>Lumo</body></html>", "this is not an RSS or Atom feed"),
        (b'{"items": []}', "this is not an RSS or Atom feed (not well-formed (invalid token)"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Lumo',
            "the feed is not well-formed XML: no element found at line 1",
        ),
    ],
    ids=["html", "json", "truncated"],
)
def test_what_is_no_feed_is_said_so(document, message):
    with pytest.raises(FeedError) as raised:
        parse_feed(document, URL)
    assert str(raised.value).startswith(message)


def test_a_slightly_broken_feed_is_read_leniently_and_says_so():
    document = RSS.replace(b"Tools &amp; Habits", b"Tools & Habits")
    feed = parse_feed(document, URL)
    assert [entry.title for entry in feed.entries] == [
        "Five calendar apps compared",
        "Relative links",
    ]
    assert feed.problem.startswith(
        "not well-formed XML (not well-formed (invalid token) at line 3)"
    )


def test_an_empty_feed_is_no_problem():
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', URL)
    assert feed.entries == [] and feed.problem is None
