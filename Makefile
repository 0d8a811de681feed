# The Todo platform's entry points. `make run` and `make test` work on a fresh machine:
# they create .venv and install what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest
SERVICES := auth users todos
PACKAGES := libs/common $(addprefix services/,$(SERVICES))

.PHONY: help install run test test-unit test-services test-integration test-deploy test-gateway test-e2e test-cluster test-containers test-contract k8s-gateway lint format clean bench images compose-up compose-down test-failure test-docs test-bench \
	frontend-install frontend-client frontend-client-check test-frontend

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): constraints.txt requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt \
		$(addprefix -e ,$(PACKAGES))
	@touch $@

install: $(STAMP) ## Create .venv and install every package and tool, pinned

# The frontend's Node packages, exactly as the lockfile says (npm ci), again when it changes.
FRONTEND_MODULES := frontend/node_modules/.package-lock.json
$(FRONTEND_MODULES): frontend/package-lock.json frontend/package.json
	@command -v npm >/dev/null || { echo "The frontend needs Node.js 20+ and npm (e.g. apt-get install nodejs npm)"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend-install: $(FRONTEND_MODULES) ## The frontend's Node packages (npm ci from the lockfile)

frontend-client: install frontend-install ## Regenerate the frontend's typed API client from the services' OpenAPI
	PYTHONPATH=scripts $(BIN)/python scripts/frontend_client.py

frontend-client-check: install frontend-install ## Fail if the generated API client is stale
	PYTHONPATH=scripts $(BIN)/python scripts/frontend_client.py --check

run: install frontend-install ## Start the platform and the frontend locally (embedded PostgreSQL unless DATABASE_URL is set)
	$(BIN)/python scripts/run_stack.py

lint: install ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/common/src services/*/src scripts/devstack scripts/run_stack.py scripts/k8s_gateway.py scripts/bench scripts/frontend_client.py tests

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-unit: install ## The shared library's tests
	$(PYTEST) libs/common/tests

test-services: install ## Each service's tests, on a real PostgreSQL
	@set -e; for service in $(SERVICES); do \
		echo "== services/$$service"; \
		$(PYTEST) services/$$service/tests; \
	done

test-deploy: install ## compose settings and the rendered k8s overlays (offline checks)
	$(PYTEST) tests/deploy

test-gateway: install ## The gateway configuration, as the real traefik loads it; k8s/base/gateway not stale
	$(PYTEST) tests/gateway

test-e2e: install frontend-install ## End to end through the real Traefik gateway, on the stack `make run` starts
	$(PYTEST) tests/e2e

test-docs: install ## docs/api.md against each service's OpenAPI document
	$(PYTEST) tests/docs

test-integration: install ## Services as real processes: events between them, auth tokens verified by todos
	$(PYTEST) tests/integration

test-frontend: install frontend-install frontend-client-check ## The frontend: type check, Vitest, then Playwright in Chromium on the real stack
	cd frontend && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/vitest run
	$(PYTEST) tests/frontend

test-failure: install ## Failure on real processes: database outage, SIGTERM, a subscriber down a minute
	$(PYTEST) tests/failure

test-cluster: install ## Both overlays deployed into a real kube-apiserver (scripts/install_kubernetes.sh)
	$(PYTEST) tests/cluster

test-contract: install ## schemathesis (every check and phase) on each live service, directly and through the gateway
	$(PYTEST) -s tests/contract

k8s-gateway: install ## Regenerate k8s/base/gateway/ from gateway/dynamic.yml (with the real traefik)
	$(BIN)/python scripts/k8s_gateway.py

test-containers: install ## The compose stack for real: images built, stack up, journeys and outages, down
	@set -e; engine="$$(scripts/ci/docker_engine.sh start)"; \
	trap 'scripts/ci/docker_engine.sh stop $$engine' EXIT; \
	$(PYTEST) tests/containers

test: lint test-unit test-services test-docs test-integration test-deploy test-gateway test-e2e test-failure test-cluster test-containers test-contract test-frontend test-bench ## Everything CI runs: lint, then every test suite

# The base images compose uses: the official ones, or the stand-ins `make images` built
# (written by scripts/images.sh; docs/containers.md).
IMAGES_ENV := .data/compose-images.env

images: ## Build every image docker-compose.yml uses (stand-in bases where none can be pulled)
	scripts/install_docker_plugins.sh
	IMAGES_ENV=$(IMAGES_ENV) scripts/images.sh

compose-up: images ## The stack in containers: `docker compose up --build --wait` on the images above
	set -a && source $(IMAGES_ENV) && set +a && docker compose up --build --wait

compose-down: ## Stop the compose stack and remove its containers, network and volumes
	JWT_SECRET="$${JWT_SECRET:-not-needed-to-stop}" docker compose down -v --remove-orphans

clean: ## Remove the virtualenv, caches and local data
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache frontend/node_modules frontend/test-results

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-bench.txt
	@touch $@

bench: $(BENCH_STAMP) ## The platform under load (wrk): req/s, latency, CPU per request; BENCH_QUICK=1 in ~2 min
	PYTHONPATH=scripts $(BIN)/python -m bench

test-bench: $(BENCH_STAMP) ## The quick bench once: the harness works and no request fails (speed is not asserted)
	BENCH_QUICK=1 BENCH_REQUIRE_ZERO_ERRORS=1 PYTHONPATH=scripts $(BIN)/python -m bench
