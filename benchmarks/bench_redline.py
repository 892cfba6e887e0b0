"""Redlines and review of the example site: what they add to a build, and how long `review` reads.

Rows:
- redline_pack: the redlines of every document of Harbor County between two builds that differ in
  three answers (the intake window, the DA's name, the case management provider), in-process: both
  DOCX parsed, aligned, the changes written, the files saved. A `build` after the first pays this.
- redline_pack_unchanged: the same between two builds with the same answers (every document's
  Markdown compared, no Word file parsed, none written): what every rebuild pays.
- review_file: `review` of one returned MOU with a comment, a reply on an open item and a
  placeholder typed over, in-process (check, read, propose).

The goal is what a user waits for without noticing next to a 2-second build (design.md §8): half a
second for the whole pack.

    python benchmarks/bench_redline.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _timing import ROOT, print_rows, time_call  # noqa: E402

EXAMPLE = ROOT / "examples" / "harbor-county"
PACK_GOAL_MS = 500.0
REVIEW_GOAL_MS = 100.0


def run() -> list[dict]:
    from readiness.documents import versions
    from readiness.documents.build import build_site
    from readiness.documents.redline import write_redlines
    from readiness.documents.review import review_files
    from readiness.questionnaire.values import parse_cli_value
    from readiness.workspace.models import Answer
    from readiness.workspace.store import open_site, save_answer
    from word_edits import WordFile

    with tempfile.TemporaryDirectory() as tmp:
        site_dir = Path(tmp) / "site"
        shutil.copytree(EXAMPLE, site_dir)
        build_site(site_dir)
        build_site(site_dir)  # v2: the same answers
        site = open_site(site_dir)
        for qid, text in (("intake_window_days", "5"), ("da_name", "Teresa Whitlock-Moreno"),
                          ("cm_provider", "Harborview Community Health Partners (fictional)")):
            save_answer(site, qid, Answer(value=parse_cli_value(site.questionnaire.by_id[qid], text)))
        build_site(site_dir)  # v3
        folders = {n: versions.version_folder(site_dir, n) for n in (1, 2, 3)}
        manifests = {n: versions.read_manifest(f) for n, f in folders.items()}
        out = {n: Path(tmp) / f"out{n}" for n in (2, 3)}

        def pack(old: int, new: int):
            shutil.rmtree(out[new], ignore_errors=True)
            shutil.copytree(folders[new], out[new])
            shutil.rmtree(out[new] / "redlines", ignore_errors=True)
            return write_redlines(folders[old], manifests[old], old, out[new], manifests[new], new)

        made, _ = pack(2, 3)
        changed_ms = time_call(lambda: pack(2, 3), runs=5)
        unchanged, _ = pack(1, 2)
        unchanged_ms = time_call(lambda: pack(1, 2), runs=5)
        returned = Path(tmp) / "mou.docx"
        shutil.copy(folders[1] / "mou.docx", returned)
        f = WordFile(returned)
        f.reply(f.open_item_comment("Committed through"), "Dana Reyes", "2027-06-30")
        f.comment("Purpose and recitals", "Sam Ortiz", "Name the Sheriff's Office here.")
        f.save()
        review_ms = time_call(lambda: review_files(site, [returned]))
        copy_ms = time_call(lambda: shutil.copytree(folders[3], Path(tempfile.mkdtemp(dir=tmp)) / "x"), runs=5)
    n = len(manifests[3]["documents"])
    return [
        {"name": "redline_pack", "measured": round(changed_ms - copy_ms, 1), "goal": PACK_GOAL_MS, "unit": "ms",
         "note": f"{len(made)} of {n} documents changed and written (the folder copy, {copy_ms:.0f} ms, subtracted)"},
        {"name": "redline_pack_unchanged", "measured": round(unchanged_ms, 1), "goal": PACK_GOAL_MS,
         "unit": "ms", "note": f"{n} documents compared by their Markdown, {len(unchanged)} written "
                               f"(the folder copy, {copy_ms:.0f} ms, included)"},
        {"name": "review_file", "measured": round(review_ms, 1), "goal": REVIEW_GOAL_MS, "unit": "ms",
         "note": "one returned MOU: check, read comments and changes, propose answers"},
    ]


def main() -> None:
    print_rows(run())


if __name__ == "__main__":
    main()
