"""Secrets stay out of reach: an owner-only file when no keyring answers."""

from __future__ import annotations

import stat

import pytest

from cm_inbox.secrets import SecretsError, SecretStore


def test_secrets_file_is_readable_by_its_owner_only(tmp_path):
    store = SecretStore(tmp_path, backend="file")
    store.account("mastodon", "lumo").set("access_token", "tok-123")
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        SecretStore(tmp_path, backend="file").account("mastodon", "lumo").get("access_token")
        == "tok-123"
    )
    assert "file" in store.where and "tok-123" not in store.where


def test_a_widened_secrets_file_is_narrowed_before_use(tmp_path):
    store = SecretStore(tmp_path, backend="file")
    store.account("bluesky", "lumo").set("app_password", "pw")
    path = tmp_path / "secrets.json"
    path.chmod(0o644)
    assert store.account("bluesky", "lumo").get("app_password") == "pw"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_accounts_keep_their_own_secrets_and_removal_takes_them_all(tmp_path):
    store = SecretStore(tmp_path, backend="file")
    store.account("bluesky", "lumo").replace({"access_jwt": "a", "refresh_jwt": "r"})
    store.account("mastodon", "lumo").set("access_token", "m")
    store.remove("bluesky", "lumo")
    assert store.account("bluesky", "lumo").get("access_jwt") is None
    assert store.account("mastodon", "lumo").get("access_token") == "m"


def test_a_damaged_secrets_file_is_reported_without_its_content(tmp_path):
    (tmp_path / "secrets.json").write_text('{"mastodon:lumo": "tok-secret', encoding="utf-8")
    (tmp_path / "secrets.json").chmod(0o600)
    with pytest.raises(SecretsError) as caught:
        SecretStore(tmp_path, backend="file").account("mastodon", "lumo").get("access_token")
    assert "secrets.json" in str(caught.value)
    assert "tok-secret" not in str(caught.value)


def test_the_tests_never_use_the_machine_keyring():
    assert "file" in SecretStore().where
