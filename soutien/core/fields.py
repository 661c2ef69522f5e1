"""Model fields that read the platform's clock.

Django's ``auto_now`` and ``auto_now_add`` take the real time (``timezone.now()``), which
the clock cannot set. :class:`ClockDateTimeField` keeps their meaning (not editable,
filled on save) but asks :func:`soutien.core.clock.now`: under ``clock.frozen_at(moment)``
a row created or saved by a service is dated ``moment``, like the service's own dates.
"""

from django.db import models

from soutien.core import clock


class ClockDateTimeField(models.DateTimeField):
    """A ``DateTimeField`` whose ``auto_now`` / ``auto_now_add`` read the clock."""

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
