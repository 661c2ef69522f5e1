"""What an uploaded file really is: checked by its content, never by its name.

Accepted: PDF, OpenDocument text and spreadsheet (ODT, ODS), Office Open XML text and
spreadsheet (DOCX, XLSX), PNG and JPEG. Each is recognised by its magic bytes and then
parsed: pypdf for PDF, the ZIP directory and the package's own description
(`mimetype`, `[Content_Types].xml`) for office files, with limits on the uncompressed
size and the compression ratio (zip bombs), and the chunk / segment structure for
PNG and JPEG. Anything else is refused with a French message.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS = {
    PDF: "pdf",
    ODT: "odt",
    ODS: "ods",
    DOCX: "docx",
    XLSX: "xlsx",
    PNG: "png",
    JPEG: "jpg",
}
ACCEPT_ATTRIBUTE = ".pdf,.odt,.ods,.docx,.xlsx,.png,.jpg,.jpeg," + ",".join(EXTENSIONS)

# Office packages: the main part that tells a DOCX from an XLSX.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
OOXML_MACRO_MARKERS = ("macroenabled", "vbaproject")

# Limits against zip bombs (also used for the entries of a PDF? no: pypdf parses lazily).
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_IMAGE_SIDE = 30000


class Rejected(Exception):
    """The file is refused; `message` is shown to the user beside the field (French)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    name: str
    mimetype: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "SOUTIEN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "SOUTIEN_MAX_UNCOMPRESSED_BYTES", 10 * max_upload_bytes()))


def size_fr(size: int) -> str:
    """A size as French users read it: « 23,4 Mo », « 350 ko », « 1 000 octets ».

    One decimal, none when it is zero (« 20 Mo »); units of 1 024 like the limit.
    """
    for unit, factor in (("Mo", 1024 * 1024), ("ko", 1024)):
        if size >= factor:
            text = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{text}\u00a0{unit}"
    return f"{size:,}".replace(",", "\u202f") + "\u00a0octet" + ("s" if size > 1 else "")


def _too_large(size: int, limit: int) -> Rejected:
    """The refusal of a file over the limit, naming its real size."""
    shown, allowed = size_fr(size), size_fr(limit)
    if shown == allowed:  # 20,02 Mo is shown « 20 Mo », like a limit of 20 Mo
        shown = f"un peu plus de {allowed}"
    return Rejected(f"Ce fichier pèse {shown} : la limite est de {allowed}.")


UNKNOWN_TYPE = (
    "Ce fichier n'est pas d'un type accepté : joignez un PDF, un document ODT ou DOCX, "
    "un tableur ODS ou XLSX, ou une image PNG ou JPEG."
)


# --- File names ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0080-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e]")
_UNSAFE = re.compile(r'["`<>|*?:;\\/%$&{}\[\]=+^~#]')


def sanitise_name(name: str, mimetype: str) -> str:
    """A name safe to show and to send back in Content-Disposition.

    Names that try to leave their folder or carry line breaks are refused outright;
    quotes and shell/HTTP-special characters are dropped; the extension always tells
    the detected type (a PDF called « note.exe » is returned as « note.pdf »).
    """
    if not isinstance(name, str):
        name = ""
    name = name.replace("\t", " ")
    if _CONTROL.search(name):
        raise Rejected(
            "Le nom du fichier contient des caractères invisibles (retour à la ligne…) : "
            "renommez-le avant de le joindre."
        )
    parts = re.split(r"[\\/]", name)
    if len(parts) > 1 or ".." in parts or re.match(r"^[a-zA-Z]:", name):
        raise Rejected(
            "Le nom du fichier ne doit pas contenir de chemin (« / », « \\ », « .. ») : "
            "renommez-le avant de le joindre."
        )
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("", name).replace("'", "\u2019")
    name = re.sub(r"\s+", " ", name).strip(" .-")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .-")[:150] or "document"
    return f"{stem}.{EXTENSIONS[mimetype]}"


# --- Content -------------------------------------------------------------------------


def _check_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # Up to 1 KiB of junk before the header is tolerated by readers; nothing else is.
    if b"%PDF-" not in data[:1024]:
        raise Rejected(UNKNOWN_TYPE)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Rejected(
                "Ce PDF est protégé par un mot de passe : joignez une version non protégée."
            )
        pages = len(reader.pages)
        root = reader.trailer["/Root"]
        names = root.get("/Names")
        names = names.get_object() if names is not None else {}
        has_script = "/JavaScript" in names or "/AA" in root
        action = root.get("/OpenAction")
        if action is not None:
            action = action.get_object()
            if isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch"):
                has_script = True
    except Rejected:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, IndexError,
            RecursionError, struct.error, zlib.error):  # fmt: skip
        raise Rejected("Ce PDF est illisible ou endommagé : enregistrez-le à nouveau.") from None
    except Exception:  # pypdf raises many kinds of errors on hostile input
        raise Rejected("Ce PDF est illisible ou endommagé : enregistrez-le à nouveau.") from None
    if pages < 1:
        raise Rejected("Ce PDF ne contient aucune page.")
    if has_script:
        raise Rejected("Ce PDF contient du code exécutable (JavaScript) : il est refusé.")
    return PDF


