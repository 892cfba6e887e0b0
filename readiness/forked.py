"""Work done beside this process, on a second CPU, by one forked child (a build's charts, some of its
Word files).

Python runs one thread of Python code at a time, so work that is mostly Python (matplotlib drawing,
python-docx writing) only runs beside the rest of a build in a second process.  `ForkedJobs` forks
one child that runs every job of a mapping `{name: job}` in order, each job writing one file at the
path it is given (inside a private folder of the child's), and reports each finished file on a pipe;
`take(name, path)` puts that file at `path`.

Nothing depends on the child: where fork is unavailable (Windows, macOS's default) or there is one
CPU, where the child fails, exits early, or takes longer than TIMEOUT seconds, `take` runs the job
here instead, so its errors surface as they would without the child and no file is ever missing.
`close` stops the child if it still runs and removes its folder; call it when done (a `with` block).
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Callable, Mapping, Optional

TIMEOUT = 60.0  # seconds the child may take before it is stopped and its work done here


def can_fork() -> bool:
    """A child only helps on a system with fork (Linux here) and a second CPU."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) > 1


class ForkedJobs:
    """Run `jobs` ({name: a function writing one file at the path it is given}) in one forked child.

    `suffix` is the child's file names' suffix (matplotlib picks the format by it); `within` is the
    folder the child's private folder is made in (the folder the files end up in, so `take` moves
    each finished file into place in one rename; default: the system's temporary folder)."""

    def __init__(self, jobs: Mapping[str, Callable[[Path], object]], *, suffix: str = "",
                 within: Optional[Path] = None):
        self.jobs = dict(jobs)
        self.suffix = suffix
        self.pid: Optional[int] = None
        self.folder: Optional[Path] = None
        self._reader: Optional[int] = None
        self._ready: set[int] = set()  # the numbers (order in `jobs`) of the files the child has finished
        self._buffer = b""
        if self.jobs and can_fork():
            self._start(within)

    def __enter__(self) -> ForkedJobs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, within: Optional[Path]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=".lead-readiness-child-", dir=within))
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: work, then leave without running the parent's exit handlers
            code = 1
            try:
                os.close(reader)
                # Its own quiet streams: nothing of the child's reaches the user's terminal, and no lock
                # another thread of this process held at the fork can block it.
                sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - closed by os._exit
                _child_runs(self.jobs, self.folder, self.suffix, writer)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self.pid, self._reader = pid, reader

    def _file(self, number: int) -> Path:
        assert self.folder is not None
        return self.folder / f"{number}{self.suffix}"

    def take(self, name: str, out_path: Path) -> Path:
        """The file of job `name` at `out_path`: the child's when it finished it in time, else made here."""
        out_path = Path(out_path)
        number = list(self.jobs).index(name)
        if self._wait_for(number):
            out_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(self._file(number), out_path)
            except OSError:  # another file system
                shutil.copyfile(self._file(number), out_path)
            return out_path
        self.jobs[name](out_path)
        return out_path

    def _wait_for(self, number: int) -> bool:
        import select
        import time

        deadline = time.monotonic() + TIMEOUT
        while number not in self._ready and self._reader is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()  # stuck: stop it; what it had not finished is done here
                break
            readable, _, _ = select.select([self._reader], [], [], left)
            if not readable:
                continue
            data = os.read(self._reader, 4096)
            if not data:  # the child has exited: whatever it did not report is done here
                self._end_child(kill=False)
                break
            self._buffer += data
            *lines, self._buffer = self._buffer.split(b"\n")
            self._ready.update(int(line) for line in lines if line.isdigit())
        return number in self._ready and self.folder is not None

    def _end_child(self, kill: bool) -> None:
        if self._reader is not None:
            os.close(self._reader)
            self._reader = None
        if self.pid is not None:
            if kill:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None

    def close(self) -> None:
        """Stop the child if it still runs (after an error elsewhere, or when it hangs) and remove its folder."""
        self._end_child(kill=True)
        self._ready.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _child_runs(jobs: Mapping[str, Callable[[Path], object]], folder: Path, suffix: str, writer: int) -> None:
    """In the child: each job writes `working/<n><suffix>`, renamed to `<n><suffix>` once complete,
    then its number is reported."""
    working = folder / "working"
    working.mkdir()
    for n, job in enumerate(jobs.values()):
        path = working / f"{n}{suffix}"
        job(path)
        os.replace(path, folder / f"{n}{suffix}")
        os.write(writer, f"{n}\n".encode("ascii"))
