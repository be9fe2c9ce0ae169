# Police24 — the two commands are `make dev` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Deployment (docs/DEPLOY.md): STAGE is prod or dev; AWS_REGION and credentials come from your AWS profile.
STAGE ?= prod
DEPLOY_ARGS ?=

.PHONY: dev test check screenshots bench lint typecheck venv clean package deploy destroy cost web

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# The page as it is served: esbuild (package-lock.json) bundles and fingerprints web/ into web/dist/.
node_modules/.package-lock.json: package-lock.json
	command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error

web: venv node_modules/.package-lock.json
	$(BIN)/python -m tools.build_web

dev: venv web
	$(BIN)/python -m local.devstack

test: venv web check
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	# `check` ran the unit tests; the rest run one worker per core (pytest-xdist), each starting its own stack.
	$(BIN)/python -m pytest -n auto --ignore=tests/unit

screenshots: venv web
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	fc-list :lang=zh | grep -q . || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk)
	$(BIN)/python tools/screenshots.py

bench: venv web
	$(BIN)/python -m bench

# Reliability (docs/RELIABILITY.md): a bounded load test on a local stack it starts (LOAD_ARGS, e.g.
# --base-url http://127.0.0.1:8000 --duration 60), and moving a DLQ's messages back to their queue
# (DLQ=dispatch or cad; on the local stack add AWS_ENDPOINT_URL=<the URL `make dev` prints>).
LOAD_ARGS ?=
DLQ ?= dispatch
.PHONY: load replay-dlq

load: venv
	$(BIN)/python -m bench.load $(LOAD_ARGS)

replay-dlq: venv
	$(BIN)/python -m tools.replay_dlq --queue $(DLQ)

package: venv web
	$(BIN)/python -m tools.package --stage $(STAGE) --out dist

deploy: package
	$(BIN)/python -m tools.deploy --stage $(STAGE) $(DEPLOY_ARGS)

destroy: venv
	$(BIN)/python -m tools.deploy --stage $(STAGE) --destroy

cost: venv
	$(BIN)/python -m tools.cost

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Fast feedback (seconds, no moto, no network, no browser): lint, types and the unit tests on in-memory fakes.
# The plugins the unit tests do not use (browser, schemathesis) are not loaded: that halves pytest's start-up.
UNIT_ARGS ?= -p no:playwright -p no:schemathesis -p no:anyio
check: lint
	$(BIN)/python -m pytest tests/unit $(UNIT_ARGS)

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache dist web/dist node_modules
