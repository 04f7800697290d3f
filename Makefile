# lstmbook — the two commands:
#   make book   set up .venv (once), build the website into _build/html (chapters executed)
#               and its Japanese edition into _build/html/ja
#   make test   set up .venv (once), then lint, unit tests, nbval, strict book build, site tests
# Also: make serve (read the built site at http://127.0.0.1:8000), make bench, make clean.
# Any failing step fails the command.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

# The venv is (re)installed when requirements.txt or pyproject.toml change: the stamp file's
# name carries a hash of both, so an up-to-date venv costs one file test.
REQ_HASH := $(shell cat requirements.txt pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
STAMP    := $(VENV)/.lstmbook-installed-$(REQ_HASH)

# `make test-lab` drives a real JupyterLab: its own venv (server and kernel, as on Binder), kept
# apart so .venv stays what requirements.txt says. Reinstalled when its pins change.
LAB_VENV  ?= .venv-lab
LAB_REQS  := tests/site/requirements-jupyterlab.txt binder/requirements.txt
LAB_HASH  := $(shell cat $(LAB_REQS) pyproject.toml 2>/dev/null | sha256sum | cut -c1-16)
LAB_STAMP := $(LAB_VENV)/.lstmbook-lab-installed-$(LAB_HASH)

NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

# nbval compares the stored outputs exactly, and several chapters train runs whose digits depend
# on OpenBLAS's kernel (chapters 4, 7, 8, 9 and 10 print other numbers with another one). The
# kernel depends on the CPU and on OPENBLAS_CORETYPE, which some machines set (Haswell, seen on
# an AMD EPYC with AVX-512). On every CPU with AVX-512 the SkylakeX kernel is pinned, whatever
# the environment says: the stored outputs are made with it (tools/execute_notebooks.py pins
# it too). LSTMBOOK_OPENBLAS_CORETYPE chooses another.
ifneq ($(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes),)
export OPENBLAS_CORETYPE := $(or $(LSTMBOOK_OPENBLAS_CORETYPE),SkylakeX)
endif
NBVAL_ARGS ?=
SITE_ARGS  ?=

# pytest exit code 5 means "no test collected": here that is always a mistake (a wrong path, a
# module-level error hidden by a filter), so it fails loudly instead of passing or being muddled.
define pytest
	rc=0; $(BIN)/python -m pytest $(1) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make: pytest collected no tests in: $(1)" >&2; exit 1; fi; \
	exit $$rc
endef

.PHONY: help venv book test lint unit nbval build-strict build-strict-en build-strict-ja site-tests test-binder test-lab lab-venv serve bench clean distclean

help:
	@sed -n '2,6p' Makefile | sed 's/^# \{0,1\}//'

venv: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "lstmbook needs Python >= 3.11; run e.g. make PYTHON=python3.12 ...")'
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "make: $(VENV) has a Python older than 3.11; recreating it"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || { echo "make: creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.lstmbook-installed-*
	@touch $@

# The reader's build: every chapter executed (_config.yml: execute_notebooks: force).
# --all (a fresh Sphinx environment): an incremental build would skip unchanged pages, so a
# change inside lstmbook/ would leave stale outputs and -W would miss old pages' warnings.
book: $(STAMP)
	@start=$$(date +%s); $(BIN)/jupyter-book build . --all --keep-going; \
	echo "make: the English build took $$(( $$(date +%s) - start )) s"
	@test -f _build/html/index.html
	@# The Japanese edition: the same sources, language ja (locales/ja), into _build/html/ja.
	@start=$$(date +%s); $(BIN)/python tools/i18n.py build ja; \
	echo "make: the Japanese build took $$(( $$(date +%s) - start )) s"
	@echo "make: the book is in _build/html, its Japanese edition in _build/html/ja (read it with: make serve)"

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	@# nbval and the strict builds of the two editions each execute every chapter (the Japanese
	@# one with LSTMBOOK_LANG=ja); each is single-threaded, so running the three side by side
	@# keeps both cores busy until the last one ends.
	$(MAKE) --no-print-directory -j3 --output-sync=target nbval build-strict-en build-strict-ja
	$(MAKE) --no-print-directory site-tests
	@echo "make: all tests passed"

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	@$(call pytest,tests/unit)

nbval: $(STAMP)
ifeq ($(NOTEBOOKS),)
	@echo "make: nbval: there is no notebook in book/ yet, nothing to compare"
else
	@$(call pytest,-p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NBVAL_ARGS) $(NOTEBOOKS))
endif

# nbval and the two strict builds run side by side in `make test`: one BLAS thread each, so the
# processes do not oversubscribe the 2 cores (OPENBLAS_CORETYPE: see NOTEBOOKS above).
nbval build-strict-en build-strict-ja: export OPENBLAS_NUM_THREADS := 1
nbval build-strict-en build-strict-ja: export OMP_NUM_THREADS := 1
nbval build-strict-en build-strict-ja: export MKL_NUM_THREADS := 1

# Warnings are errors; --keep-going reports all of them before failing. The English site is
# _build/html; the Japanese one is built into _build/ja and copied to _build/html/ja.
build-strict: build-strict-en build-strict-ja

# Each build says how long it took (issue 14.6 quotes them; both run side by side in make test).
build-strict-en: $(STAMP)
	@start=$$(date +%s); $(BIN)/jupyter-book build . --all -n -W --keep-going; \
	echo "make: the English build (strict) took $$(( $$(date +%s) - start )) s"

build-strict-ja: $(STAMP)
	@start=$$(date +%s); $(BIN)/python tools/i18n.py build ja --strict; \
	echo "make: the Japanese build (strict) took $$(( $$(date +%s) - start )) s"

site-tests: $(STAMP)
	@$(call pytest,tests/site -m "not slow" -n 2 $(SITE_ARGS))

# Slow (several minutes): a fresh venv from binder/requirements.txt alone + binder/postBuild,
# then every chapter executed in it. .ci/run runs it after `make test`.
test-binder: $(STAMP)
	@$(call pytest,tests/site/test_binder.py -m slow -rP)

# Slow (minutes): every chapter opened in a real JupyterLab 4 (the Binder experience, .venv-lab)
# driven by headless chromium: run all cells, widgets render, each explorer reacts, a quiz
# answers a click. .ci/run runs it after test-binder.
test-lab: export LSTMBOOK_LAB_VENV := $(abspath $(LAB_VENV))
test-lab: export LSTMBOOK_LAB_REQUIRED := 1
test-lab: $(STAMP) $(LAB_STAMP)
	@$(call pytest,tests/site/test_jupyterlab.py -m slow -rP)

lab-venv: $(LAB_STAMP)

$(LAB_STAMP):
	@[ -x $(LAB_VENV)/bin/python ] || { echo "make: creating $(LAB_VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(LAB_VENV); }
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check $(addprefix -r ,$(LAB_REQS))
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(LAB_VENV)/.lstmbook-lab-installed-*
	@touch $@

serve:
	@test -f _build/html/index.html || { echo "make: no site yet: run make book first" >&2; exit 1; }
	@echo "make: serving _build/html at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

bench: $(STAMP)
	@shopt -s nullglob; files=(benchmarks/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "make: no benchmarks/*.py yet"; exit 0; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f"; done

clean:
	rm -rf _build .pytest_cache .ruff_cache book/.ipynb_checkpoints
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(LAB_VENV)
