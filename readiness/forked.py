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

A child can also be started early (`warm`), before the jobs exist: it runs a preparation of its own
(matplotlib's import, most of the charts' time) beside this process's imports, then waits for the jobs
of the next `ForkedJobs` given `specs`, which are sent to it as picklable specs (a module-level
function, its arguments, its keywords; the file's path is passed after the arguments).  A warm child
that is not used is stopped (`end_warm`; also at exit); every guarantee above holds for it.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

TIMEOUT = 60.0  # seconds the child may take before it is stopped and its work done here
SPECS_MAX_BYTES = 60_000  # the jobs sent to a warm child fit a pipe's buffer: sending never blocks
_PREFIX = ".lead-readiness-child-"

# A job sent to a warm child: (a module-level function, its arguments, its keywords); it is called
# as function(*arguments, path, **keywords).
Spec = tuple[Callable[..., object], Sequence[Any], Mapping[str, Any]]


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
                 within: Optional[Path] = None, specs: Optional[Mapping[str, Spec]] = None):
        self.jobs = dict(jobs)
        self.suffix = suffix
        self.pid: Optional[int] = None
        self.folder: Optional[Path] = None
        self._reader: Optional[int] = None
        self._ready: set[int] = set()  # the numbers (order in `jobs`) of the files the child has finished
        self._buffer = b""
        if self.jobs and can_fork():
            if specs is None or not self._adopt(specs):
                self._start(within)
        elif specs is not None:
            end_warm()  # nothing for it to do

    def _adopt(self, specs: Mapping[str, Spec]) -> bool:
        """Hand the jobs, as `specs` ({name: spec}, the same names as the jobs), to the warm child;
        False when there is none, or it cannot take them (then it is stopped)."""
        global _warm
        child, _warm = _warm, None
        if child is None:
            return False
        try:
            data = pickle.dumps((self.suffix, [specs[name] for name in self.jobs]))
            if len(data) > SPECS_MAX_BYTES:
                raise ValueError("too large for the pipe")
            os.write(child.jobs, len(data).to_bytes(8, "big") + data)
        except Exception:  # unpicklable, or the child has exited: a child of its own, as without one
            child.stop()
            return False
        os.close(child.jobs)
        self.pid, self._reader, self.folder = child.pid, child.done, child.folder
        return True

    def __enter__(self) -> ForkedJobs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self, within: Optional[Path]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=within))
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

    def busy(self) -> bool:
        """Whether the child is still at work on jobs it has not finished (it has the second CPU)."""
        reported = True
        while reported and self._reader is not None and len(self._ready) < len(self.jobs):
            reported = self._read(0)  # take every report already waiting, without waiting for more
        return self._reader is not None and len(self._ready) < len(self.jobs)

    def _wait_for(self, number: int) -> bool:
        import time

        deadline = time.monotonic() + TIMEOUT
        while number not in self._ready and self._reader is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()  # stuck: stop it; what it had not finished is done here
                break
            self._read(left)
        return number in self._ready and self.folder is not None

    def _read(self, timeout: float) -> bool:
        """Take what the child reported within `timeout` seconds; False when it reported nothing."""
        import select

        assert self._reader is not None
        readable, _, _ = select.select([self._reader], [], [], timeout)
        if not readable:
            return False
        data = os.read(self._reader, 4096)
        if not data:  # the child has exited: whatever it did not report is done here
            self._end_child(kill=False)
            return False
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        self._ready.update(int(line) for line in lines if line.isdigit())
        return True

    def _end_child(self, kill: bool) -> None:
        if self._reader is not None:
            os.close(self._reader)
            self._reader = None
        if self.pid is not None:
            _reap(self.pid, kill=kill)
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


def _reap(pid: int, kill: bool) -> None:
    """Wait for a child (stopping it first when `kill`), so that none is left a zombie."""
    if kill:
        with contextlib.suppress(OSError):  # it has exited already
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # already waited for
        os.waitpid(pid, 0)


class _Warm:
    """A child forked by `warm`: its pid, its folder, the pipe its jobs are sent on and the one it
    reports finished files on."""

    def __init__(self, pid: int, folder: Path, jobs: int, done: int):
        self.pid, self.folder, self.jobs, self.done = pid, folder, jobs, done

    def stop(self) -> None:
        for fd in (self.jobs, self.done):
            with contextlib.suppress(OSError):  # closed already (the jobs were sent)
                os.close(fd)
        _reap(self.pid, kill=True)
        shutil.rmtree(self.folder, ignore_errors=True)


_warm: Optional[_Warm] = None


def warm(prepare: Callable[[], object]) -> bool:
    """Fork now a child that runs `prepare` (an import, say) and then waits for the jobs of the next
    `ForkedJobs` given `specs`. Nothing when fork or a second CPU is unavailable, or when this process
    runs other threads (a fork copies their locks, not them). True when a child was started."""
    global _warm
    if _warm is not None or not can_fork() or threading.active_count() > 1:
        return False
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
    jobs_reader, jobs_writer = os.pipe()
    done_reader, done_writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: prepare, wait for its jobs, run them, then leave as ForkedJobs' child does
        code = 1
        try:
            os.close(jobs_writer)
            os.close(done_reader)
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - closed by os._exit
            prepare()
            size = int.from_bytes(_read_exactly(jobs_reader, 8), "big")
            suffix, specs = pickle.loads(_read_exactly(jobs_reader, size))
            _child_runs({str(n): _spec_job(spec) for n, spec in enumerate(specs)}, folder, suffix, done_writer)
            code = 0
        finally:
            os._exit(code)
    os.close(jobs_reader)
    os.close(done_writer)
    _warm = _Warm(pid, folder, jobs_writer, done_reader)
    return True


def end_warm() -> None:
    """Stop the warm child, if one waits unused (the build needs none of its work)."""
    global _warm
    child, _warm = _warm, None
    if child is not None:
        child.stop()


atexit.register(end_warm)


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the parent sent no jobs")
        data += chunk
    return data


def _spec_job(spec: Spec) -> Callable[[Path], object]:
    function, args, kwargs = spec
    return lambda path: function(*args, path, **kwargs)
