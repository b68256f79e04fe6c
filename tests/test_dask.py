"""kcnalex.dask: the same numbers as the serial pipeline, on a real Dask cluster."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

import kcnalex as kx
from kcnalex.io import SAMPLE_DIR
from kcnalex.pipeline import to_long

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from kcnalex import dask as kxd  # noqa: E402

# Hand-written KCNA-style texts (not from the archive).
TEXTS = [
    "The respected Comrade Kim Jong Un inspected the new fertilizer factory. "
    "He praised the workers for their great successes in the sacred struggle.",
    "The U.S. imperialists and their puppets are the sworn enemy of the Korean "
    "people. Their reckless war moves will meet a merciless punishment.",
    "A delegation of the friendship society of Laos arrived here on Monday. "
    "It was warmly welcomed at the airport by the officials.",
    "",
    "The great leader Comrade Kim Il Sung is always with the people. "
    "Long live the great Comrade Kim Jong Il!",
]


def _tiny() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(len(TEXTS))],
        "date": pd.to_datetime(["2001-01-03", "2001-01-20", "2001-02-01",
                                "2001-02-11", "2001-03-05"]),
        "source": "hand",
        "text": TEXTS,
    })


def _by_id(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)


def _assert_same_wide(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got, want = _by_id(got), _by_id(want)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def _ratios(long: pd.DataFrame) -> dict:
    return {k: tuple(v) for k, v in long.attrs["kcnalex"]["ratios"].items()}


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None, worker_dashboard_address=None) as cl:
        with Client(cl) as c:
            yield c


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return kx.load_sample()


@pytest.fixture(scope="module")
def sample_wide(sample) -> pd.DataFrame:
    return kx.analyze(sample, form="wide")


# ---------------------------------------------------------------------------
# without a cluster
# ---------------------------------------------------------------------------
def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    with pytest.raises(ImportError, match=r"kcnalex\[dask\]"):
        kxd.analyze_dask(_tiny())


def test_import_does_not_import_dask():
    import subprocess

    code = ("import sys, kcnalex.dask; "
            "print(json.dumps([m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed')]))")
    out = subprocess.run([sys.executable, "-c", "import json; " + code],
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_tiny_sync_equals_serial():
    corpus = _tiny()
    before = corpus.copy()
    ddf = kxd.analyze_dask(corpus, partition_size=2)
    assert ddf.npartitions == 3
    got = ddf.compute(scheduler="sync")
    _assert_same_wide(got, kx.analyze(corpus, form="wide"))
    pd.testing.assert_frame_equal(corpus, before)  # input untouched
    rec = got.attrs["kcnalex"]
    assert rec["function"] == "analyze_dask"
    assert [lx["name"] for lx in rec["lexicons"]][0] == "kcna-formulae"


def test_tiny_long_equals_serial_long():
    corpus = _tiny()
    got = kxd.analyze_dask(corpus, partition_size=2, form="long",
                           measures=["formulae", "vader"]).compute(scheduler="sync")
    want = kx.analyze(corpus, measures=["formulae", "vader"])
    key = ["doc_id", "measure"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        want.sort_values(key).reset_index(drop=True), check_exact=True)


def test_dask_frame_without_date_or_source():
    corpus = _tiny()[["doc_id", "text"]]
    ddf = dd.from_pandas(corpus, npartitions=2)
    got = kxd.analyze_dask(ddf, measures=["formulae"]).compute(scheduler="sync")
    want = kx.analyze(corpus, form="wide", measures=["formulae"])
    _assert_same_wide(got, want)
    assert got["date"].isna().all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="form"):
        kxd.analyze_dask(_tiny(), form="tidy")
    with pytest.raises(ValueError, match="text"):
        kxd.analyze_dask(dd.from_pandas(_tiny()[["doc_id"]], npartitions=1))
    with pytest.raises(ValueError, match="files_per_partition"):
        kxd.read_corpus_dask(SAMPLE_DIR, files_per_partition=0)
    with pytest.raises(ValueError, match="dedup"):
        kxd.read_corpus_dask(SAMPLE_DIR, dedup="near")
    with pytest.raises(ValueError, match="ratios"):
        kxd.aggregate_dask(kx.analyze(_tiny(), form="wide"), ratios="all")


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


STORY = ("The delegation of the Korean Friendship Association visited the "
         "Mangyongdae Revolutionary School on {day}. The members of the delegation "
         "looked round the school and were deeply impressed by the fact that the "
         "children of the revolutionaries are growing up as fine people under the "
         "care of the party and the state, and they wished the school success.")


def test_cross_partition_dedup_matches_read_corpus(tmp_path):
    # b repeats a's first story (other case and punctuation: same normalised
    # text) and a's URL with new text; c is independent.
    a = _jsonl(tmp_path / "a.jsonl", [
        {"url": "u1", "date": "2005-03-01", "text": STORY.format(day="Monday")},
        {"url": "u2", "date": "2005-03-01", "text": STORY.format(day="Tuesday")},
    ])
    b = _jsonl(tmp_path / "b.jsonl", [
        {"url": "u9", "date": "2005-03-02",
         "text": STORY.format(day="Monday").upper().replace(",", " ;")},
        {"url": "u1", "date": "2005-03-02", "text": STORY.format(day="Friday")},
    ])
    c = _jsonl(tmp_path / "c.jsonl", [
        {"url": "u3", "date": "2005-02-28", "text": STORY.format(day="Sunday")},
    ])
    files = [str(a), str(b), str(c)]
    want = kx.read_corpus(files, near_duplicates=False)
    assert len(want) == 4  # the upper-case copy is dropped
    ddf = kxd.read_corpus_dask(files, files_per_partition=1, near_duplicates=False)
    assert ddf.npartitions == 3
    got = ddf.compute(scheduler="sync")
    cols = list(got.columns)
    pd.testing.assert_frame_equal(_by_id(got), _by_id(want[cols]), check_dtype=False)
    # second copy of URL u1 is renumbered as read_corpus does
    assert got["doc_id"].is_unique
    part = kxd.read_corpus_dask(files, files_per_partition=1, dedup="partition",
                                near_duplicates=False).compute(scheduler="sync")
    assert len(part) == 5 and not part["doc_id"].is_unique
    none = kxd.read_corpus_dask(files, dedup=False).compute(scheduler="sync")
    assert len(none) == 5


def test_read_corpus_dask_sample_equals_read_corpus(sample):
    got = kxd.read_corpus_dask(SAMPLE_DIR, files_per_partition=2).compute(
        scheduler="sync")
    pd.testing.assert_frame_equal(_by_id(got), _by_id(sample[list(got.columns)]),
                                  check_dtype=False)


# ---------------------------------------------------------------------------
# on a LocalCluster with 2 worker processes
# ---------------------------------------------------------------------------
def test_sample_cluster_equals_serial_and_n_jobs(client, sample, sample_wide):
    ddf = kxd.analyze_dask(sample, partition_size=15, client=client)
    assert ddf.npartitions == 4
    got = ddf.compute()
    _assert_same_wide(got, sample_wide)
    # issue 7 "must show": serial, n_jobs=2 and Dask give identical numbers
    two = kx.analyze(sample, form="wide", n_jobs=2, batch_size=7)
    pd.testing.assert_frame_equal(two, sample_wide, check_exact=True)
    _assert_same_wide(got, two)
    # one Analyzer build per worker process, whatever the number of partitions
    builds = client.run(kxd.cache_info)
    assert len(builds) == 2
    assert all(v == 1 for info in builds.values() for v in info.values())


def test_sample_files_on_cluster_and_aggregate(client, sample_wide):
    ddf = kxd.analyze_dask(SAMPLE_DIR, files_per_partition=3)
    assert ddf.npartitions > 1
    _assert_same_wide(ddf.compute(), sample_wide)
    long = to_long(sample_wide)
    kw = dict(freq="M", n_boot=200, seed=3)
    want = kx.aggregate(long, ratios=_ratios(long), **kw)
    got = kxd.aggregate_dask(ddf, ratios="standard", **kw)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # default: the ratios analyze records, as kx.aggregate(kx.analyze(...)) does
    pd.testing.assert_frame_equal(kxd.aggregate_dask(ddf, **kw),
                                  kx.aggregate(long, **kw), check_exact=True)
    by_source = kxd.aggregate_dask(
        kxd.analyze_dask(SAMPLE_DIR, form="long", files_per_partition=4),
        by="source", ci=None)
    pd.testing.assert_frame_equal(by_source, kx.aggregate(long, by="source", ci=None),
                                  check_exact=True)


def test_bag_of_files_on_cluster(client, sample_wide):
    import dask.bag as db

    files = sorted(str(p) for p in SAMPLE_DIR.glob("*.json.gz"))
    bag = db.from_sequence(files, npartitions=3)
    got = kxd.analyze_dask(bag).compute()
    _assert_same_wide(got, sample_wide)


@pytest.mark.realdata
def test_real_slice_cluster_equals_serial(client, co_jp_dir):
    # 12 day files whose exact duplicates (republished stories) span files; one
    # file per partition, so dedup must work across partitions.
    files = [str(co_jp_dir / f"2015-08-{d:02d}_juche.json.gz") for d in range(13, 25)]
    serial = kx.analyze(files, form="wide")
    ddf = kxd.analyze_dask(files, files_per_partition=1)
    assert ddf.npartitions == 12
    ddf = ddf.persist()
    got = ddf.compute()
    assert len(got) == len(serial) > 250
    _assert_same_wide(got, serial)
    long = to_long(serial)
    kw = dict(freq="W", n_boot=100, seed=0)
    pd.testing.assert_frame_equal(
        kxd.aggregate_dask(ddf, ratios="standard", **kw),
        kx.aggregate(long, ratios=_ratios(long), **kw), check_exact=True)
    assert np.isfinite(got["vader_sum"]).all()


SPANISH = ("La delegacion de la Asociacion de Amistad con Corea visito la escuela el "
           "lunes. Los miembros de la delegacion recorrieron la escuela y quedaron "
           "impresionados por el hecho de que los ninos crecen como buenas personas.")


def test_empty_partition_keeps_types(tmp_path):
    # the middle file holds only a Spanish record: its partition is empty
    files = [str(_jsonl(tmp_path / f"{k}.jsonl", [{"url": k, "date": d, "text": t}]))
             for k, d, t in (("a", "2005-03-01", STORY.format(day="Monday")),
                             ("b", "2005-03-02", SPANISH),
                             ("c", "2005-03-03", STORY.format(day="Friday")))]
    ddf = kxd.analyze_dask(files, files_per_partition=1, measures=["formulae"])
    got = ddf.compute(scheduler="sync")
    want = kx.analyze(files, form="wide", measures=["formulae"])
    assert len(got) == 2
    _assert_same_wide(got, want)
    long = kxd.analyze_dask(files, files_per_partition=1, measures=["formulae"],
                            form="long").compute(scheduler="sync")
    assert str(long["measure"].dtype) == str(ddf._meta["doc_id"].dtype)
