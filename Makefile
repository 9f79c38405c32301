# Set-up and everyday commands. `make run` and `make test` work on a fresh
# machine with Python 3.11+ and the package registries.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_N ?= 10000

.PHONY: install deps run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/lod validate casestudies/
	$(BIN)/lod build --data casestudies/ --out dist/
	$(BIN)/python -m lod.query.docs  # docs/queries.md shows results on the bundled data
	$(BIN)/lod site --data casestudies/ --out dist/  # its last line is the index page's path

# Debian packages the tests need (MediaWiki, PHP's SQLite, Chromium and its driver); installs only what is missing.
deps:
	.ci/install-debian-deps

# --dist loadfile: one worker runs a whole file, so a module's wiki starts once per run;
# --no-loadscope-reorder: files go to the workers longest first (tests/conftest.py, LONGEST_FIRST)
# rather than by number of tests, so both workers finish together;
# --durations=10: the ten slowest tests are printed, so a slow one is seen when it arrives.
test: install deps
	$(BIN)/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder --durations=10

lint: install
	$(BIN)/ruff check lod tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/run.py --n $(BENCH_N)

clean:
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache
