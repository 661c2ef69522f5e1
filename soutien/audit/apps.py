from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "soutien.audit"
    label = "audit"
    verbose_name = "Journal d’audit"

    def ready(self):
        # Imported once the app registry is ready (they import models): Django's way.
        from axes.signals import user_locked_out

        from soutien.audit import signals

        user_locked_out.connect(signals.record_lockout, dispatch_uid="audit_login_locked")
