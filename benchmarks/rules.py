"""Triage rules at ingest speed: 20 rules over generated demo comments.

Prints the cost of the matcher alone (µs per comment), of an ingest with and
without the rules (the difference is what the rules cost a sync or an import),
and of ``triage --reapply``. Not part of ``make bench``: a quick check, run as
``python benchmarks/rules.py [--count N]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from cm_inbox.config import load_config
from cm_inbox.demo.generator import iter_records
from cm_inbox.records import record_to_incoming
from cm_inbox.store import Store
from cm_inbox.triage_rules.matching import Subject

NOW = 1_767_261_600
WORDS = [
    ("refunds", '["refund", "rembours*", "erstattung", "reembolso"]'),
    ("price", '["price", "prix", "preis", "precio", "$7.99/mo"]'),
    ("crash", '["crash*", "plante", "absturz"]'),
    ("sync", '["sync", "synchro", "synchronisation"]'),
    ("data loss", '["deleted", "wiped", "lost my notes", "perdu"]'),
    ("legal", '["lawyer", "avocat", "anwalt", "gdpr", "rgpd"]'),
    ("press", '["journalist", "journaliste", "press inquiry"]'),
    ("praise", '["love", "merci", "danke", "gracias", "slaps"]'),
    ("offline", '["offline", "hors ligne"]'),
    ("export", '["export", "exporter"]'),
    ("billing", '["invoice", "facture", "charged twice", "billing"]'),
    ("login", '["login", "password", "mot de passe", "2fa"]'),
    ("calendar", '["calendar", "calendrier", "kalender", "reminders", "rappels"]'),
    ("widget", '["widget*"]'),
    ("switchers", '["notion", "evernote", "obsidian", "apple notes"]'),
    ("bugs", '["bug", "broken", "kaputt", "ne marche pas"]'),
    ("beta", '["beta", "testflight"]'),
    ("cancel", '["cancel*", "résilier", "kündigen"]'),
    ("spam", '["crypto", "giveaway", "dm me"]'),
    ("angry", '["😤", "😡", "worst"]'),
]


def rules_config() -> str:
    parts = ['[escalation]\nteams = ["support", "product", "legal", "press"]\n']
    for n, (name, words) in enumerate(WORDS):
        extra = {
            0: 'escalate = "support"',
            2: 'raise_priority = 20\nlanguage = ["en", "fr"]',
            5: 'escalate = "legal"\nraise_priority = 50',
            6: 'escalate = "press"\nmin_followers = 1000',
            8: r"regex = 'offline|hors\s+ligne'",
            14: 'network = ["bluesky", "mastodon"]',
            18: 'status = "spam"\nmax_followers = 50',
        }.get(n, "raise_priority = 5")
        parts.append(f'[[rules]]\nname = "{name}"\nwords = {words}\nlabels = ["{name}"]\n{extra}\n')
    return "\n".join(parts)


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config_path = Path(folder) / "config.toml"
        config_path.write_text(rules_config(), encoding="utf-8")
        config = load_config(config_path)
        assert not config.problems, config.problems
        rules = config.rules
        records = list(iter_records(seed=7, now=NOW, count=args.count))
        chance = random.Random(1)
        subjects = [
            Subject(
                network=r["network"],
                account=r["account"],
                author=r["author"]["handle"],
                text=record_to_incoming(r).text,
                language=r.get("language"),
                sentiment=chance.choice(["negative", "neutral", "positive"]),
                followers=r["author"].get("followers"),
            )
            for r in records
        ]

        def match() -> None:
            for subject in subjects:
                subject._folded = None
                rules.apply(subject)

        matched = best_of(5, match)
        fired = sum(bool(rules.apply(s).steps) for s in subjects)
        print(
            f"{len(rules)} rules, {len(subjects):,} demo comments ({fired:,} changed by a rule)\n"
            f"  matcher: {matched / len(subjects) * 1e6:.1f} µs per comment"
        )

        def ingest(with_rules: bool, name: str) -> float:
            path = Path(folder) / f"{name}.sqlite3"
            items = [record_to_incoming(r) for r in records]
            with Store(path, rules=rules if with_rules else None) as store:
                started = time.perf_counter()
                store.upsert_comments(items)
                return time.perf_counter() - started

        plain = min(ingest(False, f"plain{n}") for n in range(3))
        ruled = min(ingest(True, f"ruled{n}") for n in range(3))
        n = len(records)
        print(
            f"  ingest without rules: {n / plain:,.0f} comments/s\n"
            f"  ingest with rules:    {n / ruled:,.0f} comments/s "
            f"(+{(ruled - plain) / n * 1e6:.1f} µs per comment)"
        )
        with Store(Path(folder) / "plain0.sqlite3", rules=rules) as store:
            dry = best_of(1, lambda: store.reapply_rules(dry_run=True))
            real = best_of(1, store.reapply_rules)
            again = best_of(1, store.reapply_rules)
        print(
            f"  reapply --dry-run: {dry / n * 1e6:.1f} µs per comment\n"
            f"  reapply:           {real / n * 1e6:.1f} µs per comment "
            f"(again, nothing left to do: {again / n * 1e6:.1f})"
        )


if __name__ == "__main__":
    main()
