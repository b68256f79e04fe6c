"""Tests of kcnalex.plot: render with Agg (set in conftest) and check the Axes."""

from __future__ import annotations

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import EventCollection, PolyCollection, QuadMesh
from matplotlib.colors import to_hex

from kcnalex.plot import (
    PALETTE,
    plot_heatmap,
    plot_honorifics,
    plot_keyness,
    plot_stance,
    plot_timeseries,
    plot_xray,
)
from kcnalex.timeseries import aggregate


def _as_date(x):
    """A date-axis x value (a float or a datetime-like) as YYYY-MM-DD."""
    if isinstance(x, (float, np.floating)):
        return mdates.num2date(x).strftime("%Y-%m-%d")
    return pd.Timestamp(x).strftime("%Y-%m-%d")


def _gid(ax, gid):
    arts = [*ax.get_lines(), *ax.collections, *ax.texts]
    return [a for a in arts if a.get_gid() == gid]


@pytest.fixture
def ps():
    """Period stats from aggregate: 2 sources x 2 measures x 6 months.

    kp: 6 documents a month except 2001-03 (2: low data) and 2001-04 (none: empty).
    """
    rows = []
    for src, base in (("kp", 2), ("co.jp", 5)):
        for m in range(1, 7):
            n = {3: 2, 4: 0}.get(m, 6) if src == "kp" else 6
            for j in range(n):
                doc = f"{src}-{m}-{j}"
                date = f"2001-{m:02d}-{j + 1:02d}"
                rows.append((doc, date, "n_dear", base + j % 3 + m, 100, src))
                rows.append((doc, date, "tone", (j - 2) / 3, 100, src))
    df = pd.DataFrame(rows, columns=["doc_id", "date", "measure", "value",
                                     "n_tokens", "source"])
    df["date"] = pd.to_datetime(df["date"])
    return aggregate(df, by="source", n_boot=200)


# ----------------------------------------------------------------------- timeseries
def test_timeseries_lines_bands_labels(ps):
    before = ps.copy()
    fig, ax0 = plt.subplots()
    ax = plot_timeseries(ps, measure="n_dear", ax=ax0)
    assert ax is ax0
    series = _gid(ax, "kcnalex:series")
    assert [ln.get_label() for ln in series] == ["co.jp", "kp"]
    assert [to_hex(ln.get_color()) for ln in series] == [PALETTE[0], PALETTE[1]]
    bands = _gid(ax, "kcnalex:ci")
    assert len(bands) == 2 and all(isinstance(b, PolyCollection) for b in bands)
    assert ax.get_ylabel() == "n_dear (per 1,000 words)"
    assert ax.get_xlabel() == "month"
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["co.jp", "kp"]
    kp = series[1]
    y = np.asarray(kp.get_ydata(), float)
    # March is low data (2 documents): left out of the solid line; April is empty
    expected = ps[(ps["group"] == "kp") & (ps["measure"] == "n_dear")]
    assert np.isnan(y[2]) and np.isnan(y[3])
    np.testing.assert_allclose(y[[0, 1, 4, 5]],
                               expected["value"].to_numpy()[[0, 1, 4, 5]])
    x0, x1 = ax.get_xlim()
    assert x0 <= mdates.date2num(pd.Timestamp("2001-01-01")) < x1
    assert x0 < mdates.date2num(pd.Timestamp("2001-06-01")) <= x1
    pd.testing.assert_frame_equal(ps, before)


def test_timeseries_low_data_hollow(ps):
    ax = plot_timeseries(ps, measure="n_dear", groups=["kp"])
    low = _gid(ax, "kcnalex:low_data")
    faint = [a for a in low if isinstance(a, matplotlib.lines.Line2D)]
    dots = [a for a in low if not isinstance(a, matplotlib.lines.Line2D)]
    assert len(faint) == 1 and faint[0].get_alpha() < 0.5
    assert len(dots) == 1
    # hollow: no face colour; the low-data periods are 2001-03 and the empty 2001-04,
    # but the empty one has no value, so one marker at 2001-03
    assert dots[0].get_facecolors().size == 0 or dots[0].get_facecolors()[0][3] == 0
    offs = dots[0].get_offsets()
    assert len(offs) == 1
    assert mdates.num2date(offs[0][0]).strftime("%Y-%m") == "2001-03"
    assert ax.get_legend() is None  # one series, no legend


