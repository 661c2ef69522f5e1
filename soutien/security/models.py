"""Counters of the rate limits, in the database so that every server process shares them."""

from django.db import models


class ThrottleCounter(models.Model):
    """How many attempts one client (``key``: an address, an account) made in one window
    of a rate limit (``scope``). One row per window; expired rows are purged."""

    scope = models.CharField("limite", max_length=40)
    key = models.CharField("client", max_length=100)
    window_start = models.DateTimeField("début de la fenêtre")
    expires_at = models.DateTimeField("fin de la fenêtre", db_index=True)
    count = models.PositiveIntegerField("tentatives", default=0)

    # The key is a client address or an account: personal, deleted with its window.
    PERSONAL_FIELDS = ("key",)
    OTHER_FIELDS = ("scope",)

    class Meta:
        verbose_name = "compteur de limite"
        verbose_name_plural = "compteurs de limite"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="throttle_counter_one_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} : {self.count}"
