# The README's two commands: `make demo` and `make test`. Both create or reuse .venv
# with only python3 and pip, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test lint install screenshot bench stress eval train clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changed, so a second run is quick.
$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/python -m compileall -q cm_inbox
	$(BIN)/cm-inbox demo

lint: $(STAMP_TEST)
	$(BIN)/ruff check .

test: $(STAMP_TEST) lint
	$(BIN)/python -m pytest -n 2

# The README's picture, saved by the app itself from the demo inbox.
screenshot: $(STAMP_RUN)
	$(BIN)/python docs/screenshot.py docs/screenshot.svg

# The scale benchmark (issue 4): a million generated comments, each figure beside its
# floor; writes benchmarks/results/latest.json. Quick runs: see
# `$(BIN)/python benchmarks/run.py --help` (--count, --only).
# cm-inbox's own modules are compiled first, as installing a wheel does (an editable
# install leaves that to the first run, and PYTHONDONTWRITEBYTECODE stops it there).
bench: $(STAMP_TEST)
	$(BIN)/python -m compileall -q cm_inbox
	$(BIN)/python benchmarks/run.py

# The outbox under fire (issue 5): 1,000 runs of random network faults and senders killed
# with SIGKILL mid-send; prints how many replies were checked, lost and doubled.
stress: $(STAMP_TEST)
	$(BIN)/python tests/outbox_crash.py --runs 1000

# The listening signals on the project's test split (tests/eval/*-test.jsonl and
# more-languages): language and sentiment accuracy per language, precision, recall and F1
# per intent; exits 1 when a target is missed there. Writer c, the validation set the
# model's settings were chosen on, is reported after it (it does not set the exit status).
# `--compare-language` adds py3langid against lingua (pip install '.[compare]').
eval: $(STAMP_TEST)
	$(BIN)/python -m cm_inbox.listening.evaluate

# Refit the listening model from tests/eval/train, the dev files and tests/eval/validation
# (see cm_inbox/listening/train.py); rewrites cm_inbox/listening/data/model.npz.
train: $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python -m cm_inbox.listening.train

clean:
	rm -rf $(VENV)
