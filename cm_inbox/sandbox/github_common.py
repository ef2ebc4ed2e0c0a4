"""What the sandbox's GitHub twin shares between its REST and GraphQL halves: the
brand, its repositories, its tokens, and how the generated forum crowd is
turned into GitHub logins, numbers and times."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

NETWORK = "github"
PREFIX = "/github"
BRAND = "lumo-app"  # the organisation, and the login of the brand's account
REPOS = ("lumo-app/lumo", "lumo-app/lumo-sync")
# Discussions are on in the app's repository only: the other shows a repository
# with ``hasDiscussionsEnabled: false``.
DISCUSSION_REPOS = (REPOS[0],)
SOURCE = "discourse"  # whose generated threads become issues and discussions
# One forum thread in this many becomes a discussion rather than an issue.
DISCUSSION_SHARE = 12
LIMIT = 5000
MAX_BODY = 65_536


def brand_token(seed: int) -> str:
    return "ghp_" + hashlib.sha256(f"github {seed}".encode()).hexdigest()[:36]


def issues_only_token(seed: int) -> str:
    """A fine-grained token of the brand's without the Discussions permission."""
    return "github_pat_" + hashlib.sha256(f"github issues {seed}".encode()).hexdigest()[:40]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(text: str, low: int, span: int) -> int:
    """A stable number in [low, low + span) drawn from ``text``."""
    return low + int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % span


def login_of(handle: str) -> str:
    login = re.sub(r"[^A-Za-z0-9-]+", "-", handle).strip("-")[:39]
    return login or "ghost"


def user_json(login: str, base: str) -> dict[str, Any]:
    """A REST ``simple-user``."""
    uid = number(login, 1000, 10**8)
    return {
        "login": login, "id": uid, "node_id": f"U_{uid}",
        "avatar_url": f"{base}/avatars/{login}", "gravatar_id": "",
        "url": f"{base}/users/{login}", "html_url": f"https://github.com/{login}",
        "type": "Organization" if login == BRAND else "User", "site_admin": False,
    }  # fmt: skip


def is_discussion_thread(root_id: str) -> bool:
    """Whether the generated forum thread ``root_id`` is a discussion (else an issue)."""
    return number(f"discussion {root_id}", 0, DISCUSSION_SHARE) == 0
