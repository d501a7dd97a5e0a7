# vizdl: `make demo` sets up and runs the main job, `make test` sets up and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-quick bench gallery docs clean

setup:
	bash scripts/setup.sh

demo: setup
	$(PY) -m vizdl.demo --out out/demo

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest -q

test-quick: setup
	$(PY) -m ruff check .
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) benchmarks/run_all.py

gallery: setup
	$(VENV)/bin/vizdl gallery --out out/gallery

docs: setup
	$(VENV)/bin/sphinx-build -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/auto_gallery/index.html"

clean:
	rm -rf out media .pytest_cache docs/_build docs/auto_gallery
