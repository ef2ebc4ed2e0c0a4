"""The listening cache: a fresh process reads what an earlier one built and gives the
same signals; a changed lexicon is rebuilt; a damaged or unwritable cache still gives
every signal, with one warning line."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cm_inbox.listening import Signals, analyze, cache, language, lexicon, owners, reading
from cm_inbox.listening.tokens import tokenize
from cm_inbox.paths import cache_dir

# Stretched words (the vocabulary), short texts (the owners' vote), the network's tag,
# and sentences in five languages that only py3langid settles.
TEXTS = [
    ("Sooo slow, the app crashed twice!!", None, None),
    ("franchement c'est nul, l'appli plante", None, None),
    ("nuuuul", None, "fr"),
    ("meh", None, None),
    ("ptdr", "fr", None),
    ("La app se cierra cada vez que abro el calendario", None, None),
    ("Llevo tres semanas esperando el reembolso", "es", None),
    ("Die App stürzt jedes Mal ab, wenn ich den Kalender öffne", None, None),
    ("L'app si chiude ogni volta che apro il calendario", None, None),
    ("O aplicativo fecha toda vez que abro o calendário", None, "en"),
    ("De app crasht elke keer als ik de agenda open", None, None),
    ("Where is my refund? Still no answer after three weeks", None, None),
    ("merci beaucoup, super service 😍", None, None),
    ("🔥🔥🔥", None, "fr"),
    ("", None, None),
]


def signals() -> list[Signals]:
    return [analyze(text, hint, default) for text, hint, default in TEXTS]


def forget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The state of a fresh process: nothing built, nothing read, nothing warned."""
    monkeypatch.setattr(reading, "_LEXICONS", {})
    monkeypatch.setattr(reading, "_VOCABULARIES", None)
    monkeypatch.setattr(reading, "_VOCABULARY", None)
    monkeypatch.setattr(reading, "_KEYS", {})
    monkeypatch.setattr(owners, "_OWNERS", None)
    monkeypatch.setattr(language, "_FAST", None)
    monkeypatch.setattr(language, "_UNREADABLE", [])
    monkeypatch.setattr(cache, "_WARNED", set())
    monkeypatch.setattr(cache, "_UNWRITABLE", set())


def forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("built although the cache had it")

    monkeypatch.setattr(reading.Lexicon, "__init__", refuse)
    monkeypatch.setattr(language, "identifiers", refuse)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Signals], Path]]:
    """The signals of a build in memory, and the cache folder that build wrote."""
    home = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home))
        forget(patch)
        yield signals(), cache_dir()


def warm(monkeypatch: pytest.MonkeyPatch, source: Path) -> Path:
    """This test's cache folder, filled as an earlier process left it."""
    shutil.copytree(source, cache_dir())
    forget(monkeypatch)
    return cache.folder()


def test_a_fresh_process_reads_the_cache_and_gives_the_same_signals(built, monkeypatch):
    expected, source = built  # built in memory, as without a cache, and cached
    names = sorted(path.name for path in (source / "listening").iterdir())
    assert "lexicon-en.marshal" in names and "py3langid-restricted.npz" in names
    assert "vocabularies.marshal" in names

    warm(monkeypatch, source)
    forbid_building(monkeypatch)
    assert signals() == expected
    assert language._FAST is not None  # py3langid's arrays came from the cache too


def test_threads_starting_together_read_each_file_once(built, monkeypatch):
    expected, source = built
    folder = warm(monkeypatch, source)
    read: list[str] = []
    lock = threading.Lock()
    real = cache.read_plain

    def counted(name: str, key: str):
        with lock:
            read.append(name)
        return real(name, key)

    monkeypatch.setattr(cache, "read_plain", counted)
    forbid_building(monkeypatch)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: signals(), range(8)))
    assert all(result == expected for result in results)
    assert len(read) == len(set(read)), read
    assert folder.exists()


def test_a_changed_lexicon_file_is_rebuilt_not_read_stale(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(
        Path(lexicon.DATA), data, ignore=lambda _, names: [n for n in names if n.endswith(".npz")]
    )
    monkeypatch.setattr(lexicon, "DATA", data)
    forget(monkeypatch)
    assert "zorblax" not in reading.vocabulary()
    stale = (cache.folder() / "lexicon-en.marshal").read_bytes()

    with (data / "en" / "sentiment.txt").open("a", encoding="utf-8") as file:
        file.write("\n[words]\nzorblax = -3\n")
    forget(monkeypatch)
    english = reading.lexicon_for("en")
    assert "zorblax" in english.vocabulary
    units = english.read(tokenize("zorblax")).units
    assert [(start, end, roles.value) for start, end, roles in units] == [(0, 1, -3.0)]
    assert "zorblax" in reading.vocabulary()
    assert owners.owners()["zorblax"] == "en"
    assert (cache.folder() / "lexicon-en.marshal").read_bytes() != stale

    # The rebuilt files are what the next process reads.
    forget(monkeypatch)
    forbid_building(monkeypatch)
    assert "zorblax" in reading.lexicon_for("en").vocabulary


def damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "harm"),
    [
        ("lexicon-en.marshal", damage),
        ("lexicon-fr.marshal", lambda path: path.write_bytes(path.read_bytes()[:1000])),
        ("vocabularies.marshal", lambda path: path.write_bytes(b"")),
        ("py3langid-restricted.npz", damage),
        ("py3langid-restricted.npz", lambda path: path.write_bytes(path.read_bytes()[:5000])),
    ],
    ids=["flipped", "cut-short", "emptied", "npz-flipped", "npz-cut-short"],
)
def test_a_damaged_cache_file_still_gives_the_same_signals(built, monkeypatch, caplog, name, harm):
    expected, source = built
    path = warm(monkeypatch, source) / name
    harm(path)
    with caplog.at_level(logging.WARNING, logger="cm_inbox.listening"):
        assert signals() == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert str(path) in warnings[0]

    # Built again and written back: the next process reads it without a word.
    caplog.clear()
    forget(monkeypatch)
    forbid_building(monkeypatch)
    assert signals() == expected
    assert not caplog.records


def test_a_cache_folder_that_is_a_file_still_gives_the_same_signals(built, monkeypatch, caplog):
    expected, _ = built
    folder = cache.folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")
    forget(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="cm_inbox.listening"):
        assert signals() == expected
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "not written" in warnings[0] and str(folder) in warnings[0]


# A process whose files may not grow past 4 KiB, as on a full disk (it holds for root
# too, where a read-only folder does not): it prints how many comments got signals.
FULL_DISK = """
import logging, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not kills
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
sys.path.insert(0, sys.argv[1])
from test_listening_cache import TEXTS, signals
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
found = signals()
print(sum(s.sentiment is not None for s in found), len(TEXTS))
print(found[1].language, found[1].sentiment)
"""


def test_a_full_disk_still_gives_signals_says_why_once_and_leaves_no_half_file(tmp_path):
    # py3langid unpacks its model into a temporary file and the cache cannot be
    # written: comments still get every signal (languages from their words, the
    # network's tag or the default), with one line for each of the two failures.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    counted, french = done.stdout.splitlines()
    assert counted == f"{len(TEXTS)} {len(TEXTS)}"
    assert french == "fr negative"  # "franchement c'est nul, l'appli plante"
    warnings = done.stderr.splitlines()
    assert len([w for w in warnings if "language model cannot be read" in w]) == 1, warnings
    unwritten = [w for w in warnings if "not written" in w]
    assert len(unwritten) == 1 and "File too large" in unwritten[0], warnings
    left = [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert not [name for name in left if name.endswith(".tmp")], left
