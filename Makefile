# nnlib course: `make lab` to learn, `make test` to check everything.
# Works on a fresh Debian/Ubuntu or macOS machine with python3 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
WEB_STAMP  := $(VENV)/.installed-web
NODE_STAMP := node_modules/.ci
LOCK   := requirements/lock.txt
NB     ?=
NO_HUB := --ignore=tests/test_jupyterhub.py
JOBS   ?= 2
PORT   ?= 8888
# An instructor may remove solutions/ from a class's copy; everything else still works
NB_DIRS := notebooks $(wildcard solutions)
# Jupyter refuses to run as root (common in containers) unless told it is on purpose
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

# Stored outputs are produced and checked on the CPU with these settings: one BLAS/torch
# thread per process (tests and notebooks run two at a time on two cores; more threads
# only oversubscribe). `make test-twice` also checks the machine's default thread count.
export NNLIB_DEVICE ?= cpu
THREADS ?= 1
CHECK_TARGETS := test test-slow test-unit test-nb execute exercises editions test-editions
# the setting `make test` adds to the native one (see tools/portability.py --list)
NONNATIVE ?= non-native
$(CHECK_TARGETS): export OMP_NUM_THREADS = $(THREADS)
$(CHECK_TARGETS): export OPENBLAS_NUM_THREADS = $(THREADS)
$(CHECK_TARGETS): export MKL_NUM_THREADS = $(THREADS)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
               --nbval-cell-timeout=300 -p no:cacheprovider
# The Chinese editions (notebooks/zh/, solutions/zh/) share the English code cells and
# outputs byte for byte, which tests/test_editions.py checks in `make test`; nbval runs
# them in `make test-editions` rather than a second time in every nbval run (as long
# again as the English). A notebook named on the command line still runs.
test test-slow test-unit test-nb test-twice test-portable: export PYTEST_ADDOPTS += \
  --ignore=notebooks/zh --ignore=solutions/zh

.DEFAULT_GOAL := help
.PHONY: help install lab test test-slow test-unit test-nb test-twice test-one-thread test-portable test-browser \
        test-gpu execute exercises editions test-editions lint bench wheel-check clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))' || \
	  { echo "nnlib needs Python 3.11 or 3.12, found: $$($(PYTHON) --version 2>&1)."; \
	    echo "Install one and run e.g. 'make lab PYTHON=python3.12'."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; \
	  exit 1; }

