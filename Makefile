# NUZANTARA: `make run` serves the whole system on embedded defaults; `make test` runs ruff and the test suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
# Use the local wheel folder when the machine has one (the CPU build of torch lies there).
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup run test lint format worker beat demo up clean

setup: $(STAMP)

# uv installs the hashed lock in well under a minute where pip takes about five; it takes torch from /opt/wheels too.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml requirements-test.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the locked dependencies into $(VENV) with uv (about a minute)..."
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python $(FIND_LINKS) --require-hashes --no-deps -r requirements-test.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

demo: setup
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py golden_warmup
	$(BIN)/python manage.py ensure_demo_user --url http://$(HOST):$(PORT)/

run: demo
	@echo "Serving ZANTARA on http://$(HOST):$(PORT)/ (health: http://$(HOST):$(PORT)/health)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) nuzantara.asgi:application

# Two workers (one per core here). `--dist load` hands tests out in collection order, so on each worker the tests that
# roll back run before those that flush the database (as pytest-django orders them); TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: setup
	$(BIN)/celery -A nuzantara worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: setup
	$(BIN)/celery -A nuzantara beat --loglevel=INFO --scheduler nuzantara.beat:HeartbeatScheduler

# The production topology here (Procfile.local, honcho): Chroma server, web on 8001 and 8002, worker, beat.
UP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nuzantara
UP_REDIS_URL ?= redis://127.0.0.1:6379/0
up: setup
	@echo "make up: Chroma server on :$${CHROMA_PORT:-8100}, web on :$${WEB1_PORT:-8001} and :$${WEB2_PORT:-8002}"
	@createdb -h 127.0.0.1 -U postgres nuzantara 2>/dev/null || true  # the default UP_DATABASE_URL's database
	DATABASE_URL=$(UP_DATABASE_URL) REDIS_URL=$(UP_REDIS_URL) $(BIN)/python manage.py migrate --noinput -v0
	PATH=$(abspath $(BIN)):$$PATH DATABASE_URL=$(UP_DATABASE_URL) REDIS_URL=$(UP_REDIS_URL) \
		CHROMA_HOST=127.0.0.1 CHROMA_PORT=$${CHROMA_PORT:-8100} $(BIN)/honcho -f Procfile.local start

clean:
	rm -rf $(VENV) var
