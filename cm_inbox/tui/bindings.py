"""Every key of the main screen, in one place.

The footer, the help screen, the command palette and a user's keymap
(``[keys]`` in config.toml, by binding id) all read these definitions, so a key
is described once and rebinding it changes it everywhere.
"""

from __future__ import annotations

from textual.binding import Binding

# Groups, in the order the help screen shows them.
GROUPS: dict[str, str] = {
    "move": "Move",
    "act": "Act on the comment (or on the selection)",
    "views": "Views",
    "find": "Find",
    "compose": "Writing a reply (in the composer)",
    "app": "App",
}

# The list's own keys, bound with priority: Textual then runs them as the key
# arrives, instead of passing it from the list up through each container to the
# app first (a hop per container, about half a millisecond of every held j).
# They still apply only while the list has focus: typing j in the search box or
# the composer types a j.
QUEUE_BINDINGS: list[Binding] = [
    Binding("j,down", "cursor_down", "Next", id="next", show=False, priority=True),
    Binding("k,up", "cursor_up", "Previous", id="previous", show=False, priority=True),
    Binding("g,home", "cursor_top", "Top", id="top", show=False, priority=True),
    Binding("G,end", "cursor_bottom", "Bottom", id="bottom", show=False, priority=True),
    Binding("pagedown", "page_down", "Page down", id="page_down", show=False, priority=True),
    Binding("pageup", "page_up", "Page up", id="page_up", show=False, priority=True),
    Binding(
        "enter", "screen.focus_thread", "Read thread", id="focus_thread", show=False, priority=True
    ),
]

SCREEN_BINDINGS: list[Binding] = [
    Binding("r", "reply", "Reply", id="reply"),
    Binding("e", "escalate", "Escalate", id="escalate"),
    Binding("d", "done", "Done", id="done"),
    Binding("s", "snooze", "Snooze", id="snooze"),
    Binding("l", "labels", "Labels", id="labels", show=False),
    Binding("exclamation_mark", "spam", "Spam", id="spam", key_display="!", show=False),
    Binding("H", "hide", "Hide on network", id="hide", show=False),
    Binding("x", "toggle_select", "Select", id="select", show=False),
    Binding("asterisk", "select_all", "Select all", id="select_all", key_display="*", show=False),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("D", "discard", "Discard reply", id="discard"),
    # On escalated comments (the Escalated view): the rest of an escalation's life.
    Binding("a", "answer_escalation", "Team answered", id="answer"),
    Binding("n", "note_escalation", "Note", id="note"),
    Binding("c", "close_escalation", "Close", id="close"),
    Binding("w", "resend_webhook", "Resend to chat", id="resend", show=False),
    Binding("slash", "search", "Search", id="search", key_display="/"),
    Binding("f", "filter", "Filter", id="filter", show=False),
    Binding("o", "cycle_sort", "Sort", id="sort", show=False),
    Binding("escape", "clear", "Clear", id="clear", show=False),
    Binding("1", "view('inbox')", "Inbox", id="view_inbox", show=False),
    Binding("2", "view('escalated')", "Escalated", id="view_escalated", show=False),
    Binding("3", "view('snoozed')", "Snoozed", id="view_snoozed", show=False),
    Binding("4", "view('outbox')", "Outbox", id="view_outbox", show=False),
    Binding("5", "view('handled')", "Handled", id="view_handled", show=False),
    Binding("6", "view('spam')", "Spam view", id="view_spam", show=False),
    Binding("7", "view('all')", "All", id="view_all", show=False),
    Binding("8", "view('unanswered')", "Unanswered criticism", id="view_unanswered", show=False),
    Binding("S", "stats", "Stats", id="stats", show=False),
    Binding("A", "dismiss_alert", "Dismiss alert", id="dismiss_alert"),
    Binding("R", "sync", "Sync now", id="sync", show=False),
    Binding("question_mark", "help", "Help", id="help", key_display="?"),
    Binding("q", "quit", "Quit", id="quit"),
]

# The composer's keys: control keys, since every plain key types. None of them
# is one of the text area's own (ctrl+a/e/k/u/w/d/x/c/v/z/y edit the text),
# ctrl+b is tmux's prefix, and ctrl+h/i/j/m are backspace, tab and enter.
COMPOSER_BINDINGS: list[Binding] = [
    Binding("ctrl+s", "submit", "Queue reply", id="composer_submit", priority=True),
    Binding("ctrl+g", "confirm", "Checked: queue", id="composer_confirm", priority=True),
    Binding("escape", "close", "Keep draft", id="composer_close", priority=True),
    Binding("ctrl+t", "templates", "Templates", id="composer_templates", priority=True),
    Binding("ctrl+o", "toggle_brand", "Brand book", id="composer_brand", priority=True),
    Binding("ctrl+f", "toggle_context", "Context", id="composer_context", priority=True),
    Binding("ctrl+r", "switch_account", "Switch account", id="composer_account", priority=True),
    Binding("ctrl+l", "link_alias", "Same person", id="composer_link", priority=True),
    Binding("ctrl+n", "unlink_alias", "Not them", id="composer_unlink", priority=True),
]

