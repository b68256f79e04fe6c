"""analyze: the one-pass pipeline agrees with the frame APIs, for any n_jobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kcnalex as kx
from kcnalex.pipeline import Analyzer, standard_ratios, to_long

DOCS = pd.DataFrame({
    "doc_id": ["a", "b", "c"],
    "date": pd.to_datetime(["2012-01-05", "2012-01-20", "2012-02-02"]),
    "source": "hand",
    "text": [
        "The respected Comrade Kim Jong Un visited Mt. Paektu. The U.S. "
        "imperialists are warmongers.",
        "Kim Jong Il's works were studied. China and the DPRK have invincible "
        "friendship. The south Korean puppets are traitors.",
        "",
    ],
})


@pytest.fixture(scope="module")
def wide():
    return kx.analyze(DOCS, form="wide")


def test_wide_columns_and_hand_counts(wide):
    a = wide.set_index("doc_id").loc["a"]
    # "The respected Comrade Kim Jong Un visited Mt. Paektu." + "The U.S.
    # imperialists are warmongers." -> 9 + 5 word tokens, 2 sentences
    assert a["n_tokens"] == 14
    assert a["n_sentences"] == 2
    assert a["n_mentions:Kim Jong Un"] == 1
    assert a["n_honored:Kim Jong Un"] == 1
    assert a["n_honorifics:Kim Jong Un"] == 2  # respected, Comrade
    b = wide.set_index("doc_id").loc["b"]
    assert b["n_mentions:Kim Jong Il"] == 1 and b["n_honorifics:Kim Jong Il"] == 0
    assert b["n_sentences"] == 3
    c = wide.set_index("doc_id").loc["c"]
    assert c["n_tokens"] == 0 and c["n_sentences"] == 0
    assert list(wide["doc_id"]) == ["a", "b", "c"]


def test_wide_agrees_with_frame_apis(wide):
    w = wide.set_index("doc_id")
    counts = kx.count_formulae(DOCS, form="wide")
    counts = counts.set_index("doc_id") if "doc_id" in counts.columns else counts
    entry_cols = [c for c in counts.columns
                  if c not in ("date", "n_tokens", "doc_id")]
    for d in ("a", "b"):
        assert w.loc[d, "n_formulae"] == counts.loc[d, entry_cols].sum()
        assert w.loc[d, "n_tokens"] == counts.loc[d, "n_tokens"]
    ment = kx.leader_mentions(DOCS)
    for (d, leader), g in ment.groupby(["doc_id", "leader"]):
        assert w.loc[d, f"n_mentions:{leader}"] == len(g)
        assert w.loc[d, f"n_honorifics:{leader}"] == g["honorifics"].map(len).sum()
    for method in ("vader", "kcna"):
        s = kx.sentiment(DOCS, method=method).set_index("doc_id")
        np.testing.assert_allclose(w[f"{method}_sum"], s["sum"].reindex(w.index)
                                   .fillna(0), rtol=0, atol=1e-12)
    st = kx.stance(DOCS)
    for (d, t), g in st.groupby(["doc_id", "target"]):
        assert w.loc[d, f"n_stance:{t}"] == len(g)
        assert w.loc[d, f"stance_sum:{t}"] == pytest.approx(g["score"].sum(),
                                                            abs=1e-12)
        assert w.loc[d, f"n_hostile:{t}"] == (g["stance"] < 0).sum()


def test_vader_sum_matches_reference_package(wide):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    text = DOCS["text"][0]
    ref = sum(sia.polarity_scores(s)["compound"] for s in kx.split_sentences(text))
    assert wide["vader_sum"][0] == pytest.approx(ref, abs=1e-12)


def test_long_form_and_ratios(wide):
    long = to_long(wide)
    assert list(long.columns) == ["doc_id", "date", "source", "measure", "value",
                                  "n_tokens", "kind"]
    # zero counts dropped, but every document keeps its n_sentences row
    assert set(long.loc[long["measure"] == "n_sentences", "doc_id"]) == {"a", "b",
                                                                        "c"}
    assert (long.loc[long["kind"] == "count", "value"] != 0).all() or \
        (long["measure"] == "n_sentences").any()
    ratios = long.attrs["kcnalex"]["ratios"]
    assert ratios["vader_mean"] == ["vader_sum", "n_sentences"]
    agg = kx.aggregate(long, freq="M", ci=None, min_docs=1,
                       ratios={k: tuple(v) for k, v in ratios.items()})
    jan = agg[(agg["measure"] == "vader_mean")
              & (agg["period"] == pd.Timestamp("2012-01-01"))]
    expected = wide["vader_sum"][:2].sum() / wide["n_sentences"][:2].sum()
    assert jan["value"].iloc[0] == pytest.approx(expected, abs=1e-12)


def test_standard_ratios_names():
    r = standard_ratios(["vader_sum", "stance_sum:US", "n_stance:US",
                         "n_mentions:Kim Il Sung"])
    assert r["stance:US"] == ("stance_sum:US", "n_stance:US")
    assert r["honored_share:Kim Il Sung"] == ("n_honored:Kim Il Sung",
                                              "n_mentions:Kim Il Sung")
    assert "kcna_mean" not in r


def test_provenance(wide):
    prov = kx.get_provenance(wide)
    assert prov["function"] == "analyze"
    assert prov["tokenizer"] == kx.TOKENIZER_VERSION
    names = {lx["name"] for lx in prov["lexicons"]}
    assert {"kcna-formulae", "leaders", "targets"} <= names
    assert all(len(lx.get("sha256", "")) == 64 for lx in prov["lexicons"]
               if lx["name"] in ("kcna-formulae", "leaders"))


def test_measures_subset_and_errors():
    w = kx.analyze(DOCS, form="wide", measures=["leaders"])
    assert [c for c in w.columns if c.startswith(("vader", "stance", "n_cat"))] == []
    with pytest.raises(ValueError, match="unknown measures"):
        kx.analyze(DOCS, measures=["nope"])
    with pytest.raises(ValueError, match="form"):
        kx.analyze(DOCS, form="tall")


def test_analyzer_pickles():
    import pickle

    an = Analyzer(measures=["formulae", "leaders"])
    again = pickle.loads(pickle.dumps(an))
    texts = DOCS["text"].tolist()
    np.testing.assert_array_equal(an.run(texts), again.run(texts))


@pytest.mark.slow
def test_n_jobs_identical_on_sample():
    sample = kx.load_sample()
    one = kx.analyze(sample, form="wide")
    two = kx.analyze(sample, form="wide", n_jobs=2, batch_size=7)
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.realdata
@pytest.mark.slow
def test_n_jobs_and_streaming_identical_on_real_slice(co_jp_dir, tmp_path):
    files = sorted(co_jp_dir.glob("2013-02-0*_juche.json.gz"))
    one = kx.analyze(files, form="wide", chunk_size=300)
    two = kx.analyze(files, form="wide", n_jobs=2, chunk_size=300, batch_size=50)
    pd.testing.assert_frame_equal(one, two)
    # path input == frame input (same reader options)
    frame = kx.analyze(kx.read_corpus(files), form="wide")
    pd.testing.assert_frame_equal(
        one.sort_values("doc_id").reset_index(drop=True),
        frame.sort_values("doc_id").reset_index(drop=True))
    # streamed to Parquet chunk by chunk == in memory
    out = tmp_path / "w.parquet"
    kx.analyze(files, form="wide", chunk_size=300, output=out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), one, check_dtype=False)
    # the same from workers (each chunk read while they run the previous one)
    kx.analyze(files, form="wide", n_jobs=2, chunk_size=300, output=out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), one, check_dtype=False)
    assert kx.get_provenance(one)["ingest"]["records_in"] > len(one)


@pytest.mark.slow
def test_worker_error_reaches_caller_and_pools_end(monkeypatch):
    """An error in a worker is raised by analyze, and no worker or chunk is left."""
    import multiprocessing

    import kcnalex.pipeline as pl

    real_run = pl.Analyzer.run

    def run(self, texts):
        if any("BOOM" in t for t in texts):
            raise RuntimeError("bad text")
        return real_run(self, texts)

    monkeypatch.setattr(pl.Analyzer, "run", run)  # inherited by forked workers
    docs = pd.concat([DOCS] * 20, ignore_index=True)
    docs["doc_id"] = [f"d{i}" for i in range(len(docs))]
    docs.loc[len(docs) - 3, "text"] = "BOOM here."
    with pytest.raises(RuntimeError, match="bad text"):
        kx.analyze(docs, form="wide", n_jobs=2, batch_size=4,
                   measures=["formulae"])
    assert pl._TEXTS is None
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_spawn_workers_without_fork_identical(monkeypatch):
    """Where fork is unavailable (macOS, Windows), spawn workers build their own
    analyzer and receive the texts: the same rows."""
    import kcnalex.pipeline as pl
    import kcnalex.timeseries as ts

    monkeypatch.setattr(pl, "fork_context", lambda: None)
    monkeypatch.setattr(ts, "fork_context", lambda: None)
    sample = kx.load_sample()
    one = kx.analyze(sample, measures=["formulae", "vader"])
    two = kx.analyze(sample, measures=["formulae", "vader"], n_jobs=2, batch_size=9)
    pd.testing.assert_frame_equal(one, two)
    kw = dict(freq="Y", n_boot=50, min_docs=1)
    pd.testing.assert_frame_equal(kx.aggregate(two, **kw, n_jobs=2),
                                  kx.aggregate(one, **kw), check_exact=True)


def test_iterable_of_frames_and_empty_chunks(tmp_path):
    whole = kx.analyze(DOCS, form="wide")
    chunks = (DOCS.iloc[i:i + 1] for i in range(len(DOCS)))
    streamed = kx.analyze(chunks, form="wide")
    pd.testing.assert_frame_equal(streamed, whole)
    # an empty chunk (e.g. all records dropped) neither breaks Parquet streaming
    # nor changes the numbers
    out = tmp_path / "w.parquet"
    kx.analyze([DOCS.iloc[:0], DOCS, DOCS.iloc[:0]], form="wide", output=out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), whole, check_dtype=False)
    none = tmp_path / "none.parquet"
    kx.analyze([DOCS.iloc[:0]], form="wide", output=none)
    assert len(pd.read_parquet(none)) == 0


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_long_form_made_per_chunk_equals_to_long_of_whole(n_jobs, monkeypatch,
                                                          tmp_path):
    """analyze(form="long") makes each chunk's long rows as it goes (with
    workers, piece by piece as their tasks finish): the same frame and
    provenance as to_long of the whole wide frame."""
    import pyarrow.parquet as pq

    import kcnalex.pipeline as pl

    monkeypatch.setattr(pl, "_PIECE_ROWS", 4)  # several pieces a chunk
    docs = pd.concat([DOCS] * 9, ignore_index=True)
    docs["doc_id"] = [f"d{i}" for i in range(len(docs))]
    chunks = [docs.iloc[:0], docs.iloc[:10], docs.iloc[10:11], docs.iloc[11:]]
    measures = ["formulae", "vader", "leaders"]
    wide = kx.analyze(docs, form="wide", measures=measures)
    long = kx.analyze(chunks, form="long", measures=measures, n_jobs=n_jobs,
                      batch_size=3)
    ref = to_long(wide)
    pd.testing.assert_frame_equal(long, ref, check_exact=True)
    pd.testing.assert_frame_equal(
        kx.analyze(chunks, form="wide", measures=measures, n_jobs=n_jobs,
                   batch_size=3), wide, check_exact=True)
    out = tmp_path / "w.parquet"  # one row group per (non-empty) chunk
    kx.analyze(chunks, measures=measures, n_jobs=n_jobs, batch_size=3, output=out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), wide, check_dtype=False)
    assert pq.ParquetFile(out).metadata.num_row_groups == 3
    got, want = kx.get_provenance(long), kx.get_provenance(ref)
    assert got["params"].pop("n_jobs") == n_jobs
    want["params"].pop("n_jobs")
    got["params"].pop("source")
    want["params"].pop("source")
    assert got == want
    assert got["form"] == "long" and got["ratios"]["vader_mean"] == ["vader_sum",
                                                                     "n_sentences"]


def test_worker_tasks_end_in_single_batches():
    from kcnalex.pipeline import _task_batches

    for n_batches in range(0, 120):
        for n_jobs in (2, 3, 8):
            tasks = _task_batches(n_batches, n_jobs)
            # every batch once, in order
            assert [b for a, z in tasks for b in range(a, z)] == list(range(n_batches))
            assert all(1 <= z - a <= 8 for a, z in tasks)
            tail = min(n_batches, 4 * n_jobs)
            assert all(z - a == 1 for a, z in tasks[len(tasks) - tail:])
    assert _task_batches(79, 2)[:2] == [(0, 8), (8, 16)]


def test_n_sentences_counts_sentences_with_words_like_sentiment():
    # "* * *" on its own line is a sentence with no word token: not counted
    docs = pd.DataFrame({"doc_id": ["x"], "date": pd.to_datetime(["2012-01-05"]),
                         "text": ["The talks went well.\n* * *\nIt rained."]})
    wide = kx.analyze(docs, form="wide", measures=["vader"])
    assert len(kx.split_sentences(docs["text"][0])) == 3
    assert wide["n_sentences"][0] == 2
    sent = kx.sentiment(docs, method="vader")
    assert sent["n_sentences"][0] == 2
    assert wide["vader_sum"][0] / wide["n_sentences"][0] == pytest.approx(
        sent["mean"][0], abs=1e-12)


def test_compiled_and_python_sentiment_paths_identical(co_jp_dir, monkeypatch):
    """numba-compiled VADER (kcnalex[fast]) and the per-sentence path: same floats."""
    from kcnalex import _vader_jit

    if not _vader_jit.jit_enabled():
        pytest.skip("numba is not installed (kcnalex[fast])")
    files = sorted(co_jp_dir.glob("2004-03-1*_juche.json.gz"))
    compiled = kx.analyze(files, form="wide", measures=["vader"])
    monkeypatch.setenv("KCNALEX_JIT", "0")
    python = kx.analyze(files, form="wide", measures=["vader"])
    assert len(compiled) > 100
    pd.testing.assert_frame_equal(compiled, python, check_exact=True)
    engines = [lx.get("engine") for lx in kx.get_provenance(compiled)["lexicons"]]
    assert any("numba" in str(e) for e in engines)
    engines = [lx.get("engine") for lx in kx.get_provenance(python)["lexicons"]]
    assert "kcnalex.vader.vader_array" in engines