def _check_png(data: bytes) -> str:
    if len(data) < 8 + 25 + 12:
        raise Rejected("Cette image PNG est incomplète.")
    offset = 8
    seen_ihdr = seen_idat = False
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data) or not kind.isalpha():
            raise Rejected("Cette image PNG est endommagée.")
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : end])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise Rejected("Cette image PNG est endommagée.")
        if not seen_ihdr:
            if kind != b"IHDR" or length != 13:
                raise Rejected("Cette image PNG est endommagée.")
            width, height = struct.unpack(">II", body[:8])
            if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
                raise Rejected("Cette image PNG a des dimensions invalides ou démesurées.")
            seen_ihdr = True
        elif kind == b"IDAT":
            seen_idat = True
        elif kind == b"IEND":
            if not seen_idat:
                raise Rejected("Cette image PNG ne contient aucune image.")
            return PNG
        offset = end
    raise Rejected("Cette image PNG est incomplète.")


def _check_jpeg(data: bytes) -> str:
    if len(data) < 4 or not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise Rejected("Cette image JPEG est incomplète.")
    offset = 2
    seen_frame = False
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            raise Rejected("Cette image JPEG est endommagée.")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2 or offset + 2 + length > len(data):
            raise Rejected("Cette image JPEG est endommagée.")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if length < 8:
                raise Rejected("Cette image JPEG est endommagée.")
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
                raise Rejected("Cette image JPEG a des dimensions invalides ou démesurées.")
            seen_frame = True
        if marker == 0xDA:  # start of scan: entropy-coded data follows until EOI
            if not seen_frame:
                raise Rejected("Cette image JPEG est endommagée.")
            return JPEG
        offset += 2 + length
    raise Rejected("Cette image JPEG est endommagée.")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Decompress one entry, counting real bytes (headers may lie); stop past the budget."""
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            total += len(chunk)
            if total > budget:
                raise Rejected(
                    "Ce document compressé se décompresse en un volume démesuré : il est refusé."
                )
    return total


def _check_zip(data: bytes) -> str:
    bad = Rejected("Ce document bureautique est endommagé ou n'est pas un document accepté.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise bad from None
    if not infos or len(infos) > MAX_ZIP_ENTRIES:
        raise bad
    names = {info.filename for info in infos}
    if len(names) != len(infos):
        raise bad
    bomb = Rejected("Ce document compressé se décompresse en un volume démesuré : il est refusé.")
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Rejected("Ce document est chiffré : joignez une version non protégée.")
        if info.filename.startswith(("/", "\\")) or ".." in re.split(r"[\\/]", info.filename):
            raise bad
        declared += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise bomb
        if any(marker in info.filename.lower() for marker in OOXML_MACRO_MARKERS):
            raise Rejected("Ce document contient des macros : joignez une version sans macro.")
    if declared > max_uncompressed_bytes():
        raise bomb
    budget = max_uncompressed_bytes()
    try:
        for info in infos:
            read = _read_bounded(archive, info, budget)
            compressed = max(info.compress_size, 1)
            if read > RATIO_FLOOR and read > MAX_ZIP_RATIO * compressed:
                raise bomb
            budget -= read
    except Rejected:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError):
        raise bad from None

    if "mimetype" in names:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype in (ODT, ODS) and "META-INF/manifest.xml" in names and "content.xml" in names:
            return mimetype
        raise Rejected(UNKNOWN_TYPE)
    if "[Content_Types].xml" in names:
        content = archive.read("[Content_Types].xml")
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise bad
        try:
            # DTDs and entities are refused above: no entity expansion can happen.
            root = ElementTree.fromstring(content)  # noqa: S314
        except ElementTree.ParseError:
            raise bad from None
        detected = None
        for element in root:
            content_type = (element.get("ContentType") or "").lower()
            if any(marker in content_type for marker in OOXML_MACRO_MARKERS):
                raise Rejected("Ce document contient des macros : joignez une version sans macro.")
            if element.tag.endswith("Override") and content_type in OOXML_MAIN:
                part = (element.get("PartName") or "").lstrip("/")
                if part in names:
                    detected = OOXML_MAIN[content_type]
        if detected:
            return detected
    raise Rejected(UNKNOWN_TYPE)


def detect(data: bytes) -> str:
    """The real type of the content, or Rejected."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _check_jpeg(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data)
    if data.lstrip()[:5] == b"%PDF-" or data.startswith(b"%PDF-"):
        return _check_pdf(data)
    raise Rejected(UNKNOWN_TYPE)


def check_upload(uploaded) -> tuple[Checked, bytes]:
    """Check an uploaded file (Django UploadedFile or any object with name/size/read).

    Returns the checked description and the content. Raises Rejected with a French message.
    """
    limit = max_upload_bytes()
    if uploaded is None:
        raise Rejected("Choisissez un fichier à joindre.")
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise _too_large(size, limit)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:  # the declared size lied: count the rest without keeping it
        size = len(data)
        while chunk := uploaded.read(1024 * 1024):
            size += len(chunk)
        raise _too_large(size, limit)
    if not data:
        raise Rejected("Ce fichier est vide.")
    mimetype = detect(data)
    name = sanitise_name(getattr(uploaded, "name", "") or "", mimetype)
    return Checked(
        name=name, mimetype=mimetype, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    ), data


def validate_upload(uploaded) -> None:
    """Form-field validator for the other screens: raises Django's ValidationError."""
    from django.core.exceptions import ValidationError

    try:
        check_upload(uploaded)
    except Rejected as exc:
        raise ValidationError(exc.message, code="rejected") from None
    finally:
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
