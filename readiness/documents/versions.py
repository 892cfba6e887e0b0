"""Draft version folders: `SITE/drafts/v001/`, one per build, never overwritten.

A build writes into a hidden temporary folder `drafts/.vNNN.tmp-XXXX` and renames it to `vNNN` only
when everything is in place, so a killed build leaves no half folder (the next build removes the
leftover temporary folder).  Builds of one site are serialised by a lock on the drafts folder.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from readiness.errors import FileProblems, Problem, ReadinessError, WorkspaceError

DRAFTS_DIR = "drafts"
MANIFEST = "manifest.json"
_FOLDER = re.compile(r"^v(\d{3,})$")
_ARG = re.compile(r"^[vV]?0*(\d+)$")
_TMP_PREFIX = ".v"
_TMP_MARK = ".tmp-"


def folder_name(number: int) -> str:
    return f"v{number:03d}"


def drafts_dir(site_root: Path) -> Path:
    return Path(site_root) / DRAFTS_DIR


def list_versions(site_root: Path) -> list[int]:
    """Version numbers present, oldest first (only finished folders; temporaries are ignored)."""
    drafts = drafts_dir(site_root)
    if not drafts.is_dir():
        return []
    # A link counts too (even a broken one), so a build never picks its number; `version_folder` refuses it.
    return sorted(int(m.group(1)) for p in drafts.iterdir()
                  if (p.is_dir() or p.is_symlink()) and (m := _FOLDER.match(p.name)))


def next_version(site_root: Path) -> int:
    return max(list_versions(site_root), default=0) + 1


def parse_version(text: str) -> int:
    """'v1', 'v001', 'V3' or '1' -> the version number."""
    m = _ARG.match(str(text).strip())
    if not m or int(m.group(1)) == 0:
        raise ReadinessError(f"'{text}' is not a draft version", hint="write it as v1, v001 or 1")
    return int(m.group(1))


def version_folder(site_root: Path, number: int) -> Path:
    from readiness.files import refuse_link_outside

    refuse_link_outside(drafts_dir(site_root), site_root, "drafts folder")
    folder = drafts_dir(site_root) / folder_name(number)
    if folder.is_symlink():  # a build never makes one; whatever it points at is not this site's draft
        raise FileProblems([Problem(f"draft {folder_name(number)} is a link to {os.path.realpath(folder)}, "
                                    "not a draft folder; links are not followed", file=folder,
                                    hint="remove the link; builds write real folders")])
    if not folder.is_dir():
        present = ", ".join(folder_name(n) for n in list_versions(site_root)) or "none yet"
        raise WorkspaceError(f"no draft {folder_name(number)} in {drafts_dir(site_root)} (versions: {present})",
                             hint=f"build one with: lead-readiness build {site_root}")
    return folder


def read_manifest(folder: Path) -> dict:
    from readiness.files import read_text

    path = Path(folder) / MANIFEST
    if not path.is_file() and not path.is_symlink():
        raise FileProblems([Problem("manifest not found; this draft folder is incomplete", file=path)],
                           hint="build the site again; drafts without a manifest cannot be compared")
    try:
        data = json.loads(read_text(path, "manifest", follow_links=False, kind="JSON"))
    except json.JSONDecodeError as exc:
        raise FileProblems([Problem(f"manifest is not valid JSON: {exc.msg}", file=path, line=exc.lineno)],
                           hint="restore it, or build the site again") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise FileProblems([Problem("manifest has no 'documents' list", file=path, line=1)],
                           hint="it was not written by lead-readiness; build the site again")
    _check_manifest(data, path)
    from readiness.documents.manifest import upgrade

    return upgrade(data)


def _check_manifest(data: dict, path: Path) -> None:
    """The shapes `diff` relies on; a hand-damaged manifest is refused with where it is wrong."""
    def bad(where: str, what: str) -> FileProblems:
        return FileProblems([Problem(f"manifest is damaged: {where} should be {what}", file=path, where=where)],
                            hint="restore it from a backup, or build the site again")

    for key in ("answers", "questionnaire", "pack", "tool"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise bad(key, "a mapping")
    if data.get("date") is not None and not isinstance(data["date"], str):
        raise bad("date", "a date as text (YYYY-MM-DD)")
    for n, doc in enumerate(data["documents"]):
        if not isinstance(doc, dict):
            raise bad(f"documents[{n}]", "a mapping")
        for key, kind, what in (("names", dict, "a mapping of file kinds to names"),
                                ("files", dict, "a mapping of file names to hashes"),
                                ("open_items", list, "a list")):
            if doc.get(key) is not None and not isinstance(doc[key], kind):
                raise bad(f"documents[{n}].{key}", what)


@contextlib.contextmanager
def build_lock(site_root: Path) -> Iterator[Path]:
    """Hold the drafts folder's lock (creating the folder); yields the drafts folder."""
    from readiness.files import folder_lock, refuse_link_outside

    drafts = drafts_dir(site_root)
    refuse_link_outside(drafts, site_root, "drafts folder")
    drafts.mkdir(parents=True, exist_ok=True)
    with folder_lock(drafts):
        yield drafts


def remove_stale_temporaries(drafts: Path) -> None:
    """Leftovers of killed builds; safe to remove while holding the build lock."""
    for p in drafts.iterdir():
        if p.is_dir() and p.name.startswith(_TMP_PREFIX) and _TMP_MARK in p.name:
            shutil.rmtree(p, ignore_errors=True)


def temporary_folder(drafts: Path, number: int) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{folder_name(number)}{_TMP_MARK}", dir=drafts))


def publish(tmp: Path, drafts: Path, number: int) -> Path:
    """Rename the finished temporary folder into place; refuses to replace an existing version."""
    final = drafts / folder_name(number)
    if final.exists():
        raise WorkspaceError(f"{final} already exists; drafts are never overwritten",
                             hint="build again: the next free version number will be used")
    _usual_permissions(tmp)
    _fsync_tree(tmp)
    os.rename(tmp, final)
    _fsync_dir(drafts)
    return final


def _usual_permissions(folder: Path) -> None:
    """Temporary files are private (0600/0700); the published draft gets the user's usual modes."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(folder, 0o777 & ~mask)
    for p in folder.iterdir():
        if p.is_file():
            os.chmod(p, 0o666 & ~mask)


def _fsync_tree(folder: Path) -> None:
    for p in folder.iterdir():
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