# Actions that only make sense on an escalated comment: offered in the Escalated view.
ESCALATION_ACTIONS = frozenset(
    {"answer_escalation", "note_escalation", "close_escalation", "resend_webhook"}
)

GROUP_OF: dict[str, str] = {
    **{b.id: "move" for b in QUEUE_BINDINGS if b.id},
    **dict.fromkeys(
        (
            "reply",
            "escalate",
            "done",
            "snooze",
            "labels",
            "spam",
            "hide",
            "select",
            "select_all",
            "undo",
            "discard",
            "answer",
            "note",
            "close",
            "resend",
        ),
        "act",
    ),
    **{
        f"view_{name}": "views"
        for name in (
            "inbox",
            "escalated",
            "snoozed",
            "outbox",
            "handled",
            "spam",
            "all",
            "unanswered",
        )
    },
    "stats": "views",
    **dict.fromkeys(("search", "filter", "sort", "clear"), "find"),
    **dict.fromkeys(("sync", "dismiss_alert", "help", "quit", "command_palette"), "app"),
    **{b.id: "compose" for b in COMPOSER_BINDINGS if b.id},
}

LONG_HELP: dict[str, str] = {
    "reply": "Open the composer under the thread; ctrl+s queues the reply, escape keeps the draft",
    "escalate": "Hand to a team (support, product, legal, press…) with a severity and a note;"
    " a team with a webhook hears of it in its chat",
    "answer": "In Escalated: record the team's answer (the escalation becomes answered)",
    "note": "In Escalated: add a note to the escalation",
    "close": "In Escalated: close the escalation; the comment moves to Handled",
    "resend": "In Escalated: send a failed or unsure chat message again (look in the team's"
    " channel first: a webhook cannot tell a repeat)",
    "done": "Mark handled without replying",
    "snooze": "Hide until later: 1 hour, this evening, tomorrow 9:00, next week, or a date",
    "labels": "Add or remove labels",
    "spam": "Move to Spam, and after [sync] undo_seconds remove or flag it as spam on"
    " Reddit, YouTube, Discourse and GitHub too",
    "hide": "Hide on the network and mark done: removed on Reddit (needs moderator rights),"
    " held for review on YouTube, flagged inappropriate on Discourse, hidden as off-topic"
    " on GitHub; after [sync] undo_seconds, so u takes it back",
    "select": "Select or unselect; with a selection, e d s l ! H act on all of it",
    "select_all": "Select every item in the view (again to clear)",
    "undo": "Undo the last action (press again to go further back); a queued reply comes back"
    " as a draft until it leaves",
    "discard": "In the Outbox: give up on a failed or waiting reply (its comment returns to"
    " the Inbox); r there rewrites a failed one or takes a waiting one back to edit",
    "search": "Full-text search in the view (text and author)",
    "filter": "Filter by network, account, language or label",
    "sort": "Cycle the order: newest, oldest, priority",
    "clear": "Clear the search, filters and selection",
    "sync": "Sync every connected account now (it also runs on its own, see [sync] in config)",
    "focus_thread": "Move the focus to the thread pane to read and scroll it",
    "view_unanswered": "Negative comments with no reply yet, oldest first",
    "stats": "Counts, response times, targets and alerts, with charts (escape comes back)",
    "dismiss_alert": "Hide the spike banner; it comes back when a new spike starts",
    "composer_submit": "Check the draft again and queue it (refused while a check blocks;"
    " u undoes it during [sync] undo_seconds)",
    "composer_confirm": "On a risky comment (crisis, or strongly negative and widely seen):"
    " the checklist is done, queue the reply",
    "composer_close": "Close the composer and keep the draft for later",
    "composer_templates": "Pick a template by fuzzy search; enter inserts it at the cursor"
    " (another variant than last time)",
    "composer_brand": "Show or hide the brand book for the comment's language and network",
    "composer_context": "Show or hide the thread above the comment, the author's earlier"
    " comments and our replies to them, on every network",
    "composer_account": "Reply from the brand's next account on this network",
    "composer_link": "Confirm the suggested alias: the same person on another network",
    "composer_unlink": "Not the same person: the suggestion is not made again",
}


def all_binding_ids() -> set[str]:
    """Ids a user may rebind in ``[keys]``."""
    return {b.id for b in (*QUEUE_BINDINGS, *SCREEN_BINDINGS, *COMPOSER_BINDINGS) if b.id}


def keys_of(binding: Binding, keymap: dict[str, str]) -> list[str]:
    """The keys of ``binding`` once the user's ``[keys]`` keymap is applied."""
    keys = keymap.get(binding.id or "", binding.key)
    return [key.strip() for key in keys.split(",") if key.strip()]
