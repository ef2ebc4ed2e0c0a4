"""GitHub Discussions on the brand's repositories, over GraphQL.

Shapes from GitHub's "Using the GraphQL API for Discussions" guide (see
``github_discussion_parse``); NETWORKS.md: replies through ``addDiscussionComment``.

- New items: ``repository.discussions`` ordered by ``UPDATED_AT`` ``DESC`` (its
  documented default), walked page by page until a discussion older than the
  cursor's time; each discussion touched since then is read with its
  comments and replies (``comments(last:)`` from the newest, ``replies(first:)``
  paged by ``pageInfo``), keeping what was written or edited since. The
  opening post comes with them as the thread's root, a reply's top-level
  comment as its parent. A repository with ``hasDiscussionsEnabled: false`` is
  passed over.
- Replies: ``addDiscussionComment(input: {discussionId, body, replyToId})``.
  Discussions nest one level, so ``replyToId`` is always a top-level comment:
  a reply to a reply goes under its top-level comment (and ``github.py`` leads
  it with an @mention of whom it answers). No idempotency key: the mutation is
  sent once; ``find`` reads the thread for ours before any retry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cm_inbox.model.incoming import IncomingComment
from cm_inbox.networks.base import (
    FetchPage,
    MalformedAnswer,
    ParentRef,
    PermanentError,
    Posted,
    SetAside,
)
from cm_inbox.networks.github_discussion_parse import (
    DiscussionRef,
    parse_discussion,
    parse_discussion_comment,
    parse_discussion_key,
    touched_at,
)
from cm_inbox.networks.github_graphql import GraphQL, Refused
from cm_inbox.networks.github_parse import Unreadable, body_words, parse_time
from cm_inbox.networks.github_queries import (
    ADD_COMMENT,
    LIST_QUERY,
    NEWEST_REPLIES_QUERY,
    REPLIES_QUERY,
    THREAD_QUERY,
)

DISCUSSIONS_PAGE = 10  # discussions per listing call: a page of fetch_new
COMMENTS_PAGE = 100  # the API's maximum for first/last
COMMENT_PAGES = 5  # at most 500 top-level comments read per discussion, newest first
REPLY_PAGES = 5  # and 500 replies under one of them


def refusal(repo: str, error: Refused) -> PermanentError:
    """A ``Refused`` worded for the person who must fix the token or the settings."""
    if error.kind == "NOT_FOUND":
        return PermanentError(
            f"{repo}: GitHub's GraphQL API finds no such repository or discussion ({error});"
            " check the name, and that the token may see the repository"
        )
    return PermanentError(
        f"{repo}: GitHub will not show its discussions to this token ({error}). It needs"
        ' read and write access to Discussions: a fine-grained token\'s "Discussions"'
        ' repository permission, or a classic token\'s "repo" scope ("public_repo" for'
        " public repositories). Issue comments still sync; discussions are asked for again"
        " in a day"
    )


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _connection(value: Any, where: str) -> tuple[list[Any], Mapping[str, Any]]:
    if not isinstance(value, Mapping) or not isinstance(value.get("nodes"), list):
        raise MalformedAnswer(f"GitHub sent {where} without their nodes")
    info = value.get("pageInfo")
    return value["nodes"], info if isinstance(info, Mapping) else {}


class Discussions:
    """The discussions of one account's repositories: fetch, thread, reply, find."""

    def __init__(
        self,
        graphql: GraphQL,
        account: str,
        login: Callable[[], str | None],
    ) -> None:
        self.graphql = graphql
        self.account = account
        self.login = login

    # -- new items -----------------------------------------------------------------

    async def fetch(self, repo: str, entry: dict[str, Any], since: str, page: FetchPage) -> bool:
        """Read one page of ``repo``'s discussions touched since ``since``; True: more wait.

        ``entry`` (this repository's part of the cursor) keeps, once a walk is
        done, ``since`` and ``seen``: the discussions read as they were at that
        very second, so an unchanged repository costs one listing and brings
        nothing back. Mid-walk it also keeps ``after`` (the listing's cursor)
        and ``top``/``top_seen`` (the newest time met so far, ``since`` when it ends).
        """
        owner, name = repo.split("/", 1)
        variables = {"owner": owner, "name": name, "first": DISCUSSIONS_PAGE,
                     "after": entry.get("after")}  # fmt: skip
        try:
            data = await self.graphql.run(LIST_QUERY, variables, what=f"{repo}: ")
        except Refused as error:
            data = error.data  # a repository with discussions off may refuse the field too
            shown = data.get("repository")
            if not isinstance(shown, Mapping) or shown.get("hasDiscussionsEnabled") is not False:
                raise refusal(repo, error) from None
        repository = data.get("repository")
        if not isinstance(repository, Mapping):
            raise MalformedAnswer(f"GitHub sent no repository for {repo}")
        if repository.get("hasDiscussionsEnabled") is False:
            for key in ("after", "top", "top_seen"):
                entry.pop(key, None)
            return False  # discussions are off there: nothing to read, nothing to say
        nodes, info = _connection(repository.get("discussions"), f"the discussions of {repo}")
        floor = parse_time(since, "since")
        seen = set(entry.get("seen") or ()) if entry.get("since") == since else set()
        top = parse_time(entry["top"], "top") if entry.get("top") else floor
        top_seen = set(entry.get("top_seen") or ()) if entry.get("top") else set(seen)
        ended = False
        for node in nodes:
            try:
                touched = touched_at(node)
                root = parse_discussion(node, repo, self.account, self.login())
            except Unreadable as error:
                page.set_aside.append(SetAside.of(f"github discussion in {repo}: {error}", node))
                continue
            if touched < floor:
                ended = True  # newest-updated first: everything after is older still
                break
            node_id = root.extra["discussion_id"]
            if touched == floor and node_id in seen:
                continue  # read at this very version already
            if touched > top:
                top, top_seen = touched, set()
            if touched == top:
                top_seen.add(node_id)
            page.items.append(root)
            ref, _ = parse_discussion_key(root.remote_id)
            await self._touched_comments(ref, node_id, floor, page)
        more = not ended and bool(info.get("hasNextPage")) and bool(info.get("endCursor"))
        if more:
            entry.update(after=str(info["endCursor"]), top=_iso(top), top_seen=sorted(top_seen))
        else:
            for key in ("after", "top", "top_seen"):
                entry.pop(key, None)
            entry.update(since=_iso(top), seen=sorted(top_seen))
        return more

    async def _touched_comments(
        self, ref: DiscussionRef, discussion_id: str, floor: int, page: FetchPage
    ) -> None:
        """The comments and replies of one discussion written or edited since ``floor``.

        A new reply may sit under an old top-level comment: every top-level
        comment read is looked into, and one whose reply is kept comes along
        as that reply's parent.
        """
        async for top, replies in self._threads(ref, must_exist=False):
            head = self._read(top, ref, discussion_id, page, None)
            fresh = []
            for node in replies:
                read = self._read(node, ref, discussion_id, page, top)
                if read is not None and read[1] >= floor:
                    fresh.append(read[0])
            if head is not None and (head[1] >= floor or fresh):
                page.items.append(head[0])
            page.items.extend(fresh)

    def _read(
        self,
        node: Any,
        ref: DiscussionRef,
        discussion_id: str,
        page: FetchPage,
        within: Mapping[str, Any] | None,
    ) -> tuple[IncomingComment, int] | None:
        """A comment and when it last changed; None (set aside) when unreadable."""
        try:
            item = parse_discussion_comment(
                node, ref, discussion_id, self.account, self.login(), within=within
            )
            return item, max(touched_at(node), item.created_at)
        except Unreadable as error:
            page.set_aside.append(SetAside.of(f"github comment in {ref.key}: {error}", node))
            return None

    async def _threads(
        self, ref: DiscussionRef, discussion: list[Any] | None = None, *, must_exist: bool = True
    ):
        """Each top-level comment (newest first) with all its replies read.

        ``discussion``: a list the discussion node itself is put in, for
        ``thread``, which needs the opening post as well. ``must_exist=False``:
        a discussion deleted since it was listed yields nothing.
        """
        before: str | None = None
        for _ in range(COMMENT_PAGES):
            variables = {"owner": ref.owner, "name": ref.name, "number": ref.number,
                         "last": COMMENTS_PAGE, "before": before}  # fmt: skip
            try:
                data = await self.graphql.run(THREAD_QUERY, variables, what=f"{ref.key}: ")
            except Refused as error:
                if error.kind != "NOT_FOUND" or error.path[-1:] != ["discussion"]:
                    raise refusal(ref.repo, error) from None
                data = {}
            repository = data.get("repository")
            node = repository.get("discussion") if isinstance(repository, Mapping) else None
            if not isinstance(node, Mapping):
                if not must_exist:
                    return
                raise PermanentError(f"{ref.key}: GitHub shows no such discussion")
            if discussion is not None and not discussion:
                discussion.append(node)
            comments, info = _connection(node.get("comments"), f"the comments of {ref.key}")
            for top in reversed(comments):
                yield top, await self._replies(ref, top)
            if not info.get("hasPreviousPage") or not info.get("startCursor"):
                return
            before = str(info["startCursor"])

    async def _replies(self, ref: DiscussionRef, top: Any) -> list[Any]:
        if not isinstance(top, Mapping):
            return []
        try:
            replies, info = _connection(top.get("replies"), f"the replies in {ref.key}")
        except MalformedAnswer:
            return []
        replies = list(replies)
        for _ in range(REPLY_PAGES - 1):
            if not info.get("hasNextPage") or not isinstance(top.get("id"), str):
                break
            variables = {"id": top["id"], "first": COMMENTS_PAGE, "after": info.get("endCursor")}
            data = await self.graphql.run(REPLIES_QUERY, variables, what=f"{ref.key}: ")
            node = data.get("node")
            more = node.get("replies") if isinstance(node, Mapping) else None
            nodes, info = _connection(more, f"the replies in {ref.key}")
            replies.extend(nodes)
        return replies

    # -- thread --------------------------------------------------------------------

    async def thread(self, remote_id: str) -> list[IncomingComment]:
        """The discussion's opening post, its comments and their replies."""
        try:
            ref, _ = parse_discussion_key(remote_id)
        except Unreadable as error:
            raise PermanentError(str(error)) from None
        found: list[Any] = []
        items: list[IncomingComment] = []
        threads = [(top, replies) async for top, replies in self._threads(ref, found)]
        try:
            root = parse_discussion(found[0], ref.repo, self.account, self.login())
        except (Unreadable, IndexError):
            root = None
        discussion_id = root.extra["discussion_id"] if root and root.extra else ""
        if root is not None:
            items.append(root)
        for top, replies in reversed(threads):  # oldest first, as the page shows them
            for node in [top, *replies]:
                try:
                    items.append(parse_discussion_comment(
                        node, ref, discussion_id, self.account, self.login(),
                        within=None if node is top else top,
                    ))  # fmt: skip
                except Unreadable:
                    continue
        return items

    # -- replies -------------------------------------------------------------------

    async def _target(self, parent: ParentRef) -> tuple[DiscussionRef, str, str | None]:
        """The discussion, its node id, and the top-level comment a reply goes under."""
        try:
            ref, comment_id = parse_discussion_key(parent.remote_id)
        except Unreadable as error:
            raise PermanentError(str(error)) from None
        extra = dict(parent.extra or {})
        if not extra.get("discussion_id") or (comment_id and not extra.get("thread_id")):
            # Kept without its node ids (an import): the thread says them.
            for item in await self.thread(parent.remote_id):
                if item.remote_id == parent.remote_id:
                    extra = dict(item.extra or {})
        discussion_id, thread_id = extra.get("discussion_id"), extra.get("thread_id")
        if not isinstance(discussion_id, str) or not discussion_id:
            raise PermanentError(f"{parent.remote_id}: GitHub no longer shows this discussion")
        if comment_id and not isinstance(thread_id, str):
            raise PermanentError(f"{parent.remote_id}: GitHub no longer shows this comment")
        return ref, discussion_id, thread_id if comment_id else None

    async def post(self, parent: ParentRef, body: str) -> Posted:
        """Comment on the discussion, or reply in the thread of the parent comment."""
        ref, discussion_id, thread_id = await self._target(parent)
        variables = {"discussionId": discussion_id, "body": body, "replyToId": thread_id}
        try:
            data = await self.graphql.run(
                ADD_COMMENT, variables, what=f"{parent.remote_id}: ", write=True
            )
        except Refused as error:
            raise refusal(ref.repo, error) from None
        payload = data.get("addDiscussionComment")
        node = payload.get("comment") if isinstance(payload, Mapping) else None
        try:
            comment = parse_discussion_comment(node, ref, discussion_id, self.account, self.login())
        except Unreadable as error:
            raise MalformedAnswer(f"GitHub took the reply but its answer is odd: {error}") from None
        return Posted(remote_id=comment.remote_id, url=comment.url)

    async def find(self, parent: ParentRef, body: str, own_login: str) -> Posted | None:
        """Our comment with these words in the parent's thread, written after the parent."""
        ref, discussion_id, thread_id = await self._target(parent)
        wanted = body_words(body)
        since = parent.extra.get("created_at") if parent.extra else None
        floor = parse_time(since, "created_at") if isinstance(since, str) and since else 0
        if thread_id is not None:
            data = await self.graphql.run(
                NEWEST_REPLIES_QUERY, {"id": thread_id}, what=f"{parent.remote_id}: "
            )
            node = data.get("node")
            nodes, _ = _connection(
                node.get("replies") if isinstance(node, Mapping) else None,
                f"the replies in {ref.key}",
            )
        else:
            nodes = await self._newest_top_level(ref)
        for node in nodes:
            try:
                comment = parse_discussion_comment(
                    node, ref, discussion_id, self.account, own_login
                )
            except Unreadable:
                continue
            if (
                comment.is_ours
                and comment.created_at >= floor
                and body_words(comment.markup or "") == wanted
            ):
                return Posted(remote_id=comment.remote_id, url=comment.url, already_there=True)
        return None

    async def _newest_top_level(self, ref: DiscussionRef) -> list:
        """The newest page of top-level comments (without reading their replies' pages)."""
        variables = {"owner": ref.owner, "name": ref.name, "number": ref.number,
                     "last": COMMENTS_PAGE, "before": None}  # fmt: skip
        data = await self.graphql.run(THREAD_QUERY, variables, what=f"{ref.key}: ")
        repository = data.get("repository")
        node = repository.get("discussion") if isinstance(repository, Mapping) else None
        if not isinstance(node, Mapping):
            raise PermanentError(f"{ref.key}: GitHub shows no such discussion")
        comments, _ = _connection(node.get("comments"), f"the comments of {ref.key}")
        return list(comments)
