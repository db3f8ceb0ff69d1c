# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/qinshang
HOST   ?= 127.0.0.1:8000
# Tests run in two processes (the machines have two cores).
PYTEST_WORKERS ?= 2

.PHONY: venv demo serve test test-sqlite test-postgres lint typecheck bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# The demo's administrator and dispatcher log in without a phone: the second factor that a real
# installation requires of them (OTP_REQUIRED_ROLES) is switched off for `make demo` only.
demo: export OTP_REQUIRED_ROLES :=
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py refresh_metrics
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_accounts
	@echo "演示园区已就绪：http://$(HOST)/  （Ctrl+C 停止；后台任务进程随之停止）"
	@# One background worker runs briefings and retraining while the demo is served.
	$(BIN)/python manage.py db_worker --queue-name default > /dev/null 2>&1 & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST)

serve: venv
	$(BIN)/python manage.py runserver $(HOST)

test: venv lint test-sqlite test-postgres

test-sqlite: venv
	mkdir -p build/screenshots
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

test-postgres: venv
	@if $(BIN)/python scripts/pg_ready.py; then \
	  echo "== PostgreSQL 可用：在 PostgreSQL 上再跑一遍全部测试"; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup; \
	else echo "== 127.0.0.1:5432 上没有 PostgreSQL，跳过 PostgreSQL 测试"; fi

# ruff, then mypy with the django-stubs plugin over every app (the config is in pyproject.toml).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: venv
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build staticfiles .pytest_cache .ruff_cache .mypy_cache
