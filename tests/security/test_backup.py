"""Backup → wipe → restore gives back every row and every file, byte for byte.

Encryption and authentication of the archive: tests/security/test_backup_crypto.py."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from soutien.audit.selectors import audit_chain_check
from soutien.audit.services import audit_record
from soutien.directory.models import Organisation
from soutien.security.backup import DecryptingReader, EncryptingWriter, current_key
from tests.factories import MembershipFactory, SocialCentreFactory

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    """Rows per table, counted here independently of the backup code."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label != "sessions.Session"
    }


def checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


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


def decrypted(archive: Path) -> io.BytesIO:
    """The plaintext .tar.gz inside an encrypted backup (read with the test key)."""
    with archive.open("rb") as raw:
        source = DecryptingReader(raw, [current_key()])
        return io.BytesIO(source.read())


def encrypt(plaintext: bytes, target: Path) -> None:
    """What someone holding the key could write."""
    with target.open("wb") as raw:
        sink = EncryptingWriter(raw, current_key())
        sink.write(plaintext)
        sink.finish()


def populate():
    for _ in range(3):
        MembershipFactory()
    SocialCentreFactory()
    audit_record(action="case.view", details={"note": "é"})
    default_storage.save("dossiers/rapport.pdf", ContentFile(b"%PDF-1.7 rapport confidentiel"))
    default_storage.save("a.txt", ContentFile(b"fiche d'information"))


def test_backup_wipe_restore_gives_everything_back(tmp_path, private_root):
    populate()
    rows_before, files_before = counts(), checksums(private_root)
    assert rows_before["directory.Membership"] == 3
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    # Wipe: every table emptied, every private file gone.
    call_command("flush", interactive=False, verbosity=0)
    for path in private_root.rglob("*"):
        if path.is_file():
            path.unlink()
    assert Organisation.objects.count() == 0

    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    assert counts() == rows_before
    assert checksums(private_root) == files_before
    assert audit_chain_check().ok
    # Sequences follow the restored rows: new rows get fresh ids.
    MembershipFactory()


def test_restore_refuses_an_altered_archive(tmp_path, private_root):
    populate()
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    # Even an archive re-encrypted with the right key is checked against its manifest.
    plain = io.BytesIO()
    with (
        tarfile.open(fileobj=decrypted(archive)) as source,
        tarfile.open(fileobj=plain, mode="w:gz") as target,
    ):
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/a.txt":
                data = b"falsifie"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    altered = tmp_path / "alteree.tar.gz.enc"
    encrypt(plain.getvalue(), altered)
    rows = counts()
    with pytest.raises(CommandError, match="altérés"):
        call_command("restore", str(altered), interactive=False)
    assert counts() == rows  # nothing touched


def test_manifest_lists_counts_and_checksums(tmp_path, private_root):
    populate()
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(fileobj=decrypted(archive)) as source:
        manifest = json.load(source.extractfile("manifest.json"))
    assert manifest["counts"] == counts()
    assert manifest["files"] == checksums(private_root)
