"""The reply composer: a text area under the thread, with the network's own count.

The composer only edits; queueing, drafts and checks are the core's
(``cm_inbox.compose`` and the store), so the CLI's ``reply`` behaves the same.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static, TextArea

from cm_inbox.compose import check_draft, length_status
from cm_inbox.model import Comment
from cm_inbox.networks import at_handle, rules_for


class Composer(Vertical):
    """Writes one reply to one comment."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Queue reply", id="composer_submit", priority=True),
        Binding("escape", "close", "Keep draft", id="composer_close", priority=True),
    ]

    DEFAULT_CSS = """
    Composer { height: auto; max-height: 70%; border-top: solid $accent; padding: 0 1; }
    Composer > #composer-title { height: auto; color: $text-muted; }
    Composer > TextArea, Composer > TextArea:focus {
        height: auto; min-height: 3; max-height: 10; border: none; background: $boost;
    }
    Composer > #composer-status { height: auto; min-height: 1; }
    """

    class Submitted(Message):
        """The user asked to queue the reply (``reply_id``: a failed one, rewritten)."""

        def __init__(self, comment: Comment, text: str, reply_id: int | None = None) -> None:
            self.comment = comment
            self.text = text
            self.reply_id = reply_id
            super().__init__()

    class Closed(Message):
        """The composer closed; ``text`` is the draft to keep (none for a failed reply)."""

        def __init__(self, comment: Comment, text: str, reply_id: int | None = None) -> None:
            self.comment = comment
            self.text = text
            self.reply_id = reply_id
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.comment: Comment | None = None
        # Set while rewriting a reply the network refused: ctrl+s queues it again.
        self.failed_reply: int | None = None
        self.title = Static("", id="composer-title")
        self.editor = TextArea(id="composer-text", soft_wrap=True, show_line_numbers=False)
        self.status = Static("", id="composer-status")

    def compose(self):
        yield self.title
        yield self.editor
        yield self.status

    def open(self, comment: Comment, text: str, *, failed_reply: int | None = None) -> None:
        """Start (or resume) the reply to ``comment`` with ``text`` in the editor."""
        self.comment = comment
        self.failed_reply = failed_reply
        rules = rules_for(comment.network)
        verb = "Rewrite the failed reply" if failed_reply is not None else "Reply"
        title = Text(
            f"{verb} to {at_handle(comment.author.handle)} on {rules.label} as {comment.account}"
        )
        self.title.update(title)
        self.editor.load_text(text)
        self.editor.move_cursor(self.editor.document.end)
        self.display = True
        self.editor.focus()
        self._update_status()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._update_status()

    def _update_status(self) -> None:
        if self.comment is None:
            return
        text = self.editor.text
        count, limit, unit = length_status(self.comment.network, text)
        status = Text()
        status.append(
            f"{count:,} / {limit:,} {unit}", style="bold red" if count > limit else "bold"
        )
        status.append("   ctrl+s queue · esc keep draft", style="dim")
        for problem in check_draft(self.comment, text):
            if problem.code == "empty" and not text.strip():
                continue
            status.append("\n")
            status.append(
                "✗ " if problem.blocking else "! ", style="red" if problem.blocking else "yellow"
            )
            status.append(problem.message)
        self.status.update(status)

    def action_submit(self) -> None:
        if self.comment is not None:
            self.post_message(self.Submitted(self.comment, self.editor.text, self.failed_reply))

    def action_close(self) -> None:
        if self.comment is not None:
            self.post_message(self.Closed(self.comment, self.editor.text, self.failed_reply))

    def close(self) -> None:
        self.comment = None
        self.failed_reply = None
        self.display = False
