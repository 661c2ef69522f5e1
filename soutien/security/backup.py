"""Backup and restore of the whole platform: database rows and private files.

The database goes into engine-neutral JSON (Django's serialisers, primary keys kept),
so a backup taken on SQLite restores on PostgreSQL and back. A manifest lists the row
count of every table, the applied migrations and the SHA-256 of every file; restoring
checks all of it before touching anything, and again after.

The archive (.tar.gz) never reaches the disk in clear: it is streamed through AES-256-GCM
in chunks, under a key that lives outside the archive (``SOUTIEN_BACKUP_KEY``, see
docs/sauvegardes.md). Every chunk is authenticated, numbered, and the last one is marked,
so a changed byte, a removed, reordered or added chunk, a truncated file or another key
is refused before any row is touched. Whole-message schemes (Fernet) would hold the
whole archive, private files included, in memory; chunks keep memory constant.

Container layout (version 1)::

    header  = MAGIC (15 bytes) | version (1) | chunk size (4, big-endian)
              | key id (8) | salt (32)
    chunk i = AES-GCM(archive key, nonce = i (11 bytes) | last (1), plaintext,
                      associated data = header)

The archive key is HKDF-SHA256(master key, salt): a fresh key for every archive, so
counter nonces never repeat under one key. The key id (also derived from the master key,
one-way) only tells which configured key to try; the header is authenticated with
every chunk.
"""

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import struct
import tarfile
import tempfile
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from soutien.core import clock

