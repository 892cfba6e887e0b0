"""The marks a built DOCX carries so that a file coming back from a reviewer can be recognized: Word
custom document properties (File > Info > Properties > Advanced > Custom) naming the tool, the site,
the draft version and the document. Word and LibreOffice keep custom properties when they save, so
`review` can tell this site's drafts from any other Word file.

Only lxml and zipfile here: writing the part into a package is docx_writer's (python-docx) business.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CP = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id every custom property uses

TOOL = "lead-readiness"
# property name -> key in the marks dict
NAMES = {"lead-readiness tool": "tool", "lead-readiness site": "site", "lead-readiness state": "state",
         "lead-readiness version": "version", "lead-readiness document": "document"}


def marks_for(site_name: str, state: str, version: int, document: str) -> dict[str, str]:
    return {"tool": TOOL, "site": site_name, "state": state, "version": str(version), "document": document}


def custom_xml(marks: dict[str, str]) -> bytes:
    """docProps/custom.xml holding the marks as text properties."""
    # lxml takes None for the default namespace; lxml-stubs 0.5 types nsmap's keys as str only
    root = etree.Element(f"{{{CP}}}Properties", nsmap={None: CP, "vt": VT})  # type: ignore[dict-item]
    by_key = {key: name for name, key in NAMES.items()}
    for pid, (key, value) in enumerate(marks.items(), start=2):  # pid 0 and 1 are reserved
        prop = etree.SubElement(root, f"{{{CP}}}property", fmtid=_FMTID, pid=str(pid), name=by_key.get(key, key))
        etree.SubElement(prop, f"{{{VT}}}lpwstr").text = str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def merged_custom_xml(existing: bytes, marks: dict[str, str]) -> bytes:
    """A reference document's own custom properties with the marks set (added or replaced)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(existing, parser)
    except etree.XMLSyntaxError:
        return custom_xml(marks)
    by_key = {key: name for name, key in NAMES.items()}
    names = {by_key.get(k, k) for k in marks}
    for prop in list(root.iter(f"{{{CP}}}property")):
        if prop.get("name") in names:
            prop.getparent().remove(prop)
    pids = [int(p.get("pid", "")) for p in root.iter(f"{{{CP}}}property") if (p.get("pid") or "").isdigit()]
    for pid, (key, value) in enumerate(marks.items(), start=max(pids, default=1) + 1):
        prop = etree.SubElement(root, f"{{{CP}}}property", fmtid=_FMTID, pid=str(pid), name=by_key.get(key, key))
        etree.SubElement(prop, f"{{{VT}}}lpwstr").text = str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def parse_custom(data: bytes) -> dict[str, str]:
    """The marks found in a custom properties part (other properties are ignored)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(data, parser)
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{CP}}}property"):
        key = NAMES.get(prop.get("name", ""))
        if key:
            out[key] = "".join(map(str, prop.itertext())).strip()
    return out


def _read(package: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """A small part, read no further than `limit` whatever its header says; a longer one is none of ours
    (b"" parses as no marks). A damaged part raises zipfile.BadZipFile or zlib.error."""
    with package.open(name) as part:
        data = part.read(limit + 1)
    return data if len(data) <= limit else b""


def read_marks(path: Path) -> dict[str, str]:
    """The marks of a DOCX file; empty when it has none (not made by this tool, or stripped)."""
    with zipfile.ZipFile(path) as package:
        name = CUSTOM_PART
        try:  # where the package's relationships say the part is (Word and LibreOffice keep the name)
            rels = etree.fromstring(_read(package, "_rels/.rels"), etree.XMLParser(resolve_entities=False, no_network=True))
            for rel in rels:
                if rel.get("Type") == CUSTOM_REL and rel.get("Target"):
                    name = (rel.get("Target") or "").lstrip("/")
        except (KeyError, etree.XMLSyntaxError):
            pass
        try:
            data = _read(package, name)
        except KeyError:
            return {}
    try:
        return parse_custom(data)
    except etree.XMLSyntaxError:
        return {}
