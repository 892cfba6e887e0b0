"""The template pack: `pack.yaml` (which documents exist, their titles, audiences and conditions),
layered over several template folders.

Folders are given in precedence order, consultant first and bundled last: the first folder holding
a template path wins, and a later pack.yaml's documents are replaced by an earlier one's with the
same id (new ids are added at the end).  A pack with `standalone: true` is used alone: the folders
after it are not consulted.

A document may say what it `needs` beyond the shared render context (`plan`, `report`: data the
tool computes, readiness/report) and which `attachments` are written beside it (charts, the plan's
CSV); the readiness report and the implementation plan are declared that way in the bundled pack.
Such a document's id cannot be taken over by a layer above (its template can: put a file at the same
template path), and no two documents may write the same file.

A document with `for_each` (a sandboxed Jinja expression over the render context giving a list, such
as the referring law enforcement agencies) is rendered once per item, each its own file: the general
order and the field card of each agency.  Each copy's id is the pack id plus the slug of its `key`
(an expression over `each.item`, e.g. `each.item.name`), so `general_order` becomes
`general_order_harbor_city_police_department` and writes `general-order-harbor-city-police-department.md`;
its template sees `each` (item, index from 0, number from 1, count, key).  `--only general_order`
selects every copy.  The copies' files are collision-checked at build time, when the items are known
(`expand`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, Optional, Sequence

from jinja2 import TemplateSyntaxError
from pydantic import Field, field_validator, model_validator

from readiness.errors import Collected, FileProblems, Problem, ReadinessError
from readiness.files import Located, read_yaml
from readiness.kernel.load import load_model
from readiness.kernel.models import Strict as _Strict
from readiness.kernel.patterns import FILE_ID_PATTERN, ID_PATTERN, VERSION_PATTERN
from readiness.kernel.problems import did_you_mean
from readiness.report.outputs import ATTACHMENT_SUFFIX, AttachmentKind, Need
from readiness.sandbox import GuardedSandbox

PACK_FILE = "pack.yaml"
REFERENCE_DOCX = "reference.docx"
Format = Literal["md", "docx"]


class AttachmentEntry(_Strict):
    kind: AttachmentKind = Field(description="radar_chart (PNG), timeline_chart (PNG) or plan_csv (CSV).")
    file: str = Field(min_length=1, description="File name in the version folder, e.g. readiness-report-radar.png.")

    @field_validator("file")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        if "/" in v or "\\" in v or v.startswith(".") or v != v.strip() or any(ord(c) < 32 for c in v):
            raise ValueError("an attachment is a plain file name in the version folder, such as readiness-report-radar.png")
        return v

    @model_validator(mode="after")
    def _suffix(self):
        suffix = ATTACHMENT_SUFFIX[self.kind]
        if not self.file.lower().endswith(suffix):
            raise ValueError(f"a {self.kind} attachment is a {suffix} file; name it like "
                             f"'{self.file.rsplit('.', 1)[0]}{suffix}'")
        return self


class DocumentEntry(_Strict):
    id: str = Field(pattern=ID_PATTERN, description="lower_snake id, used for file names and --only.")
    title: str = Field(min_length=1)
    template: str = Field(min_length=1, description="Template path relative to the templates folder.")
    audience: Optional[str] = Field(None, description="Who reviews it.")
    description: Optional[str] = None
    when: Optional[str] = Field(None, description="Sandboxed Jinja expression over the render context.")
    formats: list[Format] = Field(default_factory=lambda: list[Format](["md", "docx"]), min_length=1)
    needs: list[Need] = Field(default_factory=list, description="Data the tool computes for this template: "
                              "`plan` (the implementation plan), `report` (the readiness report's figures).")
    attachments: list[AttachmentEntry] = Field(default_factory=list,
                                               description="Files written beside the document: charts, the plan's CSV.")
    for_each: Optional[str] = Field(None, description="Sandboxed Jinja expression over the render context giving a "
                                    "list: one document per item, which the template sees as `each.item`.")
    key: Optional[str] = Field(None, description="With for_each: expression over `each.item` naming each copy "
                               "(its id and file name get the slug), e.g. `each.item.name`; else its number.")

    @field_validator("template")
    @classmethod
    def _relative(cls, v: str) -> str:
        path = PurePosixPath(v.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or v.startswith("~"):
            raise ValueError("template must be a path inside the templates folder, such as mou/interagency-mou.md.j2")
        return str(path)

    @field_validator("formats", "needs")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _each(self):
        if self.key and not self.for_each:
            raise ValueError("`key` names the copies of a `for_each` document; add `for_each` or remove `key`")
        if self.for_each and (self.needs or self.attachments):
            raise ValueError("a `for_each` document cannot have `needs` or `attachments` (every copy would write them)")
        return self


class PackFile(_Strict):
    id: str = Field(pattern=FILE_ID_PATTERN)
    version: str = Field(pattern=VERSION_PATTERN)
    title: str
    description: Optional[str] = None
    standalone: bool = Field(False, description="True: do not layer over the folders after this one.")
    documents: list[DocumentEntry] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v):
        return str(v) if isinstance(v, (int, float)) else v


@dataclass(frozen=True)
class Attachment:
    kind: str
    file: str
    line: Optional[int] = None


@dataclass(frozen=True)
class PackDocument:
    """One document of the merged pack, with where it was declared (for located errors)."""

    id: str
    title: str
    template: str
    audience: Optional[str]
    when: Optional[str]
    formats: tuple[str, ...]
    pack_file: Path
    line: Optional[int]
    when_line: Optional[int]
    template_path: Path
    needs: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    for_each: Optional[str] = None  # one copy per item (see the module docstring)
    key: Optional[str] = None
    for_each_line: Optional[int] = None
    group: Optional[str] = None  # a copy: the pack id it was made from (`--only` and the pack list use that)

    @property
    def stem(self) -> str:
        """The file name of its Markdown and DOCX, without the suffix."""
        from readiness.workspace.models import slugify

        return slugify(self.id, "document")

    @property
    def file_names(self) -> list[str]:
        """Every file this document writes into a version folder."""
        return [f"{self.stem}.{fmt}" for fmt in self.formats] + [a.file for a in self.attachments]


@dataclass(frozen=True)
class PackLayer:
    id: str
    version: str
    folder: Path


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: str
    folders: tuple[Path, ...]  # template search path, first wins
    documents: tuple[PackDocument, ...]
    layers: tuple[PackLayer, ...]  # the pack.yaml files used, highest precedence first

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    def document(self, doc_id: str) -> PackDocument:
        return next(d for d in self.documents if d.id == doc_id)

    @property
    def reference_docx(self) -> Optional[Path]:
        """The first folder's reference.docx (fonts, letterhead, styles), as pandoc's --reference-doc."""
        return next((f / REFERENCE_DOCX for f in self.folders if (f / REFERENCE_DOCX).is_file()), None)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def _fields_for(loc: tuple) -> list[str]:
    return list((DocumentEntry if loc and loc[0] == "documents" else PackFile).model_fields)


def parse_pack_file(located: Located) -> PackFile:
    return load_model(PackFile, located, fields_for=_fields_for,
                      not_a_mapping="a pack file must be a mapping with id, version, title and documents")


def _check_condition(expression: str) -> str | None:
    try:
        GuardedSandbox().compile_expression(expression)  # guarded: Jinja folds constants while compiling
    except TemplateSyntaxError as exc:
        return f"condition is not a valid expression: {exc.message}"
    return None


def _template_files(folders: Sequence[Path]) -> list[str]:
    found: set[str] = set()
    for folder in folders:
        found.update(str(p.relative_to(folder).as_posix()) for p in folder.rglob("*.j2"))
    return sorted(found)


def _place(path: Path, line: Optional[int]) -> str:
    return f"{path}:{line}" if line else str(path)


def _file_collisions(documents: list[PackDocument], problems: Collected) -> None:
    """Two documents of the merged pack that would write the same file (ids that differ only in
    underscores, or an attachment named like another one): the later one is blamed, once.
    A `for_each` document's copies are checked by `expand`, once the items are known."""
    owner: dict[str, PackDocument] = {}
    for doc in documents:
        lines = [doc.line] * len(doc.formats) + [a.line or doc.line for a in doc.attachments]
        for name, line in zip(doc.file_names, lines):
            first = owner.get(name.lower())
            if first is None:
                owner[name.lower()] = doc
                continue
            other = "it writes twice" if first is doc else \
                f"which document '{first.id}' ({_place(first.pack_file, first.line)}) writes too"
            problems.add(f"document '{doc.id}' would write {name}, {other}", file=doc.pack_file, line=line,
                         where=f"documents ({doc.group or doc.id})",
                         hint="give the document another id, or its attachment another file name")
            break