FORMAT_VERSION = 1
# Sessions are not worth restoring: everybody signs in again after a restore.
EXCLUDED_MODELS = {"sessions.Session"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive is unusable or does not match the target; nothing was changed."""


# --- Keys -------------------------------------------------------------------------

KEY_BYTES = 32
NEW_KEY_HINT = "« manage.py backup --new-key » en génère une"


def new_key() -> str:
    """A fresh backup key, as ``SOUTIEN_BACKUP_KEY`` expects it (URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupError(
            f"{name} n'est pas une clé de sauvegarde valide (32 octets en base64) : {NEW_KEY_HINT}."
        )
    return key


def _hkdf(key: bytes, *, info: bytes, length: int, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key)


def current_key() -> bytes:
    """The key new backups are encrypted with.

    ``SOUTIEN_BACKUP_KEY`` is required, except with DEBUG on (development), where a key
    derived from SECRET_KEY stands in: never in production, where SECRET_KEY may change
    and must not be what protects the backups."""
    configured = getattr(settings, "SOUTIEN_BACKUP_KEY", "")
    if configured:
        return _decode_key(configured, "SOUTIEN_BACKUP_KEY")
    if settings.DEBUG:
        return _hkdf(
            settings.SECRET_KEY.encode("utf-8"), info=b"soutien-backup dev key", length=KEY_BYTES
        )
    raise BackupError(
        "La clé de sauvegarde n'est pas définie : donnez-la dans la variable "
        f"d'environnement SOUTIEN_BACKUP_KEY ({NEW_KEY_HINT} ; voir docs/sauvegardes.md)."
    )


def known_keys() -> list[bytes]:
    """Keys a backup may be restored with: the current one, then the former ones
    (``SOUTIEN_BACKUP_OLD_KEYS``, kept after a rotation to read older archives)."""
    keys = [current_key()]
    for position, text in enumerate(getattr(settings, "SOUTIEN_BACKUP_OLD_KEYS", []), 1):
        keys.append(_decode_key(text, f"SOUTIEN_BACKUP_OLD_KEYS (clé n° {position})"))
    return keys


def key_id(key: bytes) -> bytes:
    """Eight bytes naming a key without revealing it (one-way derivation)."""
    return _hkdf(key, info=b"soutien-backup v1 key id", length=8)


# --- Encrypted container -------------------------------------------------------------

MAGIC = b"SOUTIEN-BACKUP\x00"
CONTAINER_VERSION = 1
ENCRYPTION_CHUNK = 1024 * 1024
MAX_ENCRYPTION_CHUNK = 64 * 1024 * 1024
SALT_BYTES = 32
TAG_BYTES = 16
_HEADER = struct.Struct(f">{len(MAGIC)}sBI8s{SALT_BYTES}s")

TAMPERED = (
    "La sauvegarde a été modifiée ou abîmée (son authentification échoue) : "
    "restauration refusée, rien n'a été changé."
)
TRUNCATED = (
    "La sauvegarde est incomplète (fichier tronqué) : restauration refusée, rien n'a été changé."
)


def _archive_cipher(key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(_hkdf(key, info=b"soutien-backup v1 archive key", length=32, salt=salt))


def _nonce(counter: int, *, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """File-like sink: encrypts what is written to it into ``raw``, chunk by chunk.
    Call ``finish()`` once at the end (it seals the last chunk)."""

    def __init__(self, raw, key: bytes, *, chunk_size: int | None = None):
        self._raw = raw
        self._chunk = chunk_size or ENCRYPTION_CHUNK
        salt = secrets.token_bytes(SALT_BYTES)
        self._header = _HEADER.pack(MAGIC, CONTAINER_VERSION, self._chunk, key_id(key), salt)
        self._cipher = _archive_cipher(key, salt)
        self._buffer = bytearray()
        self._counter = 0
        raw.write(self._header)

    def write(self, data) -> int:
        self._buffer += data
        # Strictly more than a chunk: the last chunk stays buffered until finish().
        while len(self._buffer) > self._chunk:
            self._seal(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def finish(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        nonce = _nonce(self._counter, last=last)
        self._raw.write(self._cipher.encrypt(nonce, plaintext, self._header))
        self._counter += 1


class DecryptingReader:
    """File-like source: reads an encrypted container from ``raw`` and gives back the
    plaintext, each chunk only once authenticated. ``finish()`` checks that the last
    chunk was reached and nothing follows it (tar readers may stop before the end)."""

    def __init__(self, raw, keys: list[bytes]):
        self._raw = raw
        header = raw.read(_HEADER.size)
        if len(header) != _HEADER.size or not header.startswith(MAGIC):
            raise BackupError(
                "Ce fichier n'est pas une sauvegarde chiffrée de Soutien : restauration "
                "refusée (les anciennes archives .tar.gz en clair ne sont plus acceptées)."
            )
        _magic, version, chunk, kid, salt = _HEADER.unpack(header)
        if version != CONTAINER_VERSION:
            raise BackupError(f"Version de sauvegarde chiffrée inconnue : {version}.")
        if not 0 < chunk <= MAX_ENCRYPTION_CHUNK:
            raise BackupError(TAMPERED)
        key = next((key for key in keys if secrets.compare_digest(key_id(key), kid)), None)
        if key is None:
            raise BackupError(
                "Cette sauvegarde a été chiffrée avec une autre clé que SOUTIEN_BACKUP_KEY "
                "(et que SOUTIEN_BACKUP_OLD_KEYS) : restauration refusée."
            )
        self._header = header
        self._cipher = _archive_cipher(key, salt)
        self._sealed_size = chunk + TAG_BYTES
        self._counter = 0
        self._done = False
        self._plain = b""
        self._position = 0
        self._next = self._read_sealed()

    def _read_sealed(self) -> bytes:
        data = bytearray()
        while len(data) < self._sealed_size:
            block = self._raw.read(self._sealed_size - len(data))
            if not block:
                break
            data += block
        return bytes(data)

    def _open_next(self) -> bytes:
        sealed, self._next = self._next, self._read_sealed()
        last = not self._next
        try:
            plaintext = self._cipher.decrypt(_nonce(self._counter, last=last), sealed, self._header)
        except InvalidTag:
            raise BackupError(TRUNCATED if last and self._opens(sealed) else TAMPERED) from None
        self._counter += 1
        self._done = last
        return plaintext

    def _opens(self, sealed: bytes) -> bool:
        """Whether ``sealed`` is a valid chunk that is not the last one (a cut file)."""
        try:
            self._cipher.decrypt(_nonce(self._counter, last=False), sealed, self._header)
        except InvalidTag:
            return False
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (everything left if negative); b"" at the end."""
        if size < 0:
            parts = [self._plain[self._position :]]
            self._plain, self._position = b"", 0
            while not self._done:
                parts.append(self._open_next())
            return b"".join(parts)
        if self._position == len(self._plain):
            if self._done:
                return b""
            self._plain, self._position = self._open_next(), 0
        data = self._plain[self._position : self._position + size]
        self._position += len(data)
        return data

    def finish(self) -> None:
        while not self._done:
            self._open_next()


def _create_private_file(path: Path) -> int:
    """A new file only its owner can read, created so (never chmod-ed afterwards)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags, 0o600)


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
    info.mtime = int(clock.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, path: Path) -> dict:
    """Write a consistent, encrypted backup to ``path`` and return its manifest.

    The rows are read in one transaction that sees a single snapshot (REPEATABLE READ
    on PostgreSQL; SQLite's write lock holds writers back meanwhile). The file is
    written beside ``path`` with mode 0600 and renamed into place once complete."""
    path = Path(path)
    key = current_key()  # before any work: no key, no backup
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
        "created_at": clock.now().isoformat(),
        "database_vendor": connection.vendor,
        "database_sha256": hashlib.sha256(database).hexdigest(),
        "counts": counts,
        "migrations": migrations,
        "files": files,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partiel")
    try:
        _write_archive(partial, key=key, manifest=manifest, database=database, root=root)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Impossible d'écrire la sauvegarde dans {path} : {error}.") from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _write_archive(partial: Path, *, key: bytes, manifest: dict, database: bytes, root: Path):
    with os.fdopen(_create_private_file(partial), "wb") as raw:
        sink = EncryptingWriter(raw, key)
        with tarfile.open(fileobj=sink, mode="w|gz") as archive:
            _add_bytes(
                archive,
                "manifest.json",
                json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"),
            )
            _add_bytes(archive, "database.json", database)
            for relative in manifest["files"]:
                archive.add(root / relative, arcname=f"files/{relative}", recursive=False)
        sink.finish()
        raw.flush()
        os.fsync(raw.fileno())


def _unpack(path: Path, into: Path) -> dict:
    """Decrypt and extract the archive into ``into``; BackupError if anything is off."""
    keys = known_keys()
    if not path.is_file():
        raise BackupError(f"Sauvegarde introuvable : {path}.")
    try:
        with path.open("rb") as raw:
            source = DecryptingReader(raw, keys)
            with tarfile.open(fileobj=source, mode="r|gz") as archive:
                archive.extractall(into, filter="data")
            source.finish()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
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
    return f"soutien-{dt.datetime.now(tz=dt.UTC):%Y%m%d-%H%M%S}.tar.gz.enc"
