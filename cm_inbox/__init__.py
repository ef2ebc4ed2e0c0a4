"""cm-inbox: every comment addressed to a brand, from every network, in one queue."""

__version__ = "0.1.0"
