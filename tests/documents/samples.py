"""Small files of every accepted type, and a corpus of bad ones, made in memory."""

import functools
import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


@functools.cache  # one content per variant: tests compare bytes
def pdf_bytes(*, javascript=False, password=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if javascript:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('x')"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip(entries: list[tuple[str, bytes]], *, stored_first=False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            compress = zipfile.ZIP_STORED if (stored_first and index == 0) else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compress)
    return buffer.getvalue()


MANIFEST = (
    b'<?xml version="1.0"?><manifest:manifest'
    b' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
)
CONTENT = (
    b'<?xml version="1.0"?><office:document-content'
    b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
)


def odf_bytes(kind="text", mimetype=None) -> bytes:
    mimetype = mimetype or f"application/vnd.oasis.opendocument.{kind}"
    return _zip(
        [
            ("mimetype", mimetype.encode()),
            ("META-INF/manifest.xml", MANIFEST),
            ("content.xml", CONTENT),
        ],
        stored_first=True,
    )


def _content_types(main_part: str, content_type: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/>{extra}</Types>'
    ).encode()


def docx_bytes(*, extra_entries=(), content_type=None) -> bytes:
    content_type = content_type or (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    return _zip(
        [
            ("[Content_Types].xml", _content_types("word/document.xml", content_type)),
            ("word/document.xml", b"<w:document/>"),
            *extra_entries,
        ]
    )


def xlsx_bytes() -> bytes:
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    "xl/workbook.xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                ),
            ),
            ("xl/workbook.xml", b"<workbook/>"),
        ]
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(*, width=2, height=2, break_crc=False) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw))
    data += _chunk(b"IEND", b"")
    if break_crc:
        data = data[:20] + bytes([data[20] ^ 0xFF]) + data[21:]
    return data


def jpeg_bytes(*, with_eoi=True) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    data = b"\xff\xd8" + dqt + sof + sos + b"\x12\x34\x56"
    return data + (b"\xff\xd9" if with_eoi else b"")


def zip_bomb_docx(size=8 * 1024 * 1024) -> bytes:
    """A DOCX-looking package whose one entry inflates a thousand times."""
    return docx_bytes(extra_entries=[("word/media/image1.bin", b"\x00" * size)])


GOOD = {
    "rapport.pdf": (pdf_bytes, "application/pdf"),
    "compte-rendu.odt": (lambda: odf_bytes("text"), "application/vnd.oasis.opendocument.text"),
    "budget.ods": (
        lambda: odf_bytes("spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    "statuts.docx": (
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "tresorerie.xlsx": (
        xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "organigramme.png": (png_bytes, "image/png"),
    "photo.jpg": (jpeg_bytes, "image/jpeg"),
}

# name → (content factory, words expected in the French message)
BAD = {
    "executable renamed to PDF": ("facture.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 200, "type"),
    "ELF renamed to DOCX": ("note.docx", lambda: b"\x7fELF" + b"\x00" * 200, "type"),
    "HTML disguised as PDF": (
        "rapport.pdf",
        lambda: b"<!doctype html><html><script>alert(1)</script></html>",
        "type",
    ),
    "SVG disguised as PNG": (
        "logo.png",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "type",
    ),
    "zip bomb disguised as DOCX": ("rapport.docx", zip_bomb_docx, "démesuré"),
    "plain ZIP renamed to DOCX": (
        "archive.docx",
        lambda: _zip([("a.txt", b"hello"), ("b.exe", b"MZ")]),
        "type",
    ),
    "macro-enabled document renamed to DOCX": (
        "macro.docx",
        lambda: docx_bytes(extra_entries=[("word/vbaProject.bin", b"\x00" * 10)]),
        "macros",
    ),
    "ODF with a foreign mimetype": (
        "dessin.odt",
        lambda: odf_bytes(mimetype="application/vnd.oasis.opendocument.graphics"),
        "type",
    ),
    "PDF running JavaScript": ("formulaire.pdf", lambda: pdf_bytes(javascript=True), "JavaScript"),
    "encrypted PDF": ("secret.pdf", lambda: pdf_bytes(password="x"), "mot de passe"),
    "truncated PDF": ("coupe.pdf", lambda: b"%PDF-1.7\n1 0 obj\n<<", "illisible"),
    "PNG with a broken checksum": ("image.png", lambda: png_bytes(break_crc=True), "endommagée"),
    "JPEG cut before its end": ("photo.jpg", lambda: jpeg_bytes(with_eoi=False), "incomplète"),
    "empty file": ("vide.pdf", lambda: b"", "vide"),
    "name with path traversal": ("../../etc/passwd.pdf", pdf_bytes, "chemin"),
    "Windows path traversal": ("..\\..\\boot.pdf", pdf_bytes, "chemin"),
    "name with CRLF (header injection)": (
        "rapport.pdf\r\nSet-Cookie: x=1",
        pdf_bytes,
        "invisibles",
    ),
    "name with a NUL byte": ("rapport.pdf\x00.exe", pdf_bytes, "invisibles"),
}
