"""Tests of kcnalex.timeseries: aggregate, changepoints, bursts, events.

Expected values are computed by hand (in the comments) or by independent naive
reference implementations written here (bootstrap loop, brute-force automaton).
"""

from __future__ import annotations

import itertools
import math
import os
import zlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcnalex.timeseries import (
    EVENT_KINDS,
    EVENTS_VERSION,
    aggregate,
    bursts,
    changepoints,
    events,
)


def _ds(rows, **cols):
    """Doc-stats frame from (doc_id, date, measure, value, n_tokens) tuples."""
    df = pd.DataFrame(rows, columns=["doc_id", "date", "measure", "value", "n_tokens"])
    df["date"] = pd.to_datetime(df["date"])
    for k, v in cols.items():
        df[k] = v
    return df


@pytest.fixture
def tiny():
    # January: a (1 hit / 100 tokens), b (1 hit / 400 tokens), c (no hit row, 500)
    # March: d (3 hits / 300 tokens)
    return _ds([
        ("a", "2024-01-03", "n_hits", 1, 100),
        ("b", "2024-01-20", "n_hits", 1, 400),
        ("a", "2024-01-03", "tone", 0.5, 100),
        ("b", "2024-01-20", "tone", -0.5, 300 + 100),
        ("c", "2024-01-31", "tone", 1.0, 500),
        ("d", "2024-03-02", "n_hits", 3, 300),
    ])