def load_pack(folders: Sequence[Path]) -> Pack:
    """Read and merge the pack.yaml files of `folders` (precedence order); every problem is located."""
    folders = [Path(f) for f in folders]
    for folder in folders:
        if not folder.is_dir():
            raise ReadinessError(f"templates folder not found: {folder}",
                                 hint="give a folder holding pack.yaml and the document templates")
    used: list[Path] = []
    layers: list[tuple[Path, Located, PackFile]] = []
    for folder in folders:
        used.append(folder)
        if (folder / PACK_FILE).exists():
            located = read_yaml(folder / PACK_FILE, "pack file")
            pack_file = parse_pack_file(located)
            layers.append((folder, located, pack_file))
            if pack_file.standalone:
                break
    if not layers:
        raise ReadinessError(f"no {PACK_FILE} found in: " + ", ".join(str(f) for f in folders),
                             hint=f"a templates folder needs a {PACK_FILE} listing its documents")
    problems = Collected()
    merged: dict[str, PackDocument] = {}
    for folder, located, pack_file in reversed(layers):  # lowest precedence first, overlaid upwards
        seen: set[str] = set()
        for i, entry in enumerate(pack_file.documents):
            where = {"file": located.path, "where": f"documents[{i}] ({entry.id})"}
            if entry.id in seen:
                problems.add(f"duplicate document id '{entry.id}'",
                             line=located.line_of(("documents", i, "id")), **where)
                continue
            seen.add(entry.id)
            below = merged.get(entry.id)
            if below is not None and (below.needs or below.attachments):
                problems.add(f"document id '{entry.id}' is already the {below.title} "
                             f"({_place(below.pack_file, below.line)}), which the tool fills with its own figures",
                             line=located.line_of(("documents", i, "id")), **where,
                             hint=f"give a new document another id; to reword the {below.title}, put your own "
                                  f"{below.template} in {folder}")
                continue
            template_path = next((f / entry.template for f in used if (f / entry.template).is_file()), None)
            if template_path is None:
                problems.add(f"template '{entry.template}' not found", line=located.line_of(("documents", i, "template")),
                             hint=did_you_mean(entry.template, _template_files(used))
                             or "looked in: " + ", ".join(str(f) for f in used), **where)
                continue
            if entry.when and (message := _check_condition(entry.when)):
                problems.add(message, line=located.line_of(("documents", i, "when")), **where)
                continue
            bad = next(((field, m) for field in ("for_each", "key") if getattr(entry, field)
                        and (m := _check_condition(getattr(entry, field)))), None)
            if bad:
                problems.add(bad[1].replace("condition", f"`{bad[0]}`", 1),
                             line=located.line_of(("documents", i, bad[0])), **where)
                continue
            attachments = tuple(Attachment(a.kind, a.file, located.line_of(("documents", i, "attachments", j)))
                                for j, a in enumerate(entry.attachments))
            merged[entry.id] = PackDocument(
                entry.id, entry.title, entry.template, entry.audience, entry.when, tuple(entry.formats),
                located.path, located.line_of(("documents", i)), located.line_of(("documents", i, "when")),
                template_path, tuple(entry.needs), attachments, entry.for_each, entry.key,
                located.line_of(("documents", i, "for_each")))
    _file_collisions([d for d in merged.values() if not d.for_each], problems)
    problems.raise_if_any(hint="fix pack.yaml; see `lead-readiness schema pack`")
    top = layers[0][2]
    if not merged:
        raise FileProblems([Problem("the pack lists no documents", file=layers[0][1].path, line=1)],
                           hint="add at least one entry under 'documents:'")
    return Pack(top.id, top.version, top.title, tuple(used), tuple(merged.values()),
                tuple(PackLayer(p.id, p.version, f) for f, _, p in layers))


