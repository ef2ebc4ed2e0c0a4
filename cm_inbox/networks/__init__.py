"""The networks cm-inbox speaks to, behind one small interface.

This package never imports textual. Each network's rules (how it counts a
post's length, how a reply names the person answered) live in ``rules``;
connectors that log in, fetch and post (``base.Connector``) are listed in
``registry``, one module per network.
"""

from cm_inbox.networks.rules import NETWORKS, NetworkRules, at_handle, rules_for

__all__ = ["NETWORKS", "NetworkRules", "at_handle", "rules_for"]
