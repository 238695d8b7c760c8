# Briefings from Markdown. `make pdf` builds the flagship; CONTENT and OUT pick another report:
#   make pdf CONTENT=reports/budget OUT=output/budget
# STRICT=1 makes warnings fail the check and the builds, as scheduled runs want.
SHELL := /bin/bash
PYTHON ?= python3
CONTENT ?= content
OUT ?= output
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Checked once, not on every build: a no-op `make all` must stay well under 0.1 s.
BUILD_DEBS_STAMP := $(VENV)/.debs-build
TEST_DEBS_STAMP := $(VENV)/.debs-test
CHECK_FLAGS := $(if $(STRICT),--strict)
ID := $(shell sed -n 's/^id:[[:space:]]*["'\'']\{0,1\}\([A-Za-z0-9._-]*\).*/\1/p' $(CONTENT)/report.yaml 2>/dev/null)
SOURCES := $(shell find $(CONTENT) templates pipeline -type f ! -name '*.pyc' 2>/dev/null)
# Packages the build needs: the Japanese fonts, and HarfBuzz's subsetter, with
# which WeasyPrint embeds the large CJK fonts in a fraction of the time, and
# Pango, which WeasyPrint lays text out with.
BUILD_DEBS := fonts-morisawa-bizud-gothic fonts-morisawa-bizud-mincho libharfbuzz-subset0 \
  libpango-1.0-0 libpangoft2-1.0-0 fontconfig
# LibreOffice opens the .docx in a test, as a real Word-processing client;
# faketime shifts the clock to prove that no build reads it; Chromium opens the
# web edition for the accessibility test.
TEST_DEBS := poppler-utils libreoffice-writer-nogui faketime chromium chromium-driver

.PHONY: pdf docx html all dist batch send check lint review preview linkcheck refresh test mutate bench clean setup lock

pdf: $(OUT)/$(ID).pdf

docx: $(OUT)/$(ID).docx

# The web edition: one self-contained, accessible page.
html: $(OUT)/$(ID).html

# Both products from one process: one parse, and the two writers side by side.
all: $(STAMP) | $(BUILD_DEBS_STAMP)
	@$(MAKE) --no-print-directory -q $(OUT)/$(ID).pdf $(OUT)/$(ID).docx \
	  || $(PY) -m pipeline all --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

$(OUT)/$(ID).pdf: $(SOURCES) $(STAMP) | $(BUILD_DEBS_STAMP)
	$(PY) -m pipeline pdf --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

$(OUT)/$(ID).html: $(SOURCES) $(STAMP)
	$(PY) -m pipeline html --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

$(OUT)/$(ID).docx: $(SOURCES) $(STAMP)
	$(PY) -m pipeline docx --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

# A versioned bundle to send, made only when an input changed (docs/scheduling.md).
# RECIPIENTS=FILE: a numbered copy per line of FILE; QUIET=1: silent on success.
dist: $(STAMP) | $(BUILD_DEBS_STAMP)
	$(if $(QUIET),@)$(PY) -m pipeline dist --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS) \
	  $(if $(RECIPIENTS),--recipients $(RECIPIENTS)) $(if $(QUIET),--quiet)

# One report per row of a report over rows (each: in report.yaml), into $(OUT)/<id>/
# (docs/batch.md). PRODUCTS=pdf,docx,html; ONLY="ID …"; WORKERS=N; DIST=1: bundles;
# SCHEDULER=tcp://HOST:8786: on a Dask cluster.
batch: $(STAMP) | $(BUILD_DEBS_STAMP)
	$(PY) -m pipeline batch --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS) \
	  $(if $(PRODUCTS),--products $(PRODUCTS)) $(if $(ONLY),--only $(ONLY)) \
	  $(if $(WORKERS),--workers $(WORKERS)) $(if $(DIST),--dist) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(QUIET),--quiet)

check: $(STAMP)
	$(PY) -m pipeline check --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

# The Japanese against the rules of official writing; FIX=1 applies the safe fixes.
lint: $(STAMP)
	$(PY) -m pipeline lint --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS) $(if $(FIX),--fix)

# The web edition served on 127.0.0.1:$(PORT), rebuilt on every save.
PORT ?= 8000
preview: $(STAMP) | $(BUILD_DEBS_STAMP)
	$(PY) -m pipeline preview --content $(CONTENT) --out $(OUT) --port $(PORT)

