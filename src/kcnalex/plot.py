"""Plots of kcnalex frames (matplotlib): ``ax=`` in, Axes out.

Every function draws on the Axes it is given (or on a new figure), returns what it
drew on, and never changes its input frame. Defaults aim at publication figures:
no top/right spines, readable font sizes, concise date axes, axis labels with
units, and the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008).

Artists carry a ``gid`` so that scripts and tests can find them:
``kcnalex:series`` (a measure's line), ``kcnalex:low_data`` (the faint line and
hollow markers of low-data periods), ``kcnalex:ci`` (interval bands),
``kcnalex:event`` (event lines and labels), ``kcnalex:changepoint``,
``kcnalex:zero``, ``kcnalex:bar``, ``kcnalex:xray``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from ._columns import validate_frame

__all__ = ["plot_timeseries", "plot_heatmap", "plot_honorifics", "plot_stance",
           "plot_keyness", "plot_xray", "PALETTE"]

#: Okabe-Ito palette (colour-blind safe), yellow last (low contrast on white).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9",
           "#000000", "#f0e442")

_FONT = {"tick": 9, "label": 10, "title": 11, "note": 7}
_PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


# ------------------------------------------------------------------------------ helpers
def _new_ax(ax: Axes | None, figsize=(8, 4)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=_FONT["tick"])
    ax.xaxis.label.set_size(_FONT["label"])
    ax.yaxis.label.set_size(_FONT["label"])
    ax.title.set_size(_FONT["title"])


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _params(df: pd.DataFrame) -> dict:
    return dict(df.attrs.get("kcnalex", {}).get("params", {}))


def _period_label(df: pd.DataFrame) -> str:
    pf = str(_params(df).get("period_freq") or "")
    return _PERIOD_NAMES.get(pf.split("-")[0], "period")


def _unit_label(df: pd.DataFrame, measures: Sequence[str]) -> str:
    """Y label with units from the ``kind`` column and the aggregation's ``per``."""
    per = _params(df).get("per", 1000)
    kinds = (set(df.loc[df["measure"].isin(measures), "kind"].dropna())
             if "kind" in df.columns else set())
    unit = None
    if kinds == {"count"}:
        unit = f"per {float(per):,.0f} words"
    elif kinds == {"score"}:
        unit = "mean per document"
    elif kinds == {"ratio"}:
        unit = "ratio"
    name = measures[0] if len(measures) == 1 else "value"
    return f"{name} ({unit})" if unit else name


def _palette(palette: Sequence[str] | None) -> Sequence[str]:
    return tuple(palette) if palette else PALETTE


def _as_events(events: Any) -> pd.DataFrame | None:
    if events is None or events is False:
        return None
    if events is True:
        from .timeseries import events as load_events

        return load_events()
    if isinstance(events, pd.DataFrame):
        validate_frame(events, ("date", "event"), name="events")
        return events
    raise TypeError("events must be a frame with date and event columns, or True")


def _short(text: str, width: int = 28) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _draw_events(ax: Axes, events: pd.DataFrame, *, labels: bool, xlim) -> int:
    """Dotted lines at events inside ``xlim``; labels unless too close together.

    A label is left out when its event is within 2% of the date span of the
    previous labelled one (the line is still drawn). Returns the number of labels.
    """
    lo, hi = xlim
    ev = pd.DataFrame({"_d": pd.to_datetime(events["date"]).to_numpy(),
                       "event": events["event"].to_numpy()})
    sel = ev[(ev["_d"] >= lo) & (ev["_d"] <= hi)].sort_values("_d", kind="stable")
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    min_gap = (hi - lo) * 0.02
    last = None
    n_labels = 0
    for d, text in zip(sel["_d"], sel["event"]):
        ax.axvline(d, color="0.45", lw=0.8, ls=":", zorder=0, gid="kcnalex:event")
        if labels and (last is None or d - last > min_gap):
            ax.text(d, 0.99, _short(text), transform=trans, rotation=90, ha="right",
                    va="top", fontsize=_FONT["note"], color="0.35",
                    gid="kcnalex:event", clip_on=False)
            last = d
            n_labels += 1
    if n_labels:  # headroom so that labels do not sit on the data
        y0, y1 = ax.get_ylim()
        ax.set_ylim(y0, y0 + (y1 - y0) / 0.75)
    return n_labels


