"""Reading files in worker processes (``read_corpus(..., n_jobs=k)``).

What a file gives does not depend on the other files: its records are parsed,
cleaned, dated and language-tagged on their own (:func:`kcnalex.io._read_file`
and :func:`kcnalex.io._finish_record`). Workers do that part, a few files a
task; the parent keeps everything that depends on the order of reading — the
report (file entries, errors, warning counts), the input digest, duplicate
removal and doc ids — and replays each file's side effects in file order, so the
corpus and the report are those of a serial read.

A worker records what the serial read would have done to the shared state while
reading one file (errors appended, warnings counted, digest parts) and returns it
with the file's records, each with its duplicate-test keys (the digest of its
normalised text and its MinHash signature: :func:`kcnalex._dedup.doc_keys`), so
that the parent only decides. At most ``4 * n_jobs`` tasks are in flight: the workers
run ahead of the parent by a bounded number of files.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._procs import fork_context

#: Files per task.
FILES_PER_TASK = 8

# the reading options, inherited by forked workers
_OPTS: Any = None


class _FileState:
    """What reading one file did to the shared state, in order."""

    __slots__ = ("errors", "warns", "digest")

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.warns: list[str] = []
        self.digest: list[bytes] = []

    # the parts of IngestReport and hashlib's digest that reading a file uses
    def _warn(self, key: str) -> None:
        self.warns.append(key)

    def update(self, data: bytes) -> None:
        self.digest.append(data)


def read_one(path: Path, label: str, ctx: Any) -> list:
    """The finished records of one file (as the serial reader makes them)."""
    from .io import _dropped, _finish_record, _read_file

    out = []
    try:
        for rec in _read_file(path, label, ctx):
            out.append(_finish_record(rec, ctx))
    except RecursionError:
        ctx.error(label, None, "structure nested too deeply")
        out = [_dropped(label, "malformed")]
    return out


def _read_task(items: list[tuple[Path, str]]) -> list[tuple[list, _FileState]]:
    from ._dedup import many_doc_keys
    from .io import _Ctx

    results = []
    for path, label in items:
        state = _FileState()
        ctx = _Ctx(_OPTS, state)  # type: ignore[arg-type]
        ctx.digest = state  # type: ignore[assignment]
        recs = read_one(path, label, ctx)
        if _OPTS.dedup:  # the duplicate test's per-document hashing, done here
            live = [r for r in recs if r.drop is None]
            for r, keys in zip(live, many_doc_keys(
                    [r.text for r in live], _OPTS.near_duplicates), strict=True):
                r.keys = keys
        results.append((recs, state))
    return results


def usable(n_jobs: int, n_files: int, opts: Any) -> bool:
    """Whether workers may read: more than one job and one task, ``fork``
    available, and not ``strict`` (which stops at the first error, in order)."""
    return (n_jobs > 1 and n_files > FILES_PER_TASK and not opts.strict
            and fork_context() is not None)


def records(files: Sequence[tuple[Path, str]], ctx: Any, n_jobs: int,
            progress: Any = None) -> Iterator[list]:
    """Finished records, one list per file, in file order, read by ``n_jobs``
    forked workers; each file's effects on ``ctx`` are replayed as it is
    yielded. ``progress``: an optional tqdm bar advanced per file."""
    from concurrent.futures import ProcessPoolExecutor

    global _OPTS
    n = len(files)
    tasks = ([files[j] for j in range(i, min(i + FILES_PER_TASK, n))]
             for i in range(0, n, FILES_PER_TASK))
    _OPTS = ctx.opts
    pending: deque = deque()
    pool = ProcessPoolExecutor(n_jobs, mp_context=fork_context())
    try:
        for task in tasks:
            pending.append((task, pool.submit(_read_task, task)))
            if len(pending) >= 4 * n_jobs:
                yield from _replay(*pending.popleft(), ctx, progress)
        while pending:
            yield from _replay(*pending.popleft(), ctx, progress)
    finally:  # also when the caller stops early: drop the tasks not started
        pool.shutdown(cancel_futures=True)
        _OPTS = None


def _replay(task: list[tuple[Path, str]], future: Any, ctx: Any,
            progress: Any) -> Iterator[list]:
    report = ctx.report
    for (_, label), (recs, state) in zip(task, future.result(), strict=True):
        report._file(label)
        report.errors.extend(state.errors)
        for key in state.warns:
            report._warn(key)
        for part in state.digest:
            ctx.digest.update(part)
        if progress is not None:
            progress.update(1)
        yield recs
