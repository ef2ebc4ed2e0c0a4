"""Offline on a train: the TUI says which accounts are unreachable, keeps working, and
sends what was queued once the networks answer again, on its own."""

from __future__ import annotations

import httpx
from tui_fixtures import default_config, queue_key, workers_done

from cm_inbox.model import ReplyState, Status
from cm_inbox.sync import RetryPolicy, Syncer
from cm_inbox.tui.app import CmInboxApp


class Cable(httpx.AsyncBaseTransport):
    """The sandbox behind a cable that can be pulled: unplugged, nothing connects."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.plugged = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.plugged:
            raise httpx.ConnectError("[Errno 101] Network is unreachable", request=request)
        return await self.inner.handle_async_request(request)


async def test_offline_the_app_works_and_flushes_when_the_network_is_back(world, tmp_path):
    cable = Cable(world.transport())
    cable.plugged = False
    syncer = Syncer(
        world.store,
        world.secrets_for,
        transport_factory=lambda: cable,
        retry=RetryPolicy(first_s=1, max_s=2),
    )
    config = default_config(tmp_path, "[sync]\nevery_minutes = 0\nundo_seconds = 0\n")
    app = CmInboxApp(world.store, config, clock=world.clock, syncer=syncer, thread_settle_s=0.01)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await workers_done(pilot)
        await pilot.pause()
        status = str(app.screen.query_one("#sync-status").render())
        assert "MAS lumo-m offline" in status and "BSK lumo-b offline" in status

        # Triage and replying go on as if nothing happened.
        first = app.screen.queue.current.comment
        await pilot.press("d")
        await pilot.pause()
        assert world.store.comment(first.id).status is Status.DONE
        target = app.screen.queue.current.comment
        await pilot.press("r", *"Sorry for the wait!", queue_key(app, target))
        await pilot.pause()
        (reply,) = world.store.replies_for(target.id)
        assert reply.state is ReplyState.QUEUED

        # Still offline when the reply's own send comes (1 s after queueing): it fails.
        await pilot.pause(1.6)
        await workers_done(pilot)
        assert world.store.reply(reply.id).state is not ReplyState.SENT
        # Said once per account when it went offline, not at every retry since.
        told = [n.message for n in app._notifications if "lumo-m" in n.message]
        assert len(told) == 1, told
        cable.plugged = True
        # Nothing else is pressed: the app tries again on its own, within its
        # capped backoff (2 s, +20 % jitter), and the reply goes.
        await pilot.pause(4)
        await workers_done(pilot)
        await pilot.pause()
        assert world.store.reply(reply.id).state is ReplyState.SENT
        status = str(app.screen.query_one("#sync-status").render())
        assert "offline" not in status
    landed = [r for r in world.state.replies_on(target.network) if "Sorry for the wait!" in r.text]
    assert len(landed) == 1 and landed[0].parent_id == target.remote_id