def copy_id(base: str, key: str, number: int) -> str:
    """The id of one copy of a `for_each` document: the pack id and the key's slug (lower_snake)."""
    from readiness.workspace.models import slugify

    plain = key.replace("'", "").replace("\u2019", "")  # "Sheriff's" -> sheriffs, not sheriff_s
    return f"{base}_{slugify(plain, str(number)).replace('-', '_')}"


def expand(spec: PackDocument, keys: Sequence[str]) -> list[PackDocument]:
    """The copies of a `for_each` document, one per key (already texts), in order; two keys with the
    same slug get `_2`, `_3`... so that every copy has its own file."""
    from dataclasses import replace

    copies, taken = [], set()
    for number, key in enumerate(keys, start=1):
        doc_id = copy_id(spec.id, key, number)
        candidate, n = doc_id, 1
        while candidate in taken:
            n += 1
            candidate = f"{doc_id}_{n}"
        taken.add(candidate)
        copies.append(replace(spec, id=candidate, title=f"{spec.title}: {key}" if key else spec.title,
                              for_each=None, key=None, group=spec.id))
    return copies


def check_files(documents: Sequence[PackDocument]) -> None:
    """Every file of a build's documents, `for_each` copies included, written by one document only."""
    problems = Collected()
    _file_collisions(list(documents), problems)
    problems.raise_if_any(hint="fix pack.yaml; see `lead-readiness schema pack`")
