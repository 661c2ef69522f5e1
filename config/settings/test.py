"""Test settings: fast hashing, in-memory email, immediate tasks, no manifest."""

import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import env_list

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105 - tests only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# A fixed key for the backup tests (DEBUG is off here, as in production).
SOUTIEN_BACKUP_KEY = "dGVzdHMtb25seS1iYWNrdXAta2V5LTMyLWJ5dGVzISE="  # noqa: S105 - tests only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
_private = tempfile.mkdtemp(prefix="soutien-test-private-")
MEDIA_ROOT = _private
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _private},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The suite's autouse ``empty_cache`` fixture clears the cache in tests without database
# access too: keep a per-process cache here (the database cache and its table are tested
# in tests/security/test_shared_throttle.py; rate limits never use the cache).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
