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

# Two test processes (pytest-xdist), one file per process at a time so module fixtures are built
# once: most tests wait on servers, workers and browsers, and the suite took 28-30 min of CI's 30
# in one process (about 18 min in two). Tests marked `serial` bound how fast a server answers
# under their own load, which a second process's load would decide: they run alone, after.
# (docs/ARCHITECTURE.md, "Tests").
test: sync
	$(RUN) python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile -m "not serial" --durations=40; \
	parallel=$$?; \
	$(RUN) python -m pytest -q -p no:cacheprovider -m serial --durations=10; \
	alone=$$?; \
	test $$parallel -eq 0 && test $$alone -eq 0

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
