# Soutien — Mission de soutien technique renforcé.
# `make run` : la plateforme avec les données de démonstration (SQLite) ; `make test` : la suite.

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_FROZEN := 1

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
MANAGE := $(UV) run python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: WeasyPrint (pango, harfbuzz-subset), PDF checks (poppler), browser tests (chromium).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) poppler-utils chromium

.PHONY: run serve test test-fast quality bench install debs-run debs-test uv deps clean help

help:
	@echo "make run      plateforme + données de démonstration sur http://$(HOST):$(PORT)"
	@echo "make test     toute la suite de tests (navigateur compris)"
	@echo "make serve    mode proche de la production (gunicorn, DEBUG=0)"
	@echo "make quality  ruff, migrations manquantes, check --deploy"
	@echo "make bench    mesures de performance (docs/performance.md)"

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { \
	  echo "Installation de uv (pip)…"; python3 -m pip install --quiet uv; }

deps: uv
	@$(UV) sync --quiet
	@if [ ! -d node_modules/bootstrap ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "Installation des paquets npm…"; npm ci --no-audit --no-fund --loglevel=error; fi

# Installs missing Debian packages when root; otherwise names them.
define ensure_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installation des paquets Debian :$$missing"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Paquets Debian manquants (à installer en root : apt-get install$$missing)"; \
	  fi; \
	fi
endef

debs-run:
	$(call ensure_debs,$(RUN_DEBS))

debs-test:
	$(call ensure_debs,$(TEST_DEBS))

install: deps debs-run
	@mkdir -p var
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) load_demo
	@$(MANAGE) load_selfcheck
	@$(MANAGE) evaluation_refresh

# A task worker runs beside the development server: it sends the emails (printed here)
# and, each morning, the reminders and digests; Ctrl+C stops both.
run: install
	@echo ""
	@echo "Soutien démarre sur http://$(HOST):$(PORT)  (Ctrl+C pour arrêter)"
	@export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" SOUTIEN_TASKS=database; \
	$(MANAGE) send_reminders --schedule && \
	{ $(MANAGE) db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) runserver $(HOST):$(PORT); }

# Static files are collected (and compressed, which takes a minute) only when they changed.
# A task worker runs beside gunicorn: it sends the outbox's emails and, each morning, the
# reminders and digests (planned by send_reminders --schedule); it stops with the server.
# Each SQL statement is cancelled after DB_STATEMENT_TIMEOUT_MS (config/settings/prod.py:
# 5 s for the pages, none for migrate, WORKER_STATEMENT_TIMEOUT_MS for the task worker);
# config/gunicorn.conf.py loads the PDF engine and fonts in each worker before it serves.
serve: deps debs-run
	@mkdir -p var
	@export DJANGO_SETTINGS_MODULE=config.settings.prod DEBUG=0 \
	  SECRET_KEY="$${SECRET_KEY:-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	if [ ! -f staticfiles/staticfiles.json ] || \
	  [ -n "$$(find web/static node_modules uv.lock -newer staticfiles/staticfiles.json -print -quit)" ]; then \
	  echo "Préparation des fichiers statiques…"; \
	  $(UV) run python manage.py collectstatic --no-input -v 0 || exit 1; \
	fi; \
	DB_STATEMENT_TIMEOUT_MS=0 $(UV) run python manage.py migrate --no-input -v 0 && \
	DB_STATEMENT_TIMEOUT_MS=0 $(UV) run python manage.py load_reference && \
	DB_STATEMENT_TIMEOUT_MS=0 $(UV) run python manage.py load_selfcheck && \
	$(UV) run python manage.py send_reminders --schedule && \
	{ DB_STATEMENT_TIMEOUT_MS=$${WORKER_STATEMENT_TIMEOUT_MS:-60000} $(UV) run python manage.py db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(UV) run gunicorn -c config/gunicorn.conf.py --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -; }

test: deps debs-test
	@$(UV) run pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

quality: deps
	@mkdir -p var
	@$(UV) run ruff check .
	@$(UV) run ruff format --check .
	@$(MANAGE) makemigrations --check --dry-run -v 1
	@DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY="ci-$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=soutien.example EMAIL_HOST=smtp.example \
	  SOUTIEN_HOST_NAME=Hébergeur SOUTIEN_HOST_ADDRESS=Adresse SOUTIEN_HOST_PHONE=0400000000 \
	  SOUTIEN_DPO_EMAIL=dpo@soutien.example \
	  $(UV) run python manage.py check --deploy --fail-level WARNING

# Never run by the tests or CI. Root: throwaway PostgreSQL clusters, as .ci/run starts one.
# BENCH_CASES=10000 make bench for a quick run (default: 10,000 then 1,000,000 cases).
bench: deps
	$(call ensure_debs,$(RUN_DEBS) postgresql)
	@$(UV) run python -m bench

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache
