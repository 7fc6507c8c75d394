# kkr-arkiv: `make run` and `make test` each do the whole set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install vendor run test test-fast bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU build that lies on this machine's disk (see README)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The browser code the web app serves (pdf.js) comes from the npm registry, pinned in
# package.json + package-lock.json, and is copied into webapp/static/vendor (never a CDN).
# axe-core (a devDependency) stays in node_modules for the browser test.
VENDOR := webapp/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-stamp

$(VENDOR_STAMP): package.json package-lock.json
	npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)/pdfjs
	mkdir -p $(VENDOR)/pdfjs
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs \
	   node_modules/pdfjs-dist/LICENSE $(VENDOR)/pdfjs/
	touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

run: install
	$(BIN)/kkr-arkiv ingest corpus/ --no-embed
	$(BIN)/kkr-arkiv serve --host $(HOST) --port $(PORT) --embed-in-background

# everything, with a fresh ingest of corpus/ (--cache-clear drops the ingested archive kept by test-fast)
test: install
	$(PY) -m pytest --cache-clear

# the tests without the `slow` marker (embeddings, browser, child-process ingests, fuzzing): under
# two minutes; the ingested corpus archive is kept in .pytest_cache while corpus/ and the code stay the same
test-fast: install
	$(PY) -m pytest -m "not slow"

bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) data .pytest_cache node_modules $(VENDOR)