# --------------------------------------------------------------------------- aggregate
def _row(out, measure, period, group="all"):
    sel = out[(out["measure"] == measure) & (out["period"] == pd.Timestamp(period))
              & (out["group"] == group)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_count_is_ratio_estimator_not_mean_of_rates(tiny):
    out = aggregate(tiny, ci=None, min_docs=1)
    jan = _row(out, "n_hits", "2024-01-01")
    # documents a, b, c (c has no n_hits row: 0 hits); 1000 * 2 / 1000 = 2.0.
    # The mean of per-document rates would be (10 + 2.5 + 0) / 3 = 4.1667.
    assert jan["value"] == pytest.approx(2.0, rel=1e-15)
    assert jan["n_docs"] == 3 and jan["n_tokens"] == 1000 and jan["sum"] == 2
    assert jan["kind"] == "count"
    mar = _row(out, "n_hits", "2024-03-01")
    assert mar["value"] == pytest.approx(10.0, rel=1e-15)


def test_ratio_estimator_differs_from_mean_of_rates():
    ds = _ds([("a", "2024-01-01", "n_x", 1, 100), ("b", "2024-01-02", "n_x", 1, 400)])
    v = aggregate(ds, ci=None)["value"].iloc[0]
    assert v == pytest.approx(4.0)  # 1000 * 2 / 500
    assert v != pytest.approx((10.0 + 2.5) / 2)  # mean of rates = 6.25


def test_score_mean_and_weighted_mean(tiny):
    out = aggregate(tiny, ci=None, min_docs=1)
    jan = _row(out, "tone", "2024-01-01")
    assert jan["value"] == pytest.approx((0.5 - 0.5 + 1.0) / 3)
    assert jan["kind"] == "score" and jan["n_docs"] == 3
    # March: document d has no tone row -> no value, not 0
    mar = _row(out, "tone", "2024-03-01")
    assert np.isnan(mar["value"]) and mar["n_docs"] == 0
    w = aggregate(tiny, ci=None, weights="n_tokens")
    jw = _row(w, "tone", "2024-01-01")
    # (0.5*100 - 0.5*400 + 1.0*500) / (100 + 400 + 500) = 350 / 1000
    assert jw["value"] == pytest.approx(0.35)
    assert jw["sum"] == pytest.approx(350.0)


def test_ratio_of_measures_is_sum_over_sum():
    ds = _ds([
        ("a", "2020-05-01", "n_honored", 2, 50),
        ("a", "2020-05-01", "n_mentions", 4, 50),
        ("b", "2020-05-02", "n_honored", 1, 50),
        ("b", "2020-05-02", "n_mentions", 1, 50),
        ("c", "2020-05-03", "n_mentions", 5, 50),
    ])
    out = aggregate(ds, ci=None, ratios={"honored_share": ("n_honored", "n_mentions")},
                    measures=[])
    assert out["measure"].tolist() == ["honored_share"]
    r = out.iloc[0]
    # (2 + 1 + 0) / (4 + 1 + 5) = 0.3; the mean of per-document shares would be 0.5
    assert r["value"] == pytest.approx(0.3) and r["kind"] == "ratio"
    assert r["sum"] == 3 and r["n_docs"] == 3


def test_empty_periods_and_low_data(tiny):
    out = aggregate(tiny, ci=None)
    feb = _row(out, "n_hits", "2024-02-01")
    assert feb["n_docs"] == 0 and np.isnan(feb["value"]) and feb["low_data"]
    assert np.isnan(feb["ci_low"])
    assert out["low_data"].all()  # min_docs=5, at most 3 documents per month
    per_measure = out.groupby("measure")["period"].apply(list)
    months = list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert per_measure["n_hits"] == months and per_measure["tone"] == months
    # start/end widen the range
    wide = aggregate(tiny, ci=None, start="2023-12-15", end="2024-04-01")
    assert wide["period"].min() == pd.Timestamp("2023-12-01")
    assert wide["period"].max() == pd.Timestamp("2024-04-01")
    assert len(wide) == 2 * 5


def test_output_columns_types_and_provenance(tiny):
    out = aggregate(tiny, n_boot=50)
    assert list(out.columns) == ["period", "group", "measure", "kind", "value",
                                 "ci_low", "ci_high", "n_docs", "n_tokens", "sum",
                                 "low_data"]
    assert out["period"].dtype == "datetime64[ns]"
    assert out["low_data"].dtype == bool
    prov = out.attrs["kcnalex"]
    assert prov["function"] == "aggregate"
    assert prov["params"]["n_boot"] == 50 and prov["params"]["seed"] == 0
    assert prov["resolved_kinds"] == {"n_hits": "count", "tone": "score"}


@pytest.mark.parametrize("freq,expected", [
    ("M", ["2024-01-01", "2024-02-01", "2024-03-01"]),
    ("ME", ["2024-01-01", "2024-02-01", "2024-03-01"]),
    ("MS", ["2024-01-01", "2024-02-01", "2024-03-01"]),
    ("Q", ["2024-01-01"]),
    ("QS", ["2024-01-01"]),
    ("Y", ["2024-01-01"]),
    ("YE", ["2024-01-01"]),
    # weeks ending Sunday start on Monday: 2024-01-01 was a Monday
    ("W", ["2024-01-01", "2024-01-08", "2024-01-15"]),
    ("D", ["2024-01-03", "2024-01-04", "2024-01-05"]),
])
def test_frequencies_label_period_starts(freq, expected):
    ds = _ds([("a", "2024-01-03", "n_x", 1, 10),
              ("b", "2024-03-31" if freq not in ("W", "D") else
               {"W": "2024-01-21", "D": "2024-01-05"}[freq], "n_x", 1, 10)])
    out = aggregate(ds, freq=freq, ci=None)
    assert out["period"].tolist() == list(pd.to_datetime(expected))


def test_bad_freq_rejected():
    ds = _ds([("a", "2024-01-03", "n_x", 1, 10)])
    with pytest.raises(ValueError, match="not supported"):
        aggregate(ds, freq="2M")


def test_group_by_columns():
    ds = _ds([
        ("a", "2024-01-03", "n_x", 1, 100),
        ("b", "2024-01-04", "n_x", 2, 100),
        ("c", "2024-02-04", "n_x", 4, 100),
    ], source=["kp", "co.jp", "kp"], lang=["en", "en", "es"])
    out = aggregate(ds, by="source", ci=None, min_docs=1)
    assert sorted(out["group"].unique()) == ["co.jp", "kp"]
    assert "source" in out.columns
    assert _row(out, "n_x", "2024-01-01", "kp")["value"] == pytest.approx(10.0)
    assert _row(out, "n_x", "2024-01-01", "co.jp")["value"] == pytest.approx(20.0)
    # co.jp has no February document: an empty row, not a missing one
    feb = _row(out, "n_x", "2024-02-01", "co.jp")
    assert feb["n_docs"] == 0 and np.isnan(feb["value"])
    two = aggregate(ds, by=["source", "lang"], ci=None)
    assert set(two["group"]) == {"co.jp | en", "kp | en", "kp | es"}
    assert {"source", "lang"} <= set(two.columns)


def test_kinds_argument_and_kind_column():
    ds = _ds([("a", "2024-01-03", "respected", 2, 100),
              ("b", "2024-01-04", "respected", 0, 300)])
    assert aggregate(ds, ci=None)["value"].iloc[0] == pytest.approx(1.0)  # score
    as_count = aggregate(ds, ci=None, kinds={"respected": "count"})
    assert as_count["value"].iloc[0] == pytest.approx(5.0)  # 1000 * 2 / 400
    assert aggregate(ds, ci=None, kinds="count")["value"].iloc[0] == pytest.approx(5.0)
    with_col = aggregate(ds.assign(kind="count"), ci=None)
    assert with_col["value"].iloc[0] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="must be 'count' or 'score'"):
        aggregate(ds, kinds={"respected": "rate"})


