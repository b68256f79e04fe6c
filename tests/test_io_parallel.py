"""read_corpus / iter_corpus with n_jobs > 1: the same corpus and report as serial."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kcnalex import _readpool
from kcnalex.io import iter_corpus, read_corpus

DATA = Path(__file__).parent / "data" / "io"
TEXT = "Pyongyang, May 2 (KCNA) -- The workers of the factory met the plan on time.\n"


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    ra, rb = a.attrs["kcnalex"]["ingest"], b.attrs["kcnalex"]["ingest"]
    assert ra == rb


def _mixed_folder(tmp_path: Path) -> Path:
    """Every shipped format, malformed files, fallback encodings and duplicates,
    spread over more files than one task holds."""
    folder = tmp_path / "mixed"
    shutil.copytree(DATA, folder)
    bad = {
        "e/empty.txt": b"",
        "e/garbage.bin.txt": bytes(range(256)) * 4,
        "e/trunc.json": b'[{"text": "The workers of the',
        "e/trunc.json.gz": gzip.compress(b'[{"text": "abc"}]')[:-6],
        "e/scalar.json": b"42",
        "e/bad.parquet": b"PAR1 not really",
        "e/bom.txt": ("Title Line\n" + TEXT).encode("utf-8-sig"),
        "e/latin.txt": ("Title Line\nPyongyang, May 2 (KCNA) -- The caf\u00e9 of the "
                        "city was opened to the public.\n").encode("latin-1"),
        "e/dup1.txt": ("A Title\n" + TEXT).encode(),
        "e/dup2.txt": ("A Title\n" + TEXT).encode(),
        "e/unknown.xyz": b"skipped",
    }
    for name, payload in bad.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(payload)
    return folder


def test_parallel_read_identical_on_every_format_and_error(tmp_path):
    folder = _mixed_folder(tmp_path)
    one = read_corpus(folder)
    rep = one.attrs["kcnalex"]["ingest"]
    assert rep["errors"] and rep["warnings"] and rep["dropped"].get("duplicate")
    n_files = rep["n_files"]
    assert n_files > _readpool.FILES_PER_TASK  # the workers really read
    _same(one, read_corpus(folder, n_jobs=2))  # the report too (n_jobs is not in it)


def test_parallel_read_strict_stops_at_the_first_error_in_order(tmp_path):
    folder = _mixed_folder(tmp_path)
    with pytest.raises(ValueError) as serial:
        read_corpus(folder, strict=True)
    with pytest.raises(ValueError) as parallel:
        read_corpus(folder, strict=True, n_jobs=2)
    assert (parallel.value.file, parallel.value.reason) == (serial.value.file,
                                                            serial.value.reason)


@pytest.mark.realdata
def test_parallel_read_identical_on_real_days(co_jp_dir):
    files = sorted(co_jp_dir.glob("2013-03-*_juche.json.gz"))
    _same(read_corpus(files), read_corpus(files, n_jobs=2))
    one = list(iter_corpus(files, chunk_size=300))
    chunks = iter_corpus(files, chunk_size=300, n_jobs=2)
    two = list(chunks)
    assert len(one) == len(two) > 2
    for a, b in zip(one, two, strict=True):
        _same(a, b)
    assert chunks.report.input_sha256 == read_corpus(files).attrs["kcnalex"][
        "ingest"]["input_sha256"]


@pytest.mark.realdata
def test_precomputed_keys_give_the_same_decisions(co_jp_dir):
    """Deduplicator.process with the reader workers' keys (digest, signature)
    decides exactly as when it hashes the texts itself: exact and near
    duplicates, within a batch and against an earlier one, short texts too."""
    from kcnalex._dedup import Deduplicator, doc_keys, many_doc_keys

    texts = read_corpus(sorted(co_jp_dir.glob("2011-05-1*_juche.json.gz")))[
        "text"].tolist()
    near = [t.replace(" the ", " a ", 1) for t in texts[:40]]  # one word changed
    batches = [texts[:150] + near[:20], texts[:10] + near[20:] + texts[150:]]
    batches[1].append(texts[3][:100])  # a short text: exact test only
    plain, keyed = Deduplicator(), Deduplicator()
    for b, batch in enumerate(batches):
        labels = [f"b{b}:{i}" for i in range(len(batch))]
        want = plain.process(batch, labels)
        keys = many_doc_keys(batch)
        keys[5] = None  # a document without keys is hashed by process itself
        got = keyed.process(batch, labels, keys=keys)
        assert got == want
        assert sum(d is not None and d[0] == "near_duplicate" for d in got) >= 10
        assert sum(d is not None and d[0] == "duplicate" for d in got) >= (b * 10)
    assert doc_keys(texts[0]) == many_doc_keys(texts[:3])[0]
    assert doc_keys("too short")[1] is None


@pytest.mark.realdata
def test_stopping_early_ends_the_reader_workers(co_jp_dir):
    import multiprocessing

    files = sorted(co_jp_dir.glob("2012-0[1-3]-*_juche.json.gz"))
    chunks = iter_corpus(files, chunk_size=200, n_jobs=2)
    first = next(chunks)
    assert len(first) > 0 and multiprocessing.active_children()
    chunks.close()
    assert multiprocessing.active_children() == []


@pytest.mark.realdata
def test_reader_state_spilled_to_temporary_files_gives_the_same_corpus(
        co_jp_dir, tmp_path, monkeypatch):
    """The exact-duplicate digests, doc ids and labels beyond a run (block) go to
    temporary files: the same corpus and report as with everything in memory,
    with duplicates found in the spilled runs."""
    from kcnalex import _dedup

    files = sorted(co_jp_dir.glob("2013-03-*_juche.json.gz"))
    # the first day again at the end: its records are exact duplicates of
    # records read many batches earlier
    shutil.copy(files[0], tmp_path / "copy_of_first_day.json.gz")
    files.append(tmp_path / "copy_of_first_day.json.gz")
    monkeypatch.setattr(_dedup.SortedKeys, "max_run", 32)
    monkeypatch.setattr(_dedup._BlockArray, "block", 16)
    made = []
    real = _dedup._SpillFile.__init__

    def init(self):
        made.append(self)
        real(self)

    monkeypatch.setattr(_dedup._SpillFile, "__init__", init)
    monkeypatch.setattr(_dedup.SortedKeys, "spill", False)
    monkeypatch.setattr(_dedup._BlockArray, "spill", False)
    kept = list(iter_corpus(files, chunk_size=100))
    assert not any(f.nbytes for f in made)  # nothing written
    monkeypatch.setattr(_dedup.SortedKeys, "spill", True)
    monkeypatch.setattr(_dedup._BlockArray, "spill", True)
    earlier = []  # copies found in earlier batches' (spilled) digests
    real_lookup = _dedup.Deduplicator._lookup

    def lookup(self, digests):
        out = real_lookup(self, digests)
        earlier.extend(i for i in out if i >= 0)
        return out

    monkeypatch.setattr(_dedup.Deduplicator, "_lookup", lookup)
    spilled = list(iter_corpus(files, chunk_size=100))
    assert len(spilled) == len(kept) > 5
    for a, b in zip(spilled, kept, strict=True):
        _same(a, b)
    assert sum(1 for f in made if f.nbytes) >= 3  # digests, doc ids, labels
    assert sum(f.nbytes for f in made) > 20 * sum(map(len, spilled))
    assert len(earlier) > 20  # the first day's records, found in the files
