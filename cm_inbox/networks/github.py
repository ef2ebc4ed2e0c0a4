"""GitHub: issue, pull-request and discussion comments on the brand's repositories.

Facts from ../shared/NETWORKS.md and GitHub's OpenAPI description
(tests/conformance/github):

- New items: ``GET /repos/{owner}/{repo}/issues/comments?since=&sort=updated&direction=asc``,
  per repository in ``settings["repos"]``. ``since`` is inclusive, so the last
  comment seen comes back once more (the store keeps one copy). The answer's
  ``Last-Modified`` is sent back as ``If-Modified-Since``: a 304 costs no quota.
  ``X-Poll-Interval``, where GitHub sends it, is obeyed: the repository is
  not asked again before it has passed.
- Comments are flat under their issue: parent and root are the issue, whose
  opening post ``fetch_thread`` brings in with the other comments.
- Replies: ``POST /repos/{owner}/{repo}/issues/{number}/comments {"body"}`` in
  Markdown, 65,536 characters. No idempotency key: before a retry, the
  issue's comments since the parent are read for ours (``find_reply``).
- Rate limits: ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` (Unix seconds);
  secondary limits answer 403 or 429 with ``retry-after``.
- Moderation (``moderate``): "hide" minimizes a comment as off-topic and "spam"
  as spam (GraphQL ``minimizeComment``), as the "Hide" menu of github.com does;
  it needs triage rights on the repository and the comment's node id, kept in
  ``extra`` at fetch time. An issue's opening post cannot be minimized, and
  issue comments have no read state of their own, so nothing is marked read.
- Discussions (GraphQL, ``github_discussions``) are read after every
  repository's issue comments, so a token refused discussions still syncs
  issues; the refusal is said once, then the repository's discussions are
  asked for again a day later (a refusal raised on every sync would also keep
  the replies waiting, as a failed fetch sends nothing).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    Connector,
    FetchPage,
    MalformedAnswer,
    ModerationTarget,
    NeedsLogin,
    NetworkError,
    ParentRef,
    PermanentError,
    Posted,
    SetAside,
)
from cm_inbox.networks.github_discussion_parse import is_discussion_key
from cm_inbox.networks.github_discussions import Discussions
from cm_inbox.networks.github_graphql import GraphQL, Refused, graphql_url
from cm_inbox.networks.github_login import (
    API_VERSION,
    DEFAULT_API,
    RATE_HEADERS,
    normalize,
    read_answer,
)
from cm_inbox.networks.github_parse import (
    REPO,
    IssueRef,
    Unreadable,
    body_words,
    parse_comment,
    parse_issue,
    parse_key,
    parse_time,
)
from cm_inbox.networks.http import Polite, budget_for
from cm_inbox.networks.mastodon_parse import parse_link_header

PAGE_SIZE = 100  # the API's maximum
FIRST_SYNC_DAYS = 14  # a first sync takes two weeks back, never a repository's whole past
THREAD_PAGES = 5  # at most 500 comments of context per thread
FIND_PAGES = 10  # how far reconciliation reads after the parent
# GitHub's minimizeComment classifiers (GraphQL ReportedContentClassifiers).
HIDE_REASONS = ("SPAM", "ABUSE", "OFF_TOPIC", "OUTDATED", "DUPLICATE", "RESOLVED")
DISCUSSIONS = "discussions"  # the cursor's part for them (repositories always hold a "/")
REFUSED_WAIT_S = 86_400  # a repository whose discussions were refused is asked again then
# Whose author a reply mentions: issue comments are flat and a reply to a discussion
# reply lands under the top-level comment, so the mention says whom it answers.
MENTIONED = ("comment", "discussion_reply")


def parse_repos(value: str) -> list[str]:
    """Names "owner/repo" from a comma- or space-separated setting; ValueError names a bad one."""
    repos: list[str] = []
    for part in value.replace(",", " ").split():
        if not REPO.fullmatch(part):
            raise ValueError(f"{part!r} is not owner/repository")
        if part not in repos:
            repos.append(part)
    return repos


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubConnector(Connector):
    """One GitHub login watching some repositories.

    ``settings``: ``api`` (https://api.github.com, or a GitHub Enterprise
    ``https://host/api/v3``), ``repos`` ("owner/repo, owner/other").
    ``secrets["access_token"]``: a personal access token or the device flow's.
    """

    network = "github"
    moderation = frozenset({"spam", "hide"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = Polite(
            self.client,
            RATE_HEADERS,
            sleep=self.sleep,
            clock=self.clock,
            budget=budget_for(self.budgets, self.network, self.api, self.account.name),
        )
        # (what, repository) still to read in this sync: "issues" then "discussions"
        self._pending: list[tuple[str, str]] | None = None
        self._deferred: NetworkError | None = None  # a refusal said once the rest is read
        self._login: str | None = (self.account.handle or "").lstrip("@") or None
        # GraphQL has its own rate-limit budget at GitHub ("x-ratelimit-resource: graphql").
        budget = budget_for(self.budgets, self.network, self.api, self.account.name, "graphql")
        graphql_http = Polite(
            self.client, RATE_HEADERS, sleep=self.sleep, clock=self.clock, budget=budget
        )
        self.graphql = GraphQL(graphql_http, graphql_url(self.api), self._token, self.clock)
        self.discussions = Discussions(self.graphql, self.account.name, lambda: self._login)

    # -- plumbing ------------------------------------------------------------------

    @property
    def api(self) -> str:
        return normalize(self.account.settings.get("api") or DEFAULT_API)

    @property
    def repos(self) -> list[str]:
        try:
            return parse_repos(self.account.settings.get("repos", ""))
        except ValueError as error:
            raise PermanentError(f"the account's repositories: {error}") from None

    def _token(self) -> str:
        token = self.secrets.get("access_token")
        if not token:
            raise NeedsLogin("no access token saved for this account; log in again")
        return token

    async def _call(
        self, method: str, path_or_url: str, *, what: str = "", **kwargs: Any
    ) -> tuple[Any, httpx.Response]:
        token = self._token()
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {token}",
            **(kwargs.pop("headers", None) or {}),
        }
        url = path_or_url if path_or_url.startswith("http") else self.api + path_or_url
        # Writes go once: GitHub has no idempotency key, so a POST whose answer was lost
        # is never resent blindly; the sync looks for it first (``find_reply``).
        response = await self.http.request(
            method, url, headers=headers, repeatable=method == "GET", **kwargs
        )
        if response.status_code == 304:
            return None, response
        return read_answer(response, secret=token, what=what), response

    async def _own_login(self) -> str:
        if self._login is None:
            self._login = (await self.verify()).lstrip("@")
        return self._login

    # -- the interface -------------------------------------------------------------

    async def verify(self) -> str:
        """Who the token belongs to (GET /user), as "@login"."""
        body, _ = await self._call("GET", "/user")
        login = body.get("login") if isinstance(body, Mapping) else None
        if not isinstance(login, str) or not login.strip():
            raise MalformedAnswer("GitHub did not say who we are")
        self._login = login
        return "@" + login

    async def fetch_new(self, cursor: str | None) -> FetchPage:
        """One page of comments updated since the cursor, one repository at a time.

        The cursor is JSON: per repository, the newest ``updated_at`` read
        (``since``), the ``Last-Modified`` answered, a page number when more
        than a page shares one second, and the time before which GitHub asked
        not to poll; under ``"discussions"``, per repository, the discussions'
        own walk (``github_discussions``). A cursor from before discussions
        lacks that part: issue comments go on from where they were, and
        discussions start two weeks back. ``more`` while a page is waiting or
        something is still to be read in this sync.
        """
        if self._deferred is not None and not self._pending:
            error, self._deferred, self._pending = self._deferred, None, None
            raise error
        state = _load_cursor(cursor)
        walks = state.setdefault(DISCUSSIONS, {})
        if self._pending is None:
            repos = self.repos
            self._pending = [("issues", r) for r in repos] + [(DISCUSSIONS, r) for r in repos]
        page = FetchPage()
        now = self.clock()
        while self._pending:
            what, repo = self._pending[0]
            entry = (walks if what == DISCUSSIONS else state).setdefault(repo, {})
            wait = entry.get("refused_until" if what == DISCUSSIONS else "poll_after")
            if float(wait or 0) > now:
                self._pending.pop(0)  # GitHub asked us to wait, or refused: nothing asked
                continue
            if what == DISCUSSIONS:
                full = await self._fetch_discussions(repo, entry, page)
            else:
                full = await self._fetch_repo(repo, entry, page)
            if not full:
                self._pending.pop(0)
            break
        page.cursor = json.dumps(state, sort_keys=True)
        page.more = bool(self._pending) or self._deferred is not None
        if not self._pending:
            self._pending = None
        return page

    async def _fetch_discussions(self, repo: str, entry: dict[str, Any], page: FetchPage) -> bool:
        since = entry.get("since") or iso(self.clock() - FIRST_SYNC_DAYS * 86_400)
        entry.pop("refused_until", None)
        try:
            return await self.discussions.fetch(repo, entry, str(since), page)
        except PermanentError as error:
            # Said at the end of this sync, once the other repositories are read.
            entry["refused_until"] = self.clock() + REFUSED_WAIT_S
            self._deferred = self._deferred or error  # the first says what to fix
            return False

    async def _fetch_repo(self, repo: str, entry: dict[str, Any], page: FetchPage) -> bool:
        """Read one page of ``repo`` into ``page``; True when a next page waits."""
        since = entry.get("since") or iso(self.clock() - FIRST_SYNC_DAYS * 86_400)
        params: dict[str, Any] = {
            "since": since,
            "sort": "updated",
            "direction": "asc",
            "per_page": PAGE_SIZE,
        }
        if entry.get("page"):
            params["page"] = int(entry["page"])
        headers = {}
        if entry.get("modified") and not entry.get("page"):
            headers["If-Modified-Since"] = str(entry["modified"])
        body, response = await self._call(
            "GET", f"/repos/{repo}/issues/comments", params=params, headers=headers,
            what=f"{repo}: ",
        )  # fmt: skip
        interval = response.headers.get("x-poll-interval")
        if interval and interval.isdigit():
            entry["poll_after"] = self.clock() + int(interval)
        if response.status_code == 304:
            return False
        if not isinstance(body, list):
            raise MalformedAnswer(f"GitHub sent the comments of {repo} as something not a list")
        login = self._login
        newest = since
        for item in body:
            try:
                comment = parse_comment(item, self.account.name, login)
                updated = item.get("updated_at") or item.get("created_at")
                parse_time(updated, "updated_at")
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"github comment in {repo}: {error}", item))
                continue
            page.items.append(comment)
            newest = max(newest, str(updated))
        if response.headers.get("last-modified"):
            entry["modified"] = response.headers["last-modified"]
        full = len(body) >= PAGE_SIZE and "next" in parse_link_header(response.headers.get("link"))
        if full and newest == since:
            # A whole page within one second: step through pages of the same ``since``.
            entry["page"] = int(entry.get("page") or 1) + 1
        else:
            entry.pop("page", None)
            entry["since"] = newest
        return full

    async def fetch_thread(self, remote_id: str) -> list[IncomingComment]:
        """The issue's opening post and its comments (oldest first, at most 500),
        or the discussion's with its comments and replies."""
        if is_discussion_key(remote_id):
            return await self.discussions.thread(remote_id)
        try:
            issue, _ = parse_key(remote_id)
        except Unreadable as error:
            raise PermanentError(str(error)) from None
        login = self._login
        raw, _ = await self._call(
            "GET", f"/repos/{issue.repo}/issues/{issue.number}", what=f"{issue.key}: "
        )
        comments: list[IncomingComment] = []
        with contextlib.suppress(Unreadable):  # without the issue, its comments still tell
            comments.append(parse_issue(raw, issue.repo, self.account.name, login))
        async for item in self._issue_comments(issue, None, THREAD_PAGES):
            try:
                comments.append(parse_comment(item, self.account.name, login))
            except Unreadable:
                continue
        return comments

    async def _issue_comments(self, issue: IssueRef, since: str | None, pages: int):
        url: str | None = f"/repos/{issue.repo}/issues/{issue.number}/comments"
        params: dict[str, Any] | None = {"per_page": PAGE_SIZE}
        if since and params is not None:
            params["since"] = since
        for _ in range(pages):
            if url is None:
                return
            body, response = await self._call("GET", url, params=params, what=f"{issue.key}: ")
            if not isinstance(body, list):
                raise MalformedAnswer(f"GitHub sent the comments of {issue.key} as no list")
            for item in body:
                yield item
            url = parse_link_header(response.headers.get("link")).get("next")
            params = None  # the next link carries them
            if url and not url.startswith(self.api):
                return  # a link elsewhere is not followed with our token

    def _reply_body(self, parent: ParentRef, text: str) -> str:
        """The text, led by an @mention of the comment's author (GitHub notifies by mention)."""
        body = text.strip()
        author = parent.author_handle.strip().lstrip("@")
        mentioned = parent.extra.get("kind") in MENTIONED if parent.extra else True
        ours = (self._login or "").lower() == author.lower()
        if body and author and mentioned and not ours and not _mentions(body, author):
            body = f"@{author} {body}"
        return body

    async def post_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted:
        """Comment on the parent's issue (issues have no nested replies), or in its discussion.

        ``idempotency_key`` is unused: GitHub has none; ``find_reply`` is the
        guard against a double post.
        """
        if is_discussion_key(parent.remote_id):
            return await self.discussions.post(parent, self._reply_body(parent, text))
        issue = self._issue_of(parent)
        body = self._reply_body(parent, text)
        raw, _ = await self._call(
            "POST", f"/repos/{issue.repo}/issues/{issue.number}/comments",
            json={"body": body}, what=f"{issue.key}: ",
        )  # fmt: skip
        try:
            comment = parse_comment(raw, self.account.name, self._login)
        except Unreadable as error:
            raise MalformedAnswer(f"GitHub took the reply but its answer is odd: {error}") from None
        return Posted(remote_id=comment.remote_id, url=comment.url)

    async def find_reply(self, parent: ParentRef, text: str, idempotency_key: str) -> Posted | None:
        """Our comment on the parent's issue (or in its discussion thread), after the
        parent, with these words."""
        own = (await self._own_login()).lower()
        if is_discussion_key(parent.remote_id):
            return await self.discussions.find(parent, self._reply_body(parent, text), own)
        issue = self._issue_of(parent)
        wanted = body_words(self._reply_body(parent, text))
        since = parent.extra.get("created_at") if parent.extra else None
        since = since if isinstance(since, str) else None
        async for item in self._issue_comments(issue, since, FIND_PAGES):
            try:
                comment = parse_comment(item, self.account.name, own)
            except Unreadable:
                continue
            if comment.is_ours and body_words(comment.markup or "") == wanted:
                return Posted(remote_id=comment.remote_id, url=comment.url, already_there=True)
        return None

    async def hide(self, remote_id: str, node_id: str, reason: str = "SPAM") -> None:
        """Minimize a comment (GitHub's "Hide"), as spam by default; needs triage rights."""
        if reason not in HIDE_REASONS:
            known = ", ".join(HIDE_REASONS)
            raise PermanentError(f"{reason!r} is not a reason GitHub knows ({known})")
        query = (
            "mutation($id: ID!, $reason: ReportedContentClassifiers!) {"
            " minimizeComment(input: {subjectId: $id, classifier: $reason})"
            " { minimizedComment { isMinimized minimizedReason } } }"
        )
        try:
            await self.graphql.run(
                query, {"id": node_id, "reason": reason}, what=f"{remote_id}: ", write=True
            )
        except Refused as error:
            if error.kind == "FORBIDDEN":
                raise PermanentError(
                    f"needs triage rights on the repository (GitHub: {error})"
                ) from None
            raise PermanentError(f"GitHub would not hide {remote_id}: {error}") from None
        except PermanentError as error:
            raise PermanentError(f"GitHub would not hide {remote_id}: {error}") from None

    async def moderate(self, target: ModerationTarget, action: str) -> None:
        """hide: minimized as off-topic; spam: minimized as spam."""
        if action not in ("hide", "spam"):
            await super().moderate(target, action)
            return
        if target.extra.get("kind") in ("issue", "pull_request"):
            raise PermanentError("GitHub hides comments, not an issue's opening post")
        node = target.extra.get("node_id")
        if not isinstance(node, str) or not node:
            raise PermanentError("GitHub sent no node id for this comment, which hiding needs")
        await self.hide(target.remote_id, node, "SPAM" if action == "spam" else "OFF_TOPIC")

    @staticmethod
    def _issue_of(parent: ParentRef) -> IssueRef:
        try:
            issue, _ = parse_key(parent.remote_id)
        except Unreadable as error:
            raise PermanentError(str(error)) from None
        return issue


def _mentions(text: str, login: str) -> bool:
    return re.search(rf"(?<![\w@/])@{re.escape(login)}(?![\w-])", text, re.IGNORECASE) is not None


def _load_cursor(cursor: str | None) -> dict[str, dict[str, Any]]:
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}  # an old or damaged cursor: start over from two weeks back
    if not isinstance(state, dict):
        return {}
    kept = {k: v for k, v in state.items() if isinstance(k, str) and isinstance(v, dict)}
    walks = kept.get(DISCUSSIONS, {})
    kept[DISCUSSIONS] = {k: v for k, v in walks.items() if isinstance(v, dict)}
    return kept