def _legend(ax: Axes, legend: str | bool, n: int) -> None:
    if not legend or n < 2:
        return
    if legend == "outside" or (legend == "auto" and n > 6):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                  fontsize=_FONT["tick"])
    else:
        ax.legend(loc="best", frameon=False, fontsize=_FONT["tick"])


# ---------------------------------------------------------------------- time series
def plot_timeseries(
    period_stats: pd.DataFrame,
    *,
    measure: str | Sequence[str] | None = None,
    hue: str = "group",
    groups: Sequence[str] | None = None,
    ci: bool = True,
    events: pd.DataFrame | bool | None = None,
    event_labels: bool = True,
    changepoints: pd.DataFrame | None = None,
    palette: Sequence[str] | None = None,
    legend: str | bool = "auto",
    ylabel: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot one or more measures or groups of a period-stats frame over time.

    One line per series (each ``hue`` value, and each measure x group beside it),
    with the bootstrap interval as a band, dated events as dotted vertical lines
    with short labels, change points as dashed lines in the series' colour, and
    low-data periods (``low_data``) as a faint line with hollow markers (the solid
    line leaves them out). Empty periods (NaN) are gaps.

    Parameters
    ----------
    period_stats : pandas.DataFrame
        From :func:`kcnalex.aggregate` (``period``, ``group``, ``measure``,
        ``value``, ``n_docs``; ``ci_low``, ``ci_high``, ``low_data``, ``kind``
        used when present).
    measure : str or list of str, optional
        Measures to draw (default all).
    hue : str
        Column whose values name the lines (``"group"`` or ``"measure"``).
    groups : list of str, optional
        Groups to draw (default all).
    ci : bool
        Draw interval bands (``fill_between``) when the frame has them.
    events : DataFrame or True, optional
        Events to mark (``date``, ``event``), e.g. ``kcnalex.events()``; True uses
        the shipped table. Only those inside the plotted dates are drawn.
    event_labels : bool
        Label event lines (text truncated to 28 characters; an event within 2% of
        the date span of the previous labelled one gets no label), leaving
        headroom above the data for them.
    changepoints : DataFrame, optional
        From :func:`kcnalex.changepoints` (``date`` [, ``measure``, ``group``]).
    palette : list of colours, optional
        Default :data:`PALETTE` (Okabe-Ito).
    legend : {"auto", "best", "outside"} or False
        ``"auto"``: inside (best) up to 6 series, else outside on the right.
    ylabel, title : str, optional
        Default y label: the measure and its unit (``per 1,000 words`` for counts,
        ``mean per document`` for scores, ``ratio``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    kcnalex.aggregate, kcnalex.changepoints, kcnalex.events, plot_heatmap

    Examples
    --------
    >>> import pandas as pd
    >>> ps = pd.DataFrame({"period": pd.date_range("2010-01-01", periods=3,
    ...                    freq="MS"), "group": "all", "measure": "n_x",
    ...                    "value": [1.0, 2.0, 1.5], "n_docs": [9, 9, 9]})
    >>> ax = plot_timeseries(ps)
    >>> len(ax.get_lines())
    1
    """
    validate_frame(period_stats, ("period", "measure", "value"), name="period_stats")
    df = period_stats
    if measure is not None:
        ms = [measure] if isinstance(measure, str) else list(measure)
        missing = sorted(set(ms) - set(df["measure"]))
        if missing:
            raise ValueError(f"measure(s) {missing} not in period_stats")
        df = df[df["measure"].isin(ms)]
    if groups is not None and "group" in df.columns:
        df = df[df["group"].isin(list(groups))]
    if hue not in df.columns:
        raise ValueError(f"hue column {hue!r} not in period_stats")
    # further line keys: measure / group when they vary within a hue value
    keys = [hue] + [c for c in ("measure", "group")
                    if c != hue and c in df.columns and len(df)
                    and df.groupby(hue, sort=False)[c].nunique().max() > 1]
    ax = _new_ax(ax)
    colors = _palette(palette)
    measures = list(pd.unique(df["measure"]))
    lines_for: dict[tuple, str] = {}
    n_series = 0
    for i, (key, sub) in enumerate(df.groupby(keys, sort=False)):
        key = key if isinstance(key, tuple) else (key,)
        sub = sub.sort_values("period")
        color = colors[i % len(colors)]
        x = pd.to_datetime(sub["period"]).to_numpy()
        y = sub["value"].to_numpy(np.float64)
        low = (sub["low_data"].to_numpy(bool) if "low_data" in sub.columns
               else np.zeros(len(sub), bool))
        label = " \u00b7 ".join(str(k) for k in key)
        if ci and {"ci_low", "ci_high"} <= set(sub.columns):
            lo_, hi_ = (sub["ci_low"].to_numpy(np.float64),
                        sub["ci_high"].to_numpy(np.float64))
            ok = ~(np.isnan(lo_) | np.isnan(hi_))
            if ok.any():
                ax.fill_between(x, lo_, hi_, where=ok, color=color, alpha=0.18,
                                lw=0, interpolate=False, gid="kcnalex:ci",
                                label="_nolegend_")
        if low.any():
            ax.plot(x, y, color=color, alpha=0.35, lw=1.0, gid="kcnalex:low_data",
                    label="_nolegend_")
            dot = low & ~np.isnan(y)
            ax.scatter(x[dot], y[dot], s=14, facecolors="none", edgecolors=color,
                       linewidths=0.9, alpha=0.7, gid="kcnalex:low_data", zorder=3,
                       label="_nolegend_")
        ax.plot(x, np.where(low, np.nan, y), color=color, lw=1.6, label=label,
                gid="kcnalex:series")
        rec = dict(zip(keys, key))
        lines_for[(rec.get("measure", measures[0] if len(measures) == 1 else None),
                   rec.get("group"))] = color
        n_series += 1
    if len(df):
        xlim = (pd.Timestamp(df["period"].min()), pd.Timestamp(df["period"].max()))
    else:
        xlim = (pd.Timestamp("1997-01-01"), pd.Timestamp("2026-12-31"))
    if changepoints is not None and len(changepoints):
        validate_frame(changepoints, ("date",), name="changepoints")
        for _, r in changepoints.iterrows():
            m = r.get("measure") if "measure" in changepoints.columns else None
            g = r.get("group") if "group" in changepoints.columns else None
            m = None if m is None or (isinstance(m, float) and np.isnan(m)) else m
            g = None if g is None or (isinstance(g, float) and np.isnan(g)) else g
            if m is not None and m not in measures:
                continue
            if g is not None and "group" in df.columns and g not in set(df["group"]):
                continue
            color = lines_for.get((m, g)) or lines_for.get((m, None)) or "0.2"
            ax.axvline(pd.Timestamp(r["date"]), color=color, ls="--", lw=1.1,
                       gid="kcnalex:changepoint", label="_nolegend_")
    ev = _as_events(events)
    if ev is not None:
        _draw_events(ax, ev, labels=event_labels, xlim=xlim)
    _style(ax)
    _date_axis(ax)
    ax.set_xlabel(_period_label(period_stats))
    ax.set_ylabel(ylabel if ylabel is not None else _unit_label(df, measures))
    if title:
        ax.set_title(title)
    _legend(ax, legend, n_series)
    return ax


# -------------------------------------------------------------------------- heatmap
def plot_heatmap(
    period_stats: pd.DataFrame,
    *,
    measures: Sequence[str] | None = None,
    group: str | None = None,
    sort: str | None = "peak",
    cmap: str = "viridis",
    colorbar: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of measures (formulae, categories) x periods.

    Parameters
    ----------
    period_stats : pandas.DataFrame
        From :func:`kcnalex.aggregate` (``period``, ``measure``, ``value``
        [, ``group``]).
    measures : list of str, optional
        Rows to show (default all measures).
    group : str, optional
        The group to show when the frame has several.
    sort : {"peak", "total", "name"} or None
        Row order, top to bottom: ``"peak"`` by the period of the row's maximum
        (earliest first: a lifecycle view), ``"total"`` by the mean value
        (largest first), ``"name"`` alphabetical, None as given.
    cmap : str
        Colour map (default ``viridis``: perceptually uniform, colour-blind safe).
        Empty periods (NaN) are left blank.
    colorbar : bool
        Add a colour bar labelled with the unit.
    vmin, vmax : float, optional
        Colour limits.
    title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap Axes (``ax.collections[0]`` is the QuadMesh; the colour bar,
        if any, is ``ax.figure.axes[-1]``).

    See Also
    --------
    plot_timeseries, kcnalex.aggregate, kcnalex.bursts

    Examples
    --------
    >>> import pandas as pd
    >>> ps = pd.DataFrame({"period": list(pd.date_range("2010-01-01", periods=2,
    ...                    freq="MS")) * 2, "group": "all",
    ...                    "measure": ["a", "a", "b", "b"], "value": [1., 2., 3., 0.]})
    >>> ax = plot_heatmap(ps, sort="name")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']
    """
    validate_frame(period_stats, ("period", "measure", "value"), name="period_stats")
    df = period_stats
    if "group" in df.columns:
        gs = list(pd.unique(df["group"]))
        if group is None and len(gs) > 1:
            raise ValueError(f"period_stats has several groups {gs[:5]}; pass group=")
        if group is not None:
            df = df[df["group"] == group]
            if df.empty:
                raise ValueError(f"no rows for group {group!r}")
    if measures is not None:
        df = df[df["measure"].isin(list(measures))]
    if df.empty:
        raise ValueError("nothing to plot")
    wide = df.pivot_table(index="measure", columns="period", values="value",
                          aggfunc="first", dropna=False, sort=True)
    if measures is not None:
        wide = wide.reindex([m for m in measures if m in wide.index])
    if sort == "peak":
        peak = np.nanargmax(np.where(np.isnan(wide.to_numpy()), -np.inf,
                                     wide.to_numpy()), axis=1)
        wide = wide.iloc[np.lexsort((wide.index.to_numpy(dtype=str), peak))]
    elif sort == "total":
        wide = wide.assign(_m=wide.mean(axis=1)).sort_values(
            ["_m"], ascending=False, kind="stable").drop(columns="_m")
    elif sort == "name":
        wide = wide.sort_index()
    elif sort is not None:
        raise ValueError("sort must be 'peak', 'total', 'name' or None")
    periods = pd.DatetimeIndex(wide.columns)
    step = periods[-1] - periods[-2] if len(periods) > 1 else pd.Timedelta(days=30)
    edges = mdates.date2num(list(periods) + [periods[-1] + step])
    data = np.ma.masked_invalid(wide.to_numpy(np.float64))
    ax = _new_ax(ax, figsize=(9, max(2.5, 0.28 * len(wide) + 1.2)))
    mesh = ax.pcolormesh(edges, np.arange(len(wide) + 1), data, cmap=cmap,
                         vmin=vmin, vmax=vmax, shading="flat")
    ax.set_yticks(np.arange(len(wide)) + 0.5, labels=[str(m) for m in wide.index])
    ax.set_ylim(len(wide), 0)
    ax.xaxis_date()
    _style(ax)
    _date_axis(ax)
    ax.set_xlabel(_period_label(period_stats))
    if colorbar:
        cb = ax.figure.colorbar(mesh, ax=ax, pad=0.01)
        cb.set_label(_unit_label(df, list(wide.index)).replace("value (", "(")
                     if len(wide) > 1 else _unit_label(df, list(wide.index)),
                     size=_FONT["label"])
        cb.ax.tick_params(labelsize=_FONT["tick"])
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------ honorifics
def plot_honorifics(
    period_stats: pd.DataFrame,
    *,
    leaders: Sequence[str] | None = None,
    measure: str = "n_honorifics",
    ci: bool = True,
    events: pd.DataFrame | bool | None = None,
    ncols: int = 2,
    sharey: bool = True,
    axes: Sequence[Axes] | np.ndarray | None = None,
    ax: Axes | None = None,
    fig=None,
    palette: Sequence[str] | None = None,
) -> np.ndarray:
    """Honorific density per leader over time, as small multiples.

    Parameters
    ----------
    period_stats : pandas.DataFrame
        From ``kcnalex.aggregate(honorific_density(..., form="long"),
        by="leader")``: the leader is the ``leader`` column (or ``group``).
    leaders : list of str, optional
        Leaders to show, in this order (default all, by decreasing mean value).
    measure : str
        Measure to draw (default ``n_honorifics``: honorific units per 1,000
        words; ``honored_share`` if aggregated as a ratio).
    ci : bool
        Draw interval bands.
    events : DataFrame or True, optional
        Events to mark in every panel (labels in the first only).
    ncols : int
        Panels per row of a new figure.
    sharey : bool
        One y range for all panels (default), so densities compare across leaders.
    axes : sequence of Axes, optional
        Axes to draw the panels on (at least one per leader).
    ax : matplotlib.axes.Axes, optional
        Draw all leaders on this one Axes instead (one line each).
    fig : matplotlib.figure.Figure, optional
        Figure on which to create the panels.
    palette : list of colours, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One Axes per leader (a 1-D array, row by row), or a 1-element array
        holding ``ax`` when ``ax`` is given. This returns an array, not an Axes,
        because it draws small multiples.

    See Also
    --------
    kcnalex.honorific_density, kcnalex.aggregate, plot_timeseries

    Examples
    --------
    >>> import pandas as pd
    >>> ps = pd.DataFrame({"period": list(pd.date_range("2012-01-01", periods=2,
    ...                    freq="MS")) * 2, "group": ["A", "A", "B", "B"],
    ...                    "measure": "n_honorifics", "value": [5., 6., 1., 2.]})
    >>> axs = plot_honorifics(ps)
    >>> [a.get_title() for a in axs]
    ['A', 'B']
    """
    validate_frame(period_stats, ("period", "measure", "value"), name="period_stats")
    col = "leader" if "leader" in period_stats.columns else "group"
    if col not in period_stats.columns:
        raise ValueError("period_stats needs a leader or group column")
    df = period_stats[period_stats["measure"] == measure]
    if df.empty:
        raise ValueError(f"no rows for measure {measure!r}")
    if leaders is None:
        order = (df.groupby(col, sort=True)["value"].mean()
                 .sort_values(ascending=False, kind="stable"))
        leaders = list(order.index)
    else:
        leaders = list(leaders)
        df = df[df[col].isin(leaders)]
    colors = _palette(palette)
    if ax is not None:
        plot_timeseries(df, measure=measure, hue=col, ci=ci, events=events, ax=ax,
                        palette=[colors[leaders.index(v) % len(colors)]
                                 for v in pd.unique(df[col])])
        return np.array([ax], dtype=object)
    n = len(leaders)
    if axes is not None:
        axs = list(np.asarray(axes, dtype=object).ravel())
        if len(axs) < n:
            raise ValueError(f"need {n} axes, got {len(axs)}")
        axs = axs[:n]
    else:
        nrows = -(-n // ncols)
        fig = fig if fig is not None else plt.figure(
            figsize=(4.2 * min(ncols, n), 2.6 * nrows + 0.4), layout="constrained")
        grid = fig.subplots(nrows, min(ncols, n), sharex=True, sharey=sharey,
                            squeeze=False)
        flat = list(grid.ravel())
        for extra in flat[n:]:
            extra.set_visible(False)
        axs = flat[:n]
    for i, (leader, a) in enumerate(zip(leaders, axs)):
        plot_timeseries(df[df[col] == leader], measure=measure, hue=col, ci=ci,
                        events=events, event_labels=(i == 0), ax=a, legend=False,
                        palette=[colors[i % len(colors)]])
        a.set_title(str(leader))
        if i % ncols:
            a.set_ylabel("")
    if sharey and axs:
        # one range from all panels' data (values and bands): the first panel fixed
        # its limits when it made room for event labels, before the others drew
        cols = [c for c in ("value", "ci_low", "ci_high") if c in df.columns]
        vals = df.loc[df[col].isin(leaders), cols].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.05
            top = hi + pad
            if events is not None and events is not False:
                top = lo - pad + (top - lo + pad) / 0.75  # headroom for labels
            for a in axs:
                a.set_ylim(lo - pad, top)
    return np.array(axs, dtype=object)


# ----------------------------------------------------------------------------- stance
def plot_stance(
    period_stats: pd.DataFrame,
    *,
    targets: Sequence[str] | None = None,
    measure: str = "stance",
    ci: bool = True,
    events: pd.DataFrame | bool | None = None,
    palette: Sequence[str] | None = None,
    legend: str | bool = "auto",
    ax: Axes | None = None,
) -> Axes:
    """Stance toward each target over time, with interval bands and a zero line.

    Parameters
    ----------
    period_stats : pandas.DataFrame
        From :func:`kcnalex.stance_series` or ``kcnalex.aggregate(..., by=
        "target")``: ``period``, ``measure``, ``value`` and a ``target`` (or
        ``group``) column; ``ci_low``/``ci_high`` drawn when present.
    targets : list of str, optional
        Targets to draw (default all).
    measure : str
        The stance measure (default ``"stance"``).
    ci : bool
        Draw interval bands when the frame has them.
    events : DataFrame or True, optional
        Events to mark.
    palette : list of colours, optional
    legend : {"auto", "best", "outside"} or False
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    kcnalex.stance, kcnalex.stance_series, plot_timeseries

    Examples
    --------
    >>> import pandas as pd
    >>> ps = pd.DataFrame({"period": pd.date_range("2017-01-01", periods=2,
    ...                    freq="MS"), "target": "US", "measure": "stance",
    ...                    "value": [-0.8, -0.2]})
    >>> ax = plot_stance(ps)
    >>> ax.get_ylabel()
    'stance (< 0 hostile, > 0 friendly)'
    """
    validate_frame(period_stats, ("period", "measure", "value"), name="period_stats")
    col = "target" if "target" in period_stats.columns else "group"
    if col not in period_stats.columns:
        raise ValueError("period_stats needs a target or group column")
    df = period_stats[period_stats["measure"] == measure]
    if df.empty:
        raise ValueError(f"no rows for measure {measure!r}")
    if targets is not None:
        df = df[df[col].isin(list(targets))]
    ax = plot_timeseries(df, measure=measure, hue=col, ci=ci, events=events,
                         palette=palette, legend=legend, ax=ax,
                         ylabel=f"{measure} (< 0 hostile, > 0 friendly)")
    ax.axhline(0.0, color="0.2", lw=0.8, zorder=1, gid="kcnalex:zero",
               label="_nolegend_")
    return ax


# ---------------------------------------------------------------------------- keyness
def plot_keyness(
    keyness_frame: pd.DataFrame,
    *,
    n: int = 20,
    value: str = "keyness",
    colors: tuple[str, str] = (PALETTE[3], PALETTE[0]),
    labels: tuple[str, str] = ("over-used in target", "under-used in target"),
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the ``n`` most over-used and ``n`` most under-used terms.

    Parameters
    ----------
    keyness_frame : pandas.DataFrame
        From :func:`kcnalex.keyness`: ``term`` and the signed ``keyness`` (G2,
        positive = over-used in the target) [, ``effect``: log2 ratio].
    n : int
        Terms per side (default 20).
    value : {"keyness", "effect"}
        Bar length; terms are chosen by the same column.
    colors, labels : pair of str
        Colour and legend label of the over-used and under-used bars.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Most over-used term at the top, most under-used at the bottom.

    See Also
    --------
    kcnalex.keyness

    Examples
    --------
    >>> import pandas as pd
    >>> k = pd.DataFrame({"term": ["a", "b", "c"], "keyness": [9.0, -4.0, 2.0]})
    >>> ax = plot_keyness(k, n=1)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']
    """
    validate_frame(keyness_frame, ("term", value), name="keyness_frame")
    v = keyness_frame[value].astype(np.float64)
    pos = keyness_frame[v > 0].assign(_v=v[v > 0]).nlargest(n, "_v")
    neg = keyness_frame[v < 0].assign(_v=v[v < 0]).nsmallest(n, "_v")
    rows = pd.concat([pos, neg.iloc[::-1]])
    ax = _new_ax(ax, figsize=(6, max(2.5, 0.22 * len(rows) + 1.0)))
    y = np.arange(len(rows))
    is_pos = rows["_v"].to_numpy() > 0
    for mask, color, label in ((is_pos, colors[0], labels[0]),
                               (~is_pos, colors[1], labels[1])):
        if mask.any():
            ax.barh(y[mask], rows["_v"].to_numpy()[mask], color=color, height=0.75,
                    label=label, gid="kcnalex:bar")
    ax.set_yticks(y, labels=rows["term"].astype(str).tolist())
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.axvline(0.0, color="0.2", lw=0.8, gid="kcnalex:zero")
    _style(ax)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("keyness (signed log-likelihood G\u00b2)" if value == "keyness"
                  else "effect (log\u2082 ratio)" if value == "effect" else value)
    if is_pos.any() and (~is_pos).any():
        ax.legend(loc="lower right", frameon=False, fontsize=_FONT["tick"])
    return ax


# ------------------------------------------------------------------------------- xray
def plot_xray(
    matches_or_docs: pd.DataFrame,
    *,
    terms: Sequence[str] | None = None,
    term_col: str | None = None,
    palette: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Lexical dispersion: where each term occurs in time, one tick per document.

    Parameters
    ----------
    matches_or_docs : pandas.DataFrame
        One row per occurrence or per document: ``doc_id``, ``date`` and the term
        column (a matches frame from :func:`kcnalex.match_formulae` joined to the
        corpus dates). A document is drawn once per term however often it
        matches; undated rows are left out.
    terms : list of str
        Terms to show, top to bottom (default all, by first occurrence). A term
        with no occurrence keeps its (empty) row.
    term_col : str, optional
        The term column (default ``entry`` when present, else ``term``).
    palette : list of colours, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One ``EventCollection`` per term in ``ax.collections`` (gid
        ``kcnalex:xray``), top row first.

    See Also
    --------
    kcnalex.match_formulae, kcnalex.bursts, plot_heatmap

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"doc_id": ["a", "b", "b"], "entry": ["x", "x", "y"],
    ...     "date": pd.to_datetime(["2001-01-01", "2002-01-01", "2002-01-01"])})
    >>> ax = plot_xray(m)
    >>> [len(c.get_positions()) for c in ax.collections]
    [2, 1]
    """
    if term_col is None:
        term_col = "entry" if "entry" in matches_or_docs.columns else "term"
    validate_frame(matches_or_docs, ("doc_id", "date", term_col),
                   name="matches_or_docs")
    df = matches_or_docs[["doc_id", "date", term_col]]
    df = df[df["date"].notna()].drop_duplicates(["doc_id", term_col])
    df = df.assign(date=pd.to_datetime(df["date"])).sort_values("date",
                                                                kind="stable")
    if terms is None:
        terms = list(pd.unique(df[term_col]))
    else:
        terms = list(terms)
    ax = _new_ax(ax, figsize=(8, max(1.8, 0.35 * len(terms) + 1.0)))
    colors = _palette(palette)
    by_term = {t: g["date"] for t, g in df.groupby(term_col, sort=False)}
    for i, t in enumerate(terms):
        dates = by_term.get(t, pd.Series([], dtype="datetime64[ns]"))
        pos = mdates.date2num(pd.DatetimeIndex(dates).to_pydatetime()) if len(
            dates) else np.empty(0)
        (coll,) = ax.eventplot([pos], lineoffsets=i, linelengths=0.7,
                               linewidths=0.8, colors=[colors[i % len(colors)]])
        coll.set_gid("kcnalex:xray")
    ax.set_yticks(np.arange(len(terms)), labels=[str(t) for t in terms])
    ax.set_ylim(len(terms) - 0.5, -0.5)
    ax.xaxis_date()
    _style(ax)
    _date_axis(ax)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("date (one tick per document)")
    return ax


def _iter_lines(ax: Axes, gid: str) -> Iterable:
    """Artists of ``ax`` with this gid (helper for scripts and tests)."""
    arts = [*ax.get_lines(), *ax.collections, *ax.texts, *ax.patches]
    return [a for a in arts if a.get_gid() == gid]
