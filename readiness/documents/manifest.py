"""The typed entries of a draft's `manifest.json`, and the upgrade of older manifests.

Format 2 lists every document the build wrote, the readiness report and the implementation plan
included, each with its attachments (charts, the plan's CSV).  Format 1 manifests (builds made
before the report and the plan were pack documents) listed those two under `extras`, with the
attachments among their `names`; `upgrade` reads them as format 2, so `diff` compares an old
build's report with a new one's instead of calling it added.

Each document lists its redlines (`redlines`: the DOCX with the changes against an older version as
tracked changes, in the version's `redlines/` folder); manifests written before redlines have none.
"""
from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from readiness.kernel.models import StrictVerbatim

MANIFEST_FORMAT = 2
DOCUMENT_FORMATS = ("md", "docx")


class _Entry(StrictVerbatim):
    """A manifest's entries: unknown keys refused, text kept as written."""


class ManifestAttachment(_Entry):
    kind: str = Field(description="radar_chart, timeline_chart or plan_csv (as pack.yaml declares it).")
    name: str = Field(description="File name in the version folder.")
    sha256: str


class ManifestRedline(_Entry):
    against: int = Field(description="The older version this document is compared with.")
    name: str = Field(description="Path in the version folder, e.g. redlines/mou-v001-to-v002.docx.")
    sha256: str


class ManifestDocument(_Entry):
    id: str
    title: str
    copy_of: Optional[str] = Field(None, description="For one copy of a pack.yaml `for_each` document (the general "
                                   "order of one agency): that document's id, e.g. general_order.")
    audience: Optional[str] = None
    names: dict[str, str] = Field(default_factory=dict, description="Format (md, docx) -> file name.")
    files: dict[str, str] = Field(default_factory=dict, description="Format -> SHA-256 of the file.")
    attachments: list[ManifestAttachment] = Field(default_factory=list)
    open_items: list[dict[str, Any]] = Field(default_factory=list)
    redlines: list[ManifestRedline] = Field(default_factory=list, description="DOCX files showing the changes "
                                            "from an older version as tracked changes.")


_FORMAT_1_KINDS = {("readiness_report", "png"): "radar_chart", ("implementation_plan", "png"): "timeline_chart",
                   ("implementation_plan", "csv"): "plan_csv"}


def _upgrade_extra(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry
    names = given if isinstance(given := entry.get("names"), dict) else {}
    files = found if isinstance(found := entry.get("files"), dict) else {}
    doc_id = str(entry.get("id"))
    attachments = [{"kind": _FORMAT_1_KINDS.get((doc_id, fmt), fmt), "name": name, "sha256": files.get(fmt, "")}
                   for fmt, name in names.items() if fmt not in DOCUMENT_FORMATS]
    return {**entry, "names": {f: n for f, n in names.items() if f in DOCUMENT_FORMATS},
            "files": {f: h for f, h in files.items() if f in DOCUMENT_FORMATS}, "attachments": attachments}


def upgrade(data: dict) -> dict:
    """A format 1 manifest read as format 2: its `extras` (the report, the plan) become documents,
    first, as a format 2 build lists them. Anything else is returned as it is."""
    extras = data.get("extras")
    if data.get("format", 1) != 1 or not isinstance(extras, list) or not isinstance(data.get("documents"), list):
        return data
    upgraded = {k: v for k, v in data.items() if k != "extras"}
    upgraded["documents"] = [_upgrade_extra(e) for e in extras] + list(data["documents"])
    upgraded["format"] = MANIFEST_FORMAT
    return upgraded
