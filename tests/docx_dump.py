"""Look inside a DOCX for tests: the normalised dump, plus the raw XML for what a dump hides
(highlighting, repeating header rows, fields, alt text, list numbering).

    python tests/docx_dump.py FILE.docx      # print the dump, handy when writing a golden test
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def part(path: Path, name: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def part_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def xpath(path: Path, expr: str, name: str = "word/document.xml") -> list:
    return part(path, name).xpath(expr, namespaces=NS)


def runs_with_text(path: Path, text: str) -> list[etree._Element]:
    return [r for r in xpath(path, "//w:r") if text in "".join(r.xpath("./w:t/text()", namespaces=NS))]


def stories(path: Path, prefix: str) -> str:
    """All text of the header or footer parts, fields shown as {PAGE}."""
    out = []
    for name in part_names(path):
        if name.startswith(f"word/{prefix}") and name.endswith(".xml"):
            root = part(path, name)
            for fld in root.xpath("//w:fldSimple", namespaces=NS):
                instr = " ".join(str(fld.get(f"{{{NS['w']}}}instr") or "").split())
                fld.clear()
                fld.text = "{" + instr + "}"
            out.append("".join(root.itertext()))
    return "\n".join(out)


if __name__ == "__main__":
    from readiness.documents.docx_writer import dump_docx

    print("\n".join(dump_docx(Path(sys.argv[1]))))
