"""Rate limits hold across server processes: the counters are database rows, so several
workers (real processes on one SQLite file; threads with their own connections on
PostgreSQL) share one count."""

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection, connections
from django.test import override_settings

from soutien.security.models import ThrottleCounter
from soutien.security.throttle import throttle_count, throttle_counters_purge, throttle_exceeded

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
TRIES_EACH = 40
LIMIT = 70


def run_workers(tmp_path, *args, **popen):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'partagee.sqlite3'}",
    }
    command = [sys.executable, "-m", "tests.security.throttle_worker", *args]
    return subprocess.Popen(command, cwd=ROOT, env=environment, text=True, **popen)  # noqa: S603


def test_concurrent_server_processes_share_one_count(tmp_path):
    """4 processes × 40 attempts against a limit of 70, on one database file: exactly 70
    get through in all (a count per process would let all 160 through)."""
    assert run_workers(tmp_path, "create").wait(timeout=120) == 0
    workers = [
        run_workers(
            tmp_path,
            "count",
            str(TRIES_EACH),
            str(LIMIT),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:  # every process is started: let them all go at once
        worker.stdin.write("go\n")
        worker.stdin.flush()
    allowed = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * WORKERS
    assert sum(allowed) == 70


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite en mémoire (base de test) : voir le test à plusieurs processus",
)
def test_concurrent_connections_share_one_count():
    """Same, with threads that each have their own database connection (PostgreSQL)."""
    barrier = threading.Barrier(WORKERS)
    allowed, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            for _ in range(TRIES_EACH):
                if not throttle_exceeded("essai", "192.0.2.1", limit=LIMIT, window=3600):
                    allowed.append(1)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(allowed) == 70
    assert ThrottleCounter.objects.get(scope="essai").count == WORKERS * TRIES_EACH


@pytest.mark.django_db
def test_each_window_counts_on_its_own_and_ended_windows_are_purged():
    noon = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    assert throttle_count("essai", "192.0.2.1", window=3600, now=noon) == 1
    assert (
        throttle_count("essai", "192.0.2.1", window=3600, now=noon + dt.timedelta(minutes=59)) == 2
    )
    assert throttle_count("essai", "192.0.2.1", window=3600, now=noon + dt.timedelta(hours=1)) == 1
    assert throttle_count("essai", None, window=3600, now=noon) == 1  # unknown address
    assert throttle_counters_purge(now=noon + dt.timedelta(hours=1, minutes=1)) == 2
    assert list(ThrottleCounter.objects.values_list("window_start", "count")) == [
        (noon + dt.timedelta(hours=1), 1)
    ]


@pytest.mark.django_db
def test_the_database_cache_has_its_table_from_the_migrations():
    """``CACHES`` points at Django's database cache outside the tests: its table comes
    with ``migrate`` (make run, make serve, CI), no ``createcachetable`` needed."""
    from django.conf import settings

    assert "soutien_cache" in connection.introspection.table_names()
    database_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "soutien_cache",
        }
    }
    with override_settings(CACHES=database_cache):
        cache = caches["default"]
        cache.set("soutien:essai", 41, timeout=60)
        assert cache.incr("soutien:essai") == 42
    assert settings.CACHES != database_cache  # the tests keep a per-process cache


def test_the_platform_uses_the_database_cache():
    from config.settings import base

    assert base.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert base.CACHES["default"]["LOCATION"] == "soutien_cache"