def test_input_not_mutated(tiny):
    before = tiny.copy()
    aggregate(tiny, n_boot=20, by=None)
    pd.testing.assert_frame_equal(tiny, before)


@pytest.mark.parametrize("bad,match", [
    ("dup", "more than one row"),
    ("tokens", "n_tokens differs"),
    ("dates", "more than one date"),
])
def test_inconsistent_input_rejected(tiny, bad, match):
    ds = tiny.copy()
    if bad == "dup":
        ds = pd.concat([ds, ds.iloc[[0]]], ignore_index=True)
    elif bad == "tokens":
        ds.loc[2, "n_tokens"] = 999
    else:
        ds.loc[2, "date"] = pd.Timestamp("2024-01-05")
    with pytest.raises(ValueError, match=match):
        aggregate(ds, ci=None)


def test_rows_without_date_are_dropped_and_counted(tiny):
    ds = pd.concat([tiny, _ds([("z", None, "n_hits", 9, 10)])], ignore_index=True)
    out = aggregate(ds, ci=None)
    assert out.attrs["kcnalex"]["n_rows_dropped"] == 1
    assert _row(out, "n_hits", "2024-01-01")["sum"] == 2


# --------------------------------------------------------------------------- bootstrap
def _random_cell(seed, n=23):
    rng = np.random.default_rng(seed)
    docs = [f"d{i:03d}" for i in range(n)]
    rng.shuffle(docs)  # input row order must not matter
    tok = rng.integers(20, 400, n)
    hits = rng.poisson(tok / 100)
    tone = rng.normal(0, 1, n)
    tone[rng.random(n) < 0.3] = np.nan  # some documents have no tone
    rows = []
    for d, t, h, s in zip(docs, tok, hits, tone):
        day = f"2013-02-{1 + int(d[1:]) % 27:02d}"
        rows.append((d, day, "n_hits", h, t))
        if not np.isnan(s):
            rows.append((d, day, "tone", s, t))
    return _ds(rows)


def _naive_ci(ds, measure, *, seed, n_boot, ci, group="all", period="2013-02-01"):
    """Independent bootstrap: one Python loop per replicate, documents by doc_id."""
    docs = sorted(ds["doc_id"].unique())
    tok = ds.drop_duplicates("doc_id").set_index("doc_id")["n_tokens"]
    vals = ds[ds["measure"] == measure].set_index("doc_id")["value"]
    key = [seed, int(pd.Timestamp(period).strftime("%Y%m%d")),
           zlib.crc32(group.encode("utf-8"))]
    rng = np.random.default_rng(key)
    reps = []
    n = len(docs)
    for _ in range(n_boot):
        idx = rng.integers(0, n, size=n)
        picked = [docs[i] for i in idx]
        if measure.startswith("n_"):
            num = sum(float(vals.get(d, 0.0)) for d in picked)
            den = sum(float(tok[d]) for d in picked)
            reps.append(1000.0 * num / den)
        else:
            got = [float(vals[d]) for d in picked if d in vals.index]
            reps.append(sum(got) / len(got) if got else np.nan)
    lo, hi = (1 - ci) / 2, (1 + ci) / 2
    return np.nanquantile(np.array(reps), [lo, hi])


@pytest.mark.parametrize("seed", [0, 1, 7, 123])
def test_bootstrap_matches_naive_loop(seed):
    ds = _random_cell(seed)
    out = aggregate(ds, seed=seed, n_boot=300, ci=0.9)
    for measure in ("n_hits", "tone"):
        r = _row(out, measure, "2013-02-01")
        lo, hi = _naive_ci(ds, measure, seed=seed, n_boot=300, ci=0.9)
        assert r["ci_low"] == pytest.approx(lo, rel=1e-12)
        assert r["ci_high"] == pytest.approx(hi, rel=1e-12)
        assert r["ci_low"] <= r["value"] <= r["ci_high"]


