"""Each benchmark writes its own section of docs/performance.md, between its markers."""

from pathlib import Path


def write_section(doc: Path, start: str, end: str, section: str) -> None:
    """Replace the text between ``start`` and ``end`` (markers included, ``section``
    starts and ends with them) or add the section at the end of the document."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performances\n\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")
