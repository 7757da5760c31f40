# The two commands of the README: `make site` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: site test check lint linkcheck htmlcheck serve deps tools clean mutate

site: deps
	$(PY) build.py build

test: deps tools
	$(PY) -m ruff check --quiet offerdb tests build.py
	$(PY) -m pytest

lint: deps
	$(PY) -m ruff check offerdb tests build.py

check: deps
	$(PY) build.py check

# Checks of the built site/ (run `make site` first): internal links and anchors, HTML validity.
linkcheck: deps
	$(PY) -m offerdb.linkcheck site

htmlcheck: deps
	node_modules/.bin/html-validate --config .htmlvalidaterc.json 'site/**/*.html'

# Live preview on http://127.0.0.1:8000/ (another port: make serve PORT=8001).
serve: deps
	$(PY) build.py serve $(if $(PORT),--port $(PORT))

deps: $(PY_STAMP) $(NODE_STAMP)

# Debian packages the tests drive (Chromium, strace, nginx, Apache): installed where missing.
tools:
	@sh tests/tools.sh

$(PY_STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Mutation testing (docs/testing.md): mutmut over the build's core modules, then the score per module, then the
# hand-made mutants of the browser scripts. By default a fixed sample (MUTANTS): the mutants numbered 7, 27, 47, 67
# or 87 modulo 100, every mutant of markdown.py and those of rendering.py whose number ends in 7. Every mutant:
# make mutate MUTANTS='offerdb.*' (many hours on two cores). Not part of `make test`.
MUTANTS ?= offerdb.*__mutmut_*[02468]7 offerdb.markdown.* offerdb.rendering.*__mutmut_*7
MUTATE_CHILDREN ?= 2
mutate: deps tools
	rm -rf mutants
	mkdir -p mutants && ln -s ../node_modules mutants/node_modules
	$(PY) -m mutmut run --max-children $(MUTATE_CHILDREN) $(foreach m,$(MUTANTS),'$(m)')
	$(PY) scripts/mutation_scores.py; py=$$?; $(PY) scripts/js_mutants.py; js=$$?; test $$py -eq 0 && test $$js -eq 0

clean:
	rm -rf site site.staging-* site.previous-* .pytest_cache mutants
