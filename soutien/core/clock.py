"""The one place the platform asks what time it is.

Services, selectors and tasks call :func:`now` instead of ``timezone.now()``. Loading the
demo data and the test datasets set the clock with :func:`frozen_at`, so that the real
services record a case's events at dates in the past (a case submitted eight months ago,
an opinion given three weeks later) instead of the data being written beside them.

The override lives in a context variable: it only affects the code running inside the
``with`` block, in this thread or task, and never leaks to concurrent requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("soutien_clock_frozen", default=None)


def now() -> dt.datetime:
    """The current moment (aware), or the moment set by :func:`frozen_at`."""
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Make :func:`now` answer ``moment`` inside the block (nestable)."""
    if timezone.is_naive(moment):
        raise ValueError("The clock takes an aware datetime.")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
