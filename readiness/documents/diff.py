"""What changed between two draft versions, and why: the answers that changed (from the manifests'
answer snapshots), the documents added or removed, and a unified diff of each document's Markdown.

Every build stamps its own version number and date into the drafts ("DRAFT version 3, generated
..."), so lines that differ only in those stamps count as unchanged; otherwise no two builds would
ever be "the same".
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from readiness.documents import versions
from readiness.documents.facts import date_long
from readiness.errors import WorkspaceError

NO_ANSWER = "(no answer)"


@dataclass
class AnswerChange:
    question: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.question}: {self.old} -> {self.new}"


@dataclass
class DocumentChange:
    id: str
    title: str
    status: str  # changed | unchanged | added | removed
    diff: list[str] = field(default_factory=list)  # unified diff lines of the Markdown
    open_items: tuple[int, int] | None = None  # (old count, new count)
    note: str | None = None


@dataclass
class VersionDiff:
    site: Path
    old: int
    new: int
    answers: list[AnswerChange]
    documents: list[DocumentChange]
    notes: list[str]  # questionnaire, pack or tool versions that changed

    @property
    def identical(self) -> bool:
        return not self.answers and all(d.status == "unchanged" for d in self.documents)


def _site_root(site_root: Path) -> Path:
    from readiness.files import refuse_link_outside

    root = Path(site_root)
    if not (root / "site.yaml").is_file():
        raise WorkspaceError(f"{root} is not a site folder (no site.yaml inside)",
                             hint="give the folder made by `lead-readiness new`")
    refuse_link_outside(versions.drafts_dir(root), root, "drafts folder")
    return root


def pick_versions(site_root: Path, old: str | None, new: str | None) -> tuple[int, int]:
    """Defaults: the two newest versions; one given: it against the newest."""
    present = versions.list_versions(site_root)
    if old is not None and new is not None:
        return versions.parse_version(old), versions.parse_version(new)
    given = old if old is not None else new
    if given is not None:
        if not present:
            raise WorkspaceError(f"{site_root} has no drafts yet", hint=f"build one with: lead-readiness build {site_root}")
        return versions.parse_version(given), present[-1]
    if len(present) < 2:
        have = "no drafts yet" if not present else f"only one draft ({versions.folder_name(present[0])})"
        raise WorkspaceError(f"{site_root} has {have}; diff needs two versions",
                             hint=f"build again after changing answers: lead-readiness build {site_root}")
    return present[-2], present[-1]


def _stamps(manifest: dict, number: int) -> list[tuple[re.Pattern, str]]:
    """Patterns of what a build stamps into its text: its version number and generation date."""
    out = [(re.compile(rf"\b(version|Version|VERSION|v|V)(\s?)0*{number}(?!\d|\.\d)"), r"\1\2N")]
    day = manifest.get("date")
    if isinstance(day, str) and day:
        out.append((re.compile(re.escape(date_long(day))), "DATE"))
        out.append((re.compile(re.escape(day)), "DATE"))
    return out


def _normalise(lines: list[str], stamps) -> list[str]:
    out = []
    for line in lines:
        for pattern, repl in stamps:
            line = pattern.sub(repl, line)
        out.append(line)
    return out


def unified(old_lines: list[str], new_lines: list[str], old_norm: list[str], new_norm: list[str],
            old_name: str, new_name: str, context: int = 2) -> list[str]:
    """A unified diff decided on the normalised lines but showing the real ones."""
    matcher = difflib.SequenceMatcher(None, old_norm, new_norm, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(context))
    if not groups:
        return []
    out = [f"--- {old_name}", f"+++ {new_name}"]
    for group in groups:
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in new_lines[b1:b2]]
                continue
            out += ["-" + line for line in old_lines[a1:a2]]
            out += ["+" + line for line in new_lines[b1:b2]]
    return out


def _markdown(folder: Path, entry: dict) -> list[str] | None:
    name = (entry.get("names") or {}).get("md")
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = folder / name
    if not os.path.lexists(path):
        return None
    from readiness.files import read_text

    # Never a link (it could lead to any file on the machine) nor a FIFO or device: refused, located.
    return read_text(path, "draft Markdown", follow_links=False, kind="Markdown").splitlines()


def _answer_changes(old: dict, new: dict) -> list[AnswerChange]:
    a, b = old.get("answers") or {}, new.get("answers") or {}
    changes = []
    for qid in list(a) + [k for k in b if k not in a]:
        before, after = a.get(qid, NO_ANSWER), b.get(qid, NO_ANSWER)
        if before != after:
            changes.append(AnswerChange(qid, str(before), str(after)))
    return changes


def _notes(old: dict, new: dict) -> list[str]:
    notes = []
    for key, what in (("questionnaire", "questionnaire"), ("pack", "template pack"), ("tool", "lead-readiness")):
        o, n = old.get(key) or {}, new.get(key) or {}
        before = f"{o.get('id', o.get('name', '?'))} {o.get('version', '?')}"
        after = f"{n.get('id', n.get('name', '?'))} {n.get('version', '?')}"
        if before != after:
            notes.append(f"{what}: {before} -> {after}")
    return notes + _input_notes(old.get("inputs"), new.get("inputs"))


def _input_notes(old, new) -> list[str]:
    """The template folders, reference.docx and jurisdiction profile that changed between builds
    (manifests from before they were recorded have no `inputs`: nothing to say)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    notes = []

    def hashes(entries) -> dict[str, str]:
        return {str(e.get("path")): str(e.get("sha256")) for e in entries or [] if isinstance(e, dict)}

    before, after = hashes(old.get("template_folders")), hashes(new.get("template_folders"))
    for path in after:
        if path not in before:
            notes.append(f"template folder added: {path}")
        elif before[path] != after[path]:
            notes.append(f"template folder changed: {path}")
    notes += [f"template folder no longer used: {path}" for path in before if path not in after]
    o_ref, n_ref = old.get("reference_docx") or {}, new.get("reference_docx") or {}
    if o_ref != n_ref:
        if not n_ref:
            notes.append(f"reference.docx no longer used: {o_ref.get('path')}")
        elif o_ref.get("path") != n_ref.get("path"):
            notes.append(f"reference.docx now {n_ref.get('path')}" + (f" (was {o_ref['path']})" if o_ref else ""))
        else:
            notes.append(f"reference.docx changed: {n_ref.get('path')}")
    o_st, n_st = old.get("state_profile") or {}, new.get("state_profile") or {}
    if o_st and n_st:
        if o_st.get("path") != n_st.get("path"):
            notes.append(f"jurisdiction profile now {n_st.get('path')} (was {o_st.get('path')})")
        elif o_st.get("sha256") != n_st.get("sha256"):
            notes.append(f"jurisdiction profile changed: {n_st.get('path')}")
        if o_st.get("site_institutions") != n_st.get("site_institutions"):
            notes.append("the site's own institution names (site.yaml institutions:) changed")
    if hashes(old.get("titles_tables")) != hashes(new.get("titles_tables")):
        notes.append("prosecutor titles table changed")
    return notes


