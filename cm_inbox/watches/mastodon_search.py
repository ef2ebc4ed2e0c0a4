"""Mastodon watch sources: full-text search and hashtag timelines, read as a brand account.

Facts (../shared/NETWORKS.md, Mastodon's API documentation, and the recorded
traffic in tests/conformance/mastodon: test_search.yaml, test_hashtag_tl.yaml):

- ``GET /api/v2/search?q=&type=statuses`` answers ``{"accounts", "statuses",
  "hashtags"}`` (4.6 adds ``collections``); ``limit`` is at most 40, and
  ``min_id`` / ``max_id`` bound the status ids. Full-text search of statuses
  needs the instance's search (Elasticsearch) enabled; without it an instance
  finds only statuses the account has interacted with, which is why hashtag
  timelines are offered beside it.
- ``GET /api/v1/timelines/tag/:tag`` answers a list of statuses, newest first,
  paged by ``min_id`` like notifications (``Link`` prev/next).
- Both answer statuses in the shape ``mastodon_parse.parse_status`` reads, and
  carry the X-RateLimit-* headers; the budget is the account's own, shared
  with its notifications sync.

Matches belong to the brand account that searched, so the community manager
can answer from it. A status that mentions one of the brand's connected
accounts is left out: it arrives through that account's notifications.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from cm_inbox.networks.base import MalformedAnswer, NeedsLogin, Secrets, SetAside
from cm_inbox.networks.http import Polite, budget_for
from cm_inbox.networks.mastodon_login import RATE_HEADERS, normalize_instance, read_answer
from cm_inbox.networks.mastodon_parse import Unreadable, Viewer, id_key, instance_host, parse_status
from cm_inbox.store.results import ConnectedAccount
from cm_inbox.watches.source import Found, WatchPage, WatchSource, read_cursor, write_cursor

LIMIT = 40  # the API's maximum for both endpoints
# Pages one query follows per sync, when catching up after a pause.
MAX_PAGES = 5
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _MastodonReader(WatchSource):
    """What both Mastodon sources share: the account's token, its rate budget, its viewpoint."""

    network = "mastodon"

    def __init__(
        self,
        watch,
        account: ConnectedAccount,
        secrets: Secrets,
        client,
        *,
        identities: frozenset[str],
        **kwargs: Any,
    ) -> None:
        """``identities``: the qualified, lower-cased accts of every connected Mastodon account."""
        super().__init__(watch, **kwargs)
        self.account = account
        self.secrets = secrets
        self.identities = identities
        raw_instance = account.settings.get("instance", "")
        self.http = Polite(
            client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, self.network, raw_instance, account.name),
        )

    @property
    def instance(self) -> str:
        instance = self.account.settings.get("instance")
        if not instance:
            raise NeedsLogin("no instance URL saved for this account; add it again")
        return normalize_instance(instance)

    async def _get(self, path: str, params: list[tuple[str, str | int]]) -> Any:
        token = self.secrets.get("access_token")
        if not token:
            raise NeedsLogin("no access token saved for this account; log in again")
        response = await self.http.request(
            "GET",
            self.instance + path,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        return read_answer(response, self.instance, secret=token)

    def _read(self, statuses: list[Any], what: str) -> WatchPage:
        page = WatchPage()
        viewer = Viewer.of(self.account.name, self.instance, self.account.handle)
        for raw in statuses:
            if isinstance(raw, Mapping) and raw.get("reblog") is not None:
                continue  # a boost: the original status is what was said
            try:
                comment = parse_status(raw, viewer)
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"mastodon {what}: {error}", raw))
                continue
            mentioned = (comment.extra or {}).get("mention_accts") or []
            addressed = (
                comment.is_ours
                or comment.author.handle.lower() in self.identities
                or any(acct.lower() in self.identities for acct in mentioned)
            )
            page.found.append(Found(comment, addressed=addressed))
        return page

    async def _walk(
        self, state: dict[str, Any], query: str, path: str, params: list[tuple[str, str | int]]
    ) -> AsyncIterator[WatchPage]:
        """One query's statuses newer than the id kept for it, oldest page first.

        Without a kept id (a new phrase or tag): the newest page only. With
        one: the page just above it (``min_id``), then the next, while pages
        come back full, each stored with the id it reached, so an interrupted
        catch-up resumes where it stopped.
        """
        kept = state.get(query)
        newest = kept if isinstance(kept, str) and _ID.fullmatch(kept) else None
        for _ in range(MAX_PAGES):
            asked = list(params)
            if newest:
                asked.append(("min_id", newest))
            body = await self._get(path, asked)
            statuses = _statuses(body, self.instance, path)
            page = self._read(statuses, "search result" if "search" in path else "tag timeline")
            ids = [raw["id"] for raw in statuses if _has_id(raw)]
            top = max(ids, key=id_key, default=None)
            if top is not None and (newest is None or id_key(top) > id_key(newest)):
                state[query] = top
            page.cursor = write_cursor(state)
            yield page
            if newest is None or len(statuses) < LIMIT or top is None:
                return
            newest = state[query]


class MastodonSearch(_MastodonReader):
    """``/api/v2/search`` for each phrase of the watch."""

    kind = "search"

    @property
    def key(self) -> str:
        return f"{self.watch.name}|mastodon-search|{self.account.name}"

    @property
    def label(self) -> str:
        return f"{self.watch.name}: search as {self.account.name}"

    async def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        state = read_cursor(cursor)
        for phrase in self.watch.phrases:
            # Quotes keep a phrase's words together (Mastodon 4.2+ search syntax).
            query = f'"{phrase}"' if " " in phrase else phrase
            params: list[tuple[str, str | int]] = [
                ("q", query),
                ("type", "statuses"),
                ("resolve", "false"),
                ("limit", LIMIT),
            ]
            async for page in self._walk(state, phrase, "/api/v2/search", params):
                yield page


class MastodonHashtags(_MastodonReader):
    """``/api/v1/timelines/tag/:tag`` for each hashtag of the watch."""

    kind = "hashtags"

    @property
    def key(self) -> str:
        return f"{self.watch.name}|mastodon-hashtags|{self.account.name}"

    @property
    def label(self) -> str:
        tags = " ".join("#" + tag for tag in self.watch.hashtags)
        return f"{self.watch.name}: {tags} as {self.account.name}"

    async def pages(self, cursor: str | None) -> AsyncIterator[WatchPage]:
        state = read_cursor(cursor)
        for tag in self.watch.hashtags:
            path = "/api/v1/timelines/tag/" + quote(tag, safe="")
            async for page in self._walk(state, "#" + tag, path, [("limit", LIMIT)]):
                yield page


def _has_id(raw: Any) -> bool:
    return (
        isinstance(raw, Mapping)
        and isinstance(raw.get("id"), str)
        and bool(_ID.fullmatch(raw["id"]))
    )


def _statuses(body: Any, instance: str, path: str) -> list[Any]:
    """The statuses of a search answer (an object) or a timeline (a list)."""
    if "search" in path:
        statuses = body.get("statuses") if isinstance(body, Mapping) else None
    else:
        statuses = body
    if not isinstance(statuses, list):
        raise MalformedAnswer(
            f"{instance_host(instance)} answered {path} without a list of statuses"
        )
    return statuses