# Reinstall only when the project description or the lock changed.
# On Linux PyPI's torch is the CUDA build (about 2 GB with its libraries). TORCH_INDEX=cpu
# adds PyTorch's CPU-only index, where the same version is 2.13.0+cpu: the lock's pin
# torch==2.13.0 admits it (a pin without a local label ignores "+cpu") and pip prefers
# it (a local version sorts after the plain one). Choose it at the first install.
TORCH_INDEX ?=
TORCH_PIP := $(if $(TORCH_INDEX),--extra-index-url https://download.pytorch.org/whl/$(TORCH_INDEX))
$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -qq -c $(LOCK) $(TORCH_PIP) -e ".[lab,test,grader]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install nnlib with the pinned versions

# The server's root is the repository, so notebooks/, exercises/ and solutions/ are all
# in its file browser and the start page's links resolve; it opens the start page.
# The lectures are trusted first (the course made their outputs), so JupyterLab shows
# their stored widgets, such as finished progress bars, before they are run (a lecture
# that cannot be read, e.g. after a merge conflict, does not keep the lab from starting).
# LAB_ARGS passes more options, e.g. LAB_ARGS=--no-browser on a remote machine.
# `make lab LANG=zh` opens the Chinese edition's start page (notebooks/zh/, written by
# `make editions`). LANG is also the locale's variable: a value given on make's command
# line names the course's language and is not passed on to the programs as a locale.
LAB_ARGS ?=
COURSE_LANG ?= en
ifeq ($(origin LANG),command line)
COURSE_LANG := $(LANG)
unexport LANG
endif
START_PAGE := notebooks/$(if $(filter zh%,$(COURSE_LANG)),zh/)00_start_here.ipynb
lab: $(STAMP) ## install, then open the course in JupyterLab (LANG=zh: the Chinese edition)
	@test -f $(START_PAGE) || { echo "$(START_PAGE) is missing: run make editions" >&2; exit 1; }
	-$(BIN)/jupyter trust notebooks/*.ipynb $(wildcard notebooks/zh/*.ipynb) >/dev/null
	$(BIN)/jupyter lab --port $(PORT) $(LAB_FLAGS) $(LAB_ARGS) \
	  --ServerApp.root_dir=. $(START_PAGE)

# `make test` installs the site's, slides' and hub's packages too (npm's only where npm
# is installed; without it those tests skip and say why)
test: $(STAMP) $(WEB_STAMP) $(if $(shell command -v npm),$(NODE_STAMP)) ## install, then run unit tests, course checks and nbval (everything)
	# (the JupyterHub test, about 45 s, is `make test-hub`, and the tests that run whole
	# notebooks again, about 2 min, are `make test-slow`; .ci/run runs both after this)
	$(BIN)/pytest -n $(JOBS) --dist loadfile -m "not slow" $(NO_HUB) tests
	# nbval once, as another CPU computes: torch's plain (non-SIMD) kernels and numpy
	# without its widest SIMD loops, so a stored output that only the machine that
	# stored it reproduces fails here, the day it is stored (`make test-nb` runs nbval
	# natively, `make test-portable` under every setting)
	$(PY) tools/portability.py $(NB_DIRS) --only $(NONNATIVE) --threads 1

test-slow: $(STAMP) ## the tests that run whole notebooks again (batch-graded solutions, nbval's self-test)
	$(BIN)/pytest -n $(JOBS) --dist loadfile -m slow tests

test-unit: $(STAMP) ## unit and integrity tests only: no notebooks, kernels, servers or browsers
	$(BIN)/pytest -n $(JOBS) --dist loadfile -m "not integration" tests

test-nb: $(STAMP) ## nbval over the notebooks only (NB=path for one)
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(NBVAL_FLAGS) $(or $(NB),$(NB_DIRS))

test-twice: $(STAMP) ## nbval twice in a row, then at the default thread count (before storing outputs)
	$(MAKE) test-nb
	$(MAKE) test-nb
	# one notebook at a time with every core, as a learner runs it: two workers with
	# two threads each on two cores oversubscribe (measured: 2 min 36 s with one worker,
	# 3 min 44 s to 6 min 49 s with two)
	$(MAKE) test-nb THREADS=$$(getconf _NPROCESSORS_ONLN) JOBS=1

test-portable: $(STAMP) ## nbval under every CPU instruction set this machine can emulate, 1 and 2 threads
	$(PY) tools/portability.py $(NB_DIRS)

test-browser: $(STAMP) ## the real-browser widget test only
	$(BIN)/pytest -m browser tests -v

test-gpu: $(STAMP) ## execute chapters 07-11 on cuda and check their asserted results
	NNLIB_DEVICE= $(PY) tools/test_gpu.py

execute: $(STAMP) ## re-execute notebooks in place, fresh kernel (NB=path for one)
	$(PY) tools/execute.py $(or $(NB),$(addsuffix /*.ipynb,$(NB_DIRS)))

exercises: $(STAMP) ## regenerate exercises/ from solutions/
	@test -d solutions || { echo "make exercises: there is no solutions/ folder here (a class copy?);" \
	  "exercises/ is generated from it, so run this in the instructor's copy." >&2; exit 2; }
	$(PY) -m nnlib.grading.release solutions exercises

# The Chinese edition: the English notebooks with the Chinese text of i18n/zh/ and
# figures drawn in Chinese (tools/editions.py; chapters not yet translated are listed
# there). Run it after changing an English notebook or a translation.
editions: $(STAMP) ## write notebooks/zh, solutions/zh and exercises/zh (the Chinese edition)
	$(PY) tools/editions.py build

test-editions: $(STAMP) ## the Chinese edition: up to date, and nbval over its notebooks
	$(PY) tools/editions.py check
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(NBVAL_FLAGS) \
	  $(wildcard notebooks/zh/*.ipynb solutions/zh/*.ipynb)

lint: $(STAMP) ## ruff over the library, tests, tools and benchmarks (also a test)
	$(BIN)/ruff check nnlib tests tools benchmarks conftest.py

bench: $(STAMP) ## run the benchmarks (slow; prints tables)
	$(PY) benchmarks/scratch_vs_torch.py
	$(PY) benchmarks/blocks_vs_torch.py
	$(PY) benchmarks/notebook_costs.py
	$(PY) benchmarks/grading_speed.py

wheel-check: $(STAMP) ## build the wheel and import it in a fresh venv
	$(BIN)/pytest tests/test_packaging.py -v -k wheel

# The course site, the slides and the JupyterHub test need more than a learner does:
# Sphinx, myst-nb and furo (the `web` extra), JupyterHub (the `hub` extra), and the npm
# packages package.json pins (MathJax, require.js and the widgets' HTML manager for the
# pages, reveal.js for the slides, configurable-http-proxy for the hub), which
# `npm ci` installs into node_modules/ exactly as package-lock.json lists them. No page
# loads anything from a CDN: the built site and decks carry copies of those files.
SITE_DIR   ?= build/site
SLIDES_DIR ?= build/slides
.PHONY: install-web site slides test-hub

$(WEB_STAMP): pyproject.toml $(LOCK) $(STAMP)
	$(PY) -m pip install -qq -c $(LOCK) -e ".[lab,test,grader,web,hub]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js 18 or" \
	  "newer (Debian/Ubuntu: sudo apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

install-web: $(WEB_STAMP) $(NODE_STAMP) ## install what site, slides and test-hub need (pip extras, npm ci)

site: $(WEB_STAMP) $(NODE_STAMP) ## build the course site into build/site (stored outputs, offline)
	$(PY) tools/site.py --out $(SITE_DIR)

slides: $(STAMP) $(NODE_STAMP) ## render each lecture as a reveal.js deck into build/slides
	$(PY) tools/slides.py --out $(SLIDES_DIR)

test-hub: $(WEB_STAMP) $(NODE_STAMP) ## a real JupyterHub on loopback: two users log in, run chapter 1
	$(BIN)/pytest -p no:cacheprovider tests/test_jupyterhub.py -v

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