def test_bootstrap_reproducible_and_independent_of_context():
    ds = _random_cell(3)
    a = aggregate(ds, n_boot=200)
    b = aggregate(ds.sample(frac=1.0, random_state=1), n_boot=200)
    pd.testing.assert_frame_equal(a, b)
    c = aggregate(ds, n_boot=200, seed=1)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    only = aggregate(ds, n_boot=200, measures=["n_hits"])
    assert _row(only, "n_hits", "2013-02-01")["ci_low"] == \
        _row(a, "n_hits", "2013-02-01")["ci_low"]
    # another group beside does not change this group's interval
    other = ds.assign(doc_id=ds["doc_id"] + "x", src="y")
    both = aggregate(pd.concat([ds.assign(src="x"), other]), by="src", n_boot=200)
    alone = aggregate(ds.assign(src="x"), by="src", n_boot=200)
    assert _row(both, "tone", "2013-02-01", "x")["ci_high"] == \
        _row(alone, "tone", "2013-02-01", "x")["ci_high"]


def test_bootstrap_blocks_give_same_stream():
    from kcnalex.timeseries import _bootstrap_replicates

    rng = np.random.default_rng(5)
    num = rng.random((17, 3))
    den = rng.random((17, 3)) + 0.5
    a = _bootstrap_replicates(np.random.default_rng(9), num, den, 100)
    b = _bootstrap_replicates(np.random.default_rng(9), num, den, 100, max_cells=40)
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_single_document_cell_has_no_interval():
    ds = _ds([("a", "2024-01-03", "n_x", 1, 10)])
    r = aggregate(ds).iloc[0]
    assert r["value"] == 100 and np.isnan(r["ci_low"]) and np.isnan(r["ci_high"])


# ------------------------------------------------------------------------ changepoints
def _step_series(seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.full(30, 2.0), np.full(30, 5.0)] + rng.normal(0, 0.4, 60)
    idx = pd.date_range("2005-01-01", periods=60, freq="MS")
    return pd.Series(y, index=idx)


def test_changepoints_step_series():
    s = _step_series()
    cp, seg = changepoints(s, return_segments=True)
    assert len(cp) == 1
    r = cp.iloc[0]
    assert r["index"] == 30 and r["date"] == pd.Timestamp("2007-07-01")
    assert r["before"] == pytest.approx(s.iloc[:30].mean())
    assert r["after"] == pytest.approx(s.iloc[30:].mean())
    assert r["magnitude"] == pytest.approx(r["after"] - r["before"])
    assert seg["n"].tolist() == [30, 30]
    assert seg["start_index"].tolist() == [0, 30]
    assert seg["end_index"].tolist() == [29, 59]
    assert seg["end"].iloc[0] == pd.Timestamp("2007-06-01")
    sigma = 1.4826 * np.median(np.abs(np.diff(s) - np.median(np.diff(s)))) / np.sqrt(2)
    assert r["penalty"] == pytest.approx(3 * sigma**2 * np.log(60))


def test_changepoints_constant_and_noise_only():
    idx = pd.date_range("2000-01-01", periods=40, freq="MS")
    assert changepoints(pd.Series(np.ones(40), index=idx)).empty
    noise = pd.Series(np.random.default_rng(2).normal(0, 1, 40), index=idx)
    assert len(changepoints(noise)) == 0


def test_changepoints_binseg_two_steps():
    rng = np.random.default_rng(4)
    y = np.r_[np.zeros(20), np.full(20, 3.0), np.full(20, -2.0)] + rng.normal(0, .3, 60)
    s = pd.Series(y, index=pd.date_range("2001-01-01", periods=60, freq="MS"))
    cp = changepoints(s, method="binseg", n_bkps=2)
    assert cp["index"].tolist() == [20, 40]
    assert cp["magnitude"].round(0).tolist() == [3.0, -5.0]


def test_changepoints_from_period_stats_with_gaps():
    s = _step_series(1)
    rows = []
    for g, shift in (("kp", 0.0), ("co.jp", 10.0)):
        for i, (p, v) in enumerate(s.items()):
            rows.append({"period": p, "group": g, "measure": "n_x",
                         "value": np.nan if i in (3, 4) else v + shift})
    ps = pd.DataFrame(rows)
    cp = changepoints(ps, measure="n_x")
    assert sorted(cp["group"]) == ["co.jp", "kp"]
    assert (cp["index"] == 30).all()  # position in the series, NaN periods counted
    assert cp.attrs["kcnalex"]["function"] == "changepoints"
    one = changepoints(ps, measure="n_x", group="kp")
    assert one["group"].tolist() == ["kp"]
    # a low-data outlier run is skipped by default, detected when kept
    spike = ps[ps["group"] == "kp"].copy()
    spike["low_data"] = False
    spike.loc[spike.index[10:14], ["value", "low_data"]] = [50.0, True]
    assert changepoints(spike)["index"].tolist() == [30]
    assert 10 in changepoints(spike, skip_low_data=False)["index"].tolist()


