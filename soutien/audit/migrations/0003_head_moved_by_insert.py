"""The chain's head moves with the insertion of its entry, in the same statement.

A trigger on the entries' table sets the state row of the entry's chain to the new
entry's hash (and ``updated_at`` to its date): appending to the log is two statements
(lock and read the chain's state, insert the entry) instead of three, and the head can
no longer lag behind an inserted entry. The lock taken by the first statement still
serialises the appends to one chain.
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER audit_entry_moves_head AFTER INSERT ON audit_auditentry
BEGIN
    UPDATE audit_auditchainstate
    SET head_hash = NEW.entry_hash, updated_at = NEW.created_at
    WHERE chain = NEW.chain;
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_entry_moves_head;"

POSTGRESQL_CREATE = """
CREATE FUNCTION audit_entry_moves_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_auditchainstate
    SET head_hash = NEW.entry_hash, updated_at = NEW.created_at
    WHERE chain = NEW.chain;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_entry_moves_head AFTER INSERT ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_entry_moves_head();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS audit_entry_moves_head ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_moves_head();
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE)
    else:
        raise NotImplementedError(f"audit: no head trigger for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_per_case"),
    ]

    operations = [migrations.RunPython(create, drop)]
