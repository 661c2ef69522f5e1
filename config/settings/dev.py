"""Local development: DEBUG on, console emails, tasks run immediately (or by the task
worker with SOUTIEN_TASKS=database, as `make run` does)."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env_list

DEBUG = True
SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - dev only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Tasks run at once, unless SOUTIEN_TASKS=database (what `make run` sets): then the task
# worker started beside runserver (db_worker) sends the emails and the daily reminders.
if os.environ.get("SOUTIEN_TASKS") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