# ------------------------------------------------------------------------------ bursts
def test_bursts_hand_example():
    dates = pd.date_range("2020-01-01", periods=4, freq="MS")
    b = bursts(dates, counts=[1, 1, 5, 1], totals=[10, 10, 10, 10], term="x")
    # R/D = 8/40: p0 = 0.2, p1 = 0.4; entering the burst costs ln 4 = 1.386.
    # Saving in period 2: 5 ln(0.4/0.2) + 5 ln(0.6/0.8) = 5 ln 1.5 = 2.027 > ln 4;
    # in periods with r=1: ln 2 + 9 ln 0.75 = -1.896 < 0, so the burst is [2, 2].
    assert len(b) == 1
    r = b.iloc[0]
    assert (r["term"], r["start_index"], r["end_index"]) == ("x", 2, 2)
    assert r["start"] == r["end"] == pd.Timestamp("2020-03-01")
    assert r["weight"] == pytest.approx(5 * math.log(1.5), rel=1e-12)
    assert (r["p0"], r["p1"]) == (pytest.approx(0.2), pytest.approx(0.4))
    # with gamma = 1.5 entering costs 1.5 ln 4 = 2.079 > 2.027: no burst
    assert bursts(dates, counts=[1, 1, 5, 1], totals=[10] * 4, gamma=1.5).empty


def test_bursts_obvious_burst():
    d = np.full(60, 100)
    r = np.full(60, 2)
    r[20:26] = 20
    dates = pd.date_range("1999-01-01", periods=60, freq="MS")
    b = bursts(dates, counts=r, totals=d)
    assert b[["start_index", "end_index"]].values.tolist() == [[20, 25]]
    assert b["start"].iloc[0] == pd.Timestamp("2000-09-01")


def _brute_force(r, d, s, gamma):
    """Least-cost state sequence by enumerating all 2^n sequences."""
    r, d = np.asarray(r, float), np.asarray(d, float)
    p = [r.sum() / d.sum(), s * r.sum() / d.sum()]
    n = len(r)

    def sigma(i, t):
        a = r[t] * math.log(p[i]) if r[t] else 0.0
        b = (d[t] - r[t]) * math.log(1 - p[i]) if d[t] - r[t] else 0.0
        return -(a + b)

    best = None
    for seq in itertools.product((0, 1), repeat=n):
        cost, prev = 0.0, 0
        for t, q in enumerate(seq):
            cost += (gamma * math.log(n) if q > prev else 0.0) + sigma(q, t)
            prev = q
        if best is None or cost < best[0] - 1e-12:
            best = (cost, seq)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_bursts_viterbi_equals_brute_force(seed):
    from kcnalex.timeseries import _kleinberg_states

    rng = np.random.default_rng(seed)
    d = rng.integers(5, 30, 9)
    r = np.minimum(rng.poisson(d * rng.choice([0.05, 0.3], 9)), d)
    r[0] = max(r[0], 1)
    states, c0, c1 = _kleinberg_states(r[None, :], d, 2.0, 1.0)
    cost_bf, seq_bf = _brute_force(r, d, 2.0, 1.0)
    st = states[0]
    n = len(d)
    enter = np.diff(np.r_[0, st]) == 1
    cost = np.where(st == 1, c1[0], c0[0]).sum() + enter.sum() * math.log(n)
    # the binomial coefficient is left out of c0/c1 (same in both states)
    assert cost == pytest.approx(cost_bf, abs=1e-9)
    assert tuple(st) == seq_bf


def test_bursts_from_doc_stats_matches_arrays():
    rows = []
    rng = np.random.default_rng(0)
    hits_per_month = [0, 1, 0, 6, 7, 1, 0, 0]
    for m, k in enumerate(hits_per_month):
        for j in range(10):
            doc = f"m{m}d{j}"
            date = f"2015-{m + 1:02d}-{j + 1:02d}"
            rows.append((doc, date, "respected", int(j < k) * rng.integers(1, 3), 100))
    ds = _ds(rows)
    b1 = bursts(ds)
    dates = pd.date_range("2015-01-01", periods=8, freq="MS")
    b2 = bursts(dates, counts=hits_per_month, totals=[10] * 8, term="respected")
    cols = ["term", "start", "end", "start_index", "end_index", "weight"]
    pd.testing.assert_frame_equal(b1[cols], b2[cols])
    assert b1[["start_index", "end_index"]].values.tolist() == [[3, 4]]


