"""One pass over a corpus: every per-document measure, streamed, on any number of cores.

:func:`analyze` reads sources in chunks (:func:`kcnalex.io.iter_corpus`), and for each
document computes, from compact offset arrays and without a per-token Python object or
DataFrame row: word tokens and sentences, formula counts (per lexicon category and,
optionally, per entry), leader mentions and honorific units, VADER and KCNA-lexicon
sentence sentiment, and stance per target. The result is one row of numbers per
document (``form="wide"``) or the same numbers as long doc stats (``form="long"``,
the default) ready for :func:`kcnalex.aggregate`.

Wide columns (one row per document)
-----------------------------------
========================  ======================================================
``doc_id``, ``date``,     from the corpus frame
``source``
``n_tokens``              word tokens (:func:`kcnalex.count_tokens`)
``n_sentences``           sentences with at least one word token (as in
                          :func:`kcnalex.sentiment`)
``n_formulae``            formula matches of the lexicon (longest-first)
``n_cat:<category>``      formula matches per lexicon category
``n_entry:<entry>``       formula matches per entry (``entries=True`` only)
``n_mentions:<leader>``   leader mentions (:func:`kcnalex.leader_mentions`)
``n_honored:<leader>``    mentions with at least one honorific unit
``n_honorifics:<leader>`` honorific units before the leader's name
``vader_sum``             sum of sentence VADER compounds
``n_vader_neg``,          sentences with compound <= -0.05 / >= 0.05
``n_vader_pos``
``kcna_sum``,             the same with the ``kcna-polarity`` lexicon
``n_kcna_neg``,
``n_kcna_pos``
``stance_sum:<target>``   sum of sentence stance scores toward the target
``n_stance:<target>``     sentences naming the target
``n_hostile:<target>``,   of which hostile / friendly
``n_friendly:<target>``
========================  ======================================================

The long form has the doc-stats columns ``doc_id, date, measure, value, n_tokens``
(zero counts are left out; every document keeps its ``n_sentences`` row, so it stays in
the rate denominators) and ``attrs["kcnalex"]["ratios"]`` names the standard ratios
(:func:`standard_ratios`) that :func:`kcnalex.aggregate` turns into per-period means:
``vader_mean = vader_sum / n_sentences``, ``stance:<t> = stance_sum:<t> /
n_stance:<t>``, ``honored_share:<l> = n_honored:<l> / n_mentions:<l>``, ...
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._procs import fork_context
from ._provenance import attach, provenance

__all__ = ["analyze", "Analyzer", "analyze_params", "standard_ratios", "to_long",
           "MEASURES"]

#: Measure families :func:`analyze` can compute.
MEASURES = ("formulae", "leaders", "vader", "kcna", "stance")

_SENT_THRESHOLD = 0.05


class Analyzer:
    """The compiled state of the one-pass pipeline (built once per process).

    Parameters
    ----------
    lexicon : str, path or DataFrame
        Formula lexicon (default ``"kcna-formulae"``).
    leaders : str, list or LeaderSet, optional
        Leaders to track (default: the four DPRK leaders of the shipped file).
    targets : path, mapping or DataFrame, optional
        Stance targets (default: the shipped targets file).
    measures : sequence of str
        Families of :data:`MEASURES` to compute.
    entries : bool
        Also count every formula entry (``n_entry:<entry>`` columns).
    """

    def __init__(self, *, lexicon: Any = "kcna-formulae", leaders: Any = None,
                 targets: Any = None, measures: Sequence[str] = MEASURES,
                 entries: bool = False) -> None:
        unknown = set(measures) - set(MEASURES)
        if unknown:
            raise ValueError(f"unknown measures {sorted(unknown)}; choose from "
                             f"{list(MEASURES)}")
        self.measures = tuple(m for m in MEASURES if m in measures)
        self.entries = entries
        self._init = {"lexicon": lexicon, "leaders": leaders, "targets": targets,
                      "measures": self.measures, "entries": entries}
        cols = ["n_tokens", "n_sentences"]
        self.lexicons: list[dict] = []
        if "formulae" in self.measures:
            from .lexicons import lexicon_info
            from .phrases import FormulaMatcher

            self.matcher = FormulaMatcher(lexicon)
            self.lexicons += lexicon_info(self.matcher.lexicon)
            cats, self._cat_index = np.unique(self.matcher.categories.astype(str),
                                              return_inverse=True)
            self.categories = cats
            cols += ["n_formulae"] + [f"n_cat:{c}" for c in cats]
            if entries:
                cols += [f"n_entry:{e}" for e in self.matcher.entries]
        if "leaders" in self.measures:
            from .leaders import LeaderMatcher

            self.leaders = LeaderMatcher(leaders)
            self.lexicons.append(self.leaders.leader_set.record())
            for name in self.leaders.names:
                cols += [f"n_mentions:{name}", f"n_honored:{name}",
                         f"n_honorifics:{name}"]
        self._scorers = {}
        if "vader" in self.measures or "kcna" in self.measures:
            from .sentiment import make_scorer

            for m in ("vader", "kcna"):
                if m in self.measures:
                    self._scorers[m] = make_scorer(m)
                    self.lexicons.append(dict(self._scorers[m].info))
                    cols += [f"{m}_sum", f"n_{m}_neg", f"n_{m}_pos"]
        if "stance" in self.measures:
            from .stance import StanceScorer

            self.stance = StanceScorer(targets=_load_targets(targets))
            self.lexicons += self.stance.provenance_lexicons()
            for t in self.stance.target_names:
                cols += [f"stance_sum:{t}", f"n_stance:{t}", f"n_hostile:{t}",
                         f"n_friendly:{t}"]
        self.columns = cols

    def __reduce__(self):
        return (_rebuild_analyzer, (self._init,))

    def run(self, texts: Sequence[str]) -> np.ndarray:
        """Measures of many texts: float64 array ``(len(texts), len(columns))``.

        The batch is processed joined by blank lines (no token, sentence or
        formula crosses one): one scan for the word tokens, one for the
        sentences, one VADER/KCNA pass over all the sentences, and the per-document
        numbers are tallied with ``bincount``. Leader mentions and stance are found
        per document.
        """
        from .sentiment import sentences_with_words
        from .tokenize import _codepoints, _cut, _join, _joined_sentence_bounds, _scan

        texts = [t if isinstance(t, str) else "" for t in texts]
        n = len(texts)
        out = np.zeros((n, len(self.columns)), dtype=np.float64)
        if n == 0:
            return out
        joined, offsets = _join(texts)
        cp = _codepoints(joined)
        ws, we, is_word = _scan(joined, cp)
        ws, we = ws[is_word], we[is_word]
        ss, se = _joined_sentence_bounds(texts, joined, cp, offsets, None)
        out[:, 0] = np.diff(np.searchsorted(ws, np.append(offsets, len(joined))))
        # sentences holding a word token (the denominators of sentence means)
        used = sentences_with_words(ws, ss, se)
        sent_doc = np.searchsorted(offsets, ss[used], side="right") - 1
        out[:, 1] = np.bincount(sent_doc, minlength=n)
        col = 2
        if "formulae" in self.measures:
            counts = self.matcher.count_many(texts)
            out[:, col] = counts.sum(axis=1)
            col += 1
            ncat = len(self.categories)
            cats = np.zeros((n, ncat))
            for j in range(ncat):
                cats[:, j] = counts[:, self._cat_index == j].sum(axis=1)
            out[:, col:col + ncat] = cats
            col += ncat
            if self.entries:
                out[:, col:col + counts.shape[1]] = counts
                col += counts.shape[1]
        per_doc = "leaders" in self.measures or "stance" in self.measures
        if per_doc:
            words = _cut(ws, we, offsets)
            sents = _cut(ss, se, offsets)
        if "leaders" in self.measures:
            width = 3 * len(self.leaders.names)
            for i, text in enumerate(texts):
                out[i, col:col + width] = self.leaders.counts(text).ravel()
            col += width
        for scorer in self._scorers.values():
            c = scorer.sentence_scores(joined, ws, we, ss, se)
            out[:, col] = np.bincount(sent_doc, weights=c, minlength=n)
            out[:, col + 1] = np.bincount(sent_doc, weights=c <= -_SENT_THRESHOLD,
                                          minlength=n)
            out[:, col + 2] = np.bincount(sent_doc, weights=c >= _SENT_THRESHOLD,
                                          minlength=n)
            col += 3
        if "stance" in self.measures:
            width = 4 * len(self.stance.target_names)
            for i, text in enumerate(texts):
                s = self.stance.doc_sums(text, sentences=sents[i], words=words[i])
                out[i, col:col + width] = np.stack(
                    [s["score_sum"], s["n_sentences"], s["n_hostile"],
                     s["n_friendly"]], axis=1).ravel()
            col += width
        return out


def _load_targets(targets: Any):
    if targets is None or isinstance(targets, pd.DataFrame):
        return targets
    from .stance import load_targets

    return load_targets(targets)


def _rebuild_analyzer(init: dict) -> Analyzer:
    return Analyzer(**init)


# one Analyzer per worker process
_WORKER: Analyzer | None = None


def _worker_init(init: dict, token: str) -> None:
    global _WORKER
    if _WORKER is not None and getattr(_WORKER, "_token", None) == token:
        return  # inherited from the parent by fork, built and warmed up
    _WORKER = Analyzer(**init)


def _warm_up(analyzer: Analyzer) -> str:
    """Run ``analyzer`` once on a short text (loading the compiled kernels) and leave
    it in the module, so that workers started by ``fork`` inherit it ready instead
    of importing and building their own (about a second each). Returns its token."""
    global _WORKER
    analyzer.run(["Warm-up. The respected Comrade Kim Jong Un said it is good."])
    analyzer._token = token = os.urandom(8).hex()
    _WORKER = analyzer
    return token


def _start_pool(analyzer: Analyzer, n_jobs: int,
                context: Any = None) -> ProcessPoolExecutor:
    """Worker processes for ``analyzer`` (with start methods other than ``fork``
    each worker builds its own)."""
    token = _warm_up(analyzer)
    return ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_worker_init,
                               initargs=(analyzer._init, token))


def _worker_run(texts: list[str]) -> np.ndarray:
    assert _WORKER is not None
    return _WORKER.run(texts)


# the text column of the chunk being analysed, inherited by forked workers
_TEXTS: pd.Series | None = None


def _worker_range(start: int, stop: int, batch_size: int) -> np.ndarray:
    """Rows ``start:stop`` of the inherited chunk, in batches of ``batch_size``."""
    assert _WORKER is not None and _TEXTS is not None
    texts = _TEXTS.iloc[start:stop].tolist()
    return np.concatenate([_WORKER.run(texts[i:i + batch_size])
                           for i in range(0, len(texts), batch_size)])


class _Runner:
    """Runs an :class:`Analyzer` over chunks, here or in ``n_jobs`` processes.

    Where ``fork`` is available, each chunk gets a fresh pool forked after the
    chunk is read: the workers inherit the analyzer (warmed up once) and the
    chunk's text column, and receive only row ranges (whole batches of
    ``batch_size``, so the batches are those of a serial run) instead of pickled
    texts; the caller reads the next chunk while they work. Elsewhere one pool
    of ``spawn`` workers lives for the whole run and the batches' texts are sent
    to it.
    """

    def __init__(self, analyzer: Analyzer, n_jobs: int, batch_size: int) -> None:
        self.analyzer, self.n_jobs, self.batch_size = analyzer, n_jobs, batch_size
        self.context = fork_context() if n_jobs > 1 else None
        self.pool: ProcessPoolExecutor | None = None
        self.token: str | None = None
        if n_jobs > 1 and self.context is None:
            import multiprocessing as mp

            self.pool = _start_pool(analyzer, n_jobs, mp.get_context("spawn"))

    @property
    def overlaps(self) -> bool:
        """Whether work runs in the background (the caller may read meanwhile)."""
        return self.n_jobs > 1

    def submit(self, texts: pd.Series) -> Any:
        """Start on a chunk's texts; ``.pieces()`` of the return value gives its
        ``(n, len(columns))`` rows, in order, in one or more pieces."""
        global _TEXTS
        size = self.batch_size
        if self.n_jobs == 1:
            items = texts.tolist()
            return _Done([self.analyzer.run(items[i:i + size])
                          for i in range(0, len(items), size)])
        if self.context is None:
            items = texts.tolist()
            return _Done(list(self.pool.map(_worker_run, _batches(items, size))))
        if self.token is None:
            self.token = _warm_up(self.analyzer)
        n = len(texts)
        _TEXTS = texts
        self.pool = ProcessPoolExecutor(self.n_jobs, mp_context=self.context)
        futures = [self.pool.submit(_worker_range, a * size, min(b * size, n), size)
                   for a, b in _task_batches(-(-n // size), self.n_jobs)]
        return _Pending(self, futures)

    def release(self) -> None:
        """Drop the chunk's texts and shut down its pool (fork mode)."""
        global _TEXTS
        _TEXTS = None
        if self.context is not None:
            self.close()

    def close(self) -> None:
        """Shut down any pool (tasks not started are dropped)."""
        global _TEXTS
        _TEXTS = None
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _task_batches(n_batches: int, n_jobs: int) -> list[tuple[int, int]]:
    """Batch ranges ``[(a, b), ...]`` of a chunk's tasks for ``n_jobs`` workers.

    Tasks of up to 8 batches (at least ~4 a worker on small chunks), except the
    last ``4 * n_jobs``, which are single batches: the workers then finish the
    chunk within about one batch of each other, instead of one waiting for the
    other's last 8 batches (up to ~0.13 s a chunk on the archive).
    """
    tail = min(n_batches, 4 * n_jobs)
    head = n_batches - tail
    per = max(1, min(8, head // (4 * n_jobs)))
    out = [(a, min(a + per, head)) for a in range(0, head, per)]
    return out + [(b, b + 1) for b in range(head, n_batches)]


#: Rows of a chunk's results handed on at a time while its workers still run.
_PIECE_ROWS = 8192


class _Done:
    def __init__(self, parts: list[np.ndarray]) -> None:
        self.parts = parts

    def pieces(self) -> Iterator[np.ndarray]:
        """The chunk's ``(n, len(columns))`` rows, in one piece."""
        if self.parts:
            yield np.concatenate(self.parts)


class _Pending:
    def __init__(self, runner: _Runner, futures: list) -> None:
        self.runner, self.futures = runner, futures

    def pieces(self) -> Iterator[np.ndarray]:
        """The chunk's rows in order, in pieces of about :data:`_PIECE_ROWS` as
        the tasks finish (the caller turns a piece into frames while the workers
        run the rest)."""
        try:
            held: list[np.ndarray] = []
            rows = 0
            for f in self.futures:
                held.append(f.result())
                rows += len(held[-1])
                if rows >= _PIECE_ROWS:
                    yield np.concatenate(held)
                    held, rows = [], 0
            if held:
                yield np.concatenate(held)
        finally:
            self.runner.release()


def standard_ratios(measures: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The per-period ratios of sums that summarise the pipeline's measures.

    ``vader_mean`` / ``kcna_mean`` (mean sentence sentiment), ``vader_share_neg`` ...,
    ``stance:<t>`` (mean sentence stance toward target ``t``),
    ``hostile_share:<t>``, ``friendly_share:<t>``, ``honored_share:<l>`` (share of
    mentions with an honorific), ``units_per_mention:<l>``.
    """
    ms = set(measures)
    out: dict[str, tuple[str, str]] = {}
    for m in ("vader", "kcna"):
        if f"{m}_sum" in ms:
            out[f"{m}_mean"] = (f"{m}_sum", "n_sentences")
            out[f"{m}_share_neg"] = (f"n_{m}_neg", "n_sentences")
            out[f"{m}_share_pos"] = (f"n_{m}_pos", "n_sentences")
    for m in sorted(ms):
        if m.startswith("stance_sum:"):
            t = m.split(":", 1)[1]
            out[f"stance:{t}"] = (m, f"n_stance:{t}")
            out[f"hostile_share:{t}"] = (f"n_hostile:{t}", f"n_stance:{t}")
            out[f"friendly_share:{t}"] = (f"n_friendly:{t}", f"n_stance:{t}")
        elif m.startswith("n_mentions:"):
            name = m.split(":", 1)[1]
            out[f"honored_share:{name}"] = (f"n_honored:{name}", m)
            out[f"units_per_mention:{name}"] = (f"n_honorifics:{name}", m)
    return out


def to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """Wide per-document measures to long doc stats (zero counts left out).

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``date``, ``source``, ``measure``, ``value``, ``n_tokens``, ``kind``
        (``"count"`` for ``n_*`` measures, ``"score"`` for the per-document sums of
        sentence scores, whose per-period summaries are the ratios). Every document
        keeps its ``n_sentences`` row.
        ``attrs["kcnalex"]["ratios"]`` holds :func:`standard_ratios`.
    """
    long, present = _long_rows(wide)
    return _long_record(long, wide.attrs.get("kcnalex", {}), _value_columns(wide),
                        present)


_META = ("doc_id", "date", "source", "n_tokens")


def _value_columns(wide: pd.DataFrame) -> list[str]:
    return [c for c in wide.columns if c not in _META]


def _long_rows(wide: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The rows of :func:`to_long` (no provenance) and the measures they hold.

    Row by row of ``wide``, so the long rows of consecutive pieces of a wide frame,
    concatenated, are those of the whole.
    """
    value_cols = _value_columns(wide)
    vals = wide[value_cols].to_numpy(dtype=np.float64)
    keep = vals != 0
    keep[:, value_cols.index("n_sentences")] = True
    rows, cols = np.nonzero(keep)
    # string columns by Series.take: no round trip through Python objects
    names = pd.Series(np.asarray(value_cols, dtype=object))
    kinds = pd.Series(np.where([c.startswith("n_") for c in value_cols], "count",
                               "score").astype(object))
    long = pd.DataFrame({
        "doc_id": wide["doc_id"].take(rows).reset_index(drop=True),
        "date": wide["date"].to_numpy()[rows],
        "source": wide["source"].take(rows).reset_index(drop=True),
        "measure": names.take(cols).reset_index(drop=True),
        "value": vals[rows, cols],
        "n_tokens": wide["n_tokens"].to_numpy(dtype=np.int64)[rows],
        "kind": kinds.take(cols).reset_index(drop=True),
    })
    return long, set(np.asarray(value_cols, dtype=object)[np.unique(cols)])


def _long_record(long: pd.DataFrame, wide_record: dict, value_cols: list[str],
                 present: set[str]) -> pd.DataFrame:
    """Attach the wide frame's provenance to its long rows, with ``form="long"``
    and the standard ratios whose two measures are ``present``."""
    record = dict(wide_record)
    record["form"] = "long"
    record["ratios"] = {k: list(v) for k, v in standard_ratios(value_cols).items()
                        if v[0] in present and v[1] in present}
    return attach(long, record)


def _batches(texts: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(texts), size):
        yield texts[i:i + size]


def analyze(source_or_corpus: Any, *, lexicon: Any = "kcna-formulae",
            leaders: Any = None, targets: Any = None,
            measures: Sequence[str] = MEASURES, entries: bool = False,
            form: Literal["long", "wide"] = "long", n_jobs: int = 1,
            chunk_size: int = 20_000, batch_size: int = 256,
            progress: bool | None = None, output: str | os.PathLike | None = None,
            **read_options: Any) -> pd.DataFrame:
    """Every per-document measure of a corpus in one streamed pass.

    Parameters
    ----------
    source_or_corpus : path, glob, list of paths, corpus DataFrame, or iterable
        What :func:`kcnalex.read_corpus` reads (streamed in chunks of ``chunk_size``
        records, so the corpus text is never all in memory), a corpus frame, or an
        iterable of corpus frames (a generator, :func:`kcnalex.iter_corpus` chunks)
        processed one at a time.
    lexicon : str, path or DataFrame
        Formula lexicon (default ``"kcna-formulae"``).
    leaders, targets : optional
        Leaders (see :func:`kcnalex.leader_mentions`) and stance targets (see
        :func:`kcnalex.stance`); default the shipped files.
    measures : sequence of str
        Families to compute, from :data:`MEASURES` (default all).
    entries : bool
        Also count every formula entry (``n_entry:<entry>`` measures).
    form : {"long", "wide"}
        Long doc stats for :func:`kcnalex.aggregate` (default) or one row per
        document (columns in the module docstring).
    n_jobs : int
        Worker processes (``-1``: all cores). Results are identical, in the same
        order, for any ``n_jobs``.
    chunk_size : int
        Records read per chunk.
    batch_size : int
        Documents per task sent to a worker.
    progress : bool, optional
        A tqdm bar on stderr (default: when stderr is a terminal).
    output : path, optional
        Also write the wide rows chunk by chunk to this Parquet file; the function
        then returns an empty frame with the columns (for corpora whose per-document
        numbers should not be held in memory).
    **read_options
        Passed to :func:`kcnalex.io.iter_corpus` (``lang``, ``dedup``, ...; its
        ``n_jobs`` is this function's).

    Returns
    -------
    pandas.DataFrame
        Long doc stats (``doc_id, date, source, measure, value, n_tokens, kind``) or
        the wide frame; ``attrs["kcnalex"]`` holds the provenance (library, tokenizer,
        lexicons and configuration files with sha256, parameters, ingest report) and
        the standard ratios.

    Examples
    --------
    >>> import kcnalex as kx
    >>> wide = kx.analyze(kx.load_sample(), form="wide", measures=["formulae"])
    >>> int(wide["n_tokens"].sum()) > 0
    True
    """
    if form not in ("long", "wide"):
        raise ValueError(f"form must be 'long' or 'wide', got {form!r}")
    n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))
    analyzer = Analyzer(lexicon=lexicon, leaders=leaders, targets=targets,
                        measures=measures, entries=entries)
    report = None
    if isinstance(source_or_corpus, pd.DataFrame):
        from ._columns import as_corpus

        corpus = as_corpus(source_or_corpus)
        chunks: Iterable[pd.DataFrame] = [corpus]
        source_desc: Any = "<DataFrame>"
    elif _frame_chunks(source_or_corpus):
        from ._columns import as_corpus

        chunks = (as_corpus(c) for c in source_or_corpus)
        report = getattr(source_or_corpus, "report", None)  # iter_corpus chunks
        source_desc = "<iterable of DataFrames>"
    else:
        from .io import iter_corpus

        # files are parsed and cleaned by n_jobs workers too (the same corpus)
        chunks = iter_corpus(source_or_corpus, chunk_size=chunk_size,
                             progress=False, n_jobs=n_jobs, **read_options)
        report = chunks.report
        source_desc = [str(s) for s in source_or_corpus] if isinstance(
            source_or_corpus, (list, tuple)) else str(source_or_corpus)

    from tqdm import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(desc="analyze", unit="doc", disable=disable)
    runner = _Runner(analyzer, n_jobs, batch_size)
    frames: list[pd.DataFrame] = []  # wide, or long rows with form="long"
    present: set[str] = set()  # measures in the long rows
    writer = None

    def emit(chunk: pd.DataFrame, job: Any) -> None:
        # the rows of the chunk's documents, piece by piece as the workers finish
        # them (frames are made while they run the rest, or the next chunk)
        nonlocal writer
        done = 0
        written: list[pd.DataFrame] = []

        def add(frame: pd.DataFrame) -> None:
            if output is not None:
                written.append(frame)
            elif form == "long":
                rows, got = _long_rows(frame)
                frames.append(rows)
                present.update(got)
            else:
                frames.append(frame)

        for values in job.pieces():
            add(_wide_frame(chunk.iloc[done:done + len(values)], values,
                            analyzer.columns))
            done += len(values)
            bar.update(len(values))
        if done != len(chunk):
            raise RuntimeError(f"analyze: {done} result rows for {len(chunk)} "
                               "documents")
        if not done:  # an empty chunk: its (untyped) frame, as for any chunk
            add(_wide_frame(chunk, np.zeros((0, len(analyzer.columns))),
                            analyzer.columns))
        if output is not None and done:  # one row group per non-empty chunk
            writer = _write_parquet(written[0] if len(written) == 1 else
                                    pd.concat(written, ignore_index=True),
                                    output, writer)

    pending = None
    try:
        for chunk in chunks:  # with workers, read while they run the previous chunk
            if pending is not None:
                emit(*pending)
                pending = None
            job = runner.submit(chunk["text"])
            if runner.overlaps:
                pending = (chunk, job)
            else:
                emit(chunk, job)
            # free this chunk before the reader builds the next one
            del chunk, job
            _release_memory()
        if pending is not None:
            emit(*pending)
            pending = None
    finally:
        bar.close()
        runner.close()
        if hasattr(chunks, "close"):  # a reader stopped by an error: end its workers
            chunks.close()
        if writer is not None:
            writer.close()
    empty = _wide_frame(pd.DataFrame(columns=["doc_id", "date", "source"]),
                        np.zeros((0, len(analyzer.columns))), analyzer.columns)
    if output is not None and writer is None:  # nothing kept: the columns only
        _write_parquet(empty, output, None).close()
    params = analyze_params(
        analyzer, n_jobs=n_jobs, chunk_size=chunk_size, read_options=read_options,
        source=source_desc, output=str(output) if output is not None else None)
    extra = {}
    if report is not None:
        extra["ingest"] = report.to_dict(details=False)
    record = provenance("analyze", params=params, lexicons=analyzer.lexicons,
                        form="wide", **extra)
    if form == "long":
        if not frames:
            frames.append(_long_rows(empty)[0])
        return _long_record(pd.concat(frames, ignore_index=True), record,
                            _value_columns(empty), present)
    wide = pd.concat(frames, ignore_index=True) if frames else empty
    return attach(wide, record)


def analyze_params(analyzer: Analyzer, **extra: Any) -> dict[str, Any]:
    """The parameters of an analysis for its provenance record (JSON-friendly).

    Lexicons, leaders and targets given as names are recorded by name; objects
    (frames, sets) as ``"<custom>"`` — their content hashes are in the record's
    ``lexicons`` list.
    """
    init = analyzer._init
    lexicon, leaders, targets = init["lexicon"], init["leaders"], init["targets"]
    return {"lexicon": lexicon if isinstance(lexicon, str) else "<custom>",
            "leaders": leaders if leaders is None or isinstance(leaders, str)
            else list(leaders) if isinstance(leaders, (list, tuple)) else
            "<custom>",
            "targets": targets if targets is None or isinstance(targets, str)
            else "<custom>",
            "measures": list(analyzer.measures), "entries": analyzer.entries,
            **extra}


_TRIM: Any = None


def _release_memory() -> None:
    """Hand the pages freed by a chunk back to the operating system.

    glibc's ``malloc_trim`` and pyarrow's pool keep freed memory for reuse; pages
    left in holes between live blocks would otherwise stay resident and add to the
    next chunks' peak, so the peak crept up with the number of chunks. Costs a few
    milliseconds per chunk; a no-op where glibc is absent.
    """
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes
            import ctypes.util

            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _TRIM = libc.malloc_trim
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            _TRIM = False
    if _TRIM:
        _TRIM(0)
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def _frame_chunks(obj: Any) -> bool:
    """An iterable of corpus frames (generator, iter_corpus chunks, list of frames)."""
    if isinstance(obj, (str, bytes, os.PathLike, pd.DataFrame)):
        return False
    if isinstance(obj, (list, tuple)):
        return bool(obj) and all(isinstance(c, pd.DataFrame) for c in obj)
    return isinstance(obj, Iterable)


def _wide_frame(chunk: pd.DataFrame, values: np.ndarray,
                columns: list[str]) -> pd.DataFrame:
    data = {
        "doc_id": _strings(chunk["doc_id"]),
        "date": pd.to_datetime(chunk["date"]).to_numpy(dtype="datetime64[ns]")
        if len(chunk) else np.zeros(0, dtype="datetime64[ns]"),
        "source": (_strings(chunk["source"]) if "source" in chunk
                   else np.full(len(chunk), "", dtype=object)),
    }
    for j, c in enumerate(columns):
        col = values[:, j]
        data[c] = col.astype(np.int64) if c.startswith("n_") else col
    return pd.DataFrame(data)


# pandas' default string dtype ("str" from pandas 3, object before)
_DEFAULT_STR = pd.Series(["a"]).dtype


def _strings(col: pd.Series) -> Any:
    """A corpus column for a new frame: as objects (the frame infers its dtype), or
    as it is when it already has the default string dtype (what the inference
    would give), which saves a round trip through Python objects."""
    if isinstance(col.dtype, pd.StringDtype) and col.dtype == _DEFAULT_STR:
        return col.reset_index(drop=True)
    return col.astype(object).to_numpy()


def _write_parquet(frame: pd.DataFrame, path, writer):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False,
                                 schema=None if writer is None else writer.schema)
    if writer is None:
        writer = pq.ParquetWriter(str(path), table.schema)
    writer.write_table(table)
    return writer