# A reviewed Word file back to the Markdown: DOCX=FILE; APPLY=1 writes the accepted changes.
review: $(STAMP)
	$(PY) -m pipeline review $(DOCX) --content $(CONTENT) --out $(OUT) $(if $(APPLY),--apply)

# Mails each recipient's numbered copy of the latest bundle, once (docs/send.md); the
# server comes from PIPELINE_SMTP_*; DRY=1 writes the mails as .eml files instead.
send: $(STAMP)
	$(PY) -m pipeline send --content $(CONTENT) --out $(OUT) $(if $(DRY),--dry-run)

# Online, and never part of a build: fetches the data files data/sources.yaml gives a
# publisher for, when due (FORCE=1: all), keeping each only if the report still builds.
refresh: $(STAMP)
	$(PY) -m pipeline refresh --content $(CONTENT) --out $(OUT) $(if $(FORCE),--force)

# Online, and never part of a build: asks every URL's server.
linkcheck: $(STAMP)
	$(PY) -m pipeline linkcheck --content $(CONTENT) --out $(OUT) $(CHECK_FLAGS)

test: $(STAMP) | $(BUILD_DEBS_STAMP) $(TEST_DEBS_STAMP)
	$(PY) -m pytest

# Mutation testing of the modules that carry the product's promises (docs/testing.md);
# GROUPS picks some (numbers data references review lint atomic); WRITE=1 updates the page.
mutate: $(STAMP) | $(BUILD_DEBS_STAMP) $(TEST_DEBS_STAMP)
	@$(PY) -c 'import mutmut' 2>/dev/null || $(PY) -m pip install --quiet -e '.[mutate]'
	$(PY) tests/mutate.py $(GROUPS) $(if $(WRITE),--write)

# Wall time and peak memory of each command, in fresh processes, beside Pandoc and
# Typst, which live in their own environment (bench/requirements.lock), not the product's.
BENCH_VENV := .venv-bench
bench: $(STAMP) $(BENCH_VENV)/.installed | $(BUILD_DEBS_STAMP)
	$(PY) bench/bench.py

$(BENCH_VENV)/.installed: bench/requirements.lock
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --require-hashes -r bench/requirements.lock
	touch $@

# The environment alone: what a scheduled job runs before calling the pipeline itself.
setup: $(STAMP) | $(BUILD_DEBS_STAMP)

clean:
	rm -rf $(OUT)

# Every package at the exact version and hash of requirements.lock: the PDF writer's
# mends reach into WeasyPrint's, pydyf's and cffi's private parts (docs/setup.md).
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { $(call debian_deps,python3-venv); }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# Writes requirements.lock again from pyproject.toml, keeping every pin it can;
# UPGRADE=1 moves every package to its newest release, UPGRADE=NAME one package.
LOCK_VENV := $(VENV)-lock
lock:
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) \
	  && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0; }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	  --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE))) \
	  -o requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	  --strip-extras --no-emit-index-url --no-emit-find-links \
	  $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE))) \
	  -o bench/requirements.lock bench/requirements.in

# Loading WeasyPrint once writes its compiled C declarations (write/weasyprint_loader.py),
# so that the first build does not pay for them.
$(BUILD_DEBS_STAMP): Makefile | $(STAMP)
	@$(call debian_deps,$(BUILD_DEBS))
	@$(PY) -c 'from pipeline.write.weasyprint_loader import load_weasyprint; load_weasyprint()'
	@touch $@

$(TEST_DEBS_STAMP): Makefile | $(STAMP)
	@$(call debian_deps,$(TEST_DEBS))
	@touch $@

# Installs the missing Debian packages among $(1). As root it runs apt-get;
# otherwise it prints the exact command and fails, so nothing half-works.
define debian_deps
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
  | grep -q 'install ok installed' || echo $$p; done | xargs); \
if [ -n "$$missing" ]; then \
  if ! command -v apt-get >/dev/null; then \
    echo "error: missing packages: $$missing (not a Debian system: install them by hand)" >&2; exit 1; \
  elif [ "$$(id -u)" -ne 0 ]; then \
    echo "error: missing Debian packages: $$missing" >&2; \
    echo "run: sudo apt-get update && sudo apt-get install -y $$missing" >&2; exit 1; \
  fi; \
  echo "installing Debian packages: $$missing" >&2; \
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
fi
endef