def test_timeseries_hue_measure_and_no_ci(ps):
    ax = plot_timeseries(ps, hue="measure", groups=["co.jp"], ci=False)
    assert [ln.get_label() for ln in _gid(ax, "kcnalex:series")] == ["n_dear", "tone"]
    assert _gid(ax, "kcnalex:ci") == []
    assert ax.get_ylabel() == "value"
    both = plot_timeseries(ps)
    labels = [ln.get_label() for ln in _gid(both, "kcnalex:series")]
    assert labels == ["co.jp \u00b7 n_dear", "co.jp \u00b7 tone", "kp \u00b7 n_dear",
                      "kp \u00b7 tone"]


def test_timeseries_events_and_changepoints(ps):
    ev = pd.DataFrame({"date": pd.to_datetime(["2001-02-10", "2001-02-11",
                                               "2005-01-01"]),
                       "event": ["First event", "Second event, very close by",
                                 "Out of range"]})
    cp = pd.DataFrame({"measure": ["n_dear"], "group": ["kp"],
                       "date": pd.to_datetime(["2001-05-01"])})
    ax = plot_timeseries(ps, measure="n_dear", events=ev, changepoints=cp)
    ev_lines = [a for a in _gid(ax, "kcnalex:event")
                if isinstance(a, matplotlib.lines.Line2D)]
    ev_text = [a.get_text() for a in _gid(ax, "kcnalex:event")
               if isinstance(a, matplotlib.text.Text)]
    assert len(ev_lines) == 2  # the 2005 event is outside the data
    assert ev_text == ["First event"]  # the next one is too close for a label
    (cpl,) = _gid(ax, "kcnalex:changepoint")
    assert cpl.get_linestyle() == "--"
    assert _as_date(cpl.get_xdata()[0]) == "2001-05-01"
    assert to_hex(cpl.get_color()) == PALETTE[1]  # kp's colour
    y0, y1 = ax.get_ylim()
    vmax = ps.loc[ps["measure"] == "n_dear", "ci_high"].max()
    assert y1 > vmax + 0.2 * (vmax - y0)  # headroom for the labels


def test_timeseries_shipped_events_and_errors(ps):
    ax = plot_timeseries(ps, measure="n_dear", events=True)
    assert _gid(ax, "kcnalex:event") == []  # no shipped event in 2001-01..06
    with pytest.raises(ValueError, match="not in period_stats"):
        plot_timeseries(ps, measure="nope")
    with pytest.raises(TypeError):
        plot_timeseries(ps, events=["2001-01-01"])


# -------------------------------------------------------------------------- heatmap
def test_heatmap_mesh_colorbar_order(ps):
    fig, ax0 = plt.subplots()
    ax = plot_heatmap(ps, group="co.jp", ax=ax0)
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1
    assert len(fig.axes) == 2  # the colour bar
    assert fig.axes[1].get_ylabel() == "value"
    # peak order: tone peaks in January (all months equal; first max), n_dear in June
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["tone", "n_dear"]
    arr = meshes[0].get_array().reshape(2, 6)
    exp = ps[(ps["group"] == "co.jp") & (ps["measure"] == "n_dear")]["value"]
    np.testing.assert_allclose(arr[1], exp.to_numpy())
    assert ax.get_xlabel() == "month"


def test_heatmap_nan_masked_and_group_required(ps):
    with pytest.raises(ValueError, match="several groups"):
        plot_heatmap(ps)
    ax = plot_heatmap(ps, group="kp", measures=["n_dear"], sort=None, colorbar=False)
    assert len(ax.figure.axes) == 1
    arr = ax.collections[0].get_array().reshape(1, 6)
    assert np.ma.is_masked(arr[0, 3]) and not np.ma.is_masked(arr[0, 2])
    cb = plot_heatmap(ps, group="kp", measures=["n_dear"]).figure.axes[1]
    assert cb.get_ylabel() == "n_dear (per 1,000 words)"


def test_heatmap_sort_total():
    per = pd.date_range("2003-01-01", periods=3, freq="MS")
    ps = pd.DataFrame({"period": list(per) * 3, "group": "all",
                       "measure": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
                       "value": [1, 1, 1, 5, 5, 5, 3, 3, np.nan]})
    ax = plot_heatmap(ps, sort="total")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]


# ------------------------------------------------------------------------ honorifics
def test_honorifics_small_multiples(ps):
    hon = ps.rename(columns={"source": "leader"})
    axs = plot_honorifics(hon, measure="n_dear")
    assert isinstance(axs, np.ndarray) and len(axs) == 2
    # ordered by decreasing mean value: co.jp (base 5) before kp (base 2)
    assert [a.get_title() for a in axs] == ["co.jp", "kp"]
    assert axs[0].get_ylim() == axs[1].get_ylim()
    for a in axs:
        assert len(_gid(a, "kcnalex:series")) == 1
        assert len(_gid(a, "kcnalex:ci")) == 1
    assert axs[1].get_ylabel() == ""  # second column


