"""The demo inbox: comments to Lumo, a fictional notes app, generated the same way every time.

``iter_records`` streams import records (fast enough for benchmarks of a
million); ``build_demo`` puts them in a store with a few replies under way.
"""

from cm_inbox.demo.builder import build_demo
from cm_inbox.demo.generator import generate_records, iter_records

__all__ = ["build_demo", "generate_records", "iter_records"]
