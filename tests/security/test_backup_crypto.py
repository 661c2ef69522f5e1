"""Backups cannot be forged or read by whoever finds them (issue 11, point 7).

The archive is encrypted and authenticated (AES-256-GCM in numbered chunks) with a key
kept outside it; ``restore`` refuses, with a French message and without touching
anything, a forged, altered, cut or foreign archive. Round-trip: test_backup.py."""

import base64
import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from soutien.accounts.models import User
from soutien.security import backup
from soutien.security.backup import (
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    current_key,
    key_id,
)
from tests.factories import MembershipFactory

OTHER_KEY = base64.urlsafe_b64encode(b"another-key-for-the-tests-32byte").decode()
HEADER = 60  # magic 15 + version 1 + chunk size 4 + key id 8 + salt 32
CHUNK = 512
SEALED = CHUNK + 16

NOT_A_BACKUP = "n'est pas une sauvegarde chiffrée de Soutien"
TAMPERED = "a été modifiée ou abîmée"
TRUNCATED = "est incomplète"
OTHER = "chiffrée avec une autre clé"


@pytest.fixture
def private_root(settings, tmp_path):
    root = tmp_path / "prive"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def small_chunks(monkeypatch):
    """Archives of many chunks, so that chunk boundaries can be cut and reordered."""
    monkeypatch.setattr(backup, "ENCRYPTION_CHUNK", CHUNK)


def make_backup(tmp_path: Path, name: str = "sauvegarde.tar.gz.enc") -> Path:
    archive = tmp_path / name
    call_command("backup", str(archive), stdout=io.StringIO())
    return archive


def decrypt(data: bytes, keys: list[bytes]) -> bytes:
    source = DecryptingReader(io.BytesIO(data), keys)
    plaintext = source.read()
    source.finish()
    return plaintext


def encrypt(plaintext: bytes, key: bytes, chunk_size: int | None = None) -> bytes:
    out = io.BytesIO()
    sink = EncryptingWriter(out, key, chunk_size=chunk_size)
    sink.write(plaintext)
    sink.finish()
    return out.getvalue()


def refused(archive: Path, message: str) -> None:
    """``restore`` refuses the archive with ``message`` and changes nothing."""
    users = sorted(User.objects.values_list("email", "is_superuser", "password"))
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    assert sorted(User.objects.values_list("email", "is_superuser", "password")) == users


