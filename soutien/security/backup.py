"""Backup and restore of the whole platform: database rows and private files.

The database goes into engine-neutral JSON (Django's serialisers, primary keys kept),
so a backup taken on SQLite restores on PostgreSQL and back. A manifest lists the row
count of every table, the applied migrations and the SHA-256 of every file; restoring
checks all of it before touching anything, and again after.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT_VERSION = 1
# Sessions are not worth restoring: everybody signs in again after a restore.
EXCLUDED_MODELS = {"sessions.Session"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive is unusable or does not match the target; nothing was changed."""


def backed_up_models():
    """Every table the backup covers (auto-created many-to-many tables included)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label not in EXCLUDED_MODELS
    ]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in backed_up_models()}


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def files_root() -> Path:
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError(
            "Les fichiers privés ne sont pas sur le disque local : sauvegardez-les avec "
            "l'outil de votre stockage objet."
        )
    return Path(default_storage.location)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_checksums(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, path: Path) -> dict:
    """Write a consistent backup to ``path`` (.tar.gz) and return its manifest.

    The rows are read in one transaction that sees a single snapshot (REPEATABLE READ
    on PostgreSQL; SQLite's write lock holds writers back meanwhile)."""
    path = Path(path)
    root = files_root()
    labels = [model._meta.label for model in backed_up_models() if not model._meta.auto_created]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        dump = io.StringIO()
        call_command(
            "dumpdata", *labels, format="json", all=True, indent=None, stdout=dump, verbosity=0
        )
        counts = row_counts()
        migrations = applied_migrations()
        files = file_checksums(root)
    database = dump.getvalue().encode("utf-8")
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "database_sha256": hashlib.sha256(database).hexdigest(),
        "counts": counts,
        "migrations": migrations,
        "files": files,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        _add_bytes(
            archive,
            "manifest.json",
            json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"),
        )
        _add_bytes(archive, "database.json", database)
        for relative in files:
            archive.add(root / relative, arcname=f"files/{relative}", recursive=False)
    return manifest


def _unpack(path: Path, into: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Archive illisible : {error}") from error
    try:
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("Archive sans manifeste lisible.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Format de sauvegarde inconnu : {manifest.get('format')}.")
    return manifest


def _check_archive(manifest: dict, unpacked: Path) -> None:
    database = unpacked / "database.json"
    if not database.exists() or sha256_file(database) != manifest["database_sha256"]:
        raise BackupError("La base de données de l'archive ne correspond pas à son empreinte.")
    found = file_checksums(unpacked / "files")
    if found != manifest["files"]:
        bad = sorted(
            name
            for name in set(found) | set(manifest["files"])
            if found.get(name) != manifest["files"].get(name)
        )
        raise BackupError(f"Fichiers absents ou altérés dans l'archive : {', '.join(bad[:5])}.")


def backup_restore(*, path: Path) -> dict:
    """Replace the database rows and the private files by those of a backup.

    Everything is checked first (checksums, same migrations as this installation);
    the rows are replaced in one transaction, then counts and file checksums are
    compared with the manifest. Returns the manifest."""
    root = files_root()
    with tempfile.TemporaryDirectory(prefix="soutien-restore-") as tmp:
        unpacked = Path(tmp)
        manifest = _unpack(Path(path), unpacked)
        _check_archive(manifest, unpacked)
        if manifest["migrations"] != applied_migrations():
            raise BackupError(
                "Les migrations de cette installation diffèrent de celles de la sauvegarde : "
                "appliquez d'abord les mêmes migrations (manage.py migrate)."
            )
        with transaction.atomic():
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            call_command("loaddata", str(unpacked / "database.json"), verbosity=0)
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        source = unpacked / "files"
        if source.exists():
            shutil.copytree(source, root, dirs_exist_ok=True)
    counts = row_counts()
    if counts != manifest["counts"]:
        diff = sorted(k for k in counts if counts[k] != manifest["counts"].get(k))
        raise BackupError(f"Nombre de lignes différent après restauration : {', '.join(diff)}.")
    if file_checksums(root) != manifest["files"]:
        raise BackupError("Fichiers différents après restauration.")
    return manifest


def default_backup_name() -> str:
    return f"soutien-{dt.datetime.now(tz=dt.UTC):%Y%m%d-%H%M%S}.tar.gz"
