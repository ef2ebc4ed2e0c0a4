"""The layers hold: the core, the networks and the sandbox work without textual,
so the CLI and later front ends use them as they are (see ../shared/STYLE.md)."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "cm_inbox.model",
    "cm_inbox.model.replies",
    "cm_inbox.model.escalations",
    "cm_inbox.model.incoming",
    "cm_inbox.model.context",
    "cm_inbox.store",
    "cm_inbox.store.results",
    "cm_inbox.html_text",
    "cm_inbox.triage_rules.ruleset",
    "cm_inbox.triage_rules.matching",
    "cm_inbox.triage_rules.parsing",
    "cm_inbox.records",
    "cm_inbox.compose",
    "cm_inbox.brand",
    "cm_inbox.brand_file",
    "cm_inbox.template_files",
    "cm_inbox.templates",
    "cm_inbox.template_search",
    "cm_inbox.sameness",
    "cm_inbox.drafting",
    "cm_inbox.config",
    "cm_inbox.snooze",
    "cm_inbox.sync",
    "cm_inbox.secrets",
    "cm_inbox.webhooks.settings",
    "cm_inbox.webhooks.delivery",
    "cm_inbox.cli.escalating",
    "cm_inbox.networks.registry",
    "cm_inbox.networks.mastodon",
    "cm_inbox.networks.bluesky",
    "cm_inbox.sandbox",
    "cm_inbox.demo.builder",
    "cm_inbox.demo.sandboxed",
    "cm_inbox.cli.main",
    "cm_inbox.cli.parser",
    "cm_inbox.cli.replying",
    "cm_inbox.cli.templating",
    "cm_inbox.response_config",
    "cm_inbox.targets",
    "cm_inbox.spikes",
    "cm_inbox.stats",
    "cm_inbox.cli.stats",
    "cm_inbox.listening",
    "cm_inbox.listening.pipeline",
    "cm_inbox.listening.priority",
    "cm_inbox.listening.evaluate",
]

BLOCK_TEXTUAL = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in this test")
        return None

sys.meta_path.insert(0, Blocked())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print("ok")
"""


def test_the_core_never_imports_textual():
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_TEXTUAL, *CORE_MODULES],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
