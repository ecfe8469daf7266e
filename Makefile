# nnlib course: `make lab` to learn, `make test` to check everything.
# Works on a fresh Debian/Ubuntu or macOS machine with python3 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
NB     ?=
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
CHECK_TARGETS := test test-unit test-nb execute exercises
# the setting `make test` adds to the native one (see tools/portability.py --list)
NONNATIVE ?= non-native
$(CHECK_TARGETS): export OMP_NUM_THREADS = $(THREADS)
$(CHECK_TARGETS): export OPENBLAS_NUM_THREADS = $(THREADS)
$(CHECK_TARGETS): export MKL_NUM_THREADS = $(THREADS)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
               --nbval-cell-timeout=300 -p no:cacheprovider

.DEFAULT_GOAL := help
.PHONY: help install lab test test-unit test-nb test-twice test-one-thread test-portable test-browser \
        test-gpu execute exercises lint bench wheel-check clean

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
LAB_ARGS ?=
lab: $(STAMP) ## install, then open the course in JupyterLab
	-$(BIN)/jupyter trust notebooks/*.ipynb >/dev/null
	$(BIN)/jupyter lab --port $(PORT) $(LAB_FLAGS) $(LAB_ARGS) \
	  --ServerApp.root_dir=. notebooks/00_start_here.ipynb

test: $(STAMP) ## install, then run unit tests, course checks and nbval (everything)
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(NBVAL_FLAGS) tests $(NB_DIRS)
	# nbval once more as another CPU computes: torch's plain (non-SIMD) kernels and
	# numpy without its widest SIMD loops, so a stored output that only this machine
	# reproduces fails here, the day it is stored (`make test-portable` runs them all)
	$(PY) tools/portability.py $(NB_DIRS) --only $(NONNATIVE) --threads 1

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

lint: $(STAMP) ## ruff over the library, tests, tools and benchmarks (also a test)
	$(BIN)/ruff check nnlib tests tools benchmarks conftest.py

bench: $(STAMP) ## run the benchmarks (slow; prints tables)
	$(PY) benchmarks/scratch_vs_torch.py
	$(PY) benchmarks/blocks_vs_torch.py
	$(PY) benchmarks/notebook_costs.py
	$(PY) benchmarks/grading_speed.py

wheel-check: $(STAMP) ## build the wheel and import it in a fresh venv
	$(BIN)/pytest tests/test_packaging.py -v -k wheel

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
