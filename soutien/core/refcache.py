"""Reference data kept in each process, as Django keeps its content types.

Some tables are read on every case page but change only through the admin, a migration
or a management command: the fields and their thresholds, the coordination's people and
addresses. ``ProcessCache`` keeps what its loader returns in the process and forgets it
when a row of one of the watched models is saved or deleted (``post_save``,
``post_delete``, ``m2m_changed``), and also after ``max_age`` seconds: a change made
by another process (another gunicorn worker, a shell) is seen by this one after at most
that long, a change made by this process at once.

Only reference data belongs here, never anything decided per user: the policies still
decide who sees it.
"""

import threading
import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

# Every cache made, so that tests can empty them all between tests.
_ALL: list["ProcessCache"] = []


class ProcessCache:
    """A value computed by ``load`` and kept in the process until one of ``models``
    changes or ``max_age`` seconds have passed."""

    def __init__(self, name: str, load: Callable[[], object], *, max_age: float = 60.0):
        self.name = name
        self._load = load
        self.max_age = max_age
        self._lock = threading.Lock()
        self._value = None
        self._loaded_at: float | None = None
        self._generation = 0
        _ALL.append(self)

    def watch(self, *models: type, m2m: Iterable[object] = ()) -> "ProcessCache":
        """Forget the value whenever a row of one of ``models`` (or of one of the
        many-to-many ``through`` tables in ``m2m``) is saved or deleted."""
        for model in models:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)
        for through in m2m:
            m2m_changed.connect(self._changed, sender=through, weak=False)
        return self

    def _changed(self, **kwargs) -> None:
        self.clear()
        # A value reloaded inside the writing transaction (seeing rows that may still
        # roll back) is forgotten again once it commits.
        transaction.on_commit(self.clear, robust=True)

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._loaded_at = None
            self._generation += 1

    def get(self):
        with self._lock:
            if self._loaded_at is not None and time.monotonic() - self._loaded_at < self.max_age:
                return self._value
            generation = self._generation
        value = self._load()
        with self._lock:
            # Keep it only if nothing changed while it was being read.
            if generation == self._generation:
                self._value = value
                self._loaded_at = time.monotonic()
        return value


def clear_all() -> None:
    """Forget every process cache (tests: a rolled-back transaction sends no signal)."""
    for cache in _ALL:
        cache.clear()
