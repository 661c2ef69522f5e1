"""The table of Django's database cache (``CACHES`` in config/settings/base.py), created
by the migrations so that every way of starting the platform (make run, make serve, the
tests, CI on PostgreSQL) has it; ``createcachetable`` is not needed."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "soutien_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("security", "0001_throttle_counters")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