def test_bursts_too_frequent_term_warns():
    dates = pd.date_range("2020-01-01", periods=3, freq="MS")
    with pytest.warns(UserWarning, match="s \\* p0 >= 1"):
        out = bursts(dates, counts=[6, 6, 6], totals=[10, 10, 10])
    assert out.empty


# ------------------------------------------------------------------------------ events
def test_events_shipped_table():
    ev = events()
    assert list(ev.columns) == ["date", "event", "kind", "source_ref"]
    assert ev["date"].dtype == "datetime64[ns]"
    assert ev["date"].is_monotonic_increasing
    assert ev["date"].min() >= pd.Timestamp("1997-01-01")
    assert ev["date"].max() <= pd.Timestamp("2026-12-31")
    assert set(ev["kind"]) <= set(EVENT_KINDS)
    assert (ev["source_ref"].str.len() > 3).all() and (ev["event"].str.len() > 3).all()
    assert not ev.duplicated(["date", "event"]).any()
    prov = ev.attrs["kcnalex"]
    assert prov["file_version"] == EVENTS_VERSION and len(prov["sha256"]) == 64


def test_events_key_dates():
    ev = events()
    on = {d.strftime("%Y-%m-%d"): set(g["kind"]) for d, g in ev.groupby("date")}
    nuclear = events(kinds="nuclear_test")["date"].dt.strftime("%Y-%m-%d").tolist()
    assert nuclear == ["2006-10-09", "2009-05-25", "2013-02-12", "2016-01-06",
                       "2016-09-09", "2017-09-03"]
    for day, kind in [("2011-12-17", "leadership"), ("2000-06-13", "summit"),
                      ("2007-10-02", "summit"), ("2018-04-27", "summit"),
                      ("2018-05-26", "summit"), ("2018-09-18", "summit"),
                      ("2018-06-12", "summit"), ("2019-02-27", "summit"),
                      ("2019-06-30", "summit"), ("2019-04-25", "summit"),
                      ("2023-09-13", "summit"), ("2024-06-19", "summit"),
                      ("2010-09-28", "party"), ("2012-04-11", "party"),
                      ("2016-05-06", "party"), ("2021-01-05", "party"),
                      ("2012-04-11", "title"), ("2016-06-29", "title"),
                      ("2021-01-10", "title"), ("2003-08-27", "diplomacy"),
                      ("2005-09-19", "diplomacy"), ("2010-11-23", "military"),
                      ("2010-03-26", "military"), ("2012-12-12", "satellite"),
                      ("2017-11-29", "missile")]:
        assert kind in on.get(day, set()), day


def test_events_filters_and_user_file(tmp_path):
    two = events(kinds=["summit", "party"], start="2018-01-01", end="2018-12-31")
    assert set(two["kind"]) == {"summit", "party"}
    assert two["date"].dt.year.eq(2018).all()
    with pytest.raises(ValueError, match="unknown event kind"):
        events(kinds="coup")
    p = tmp_path / "mine.csv"
    p.write_text("date,event\n2020-01-02,Something happened\n1999-05-01,Earlier\n")
    mine = events(path=p)
    assert mine["event"].tolist() == ["Earlier", "Something happened"]
    assert mine["kind"].tolist() == ["", ""]
    assert mine.attrs["kcnalex"]["file_version"] is None


