"""Telling a team about an escalation in its own chat (Slack, Mattermost, Discord).

``settings`` reads ``[escalation.webhooks.TEAM]`` from config.toml,
``messages`` builds the JSON each chat accepts from untrusted comment text,
``delivery`` posts what the store's delivery queue holds, and ``wording``
says in words where each message stands. Importing the package loads no
HTTP client: config.toml is read at start-up, before any message goes out.
"""