def forged_superuser_tar(archive: Path, email: str) -> bytes:
    """The archive's .tar.gz with ``email`` made superuser and the SHA-256 recomputed."""
    with archive.open("rb") as raw:
        plain = DecryptingReader(raw, [current_key()]).read()
    members = {}
    with tarfile.open(fileobj=io.BytesIO(plain)) as source:
        for member in source.getmembers():
            members[member.name] = source.extractfile(member).read()
    rows = json.loads(members["database.json"])
    (row,) = [r for r in rows if r["model"] == "accounts.user" and r["fields"]["email"] == email]
    row["fields"]["is_superuser"] = row["fields"]["is_staff"] = True
    members["database.json"] = json.dumps(rows).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["database_sha256"] = hashlib.sha256(members["database.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as target:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out.getvalue()


# --- Forgery ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_forged_superuser_with_recomputed_checksum_is_refused(tmp_path, private_root):
    """The attack of the issue: edit database.json, recompute its SHA-256 in the
    manifest. Without the key, the forger can only write it in clear, encrypt it with
    a key of theirs, or graft the real header on it: all three are refused."""
    MembershipFactory(user__email="intrus@exemple.test")
    archive = make_backup(tmp_path)
    forged = forged_superuser_tar(archive, "intrus@exemple.test")

    in_clear = tmp_path / "en-clair.tar.gz"
    in_clear.write_bytes(forged)
    refused(in_clear, NOT_A_BACKUP)

    own_key = tmp_path / "autre-cle.tar.gz.enc"
    own_key.write_bytes(encrypt(forged, base64.urlsafe_b64decode(OTHER_KEY)))
    refused(own_key, OTHER)

    grafted = tmp_path / "greffee.tar.gz.enc"
    body = own_key.read_bytes()[HEADER:]
    grafted.write_bytes(archive.read_bytes()[:HEADER] + body)
    refused(grafted, TAMPERED)

    assert not User.objects.get(email="intrus@exemple.test").is_superuser


# --- Alteration, truncation, reordering ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_flipped_byte_anywhere_is_refused(tmp_path, private_root, small_chunks):
    MembershipFactory()
    archive = make_backup(tmp_path)
    data = archive.read_bytes()
    assert len(data) > HEADER + 3 * SEALED  # several chunks
    expected = {
        0: NOT_A_BACKUP,  # magic
        15: "Version de sauvegarde chiffrée inconnue",
        16: TAMPERED,  # chunk size (out of bounds)
        19: TAMPERED,  # chunk size (chunks no longer line up)
        20: OTHER,  # key id
        40: TAMPERED,  # salt
        HEADER: TAMPERED,  # first ciphertext byte
        HEADER + SEALED - 1: TAMPERED,  # first chunk's tag
        HEADER + 2 * SEALED + 100: TAMPERED,  # a middle chunk
        len(data) - 1: TAMPERED,  # last chunk's tag
    }
    for position, message in expected.items():
        altered = bytearray(data)
        altered[position] ^= 0xFF
        target = tmp_path / f"octet-{position}.tar.gz.enc"
        target.write_bytes(bytes(altered))
        refused(target, message)


@pytest.mark.django_db(transaction=True)
def test_a_truncated_archive_is_refused(tmp_path, private_root, small_chunks):
    MembershipFactory()
    data = make_backup(tmp_path).read_bytes()
    cuts = {
        0: NOT_A_BACKUP,
        HEADER - 1: NOT_A_BACKUP,
        HEADER: TAMPERED,  # header alone: not even an empty last chunk
        HEADER + SEALED: TRUNCATED,  # at a chunk boundary
        HEADER + 2 * SEALED: TRUNCATED,
        HEADER + 2 * SEALED + 10: TAMPERED,  # inside a chunk
        len(data) - 1: TAMPERED,
    }
    for length, message in cuts.items():
        target = tmp_path / f"coupee-{length}.tar.gz.enc"
        target.write_bytes(data[:length])
        refused(target, message)


@pytest.mark.django_db(transaction=True)
def test_removed_swapped_or_added_chunks_are_refused(tmp_path, private_root, small_chunks):
    MembershipFactory()
    data = make_backup(tmp_path).read_bytes()
    header, body = data[:HEADER], data[HEADER:]
    chunks = [body[i : i + SEALED] for i in range(0, len(body), SEALED)]
    assert len(chunks) >= 4
    variants = {
        "sans-le-deuxieme": [chunks[0], *chunks[2:]],
        "echangees": [chunks[1], chunks[0], *chunks[2:]],
        "doublee": [chunks[0], *chunks],
        "ajout-a-la-fin": [*chunks, b"donnees ajoutees"],
        "derniere-repetee": [*chunks, chunks[-1]],
    }
    for name, parts in variants.items():
        target = tmp_path / f"{name}.tar.gz.enc"
        target.write_bytes(header + b"".join(parts))
        refused(target, TAMPERED)


@given(payload=st.binary(max_size=2000), data=st.data())
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_container_refuses_any_single_byte_change(payload, data):
    key = base64.urlsafe_b64decode(OTHER_KEY)
    sealed = encrypt(payload, key, chunk_size=256)
    assert decrypt(sealed, [key]) == payload
    position = data.draw(st.integers(0, len(sealed) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    altered = bytearray(sealed)
    altered[position] ^= flip
    with pytest.raises(BackupError):
        decrypt(bytes(altered), [key])


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 512, 1000])
def test_container_round_trip_at_chunk_edges(size):
    key = base64.urlsafe_b64decode(OTHER_KEY)
    payload = bytes(range(256)) * 4
    payload = payload[:size]
    sealed = encrypt(payload, key, chunk_size=256)
    # One chunk per started 256 bytes, at least one (the last), each with its tag.
    assert len(sealed) == HEADER + max(1, -(-size // 256)) * 16 + size
    assert decrypt(sealed, [key]) == payload


# --- Keys ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_with_another_key_is_refused(tmp_path, private_root, settings):
    MembershipFactory()
    settings.SOUTIEN_BACKUP_KEY = OTHER_KEY
    archive = make_backup(tmp_path)
    settings.SOUTIEN_BACKUP_KEY = base64.urlsafe_b64encode(b"x" * 32).decode()
    refused(archive, OTHER)


@pytest.mark.django_db(transaction=True)
def test_after_a_rotation_the_former_key_still_reads_older_backups(
    tmp_path, private_root, settings
):
    MembershipFactory(user__email="avant@exemple.test")
    settings.SOUTIEN_BACKUP_KEY = OTHER_KEY
    archive = make_backup(tmp_path)
    new = base64.urlsafe_b64encode(b"n" * 32).decode()
    settings.SOUTIEN_BACKUP_KEY = new
    settings.SOUTIEN_BACKUP_OLD_KEYS = [OTHER_KEY]
    User.objects.filter(email="avant@exemple.test").delete()
    assert not User.objects.filter(email="avant@exemple.test").exists()
    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    assert User.objects.filter(email="avant@exemple.test").exists()
    # New backups use the new key only.
    newer = make_backup(tmp_path, "nouvelle.tar.gz.enc")
    assert newer.read_bytes()[20:28] == key_id(base64.urlsafe_b64decode(new))


@pytest.mark.django_db(transaction=True)
def test_without_debug_the_key_is_required(tmp_path, private_root, settings):
    archive = make_backup(tmp_path)
    settings.SOUTIEN_BACKUP_KEY = ""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="La clé de sauvegarde n'est pas définie"):
        call_command("backup", str(tmp_path / "sans-cle.tar.gz.enc"), stdout=io.StringIO())
    assert not (tmp_path / "sans-cle.tar.gz.enc").exists()
    refused(archive, "La clé de sauvegarde n'est pas définie")


@pytest.mark.django_db(transaction=True)
def test_with_debug_a_key_derived_from_secret_key_stands_in(tmp_path, private_root, settings):
    settings.SOUTIEN_BACKUP_KEY = ""
    settings.DEBUG = True
    archive = make_backup(tmp_path)
    derived = current_key()
    assert archive.read_bytes()[20:28] == key_id(derived)
    settings.SECRET_KEY = "another-development-secret"
    refused(archive, OTHER)


def test_a_malformed_key_gets_a_french_message(settings, tmp_path):
    settings.SOUTIEN_BACKUP_KEY = "trop-courte"
    with pytest.raises(CommandError, match="n'est pas une clé de sauvegarde valide"):
        call_command("backup", str(tmp_path / "x.tar.gz.enc"), stdout=io.StringIO())
    settings.SOUTIEN_BACKUP_KEY = OTHER_KEY
    settings.SOUTIEN_BACKUP_OLD_KEYS = ["pas de la base64 !"]
    with pytest.raises(CommandError, match=r"SOUTIEN_BACKUP_OLD_KEYS \(clé n° 1\)"):
        call_command("restore", str(tmp_path / "x.tar.gz.enc"), interactive=False)


def test_new_key_prints_a_fresh_usable_key():
    first, second = io.StringIO(), io.StringIO()
    call_command("backup", new_key=True, stdout=first)
    call_command("backup", new_key=True, stdout=second)
    key = base64.urlsafe_b64decode(first.getvalue().strip())
    assert len(key) == 32
    assert first.getvalue() != second.getvalue()
    assert decrypt(encrypt(b"essai", key), [key]) == b"essai"


# --- What whoever finds the file gets -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_archive_reveals_no_secret(tmp_path, private_root, settings):
    """Neither a TOTP secret, a password hash nor an email can be read in the file,
    which is no gzip or tar at all; with the key, they are all there (so the check
    is not vacuous). The key itself is in neither."""
    membership = MembershipFactory(user__email="secrete@exemple.test")
    user = membership.user
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    data = make_backup(tmp_path).read_bytes()
    plain = decrypt(data, [current_key()])
    with tarfile.open(fileobj=io.BytesIO(plain)) as source:
        database = source.extractfile("database.json").read()
    key = current_key()
    secrets_ = [
        device.key.encode(),
        user.password.encode(),
        b"secrete@exemple.test",
    ]
    for secret in secrets_:
        assert secret in database
        assert secret not in data
    assert key not in data and settings.SOUTIEN_BACKUP_KEY.encode() not in data
    assert key not in plain and settings.SOUTIEN_BACKUP_KEY.encode() not in plain
    assert not data.startswith(b"\x1f\x8b")  # no gzip stream in clear
    with pytest.raises(tarfile.ReadError):
        tarfile.open(fileobj=io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_the_archive_is_written_0600_whatever_the_umask(tmp_path, private_root):
    existing = tmp_path / "ancienne.tar.gz.enc"
    existing.write_bytes(b"ancienne sauvegarde")
    existing.chmod(0o644)
    previous = os.umask(0)
    try:
        fresh = make_backup(tmp_path, "nouvelle.tar.gz.enc")
        replaced = make_backup(tmp_path, "ancienne.tar.gz.enc")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(replaced.stat().st_mode) == 0o600
    # Nothing else left beside them (no half-written file).
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "ancienne.tar.gz.enc",
        "nouvelle.tar.gz.enc",
    ]
