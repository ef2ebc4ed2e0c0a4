"""Sandbox networks: fake Mastodon and Bluesky servers that answer in the shapes
of the real APIs (see tests/conformance), for the demo, the tests and a
user's own checks.

One Starlette application serves every network (their paths do not collide:
Mastodon under /api and /oauth, Bluesky under /xrpc, Discourse under its
*.json paths, Reddit under /reddit, YouTube under /youtube/v3 and /google, the keyword watches'
feeds under /feeds and Hacker News search under /hn). It runs in-process
through ``httpx.ASGITransport`` or on loopback with ``cm-inbox sandbox serve``.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cm_inbox.sandbox import (
    bluesky,
    discourse,
    feeds,
    github,
    hackernews,
    mastodon,
    reddit,
    youtube,
)
from cm_inbox.sandbox.faults import FaultInjector, FaultPlan, FaultSpecError
from cm_inbox.sandbox.state import AcceptedReply, ModerationCall, SandboxState

__all__ = [
    "AcceptedReply",
    "FaultPlan",
    "FaultSpecError",
    "ModerationCall",
    "SandboxState",
    "make_sandbox",
    "account_commands",
    "watch_example",
]

TWINS = (mastodon, bluesky, github, discourse, reddit, youtube)


def make_sandbox(state: SandboxState | None = None) -> Starlette:
    """The ASGI application of every sandbox network, sharing ``state``.

    Random write faults (``state.write_faults``) wrap it all, as the network
    around a real server would fail.
    """
    state = state or SandboxState()

    async def list_replies(request: Request) -> JSONResponse:
        return JSONResponse([reply.public() for reply in state.replies])

    async def list_moderation(request: Request) -> JSONResponse:
        with state.lock:
            return JSONResponse([call.public() for call in state.moderation])

    async def set_moderator(request: Request) -> JSONResponse:
        """{"network": "reddit", "moderator": false}: the brand loses its moderator rights."""
        body = await request.json()
        try:
            network, moderator = str(body["network"]), bool(body["moderator"])
        except (KeyError, TypeError) as error:
            return JSONResponse({"error": f"missing {error}"}, status_code=400)
        with state.lock:
            (state.not_moderator.discard if moderator else state.not_moderator.add)(network)
        return JSONResponse({"ok": True})

    async def set_fault(request: Request) -> JSONResponse:
        body = await request.json()
        try:
            state.set_fault(str(body["network"]), str(body["fault"]), int(body.get("count", 1)))
        except (KeyError, ValueError, TypeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"ok": True})

    async def clear_faults(request: Request) -> JSONResponse:
        state.clear_faults()
        state.write_faults = None
        return JSONResponse({"ok": True})

    async def set_write_faults(request: Request) -> JSONResponse:
        body = await request.json()
        try:
            state.write_faults = FaultPlan.parse(str(body.get("spec", "")))
        except (FaultSpecError, AttributeError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"ok": True})

    routes: list[Any] = [
        Route("/_sandbox/replies", list_replies, methods=["GET"]),
        Route("/_sandbox/moderation", list_moderation, methods=["GET"]),
        Route("/_sandbox/moderator", set_moderator, methods=["POST"]),
        Route("/_sandbox/faults", set_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/write-faults", set_write_faults, methods=["POST"]),
    ]
    for twin in TWINS:
        routes.extend(twin.routes(state))
    routes.extend(feeds.routes(state))  # read-only sources of keyword watches
    routes.extend(hackernews.routes(state))
    app = Starlette(routes=routes)
    app.add_middleware(FaultInjector, plan_of=lambda: state.write_faults)
    app.state.sandbox = state
    return app


def account_commands(base_url: str, state: SandboxState) -> dict[str, dict[str, Any]]:
    """For each network: the `cm-inbox` arguments and stdin that add an account on it."""
    return {twin.NETWORK: twin.account_command(base_url, state) for twin in TWINS}


def watch_example(base_url: str) -> dict[str, str]:
    """A ``[[watches]]`` entry for config.toml that watches every source of this sandbox.

    The account names are the ones ``account_commands`` adds.
    """
    from cm_inbox.sandbox.mastodon_twin import BRAND

    names = {"mastodon": BRAND, "bluesky": bluesky.BRAND_HANDLE}
    config = "\n".join(
        (
            "[[watches]]",
            'name = "lumo"',
            'terms = ["Lumo"]',
            'variants = ["Lumo app"]',
            'misspellings = ["Loomo", "Lummo"]',
            'exclude = ["Lumo lamp"]',
            'hashtags = ["LumoApp"]',
            f'mastodon = "{names["mastodon"]}"',
            f'bluesky = "{names["bluesky"]}"',
            f'feeds = ["{base_url}/feeds/lumo.rss", "{base_url}/feeds/lumo.atom"]',
            f'hackernews = "{base_url}{hackernews.PREFIX}"',
        )
    )
    return {"config": config + "\n"}
