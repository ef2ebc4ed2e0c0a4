"""[escalation.webhooks.TEAM] in config.toml: good entries load, each bad one is
named by file and line and leaves only its team without a webhook, and the URL,
a secret, is never quoted back."""

from __future__ import annotations

from pathlib import Path

import pytest

from cm_inbox.config import load_config
from cm_inbox.webhooks.settings import Webhook, WebhookUnavailable, resolve_url

SLACK = "https://hooks.slack.com/services/T0AAA/B0BBB/SecretToken123456"


def config_file(tmp_path: Path, text: str, mode: int = 0o600):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return load_config(path), path


def test_three_teams_three_places_for_the_url(tmp_path):
    config, _ = config_file(
        tmp_path,
        f"""
[escalation]
teams = ["support", "product", "press"]

[escalation.webhooks.support]
url = "{SLACK}"

[escalation.webhooks.product]
url_env = "PRODUCT_HOOK"
format = "Mattermost"

[escalation.webhooks.press]
url_secret = true
format = "discord"
""",
    )
    assert config.problems == []
    hooks = config.escalation.webhooks
    assert hooks["support"] == Webhook("support", None, url=SLACK)
    assert hooks["product"] == Webhook("product", "mattermost", url_env="PRODUCT_HOOK")
    assert hooks["press"] == Webhook("press", "discord", url_secret=True)
    assert "SecretToken" not in repr(hooks)
    assert hooks["support"].source == "config.toml (hooks.slack.com)"


def test_bad_entries_name_file_and_line_and_the_rest_loads(tmp_path):
    config, path = config_file(
        tmp_path,
        f"""[escalation]
teams = ["support", "product", "legal"]

[escalation.webhooks.suport]
url = "{SLACK}"

[escalation.webhooks.product]
url = "http://chat.example.com/hooks/SecretToken123456"

[escalation.webhooks.legal]
url = "{SLACK}"
url_env = "LEGAL_HOOK"

[escalation.webhooks.support]
url = "{SLACK}"
fromat = "slack"
format = "teams"
""",
    )
    assert config.problems == [
        f'{path}, line 4: [escalation.webhooks.suport]: "suport" is not one of the teams in'
        ' [escalation] teams (did you mean "support"?); this webhook is ignored',
        f'{path}, line 8: "url" in [escalation.webhooks.product] must use "https://": plain'
        " http would send the secret URL to chat.example.com in clear (http is allowed to this"
        " machine only); product gets no webhook",
        f"{path}, line 12: [escalation.webhooks.legal] takes only one of url, url_env or"
        " url_secret = true; legal gets no webhook",
        f'{path}, line 16: unknown key "fromat" in [escalation.webhooks.support]'
        ' (did you mean "format"?)',
        f'{path}, line 17: "format" in [escalation.webhooks.support] must be one of "slack",'
        ' "mattermost", "discord", not "teams"; guessing from the URL\'s host',
    ]
    assert list(config.escalation.webhooks) == ["support"]
    assert config.escalation.teams == ("support", "product", "legal")
    assert all("SecretToken" not in problem for problem in config.problems)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[escalation]\nwebhooks = 3", 2, "must be a table per team"),
        ("[escalation.webhooks]\nsupport = true", 2, "must be a table (url or url_env"),
        ("[escalation.webhooks.support]\nformat = 'slack'", 1, "needs one of url, url_env"),
        (
            "[escalation.webhooks.support]\nurl = 'hooks.slack.com/x'",
            2,
            'must start with "https://"',
        ),
        ("[escalation.webhooks.support]\nurl_env = 'not a name'", 2, "must name an environment"),
        ("[escalation.webhooks.support]\nurl_secret = 'yes'", 2, "must be true or false"),
    ],
)
def test_each_kind_of_mistake_is_reported_where_it_is(tmp_path, text, line, words):
    config, path = config_file(tmp_path, text)
    (problem,) = config.problems
    assert problem.startswith(f"{path}, line {line}: ")
    assert words in problem
    assert config.escalation.webhooks == {}


def test_the_short_form_gives_a_url_per_team(tmp_path):
    config, path = config_file(
        tmp_path, f'[escalation.webhooks]\nsupport = "{SLACK}"\nlegal = "http://x.example/h"\n'
    )
    assert config.escalation.webhooks == {"support": Webhook("support", None, url=SLACK)}
    (problem,) = config.problems
    assert problem.startswith(f'{path}, line 3: "url" in [escalation.webhooks.legal] must use')


def test_a_url_in_a_file_others_can_read_is_warned_about(tmp_path):
    config, path = config_file(
        tmp_path, f'[escalation.webhooks.support]\nurl = "{SLACK}"\n', mode=0o644
    )
    (problem,) = config.problems
    assert f"run `chmod 600 {path}`" in problem
    assert "support" in config.escalation.webhooks  # a warning: it still works


def test_http_to_this_machine_is_allowed(tmp_path):
    config, _ = config_file(
        tmp_path, '[escalation.webhooks.support]\nurl = "http://127.0.0.1:8080/hook"\n'
    )
    assert config.problems == []


def test_urls_from_the_environment_and_the_secret_store_are_read_when_sent():
    env_hook = Webhook("support", url_env="SUPPORT_HOOK")
    assert resolve_url(env_hook, env={"SUPPORT_HOOK": f" {SLACK} "}) == SLACK
    with pytest.raises(WebhookUnavailable, match="SUPPORT_HOOK .* is not set"):
        resolve_url(env_hook, env={})
    with pytest.raises(WebhookUnavailable, match="must start with") as bad:
        resolve_url(env_hook, env={"SUPPORT_HOOK": "ftp://x/SecretToken"})
    assert "SecretToken" not in str(bad.value)
    kept = Webhook("press", url_secret=True)
    assert resolve_url(kept, secret={"press": SLACK}.get) == SLACK
    with pytest.raises(WebhookUnavailable, match="escalations webhook press --url-stdin"):
        resolve_url(kept, secret=lambda team: None)