def test_honorifics_on_given_axes_or_one_ax(ps):
    hon = ps.rename(columns={"source": "leader"})
    fig, grid = plt.subplots(1, 3)
    axs = plot_honorifics(hon, measure="n_dear", leaders=["kp"], axes=grid)
    assert list(axs) == [grid[0]]
    fig, one = plt.subplots()
    out = plot_honorifics(hon, measure="n_dear", ax=one)
    assert list(out) == [one]
    assert [ln.get_label() for ln in _gid(one, "kcnalex:series")] == ["co.jp", "kp"]
    with pytest.raises(ValueError, match="no rows for measure"):
        plot_honorifics(hon, measure="n_honorifics")


# ----------------------------------------------------------------------------- stance
def test_stance_zero_line_and_targets(ps):
    st = ps[ps["measure"] == "tone"].rename(columns={"source": "target"})
    st = st.assign(measure="stance")
    ax = plot_stance(st, targets=["kp"])
    (zero,) = _gid(ax, "kcnalex:zero")
    assert list(zero.get_ydata()) == [0, 0]
    assert [ln.get_label() for ln in _gid(ax, "kcnalex:series")] == ["kp"]
    assert len(_gid(ax, "kcnalex:ci")) == 1
    assert ax.get_ylabel() == "stance (< 0 hostile, > 0 friendly)"


def test_stance_series_frame_without_ci():
    per = pd.date_range("2017-01-01", periods=4, freq="MS")
    st = pd.DataFrame({"period": list(per) * 2, "group": ["US"] * 4 + ["China"] * 4,
                       "target": ["US"] * 4 + ["China"] * 4, "measure": "stance",
                       "value": [-0.9, -0.8, -0.2, 0.1, 0.5, 0.6, 0.4, 0.5],
                       "n_docs": 10})
    ax = plot_stance(st)
    assert [ln.get_label() for ln in _gid(ax, "kcnalex:series")] == ["US", "China"]
    assert _gid(ax, "kcnalex:ci") == []


# ---------------------------------------------------------------------------- keyness
def test_keyness_bars():
    k = pd.DataFrame({"term": list("abcdefg"),
                      "keyness": [30.0, 12.0, 5.0, -2.0, -20.0, -40.0, 0.0],
                      "effect": [2.0, 1.0, 0.5, -0.1, -1.0, -3.0, 0.0]})
    ax = plot_keyness(k, n=2)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "b", "e", "f"]  # top 2 over-used, then the 2 most under
    widths = [p.get_width() for p in ax.patches]
    assert sorted(widths) == [-40.0, -20.0, 12.0, 30.0]
    colors = {to_hex(p.get_facecolor()) for p in ax.patches if p.get_width() > 0}
    assert colors == {PALETTE[3]}
    assert ax.get_xlabel().startswith("keyness")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "over-used in target", "under-used in target"]
    eff = plot_keyness(k, n=1, value="effect")
    assert [t.get_text() for t in eff.get_yticklabels()] == ["a", "f"]
    assert "log" in eff.get_xlabel()


# ------------------------------------------------------------------------------- xray
def test_xray_rows_and_ticks():
    m = pd.DataFrame({
        "doc_id": ["a", "a", "b", "c", "c", "d"],
        "entry": ["dear", "dear", "dear", "dear", "great", "great"],
        "date": pd.to_datetime(["2011-12-20", "2011-12-20", "2012-01-02",
                                "2012-03-01", "2012-03-01", None]),
    })
    ax = plot_xray(m, terms=["great", "dear", "absent"])
    colls = [c for c in ax.collections if isinstance(c, EventCollection)]
    assert len(colls) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["great", "dear", "absent"]
    pos = [sorted(mdates.num2date(p).strftime("%Y-%m-%d") for p in c.get_positions())
           for c in colls]
    assert pos == [["2012-03-01"], ["2011-12-20", "2012-01-02", "2012-03-01"], []]
    assert [c.get_lineoffset() for c in colls] == [0, 1, 2]
    assert ax.get_ylim() == (2.5, -0.5)
    assert ax.get_xlabel() == "date (one tick per document)"


def test_honorifics_shared_range_covers_every_panel():
    import pandas as pd

    import kcnalex as kx

    periods = list(pd.date_range("2010-01-01", periods=3, freq="YS"))
    ps = pd.DataFrame({
        "period": periods * 2,
        "group": ["A"] * 3 + ["B"] * 3,
        "measure": "n_honorifics",
        "value": [5.0, 6.0, 7.0, 0.0, 0.0, 0.0],
    })
    axs = kx.plot_honorifics(ps, events=kx.events())
    for a in axs:
        lo, hi = a.get_ylim()
        assert lo < 0.0 and hi > 7.0