def _document_change(entry_old: dict | None, entry_new: dict | None, folders, stamps) -> DocumentChange:
    entry = entry_new or entry_old or {}
    doc_id, title = str(entry.get("id")), str(entry.get("title", entry.get("id")))
    if entry_old is None:
        return DocumentChange(doc_id, title, "added", open_items=(0, len(entry.get("open_items") or [])))
    if entry_new is None:
        return DocumentChange(doc_id, title, "removed")
    counts = (len(entry_old.get("open_items") or []), len(entry_new.get("open_items") or []))
    old_lines, new_lines = _markdown(folders[0], entry_old), _markdown(folders[1], entry_new)
    if old_lines is None or new_lines is None:
        same = entry_old.get("files") == entry_new.get("files")
        return DocumentChange(doc_id, title, "unchanged" if same else "changed", open_items=counts,
                              note=None if same else "no Markdown kept for this document; its files differ")
    lines = unified(old_lines, new_lines, _normalise(old_lines, stamps[0]), _normalise(new_lines, stamps[1]),
                    f"{versions.folder_name(folders[2])}/{entry_old['names']['md']}",
                    f"{versions.folder_name(folders[3])}/{entry_new['names']['md']}")
    return DocumentChange(doc_id, title, "changed" if lines else "unchanged", lines, counts)


def diff_versions(site_root: Path, old: str | None = None, new: str | None = None) -> VersionDiff:
    """Compare two draft versions of a site (default: the two newest)."""
    root = _site_root(site_root)
    n_old, n_new = pick_versions(root, old, new)
    f_old, f_new = versions.version_folder(root, n_old), versions.version_folder(root, n_new)
    m_old, m_new = versions.read_manifest(f_old), versions.read_manifest(f_new)
    stamps = (_stamps(m_old, n_old), _stamps(m_new, n_new))
    docs_old = {str(d.get("id")): d for d in m_old["documents"] if isinstance(d, dict)}
    docs_new = {str(d.get("id")): d for d in m_new["documents"] if isinstance(d, dict)}
    order = list(docs_new) + [k for k in docs_old if k not in docs_new]
    changes = [_document_change(docs_old.get(k), docs_new.get(k), (f_old, f_new, n_old, n_new), stamps)
               for k in order]
    return VersionDiff(root, n_old, n_new, _answer_changes(m_old, m_new), changes, _notes(m_old, m_new))


def report_lines(result: VersionDiff) -> list[tuple[str, str]]:
    """The diff as (text, style) lines for a console; styles are rich style names or ''."""
    old, new = versions.folder_name(result.old), versions.folder_name(result.new)
    out: list[tuple[str, str]] = [(f"Comparing {old} -> {new} of {result.site}", "bold")]
    if result.identical:
        out.append(("No changes.", "green"))
        if result.notes:  # e.g. a new reference.docx: the Word files differ, the text does not
            out.append(("The drafts' text is the same, though what they were built from changed:", ""))
            out += [(f"  {note}", "dim") for note in result.notes]
        return out
    out.append(("", ""))
    if result.answers:
        out.append((f"Answers changed ({len(result.answers)}):", "bold"))
        out += [(f"  {change}", "cyan") for change in result.answers]
    else:
        why = "; ".join(result.notes) if result.notes else "the templates, a state profile or the tool changed"
        out.append((f"Answers: no changes ({why})", "bold"))
    if result.notes and result.answers:
        out += [(f"  Also changed: {note}", "dim") for note in result.notes]
    for doc in result.documents:
        out.append(("", ""))
        items = ""
        if doc.open_items and doc.open_items[0] != doc.open_items[1]:
            items = f", open items {doc.open_items[0]} -> {doc.open_items[1]}"
        label = {"added": "added", "removed": "removed", "unchanged": "no changes", "changed": "changed"}[doc.status]
        style = {"added": "green", "removed": "red", "unchanged": "dim", "changed": "bold yellow"}[doc.status]
        out.append((f"{doc.title} ({doc.id}): {label}{items}", style))
        if doc.note:
            out.append((f"  {doc.note}", "dim"))
        for line in doc.diff:
            style = ("bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@")
                     else "green" if line.startswith("+") else "red" if line.startswith("-") else "")
            out.append((line, style))
    return out