# --------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_real_archive_rates_and_succession_burst(co_jp_dir):
    """kcna.co.jp, Nov 2011 - Jan 2012: the ratio estimator against a plain groupby,
    and the burst of 'Kim Jong Un' at Kim Jong Il's death (announced 2011-12-19)."""
    import kcnalex as kx
    from kcnalex.tokenize import count_tokens_batch

    files = sorted(co_jp_dir.glob("2011-1[12]-*")) + sorted(co_jp_dir.glob("2012-01-*"))
    corpus = kx.read_corpus(files, progress=False)
    corpus = corpus[corpus["date"].notna()]
    ntok = count_tokens_batch(corpus["text"].tolist())
    hits = corpus["text"].str.count("Kim Jong Un").to_numpy()
    ds = pd.DataFrame({"doc_id": corpus["doc_id"].to_numpy(),
                       "date": corpus["date"].to_numpy(), "measure": "n_kju",
                       "value": hits, "n_tokens": ntok})
    out = aggregate(ds, n_boot=200)
    month = corpus["date"].dt.to_period("M").dt.start_time.to_numpy()
    ref = (pd.DataFrame({"period": month, "h": hits, "t": ntok, "n": 1})
           .groupby("period").sum())
    got = out.set_index("period").loc[ref.index]
    np.testing.assert_allclose(got["value"], 1000 * ref["h"] / ref["t"], rtol=1e-12)
    assert got["n_docs"].tolist() == ref["n"].tolist()
    assert got["n_tokens"].tolist() == ref["t"].tolist()
    assert (got["ci_low"] <= got["value"]).all()
    assert (got["value"] <= got["ci_high"]).all()
    nov, dec = (got.loc[pd.Timestamp(m), "value"] for m in ("2011-11-01", "2011-12-01"))
    assert dec > 10 * max(nov, 1e-9)
    b = bursts(ds, freq="D")
    assert b["start"].iloc[0] == pd.Timestamp("2011-12-19")


def test_aggregate_uses_ratios_recorded_by_analyze():
    import kcnalex as kx

    docs = pd.DataFrame({
        "doc_id": ["a", "b"], "date": pd.to_datetime(["2012-01-05", "2012-01-20"]),
        "source": "hand",
        "text": ["The U.S. imperialists are warmongers. China is a friend.",
                 "Good news. Bad news. Fine."]})
    long = kx.analyze(docs, measures=["vader"])
    out = kx.aggregate(long, freq="M", ci=None, min_docs=1)
    wide = kx.analyze(docs, measures=["vader"], form="wide")
    got = out.loc[out["measure"] == "vader_mean", "value"].item()
    assert got == pytest.approx(wide["vader_sum"].sum() / wide["n_sentences"].sum(),
                                abs=1e-12)
    # asked-for measures select ratios too; ratios={} asks for none
    sel = kx.aggregate(long, freq="M", ci=None, min_docs=1,
                       measures=["n_sentences", "vader_mean"])
    assert sorted(sel["measure"]) == ["n_sentences", "vader_mean"]
    none = kx.aggregate(long, freq="M", ci=None, min_docs=1, ratios={})
    assert "vader_mean" not in set(none["measure"])


