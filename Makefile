# Two entry points that work on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB := .demo/tracker.json
DEMO_DB_RU := .demo/tracker-ru.json
export TRACKER_LOCK_TIMEOUT ?= 10

.PHONY: demo test check lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	touch $@ $(VENV)/.run-deps

# The reference plan of SPEC §1, in a database of its own under .demo/ (never yours):
# in English, then as the secretariat keeps it, in Russian.
demo: $(VENV)/.run-deps
	rm -rf .demo && mkdir -p .demo
	TRACKER_DB=$(DEMO_DB) $(BIN)/tracker plan add csto-2023 \
	  --title "Action plan on the decisions of the Collective Security Council (November 2022) and the chair's priorities (Belarus, 2023)" \
	  --org CSTO \
	  --source "Decisions of the CSTO Collective Security Council, November 2022 session; priority areas of the Belarusian chairmanship, 2023"
	TRACKER_DB=$(DEMO_DB) $(BIN)/tracker import csto-2023 examples/csto-2023.csv --on 2023-11-21
	TRACKER_DB=$(DEMO_DB) $(BIN)/tracker report csto-2023 --as-of 2023-11-21
	@echo
	TRACKER_DB=$(DEMO_DB_RU) $(BIN)/tracker --lang ru plan add csto-2023 \
	  --title "План мероприятий по реализации решений Совета коллективной безопасности ОДКБ (ноябрь 2022 г.) и приоритетов председательства Республики Беларусь в ОДКБ в 2023 году" \
	  --org ОДКБ --start 01.01.2023 --end 31.12.2023
	TRACKER_DB=$(DEMO_DB_RU) $(BIN)/tracker --lang ru import csto-2023 examples/csto-2023.ru.csv --on 21.11.2023
	TRACKER_DB=$(DEMO_DB_RU) $(BIN)/tracker --lang ru report csto-2023 --as-of 21.11.2023

lint: $(VENV)/.test-deps
	$(BIN)/ruff check tracker tests bench
	$(BIN)/mypy tracker

# The browser tests render the HTML report in headless Chromium (Debian's package).
.PHONY: chromium documents
chromium:
	command -v chromium >/dev/null || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The documents' tests open the DOCX and XLSX in LibreOffice and read the PDFs with
# poppler; WeasyPrint (the PDF engine) needs Pango; the fonts hold Cyrillic.
DOCUMENT_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils \
  libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation2
documents:
	command -v soffice >/dev/null && command -v pdftotext >/dev/null && \
	  ldconfig -p | grep -q libpangoft2-1.0 && \
	  ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DOCUMENT_PACKAGES))

# The PostgreSQL half of the suite runs on a throwaway cluster of Debian's package: its own
# temp folder, a private port, an unprivileged user; stopped even when the tests fail.
.PHONY: postgresql bench-pg
postgresql:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql)

test: $(VENV)/.test-deps lint chromium documents postgresql
	bash scripts/pg-cluster.sh run $(BIN)/python -m pytest

# The inner loop, in under a minute: ruff, mypy and the suite on the file backend only —
# no apt, no server, no browser (`make test` runs everything, on both backends).
check: $(VENV)/.test-deps lint
	TRACKER_TEST_BACKENDS=file $(BIN)/python -m pytest -q

# 1,000 vs 1,000,000 items on PostgreSQL: one update and one plan's report (bench/RESULTS-pg.md).
bench-pg: $(VENV)/.run-deps postgresql
	PG_EXTRA="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=1h" \
	  bash scripts/pg-cluster.sh run $(BIN)/python bench/pg_scale.py

# SPEC §8: tracker against Taskwarrior (as set up before and as its users tune it) and the
# floor at 1k–100k items, the exports, the terminal against a pipe, and 500,000 events of
# history (about half an hour; not part of `make test`). Writes bench/RESULTS.md. The
# Word and PDF exports need the test extras and the document packages.
bench: $(VENV)/.test-deps documents
	command -v task >/dev/null || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y taskwarrior)
	$(BIN)/python bench/run.py --out bench/RESULTS.md

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
