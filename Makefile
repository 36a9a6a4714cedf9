# Persona Insight — every command works on a fresh machine: uv is installed with pip when missing,
# Python is never downloaded (the machine's 3.11 is used), and the environment is synced first.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --frozen

.PHONY: run test check fmt bench migrate sync uv

uv:
	@command -v uv >/dev/null 2>&1 || test -x "$(HOME)/.local/bin/uv" || python3 -m pip install --user --quiet uv

sync: uv
	@$(UV) sync --frozen --inexact --quiet

run: sync
	$(RUN) persona-insight serve --demo

test: sync
	$(RUN) python -m pytest -q -p no:cacheprovider

check: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy src

fmt: sync
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

bench: sync
	$(RUN) python -m bench.pipeline
	$(RUN) python -m bench.sse
	$(RUN) python -m bench.analysis

migrate: sync
	$(RUN) persona-insight db upgrade
