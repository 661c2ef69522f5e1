"""What an uploaded file really is: checked by its content, never by its name.

Accepted: PDF, OpenDocument text and spreadsheet (ODT, ODS), Office Open XML text and
spreadsheet (DOCX, XLSX), PNG and JPEG. Each is recognised by its magic bytes and then
parsed: pypdf for PDF, the ZIP directory and the package's own description
(`mimetype`, `[Content_Types].xml`) for office files, with limits on the uncompressed
size and the compression ratio (zip bombs), and the chunk / segment structure for
PNG and JPEG. Anything else is refused with a French message.

No active content gets through, and each refusal says why:
- PDF: the whole object graph is walked (from the trailer, every object the
  cross-reference tables list, and every object written in the file, object streams and
  earlier revisions included), with a bound. Refused: JavaScript anywhere, Launch,
  SubmitForm, ImportData, GoToR / GoToE, multimedia actions and annotations, embedded
  files, XFA, links other than http(s) / mailto, web addresses opened without a click,
  unknown actions. Ordinary links, bookmarks and jumps inside the document pass.
- ODF: macros and scripts (Basic/, Scripts/, Dialogs/, <script>), event listeners
  (« dom:load »…), applets and plug-ins, OLE objects, DDE, macro or odd-scheme links,
  content loaded from the web or a network share; encrypted parts.
- OOXML: macros, ActiveX, OLE objects, external relationships other than ordinary
  hyperlinks (remote template, mhtml OLE, frames, sub-documents, images, linked
  workbooks), DDE (fields, links, formulas); an embedded package is checked in turn.
- Images: nothing after the end marker (IEND, EOI), no markup in the text-bearing
  parts, and Pillow must open and verify the image as the type found.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
    read_object,
)

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


# PDF: every object is looked at, whatever way it is stored. Three passes share one
# budget: the graph reachable from the trailer (it gives the message its context:
# « action d'ouverture », « lien »…), every object the cross-reference tables list
# (orphans, earlier revisions' numbers), and every « n g obj » written in the file,
# object streams included (objects a repairing reader would find even if no table lists
# them, and earlier incremental updates). The budget counts containers (dictionaries
# and arrays), bytes parsed by the third pass (headers nested in one another would make
# it quadratic) and time: a file past it is refused, never checked for minutes.
MAX_PDF_NODES = 1_000_000
MAX_PDF_SECONDS = 30


class _PdfBudget:
    def __init__(self, data: bytes):

        self.clock = time.monotonic
        self.nodes = MAX_PDF_NODES
        self.bytes = 4 * len(data) + 1024 * 1024
        self.deadline = self.clock() + MAX_PDF_SECONDS

    def spend(self, nodes: int = 1, parsed: int = 0) -> None:
        self.nodes -= nodes
        self.bytes -= parsed
        if self.nodes < 0 or self.bytes < 0 or self.clock() >= self.deadline:
            raise Rejected(PDF_TOO_COMPLEX)


# Every action type of ISO 32000-2, and what happens to it.
PDF_ACTIONS_ALLOWED = {
    "/GoTo",
    "/GoToDp",
    "/Named",
    "/Thread",
    "/SetOCGState",
    "/Trans",
    "/Hide",
    "/ResetForm",
    "/URI",
}
PDF_ACTIONS_REFUSED = {
    "/JavaScript": "Le PDF contient du JavaScript{where} : il est refusé.",
    "/Launch": "Le PDF lance un programme ou ouvre un fichier{where} : il est refusé.",
    "/SubmitForm": (
        "Le PDF envoie des données de formulaire vers l'extérieur{where} : il est refusé."
    ),
    "/ImportData": "Le PDF importe des données depuis un autre fichier{where} : il est refusé.",
    "/GoToR": "Le PDF ouvre un autre fichier{where} : il est refusé.",
    "/GoToE": "Le PDF ouvre un fichier qu'il contient{where} : il est refusé.",
    "/Rendition": "Le PDF lit un contenu multimédia{where} : il est refusé.",
    "/Movie": "Le PDF lit un contenu multimédia{where} : il est refusé.",
    "/Sound": "Le PDF lit un contenu multimédia{where} : il est refusé.",
    "/RichMediaExecute": "Le PDF exécute un contenu multimédia{where} : il est refusé.",
    "/GoTo3DView": "Le PDF contient une scène 3D interactive{where} : il est refusé.",
}
PDF_EMBEDDED = "Le PDF contient des fichiers incorporés{where} : il est refusé."
PDF_MULTIMEDIA = "Le PDF contient un contenu multimédia ou interactif{where} : il est refusé."
PDF_ANNOTATIONS_REFUSED = {
    "/FileAttachment": PDF_EMBEDDED,
    "/RichMedia": PDF_MULTIMEDIA,
    "/Movie": PDF_MULTIMEDIA,
    "/Sound": PDF_MULTIMEDIA,
    "/Screen": PDF_MULTIMEDIA,
    "/3D": PDF_MULTIMEDIA,
}
# Keys whose mere presence is refused, wherever they are.
PDF_KEYS_REFUSED = {
    "/JS": "Le PDF contient du JavaScript{where} : il est refusé.",
    "/JavaScript": "Le PDF contient du JavaScript{where} : il est refusé.",
    "/EmbeddedFiles": PDF_EMBEDDED,
    "/EF": PDF_EMBEDDED,
    "/Collection": PDF_EMBEDDED,
    "/RichMediaContent": PDF_MULTIMEDIA,
    "/XFA": "Le PDF contient un formulaire dynamique XFA : il est refusé.",
}
LINK_SCHEMES = {"http", "https", "mailto"}
PDF_BAD_LINK = (
    "Le PDF contient un lien qui n'est pas une adresse web ou de courriel{where} : il est refusé."
)
PDF_AUTO_LINK = "Le PDF ouvre une adresse internet sans qu'on clique{where} : il est refusé."
PDF_UNKNOWN_ACTION = "Le PDF contient une action inconnue{where} : il est refusé."
PDF_UNREADABLE = "Ce PDF est illisible ou endommagé : enregistrez-le à nouveau."
PDF_TOO_COMPLEX = (
    "Ce PDF est trop complexe pour être vérifié : enregistrez-le à nouveau "
    "(en l'optimisant) ou divisez-le."
)
_PDF_OBJECT_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})\s+([0-9]{1,5})\s+obj\b")


def _pdf_refuse(template: str, where: str):
    raise Rejected(template.format(where=f" ({where})" if where else ""))


def _link_is_ordinary(target) -> bool:
    """A web or mail address (browsers ignore surrounding blanks and inner tabs, so do we)."""
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    text = re.sub(r"[\x00-\x20\x7f]", "", str(target))
    scheme, _, rest = text.partition(":")
    return bool(rest) and scheme.lower() in LINK_SCHEMES


def _pdf_name(value) -> str | None:
    """A name as « /Name »; a string where a name belongs (« (Launch) ») counts as one,
    as lenient readers take it."""

    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, NameObject):
        return str(value)
    if isinstance(value, TextStringObject | ByteStringObject):
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        return "/" + text.strip().lstrip("/")
    return None


def _pdf_check_dict(obj, where: str, automatic: bool) -> None:
    """Refuse one dictionary for what it is (not for what it points to: that is walked)."""
    for key, template in PDF_KEYS_REFUSED.items():
        if key in obj:
            _pdf_refuse(template, where)
    kind = _pdf_name(obj.get("/Type"))
    subtype = _pdf_name(obj.get("/Subtype"))
    if kind == "/EmbeddedFile":
        _pdf_refuse(PDF_EMBEDDED, where)
    if subtype in PDF_ANNOTATIONS_REFUSED and kind in (None, "/Annot"):
        _pdf_refuse(PDF_ANNOTATIONS_REFUSED[subtype], where)
    action = _pdf_name(obj.get("/S"))
    if kind == "/Action" or action in PDF_ACTIONS_ALLOWED or action in PDF_ACTIONS_REFUSED:
        if action in PDF_ACTIONS_REFUSED:
            _pdf_refuse(PDF_ACTIONS_REFUSED[action], where)
        if action not in PDF_ACTIONS_ALLOWED:
            _pdf_refuse(PDF_UNKNOWN_ACTION, where)
        if action == "/URI":
            if automatic:
                _pdf_refuse(PDF_AUTO_LINK, where)
            target = obj.get("/URI")
            if target is not None and hasattr(target, "get_object"):
                target = target.get_object()
            if not _link_is_ordinary(target or ""):
                _pdf_refuse(PDF_BAD_LINK, where)
        if action == "/Thread" and "/F" in obj:
            _pdf_refuse(PDF_ACTIONS_REFUSED["/GoToR"], where)


def _pdf_children(obj, where: str, mode: str):
    """Each child of a dictionary with the context it is reached in.

    `mode` is "aa" for an additional-actions dictionary (each value runs by itself),
    "auto" for an action that runs without a click (and its /Next chain), else "".
    """
    kind = _pdf_name(obj.get("/Type"))
    subtype = _pdf_name(obj.get("/Subtype"))
    for key, value in obj.items():
        if mode == "aa":
            yield value, where, "auto"
        elif key == "/OpenAction":
            yield value, "action d'ouverture", "auto"
        elif key == "/AA":
            if kind == "/Catalog":
                context = "action automatique du document"
            elif kind == "/Page":
                context = "action automatique d'une page"
            elif "/FT" in obj or subtype == "/Widget":
                context = "champ de formulaire"
            else:
                context = "action automatique"
            yield value, context, "aa"
        elif key == "/Next" and mode == "auto":
            yield value, where, "auto"
        elif key == "/Annots":
            yield value, "annotation", ""
        elif key == "/A" and subtype == "/Link":
            yield value, "lien", ""
        elif key in ("/AcroForm", "/Fields"):
            yield value, "champ de formulaire", ""
        elif key == "/Outlines":
            yield value, "signet", ""
        elif key == "/Names":
            yield value, "au niveau du document", ""
        else:
            yield value, where, ""


def _pdf_walk(reader, roots, budget: _PdfBudget, seen: set | None = None) -> None:
    """Depth-first walk without recursion; each indirect object once per mode."""

    seen = set() if seen is None else seen
    stack = list(roots)
    while stack:
        obj, where, mode = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation, mode)
            if key in seen:
                continue
            seen.add(key)
            obj = reader.get_object(obj)
        if isinstance(obj, DictionaryObject):
            budget.spend()
            _pdf_check_dict(obj, where, mode == "auto")
            children = _pdf_children(obj, where, mode)
        elif isinstance(obj, ArrayObject):
            budget.spend()
            children = ((value, where, mode) for value in obj)
        else:
            continue
        for child in children:
            if isinstance(child[0], DictionaryObject | ArrayObject | IndirectObject):
                stack.append(child)


def _pdf_written_objects(reader, data: bytes, budget: _PdfBudget):
    """Every « n g obj » of the file, parsed where it stands, object streams opened.

    A header inside an object already parsed (a stream's bytes, a string) is skipped.
    """

    stream = io.BytesIO(data)
    parsed_until = 0
    for match in _PDF_OBJECT_HEADER.finditer(data):
        if match.start() < parsed_until:
            continue
        start = match.end()
        while start < len(data) and data[start] in b" \t\r\n\x0c\x00":
            start += 1
        stream.seek(start)
        try:
            obj = read_object(stream, reader)
        except Exception:  # noqa: BLE001 - bytes that only look like a header
            budget.spend(parsed=stream.tell() - start)
            continue
        budget.spend(parsed=stream.tell() - start)
        parsed_until = stream.tell()
        yield obj
        if isinstance(obj, StreamObject) and _pdf_name(obj.get("/Type")) == "/ObjStm":
            yield from _pdf_object_stream(reader, obj, budget)


def _pdf_object_stream(reader, obj, budget: _PdfBudget):

    try:
        content = obj.get_data()
        count = int(obj.get("/N", 0))
        first = int(obj.get("/First", 0))
        numbers = content[:first].split()
    except Exception:  # noqa: BLE001 - a stream that cannot be decoded holds no object
        return
    stream = io.BytesIO(content)
    for index in range(min(count, len(numbers) // 2)):
        start = stream.tell()
        try:
            start = first + int(numbers[2 * index + 1])
            stream.seek(start)
            obj = read_object(stream, reader)
        except Exception:  # noqa: BLE001 - a broken entry holds no object
            obj = None
        budget.spend(parsed=max(stream.tell() - start, 0))
        if obj is not None:
            yield obj


def _pdf_listed_objects(reader):

    for generation, table in list(reader.xref.items()):
        for number in list(table):
            yield IndirectObject(number, generation, reader)
    for number in list(reader.xref_objStm):
        yield IndirectObject(number, 0, reader)


def _check_pdf(data: bytes) -> str:

    # Up to 1 KiB of junk before the header is tolerated by readers; nothing else is.
    if b"%PDF-" not in data[:1024]:
        raise Rejected(UNKNOWN_TYPE)
    budget = _PdfBudget(data)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Rejected(
                "Ce PDF est protégé par un mot de passe : joignez une version non protégée."
            )
        pages = len(reader.pages)
        _pdf_walk(reader, [(reader.trailer, "", "")], budget)
        _pdf_walk(reader, [(ref, "", "") for ref in _pdf_listed_objects(reader)], budget)
        seen = set()  # the objects they point to are walked once for them all
        for obj in _pdf_written_objects(reader, data, budget):
            _pdf_walk(reader, [(obj, "", "")], budget, seen)
    except Rejected:
        raise
    except Exception:  # pypdf raises many kinds of errors on hostile input
        raise Rejected(PDF_UNREADABLE) from None
    if pages < 1:
        raise Rejected("Ce PDF ne contient aucune page.")
    return PDF


# Images: the chunk / segment structure is walked to its end marker, nothing may follow
# it (a ZIP or a page appended after IEND makes a polyglot), no markup may hide in the
# parts that carry text (PNG ancillary chunks, inflated; JPEG comments and APPn
# segments), and Pillow must open and verify it as the same format. Pixel data is not
# searched: compressed bytes would match by chance.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed)[\s>/]|<\?php|javascript:", re.I
)
IMAGE_TRAILING = (
    "Cette image {kind} contient des données après sa fin ({marker}), "
    "par exemple un autre fichier caché : elle est refusée."
)
IMAGE_MARKUP = (
    "Cette image {kind} contient du code (HTML ou script) : elle est refusée. "
    "Enregistrez-la à nouveau depuis un logiciel d'images."
)


def _check_image_with_pillow(data: bytes, kind: str) -> None:

    damaged = Rejected(f"Cette image {kind} est endommagée.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != kind:
                    raise damaged
                image.verify()
    except Rejected:
        raise
    except Image.DecompressionBombError:
        raise Rejected(f"Cette image {kind} a des dimensions invalides ou démesurées.") from None
    except Exception:  # Pillow raises many kinds of errors on hostile input
        raise damaged from None


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
        elif kind in (b"tEXt", b"iTXt", b"zTXt"):
            _refuse_markup(_png_text(kind, body), "PNG")
        elif kind not in (b"IEND", b"fdAT"):  # ancillary chunks may carry anything
            _refuse_markup(body, "PNG")
        elif kind == b"IEND":
            if not seen_idat:
                raise Rejected("Cette image PNG ne contient aucune image.")
            if end != len(data):
                raise Rejected(IMAGE_TRAILING.format(kind="PNG", marker="IEND"))
            _check_image_with_pillow(data, "PNG")
            return PNG
        offset = end
    raise Rejected("Cette image PNG est incomplète.")


def _png_text(kind: bytes, body: bytes) -> bytes:
    """The text of a tEXt, zTXt or iTXt chunk, inflated (at most 1 Mio) when compressed."""
    keyword, _, rest = body.partition(b"\x00")
    compressed = kind == b"zTXt" or (kind == b"iTXt" and rest[:1] == b"\x01")
    if kind == b"iTXt":
        rest = rest[2:].split(b"\x00", 2)[-1]  # after the flag, method, language, translation
    elif kind == b"zTXt":
        rest = rest[1:]  # after the method byte
    if not compressed:
        return keyword + b" " + rest
    try:
        return keyword + b" " + zlib.decompressobj().decompress(rest, 1024 * 1024)
    except zlib.error:
        raise Rejected("Cette image PNG est endommagée.") from None


def _refuse_markup(data: bytes, kind: str) -> None:
    if _MARKUP.search(data):
        raise Rejected(IMAGE_MARKUP.format(kind=kind))


_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_scan_end(data: bytes, offset: int) -> int:
    """Where the entropy-coded data starting at `offset` stops: the next real marker."""
    while True:
        offset = data.find(b"\xff", offset)
        if offset < 0 or offset + 1 >= len(data):
            raise Rejected("Cette image JPEG est incomplète.")
        following = data[offset + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
            offset += 2
        elif following == 0xFF:  # fill byte before a marker
            offset += 1
        else:
            return offset


def _check_jpeg(data: bytes) -> str:
    if len(data) < 4:
        raise Rejected("Cette image JPEG est incomplète.")
    offset = 2
    seen_frame = seen_scan = False
    while offset + 2 <= len(data):
        if data[offset] != 0xFF:
            raise Rejected("Cette image JPEG est endommagée.")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker == 0xD9:  # end of image: only padding may follow
            if not seen_scan:
                raise Rejected("Cette image JPEG ne contient aucune image.")
            if data[offset + 2 :].strip(b"\x00"):
                raise Rejected(IMAGE_TRAILING.format(kind="JPEG", marker="EOI"))
            _check_image_with_pillow(data, "JPEG")
            return JPEG
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            offset += 2
            continue
        if offset + 4 > len(data):
            break
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if length < 2 or offset + 2 + length > len(data):
            raise Rejected("Cette image JPEG est endommagée.")
        if marker in _JPEG_FRAMES:
            if length < 8:
                raise Rejected("Cette image JPEG est endommagée.")
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
                raise Rejected("Cette image JPEG a des dimensions invalides ou démesurées.")
            seen_frame = True
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn metadata and comments
            _refuse_markup(data[offset + 4 : offset + 2 + length], "JPEG")
        offset += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data follows until a marker
            if not seen_frame:
                raise Rejected("Cette image JPEG est endommagée.")
            seen_scan = True
            offset = _jpeg_scan_end(data, offset)
    raise Rejected("Cette image JPEG est incomplète.")


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


def _check_zip(data: bytes, depth: int = 0, budget: list[int] | None = None) -> str:
    """An office package; `budget` (bytes left to inflate) is shared with the packages
    embedded in it, so that nesting cannot multiply the work."""
    budget = budget if budget is not None else [max_uncompressed_bytes()]
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
            raise Rejected(MACROS)
    if declared > budget[0]:
        raise bomb
    try:
        for info in infos:
            read = _read_bounded(archive, info, budget[0])
            compressed = max(info.compress_size, 1)
            if read > RATIO_FLOOR and read > MAX_ZIP_RATIO * compressed:
                raise bomb
            budget[0] -= read
    except Rejected:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError):
        raise bad from None

    if "mimetype" in names:
        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
        if mimetype in (ODT, ODS) and "META-INF/manifest.xml" in names and "content.xml" in names:
            _check_odf(archive, infos)
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
                raise Rejected(MACROS)
            if element.tag.endswith("Override") and content_type in OOXML_MAIN:
                part = (element.get("PartName") or "").lstrip("/")
                if part in names:
                    detected = OOXML_MAIN[content_type]
        if detected:
            _check_ooxml(archive, infos, depth, budget)
            return detected
    raise Rejected(UNKNOWN_TYPE)


# --- Active content of office packages -----------------------------------------------

MACROS = "Ce document contient des macros : joignez une version sans macro."
SCRIPTS = "Ce document contient des scripts ou des macros : joignez une version sans macro."
EVENT_MACRO = (
    "Ce document lance une macro sur un événement (« {event} ») : joignez une version sans macro."
)
DDE = (
    "Ce document contient une liaison DDE, qui peut lancer un programme : "
    "joignez une version sans liaison."
)
OLE = "Ce document contient un objet OLE incorporé, qui peut lancer un programme : il est refusé."
ACTIVEX = "Ce document contient des contrôles ActiveX : il est refusé."
APPLET = "Ce document contient un programme incorporé (applet ou module externe) : il est refusé."
BAD_LINK = (
    "Ce document contient un lien qui n'est pas une adresse web ou de courriel : il est refusé."
)
REMOTE = "Ce document charge un contenu distant ({what}) à l'ouverture : il est refusé."
EMBEDDED_REFUSED = "Ce document contient un document incorporé refusé. {reason}"
OOXML_EXTERNAL = {
    "attachedTemplate": "modèle distant",
    "oleObject": "objet OLE distant",
    "frame": "cadre distant",
    "subDocument": "sous-document distant",
    "image": "image distante",
    "externalLinkPath": "lien vers un autre classeur",
    "aFChunk": "contenu importé",
}
SCRIPT_SCHEMES = {"macro", "vnd.sun.star.script", "vnd.sun.star.basic", "javascript", "vbscript"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def _clean_target(target: str) -> str:
    return re.sub(r"[\x00-\x20\x7f]", "", target or "")


def _scheme(target: str) -> str:
    """The scheme of an address, lower case; a drive letter (« C: ») is not one."""
    match = _SCHEME.match(_clean_target(target))
    return match.group(1).lower() if match and len(match.group(1)) > 1 else ""


def _is_unc(target: str) -> bool:
    return _clean_target(target).startswith(("\\\\", "//", "\\/", "/\\"))


_EXECUTABLE = re.compile(
    r"\.(?:exe|com|bat|cmd|scr|pif|msi|msp|cpl|dll|jar|js|jse|vbs|vbe|wsf|wsh|ps1|hta|lnk"
    r"|reg|url|inf|application|appref-ms|library-ms|settingcontent-ms|diagcab|py|sh)$",
    re.I,
)


def _hyperlink_ok(target: str) -> bool:
    """A link one clicks: web or mail address, a place in the document, or a relative
    name of a document (not a program, not a drive letter, not a network share)."""
    cleaned = _clean_target(target)
    if _is_unc(target) or re.match(r"^[A-Za-z]:", cleaned):
        return False
    scheme = _scheme(target)
    if scheme:
        return scheme in LINK_SCHEMES
    return not _EXECUTABLE.search(cleaned.split("#", 1)[0].split("?", 1)[0])


def _is_remote(target: str) -> bool:
    """Loaded from elsewhere than the package or the local disk (web, network share…)."""
    if _is_unc(target):
        return True
    scheme = _scheme(target)
    if scheme == "file":  # a file on this computer, unless it names a host (network share)
        cleaned = _clean_target(target).replace("\\", "/")
        return urlsplit(cleaned).netloc.lower() not in ("", "localhost")
    return bool(scheme)


def _scan_xml(archive, info, handler) -> None:
    """Stream one XML part through expat (no tree, no DTD, no entity) into `handler`."""

    bad = Rejected("Ce document bureautique est endommagé ou n'est pas un document accepté.")

    def refuse(*args):
        raise bad

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = lambda name, attrs: handler.start(
        name.rsplit(" ", 1)[-1], {key.rsplit(" ", 1)[-1]: value for key, value in attrs.items()}
    )
    parser.EndElementHandler = lambda name: handler.end(name.rsplit(" ", 1)[-1])
    parser.CharacterDataHandler = handler.text
    if info.file_size == 0:  # LibreOffice writes an empty Configurations2/…/current.xml
        return
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise bad from None


def _judge_formula(formula: str, *, dde_function: bool) -> None:
    """DDE (« cmd|' /c calc'!A1 » in Excel, « DDE(…) » in LibreOffice) and WEBSERVICE,
    which fetches an address at each recalculation; text in quotes is left aside."""
    code = re.sub(r'"[^"]*"', "", formula)
    if "|" in code or (dde_function and re.search(r"\bDDE\s*\(", code, re.I)):
        raise Rejected(DDE)
    if re.search(r"\bWEBSERVICE\s*\(", code, re.I):
        raise Rejected(REMOTE.format(what="fonction WEBSERVICE"))


class _OdfScan:
    """What an ODF part may not hold: scripts, event listeners, applets, DDE, OLE, remote links."""

    def start(self, local: str, attrs: dict) -> None:
        if local == "encryption-data":  # manifest entry of a password-protected part
            raise Rejected("Ce document est chiffré : joignez une version non protégée.")
        if local == "script":
            raise Rejected(SCRIPTS)
        if local == "event-listener":
            raise Rejected(EVENT_MACRO.format(event=attrs.get("event-name", "?")[:60]))
        if local in ("applet", "plugin"):
            raise Rejected(APPLET)
        if local == "object-ole":
            raise Rejected(OLE)
        if local.startswith("dde-"):
            raise Rejected(DDE)
        if "formula" in attrs:
            _judge_formula(attrs["formula"], dde_function=True)
        href = attrs.get("href")
        if href is None:
            return
        if _scheme(href) in SCRIPT_SCHEMES:
            raise Rejected(SCRIPTS)
        if local == "a":
            if not _hyperlink_ok(href):
                raise Rejected(BAD_LINK)
        elif _is_remote(href):
            raise Rejected(REMOTE.format(what="adresse externe"))

    def end(self, local: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


def _check_odf(archive: zipfile.ZipFile, infos) -> None:
    for info in infos:
        lower = info.filename.lower()
        if re.search(r"(?:^|/)(?:basic|scripts|dialogs)/", lower):  # embedded objects too
            raise Rejected(MACROS)
        if lower.startswith("object") and not lower.rstrip("/").count("/"):
            with archive.open(info) as stream:
                if stream.read(8) == OLE_MAGIC:
                    raise Rejected(OLE)
    # The manifest first: it tells an encrypted part before the part fails to parse.
    for info in sorted(infos, key=lambda info: info.filename != "META-INF/manifest.xml"):
        if info.filename.lower().endswith((".xml", ".rdf")):
            _scan_xml(archive, info, _OdfScan())


class _OoxmlScan:
    """What an OOXML part may not hold: DDE (fields, links, formulas), external relationships."""

    def __init__(self):
        self.fields: list[list] = []  # open complex fields: [code so far, already judged]
        self.collecting: str | None = None
        self.buffer: list[str] = []

    def start(self, local: str, attrs: dict) -> None:
        if local in ("ddeLink", "oleLink"):
            raise Rejected(DDE)
        if local == "Relationship":
            self._relationship(attrs)
        elif local == "fldSimple":
            self._judge_field(attrs.get("instr", ""))
        elif local == "fldChar":
            kind = attrs.get("fldCharType")
            if kind == "begin":
                self.fields.append(["", False])
            elif kind in ("separate", "end") and self.fields:
                field = self.fields[-1]
                if not field[1]:
                    self._judge_field(field[0])
                    field[1] = True
                if kind == "end":
                    self.fields.pop()
        elif local in ("instrText", "f"):
            self.collecting, self.buffer = local, []

    def text(self, data: str) -> None:
        if self.collecting:
            self.buffer.append(data)

    def end(self, local: str) -> None:
        if local != self.collecting:
            return
        text = "".join(self.buffer)
        self.collecting = None
        if local == "instrText":
            if self.fields:
                self.fields[-1][0] += text
            else:
                self._judge_field(text)
        else:
            _judge_formula(text, dde_function=False)

    @staticmethod
    def _judge_field(code: str) -> None:
        words = code.replace('"', " ").split()
        if words and words[0].upper() in ("DDE", "DDEAUTO"):
            raise Rejected(DDE)

    @staticmethod
    def _relationship(attrs: dict) -> None:
        target = attrs.get("Target", "")
        external = attrs.get("TargetMode", "").lower() == "external"
        if not (external or _scheme(target) or _is_unc(target)):
            return
        kind = attrs.get("Type", "").rsplit("/", 1)[-1]
        if kind == "hyperlink":
            if not _hyperlink_ok(target):
                raise Rejected(BAD_LINK)
            return
        raise Rejected(REMOTE.format(what=OOXML_EXTERNAL.get(kind, "ressource externe")))


def _check_ooxml(archive: zipfile.ZipFile, infos, depth: int, budget: list[int]) -> None:
    for info in infos:
        lower = info.filename.lower()
        if "activex" in lower:
            raise Rejected(ACTIVEX)
        if lower.endswith((".docm", ".xlsm", ".pptm", ".dotm", ".xltm", ".potm", ".ppsm")):
            raise Rejected(MACROS)
        if "/embeddings/" not in f"/{lower}":
            continue
        with archive.open(info) as stream:
            head = stream.read(8)
        if head == OLE_MAGIC or lower.endswith(".bin"):
            raise Rejected(OLE)
        if head.startswith(b"PK\x03\x04"):
            if depth >= 1:
                raise Rejected(EMBEDDED_REFUSED.format(reason="Trop de documents imbriqués."))
            try:
                _check_zip(archive.read(info), depth + 1, budget)
            except Rejected as exc:
                raise Rejected(EMBEDDED_REFUSED.format(reason=exc.message)) from None
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            _scan_xml(archive, info, _OoxmlScan())


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

    try:
        check_upload(uploaded)
    except Rejected as exc:
        raise ValidationError(exc.message, code="rejected") from None
    finally:
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
