# Two commands do all the set-up on a fresh machine (Debian, Python 3.11, as root):
#   make run   — install, migrate, load reference + demo data, collect static files, serve http://127.0.0.1:8000 as
#                deployed (gunicorn, DEBUG off, portal.settings.embedded) with a Celery worker and beat
#   make test  — install test dependencies, lint, type-check and run every test (browser tests included)
# and one for working on the code:
#   make dev   — the same data, but Django's runserver with DEBUG and autoreload (portal.settings.local)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1
# The port that make run and make dev serve on 127.0.0.1 (make run PORT=8110).
PORT ?= 8000

# Debian packages: the CJK font and Pango that WeasyPrint renders with; for the tests Chromium, poppler, zbar (QR codes)
# and redis-server (the fault tests start and break their own Redis, never the shared one).
RUN_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils zbar-tools redis-server

.PHONY: help run dev test install debs-run debs-test migrate demo-data static lint typecheck pytest clean

help:
	@echo "make run   — 安装依赖、迁移数据库、载入参考与演示数据、收集静态文件，并在 http://127.0.0.1:$(PORT) 以部署方式启动平台"
	@echo "             （gunicorn，关闭调试，portal.settings.embedded；含 Celery worker 与 beat）"
	@echo "make dev   — 同样的数据，以开发方式启动：Django runserver，开启调试与自动重载（portal.settings.local）"
	@echo "make test  — 安装测试依赖并运行全部检查与测试"
	@echo "端口可改：make run PORT=8110"

$(BIN)/python: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(PYTHON) -m uv sync --frozen --python $(PYTHON) --quiet
	@touch $(BIN)/python

install: $(BIN)/python

define ensure_debs
	missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

debs-run:
	@$(call ensure_debs,$(RUN_DEBS))

debs-test:
	@$(call ensure_debs,$(TEST_DEBS))

migrate: install
	@mkdir -p var/celery/queue var/celery/processed var/private
	$(BIN)/python manage.py migrate --noinput -v0

demo-data: migrate
	$(BIN)/python manage.py load_reference_data -v0
	$(BIN)/python manage.py seed_demo

# Collected again only when a file under static/ or an installed package (whose static files are collected too) changed.
STATIC_MANIFEST := var/staticfiles/staticfiles.json
static: $(STATIC_MANIFEST)

$(STATIC_MANIFEST): $(BIN)/python $(shell find static -type f)
	$(BIN)/python manage.py collectstatic --noinput --clear -v0

# Both serve the same database, broker and keys under var/; log times in Asia/Shanghai, as the portal's own.
run dev: export TZ := Asia/Shanghai
run dev: export PORTAL_PORT := $(PORT)
run dev: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: export DJANGO_SETTINGS_MODULE := portal.settings.embedded
dev: export DJANGO_SETTINGS_MODULE := portal.settings.local

run: debs-run demo-data static
	@echo "平台地址：http://127.0.0.1:$(PORT)  （Ctrl-C 停止）"
	$(BIN)/honcho -f Procfile start

dev: debs-run demo-data
	@echo "开发服务器：http://127.0.0.1:$(PORT)  （调试模式，修改代码后自动重载；Ctrl-C 停止）"
	$(BIN)/honcho -f Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: install
	$(BIN)/mypy .

pytest: install debs-test
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf var/ .mypy_cache .ruff_cache

# The load benchmark (README "负载测试 / Load benchmark"): needs this machine's PostgreSQL and Redis; it creates and
# drops its own database (bench_load) and uses Redis database 5. Options: make bench-load BENCH_ARGS="--duration 60".
.PHONY: bench-load
bench-load: install
	$(BIN)/python bench/load.py $(BENCH_ARGS)