def test_bootstrap_does_not_depend_on_blas_threads():
    """The bootstrap's matrix product runs on one BLAS thread, so intervals are the
    same on any machine (a threaded product rounds some sums differently)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(5)
    n = 3000
    ds = pd.DataFrame({
        "doc_id": np.repeat([f"d{i}" for i in range(n)], 3),
        "date": np.repeat(pd.to_datetime("2012-01-01")
                          + pd.to_timedelta(rng.integers(0, 59, n), unit="D"), 3),
        "measure": np.tile(["n_a", "n_b", "score_c"], n),
        "value": rng.random(3 * n) * 10,
        "n_tokens": np.repeat(rng.integers(50, 2000, n), 3),
    })
    with threadpool_limits(1):
        one = aggregate(ds, n_boot=300)
    with threadpool_limits(8):
        many = aggregate(ds, n_boot=300)
    pd.testing.assert_frame_equal(one, many, check_exact=True)
    assert one["ci_low"].notna().all()


def test_cell_blocks_and_workers_do_not_change_results(monkeypatch):
    """aggregate prepares cells in blocks of whole cells and bootstraps a block's
    cells in forked workers; neither the block size nor n_jobs may change a
    number (groups, NaN scores, weights and ratios included)."""
    import kcnalex.timeseries as ts

    rng = np.random.default_rng(5)
    n = 400
    docs = [f"d{i:03d}" for i in range(n)]
    ds = pd.DataFrame({
        "doc_id": np.repeat(docs, 3),
        "date": np.repeat(pd.to_datetime("2011-01-01")
                          + pd.to_timedelta(rng.integers(0, 200, n), unit="D"), 3),
        "source": np.repeat(rng.choice(["x", "y"], n), 3),
        "measure": np.tile(["n_a", "n_b", "score_c"], n),
        "value": rng.random(3 * n) * 4,
        "n_tokens": np.repeat(rng.integers(20, 700, n), 3),
    })
    ds.loc[ds.index[2::7], "value"] = np.nan  # score rows without a value
    kw = dict(freq="W", by="source", weights="n_tokens", ratios={"b_per_a": ("n_b",
              "n_a")}, n_boot=150, min_docs=1)
    whole = aggregate(ds, **kw)
    assert whole["ci_low"].notna().sum() > 100
    monkeypatch.setattr(ts, "_BLOCK_VALUES", 7)  # about one cell a block
    for n_jobs in (1, 2, 3):  # 2: one worker and this process; 3: two workers
        pd.testing.assert_frame_equal(aggregate(ds, **kw, n_jobs=n_jobs), whole,
                                      check_exact=True)
    assert ts._BLOCK is None  # the workers' block is not kept


def test_n_jobs_gives_identical_intervals():
    rng = np.random.default_rng(11)
    n = 600
    ds = pd.DataFrame({
        "doc_id": np.repeat([f"d{i}" for i in range(n)], 2),
        "date": np.repeat(pd.to_datetime("2010-01-01")
                          + pd.to_timedelta(rng.integers(0, 400, n), unit="D"), 2),
        "measure": np.tile(["n_a", "score_b"], n),
        "value": rng.random(2 * n) * 5,
        "n_tokens": np.repeat(rng.integers(50, 900, n), 2),
    })
    one = aggregate(ds, n_boot=200)
    two = aggregate(ds, n_boot=200, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["ci_low"].notna().sum() > 20
    from kcnalex import get_provenance

    assert get_provenance(two)["params"]["n_jobs"] == 2


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_row_order_is_lexsort(data):
    """The packed-key sort gives numpy.lexsort's order (ties kept in input order),
    and falls back to lexsort when the four ranges do not fit in one int64."""
    from kcnalex.timeseries import _row_order

    n = data.draw(st.integers(0, 60))
    big = data.draw(st.booleans())
    hi = 2**40 if big else 5
    grp = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                   dtype=np.int64)
    ords = np.array(data.draw(st.lists(st.integers(-hi, hi), min_size=n,
                                       max_size=n)), dtype=np.int64)
    doc = np.array(data.draw(st.lists(st.integers(0, hi), min_size=n, max_size=n)),
                   dtype=np.int64)
    meas = np.array(data.draw(st.lists(st.integers(-1, 4), min_size=n, max_size=n)),
                    dtype=np.int64)
    np.testing.assert_array_equal(_row_order(grp, ords, doc, meas),
                                  np.lexsort((meas, doc, ords, grp)))


def test_documents_with_two_dates_are_named():
    ds = _ds([("a", "2024-01-03", "n_x", 1, 10), ("b", "2024-01-04", "n_x", 1, 10),
              ("b", "2024-02-04", "n_y", 1, 10), ("c", "2024-01-04", "n_x", 2, 10),
              ("c", "2024-01-05", "n_y", 2, 10)])
    with pytest.raises(ValueError, match=r"more than one date: \['b', 'c'\]"):
        aggregate(ds)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")
def test_forked_bootstrap_worker_starts_no_blas_thread():
    """A worker forked under the parent's one-thread BLAS setting must not set it
    again: OpenBLAS then starts a thread in the worker that spins and takes CPU
    from the other workers (the bootstrap ran 1.7x slower per worker)."""
    import multiprocessing as mp

    import kcnalex.timeseries as ts

    if not any(i["internal_api"] == "openblas"
               for i in ts._blas_controller().info()):
        pytest.skip("the thread start is an OpenBLAS behaviour")
    rng = np.random.default_rng(0)
    num, den = rng.random((300, 4)), rng.random((300, 4)) + 1

    def child(conn):
        before = len(os.listdir("/proc/self/task"))
        ts._BLOCK = (num, den, 200, np.ones(4), [0.025, 0.975])
        ts._cells_bounds([([0, 1, 2], 0, 150), ([0, 1, 3], 150, 300)])
        conn.send((before, len(os.listdir("/proc/self/task"))))

    ctx = mp.get_context("fork")
    with ts._blas_one_thread():
        assert ts._BLAS_HELD
        with ts._blas_one_thread():  # nested: nothing to do
            assert ts._BLAS_HELD
        assert ts._BLAS_HELD
        parent, conn = ctx.Pipe()
        proc = ctx.Process(target=child, args=(conn,))
        proc.start()
        before, after = parent.recv()
        proc.join()
    assert not ts._BLAS_HELD
    assert (before, after) == (1, 1)
