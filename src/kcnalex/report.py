"""The whole chain in one call: read -> measures -> aggregate -> plots -> HTML report.

:func:`make_report` writes, into the folder of ``output``:

- ``report.html``: one self-contained page (figures embedded as PNG data URIs, no
  script, no external resource);
- ``period_stats.csv`` (every measure per period, with bootstrap intervals),
  ``changepoints.csv``, ``bursts.csv``, ``entry_rates.csv`` (formula entries per
  period);
- ``manifest.json``: library version, tokenizer version, lexicons and configuration
  files with their sha256, parameters, the input files with sha256, the ingest report,
  and the sha256 of every table written — what :func:`reproduce` checks.

With no source the report is drawn from the bundled statistics of the real
1997-2015 kcna.co.jp archive (:func:`kcnalex.load_stats`).
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._provenance import get_provenance, sha256_file
from ._version import __version__

__all__ = ["make_report", "reproduce", "split_measures", "entry_months"]

TABLES = ("period_stats.csv", "changepoints.csv", "bursts.csv", "entry_rates.csv")
REPORT_EVENT_KINDS = ("leadership", "summit", "nuclear_test")
_DPRK_LEADERS = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un", "Kim Jong Suk")


def split_measures(period_stats: pd.DataFrame) -> pd.DataFrame:
    """Split compound measure names ``"base:key"`` into ``measure`` and ``group``.

    :func:`kcnalex.analyze` names per-leader, per-target and per-category measures
    ``"n_honorifics:Kim Jong Un"``, ``"stance:US"``, ``"n_cat:hostility"``; the plots
    want the base name in ``measure`` and the key in ``group``. Measures without a
    key keep their group.
    """
    out = period_stats.copy()
    parts = out["measure"].astype(str).str.split(":", n=1, expand=True)
    if parts.shape[1] == 2:
        has = parts[1].notna()
        out.loc[has, "group"] = parts.loc[has, 1]
        out.loc[has, "measure"] = parts.loc[has, 0]
    return out


def entry_months(wide: pd.DataFrame, lexicon: Any = "kcna-formulae") -> pd.DataFrame:
    """Monthly totals per formula entry from a wide :func:`kcnalex.analyze` frame.

    Parameters
    ----------
    wide : pandas.DataFrame
        From ``analyze(..., form="wide", entries=True)``.
    lexicon : str, path or DataFrame
        The lexicon whose categories label the entries.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``entry``, ``category``, ``n`` (matches), ``n_docs`` (documents
        with a match), ``month_docs``, ``month_tokens``; months x entries with at
        least one match.
    """
    from .lexicons import load_lexicon

    entry_cols = [c for c in wide.columns if c.startswith("n_entry:")]
    dated = wide[wide["date"].notna()]
    month = dated["date"].dt.to_period("M").dt.to_timestamp()
    months, inv = np.unique(month.to_numpy(), return_inverse=True)
    counts = dated[entry_cols].to_numpy(dtype=np.int64)
    n = np.zeros((len(months), len(entry_cols)), dtype=np.int64)
    nd = np.zeros_like(n)
    np.add.at(n, inv, counts)
    np.add.at(nd, inv, counts > 0)
    month_docs = np.bincount(inv, minlength=len(months))
    month_tokens = np.bincount(inv, weights=dated["n_tokens"].to_numpy(np.float64),
                               minlength=len(months)).astype(np.int64)
    entries = np.asarray([c.split(":", 1)[1] for c in entry_cols], dtype=object)
    lex = load_lexicon(lexicon).drop_duplicates("entry")
    cat = dict(zip(lex["entry"], lex["category"]))
    rows = pd.DataFrame({
        "month": np.repeat(months, len(entries)),
        "entry": np.tile(entries, len(months)),
        "n": n.ravel(), "n_docs": nd.ravel(),
        "month_docs": np.repeat(month_docs, len(entries)),
        "month_tokens": np.repeat(month_tokens, len(entries)),
    })
    rows.insert(2, "category", rows["entry"].map(cat))
    return rows[rows["n"] > 0].reset_index(drop=True)


def _fig_png(fig) -> str:
    buf = io.BytesIO()
    # no timestamp or software version in the PNG, so identical figures are
    # identical bytes
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _input_files(source: Any) -> list[dict[str, Any]]:
    from .io import IngestReport, _resolve

    files = _resolve(source, IngestReport())
    return [{"file": label, "path": str(path), "sha256": sha256_file(path),
             "bytes": path.stat().st_size} for path, label in files]


def _describe_source(source: Any, n_files: int) -> str:
    items = [str(s) for s in (source if isinstance(source, (list, tuple))
                              else [source])]
    if len(items) <= 3:
        return ", ".join(items)
    common = os.path.commonpath(items)
    return f"{n_files} files under {common}"


def _period_entries(entries: pd.DataFrame, freq: str, top: int = 30) -> pd.DataFrame:
    """Rates per 1,000 tokens per period of the ``top`` most frequent entries."""
    from .timeseries import _period_freq, _period_starts, _to_ordinals

    pfreq = _period_freq(freq)

    def start(months: pd.Series) -> pd.DatetimeIndex:
        return _period_starts(_to_ordinals(months, pfreq), pfreq)

    e = entries.copy()
    e["period"] = start(e["month"])
    months = e.drop_duplicates("month")
    totals = (months.assign(period=start(months["month"]))
              .groupby("period")[["month_tokens", "month_docs"]].sum())
    keep = e.groupby("entry")["n"].sum().nlargest(top).index
    g = (e[e["entry"].isin(keep)].groupby(["period", "entry"])[["n", "n_docs"]]
         .sum().reset_index())
    full = pd.MultiIndex.from_product([totals.index, sorted(keep)],
                                      names=["period", "entry"])
    g = g.set_index(["period", "entry"]).reindex(full, fill_value=0).reset_index()
    g = g.join(totals, on="period")
    g["value"] = 1000.0 * g["n"] / g["month_tokens"]
    g["measure"] = g["entry"]
    g["group"] = "all"
    return g


def _bursts(entries: pd.DataFrame) -> pd.DataFrame:
    import warnings

    from .timeseries import bursts

    months = pd.DatetimeIndex(sorted(pd.to_datetime(entries["month"]).unique()))
    totals = (entries.drop_duplicates("month").set_index("month")["month_docs"]
              .reindex(months).fillna(0).astype(int))
    out = []
    for entry, g in entries.groupby("entry", sort=True):
        counts = g.set_index("month")["n_docs"].reindex(months).fillna(0).astype(int)
        if counts.sum() < 20:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = bursts(months, counts=counts.to_numpy(), totals=totals.to_numpy(),
                       term=entry)
        if len(b):
            b.insert(1, "category", g["category"].iloc[0])
            out.append(b)
    if not out:
        return pd.DataFrame(columns=["term", "category", "start", "end", "weight"])
    res = pd.concat(out, ignore_index=True)
    return res.sort_values(["weight", "term"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def _unique_lexicons(lexicons: list[dict]) -> list[dict]:
    """Each lexicon once (the formula lexicon is used by two measures)."""
    seen, out = set(), []
    for lx in lexicons:
        key = (lx.get("name"), lx.get("version"), lx.get("sha256"))
        if key not in seen:
            seen.add(key)
            out.append(lx)
    return out


def _table_html(df: pd.DataFrame, n: int = 15) -> str:
    return df.head(n).to_html(index=False, border=0, classes="t",
                              float_format=lambda v: f"{v:.3g}", na_rep="")


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#444}
table.t{border-collapse:collapse;font-size:.85em}
table.t td,table.t th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}
.meta{font-size:.9em;color:#555}code{background:#f5f5f5;padding:0 3px}
"""


def _render(sections: list[tuple[str, str]], meta: dict) -> str:
    body = []
    for title, content in sections:
        body.append(f"<h2>{html.escape(title)}</h2>\n{content}")
    lex = "".join(
        f"<li><code>{html.escape(str(x.get('name')))}</code> "
        f"{html.escape(str(x.get('version', '')))} "
        f"sha256 <code>{html.escape(str(x.get('sha256', ''))[:16])}…</code></li>"
        for x in meta.get("lexicons", []))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kcnalex report: {html.escape(meta['title'])}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style></head>
<body>
<h1>kcnalex report</h1>
<p class="meta">{html.escape(meta['title'])} · kcnalex {__version__} · tokenizer
<code>{html.escape(str(meta.get('tokenizer', '')))}</code> · period
<code>{html.escape(meta['freq'])}</code> · {meta['n_docs']:,} documents ·
{meta['n_tokens']:,} word tokens</p>
<p class="meta">Lexicons and configuration files:</p><ul class="meta">{lex}</ul>
<p class="meta">Rates are ratio estimators (sum of counts / sum of tokens × 1,000);
bands are 95% percentile bootstrap intervals over documents (seed
{meta['seed']}, {meta['n_boot']} replicates). Tables: {", ".join(
        f'<a href="{t}">{t}</a>' for t in TABLES)}, <a href="manifest.json">
manifest.json</a>.</p>
{''.join(body)}
</body></html>
"""


def make_report(source: Any = None, *, output: str | os.PathLike =
                "kcnalex-report/report.html", freq: str = "Y", n_jobs: int = 1,
                n_boot: int = 1000, seed: int = 0, progress: bool | None = None,
                measures: Any = None) -> Path:
    """Run the whole chain and write an HTML report, its tables and a manifest.

    Parameters
    ----------
    source : path, glob, list of paths, or None
        What to read (any source :func:`kcnalex.read_corpus` accepts); None uses the
        bundled statistics of the real 1997-2015 archive (:func:`kcnalex.load_stats`).
    output : path
        The HTML file; tables and ``manifest.json`` go beside it.
    freq : str
        Period of the aggregation (``"W"``, ``"M"``, ``"Q"``, ``"Y"``).
    n_jobs : int
        Worker processes for :func:`kcnalex.analyze` (when reading a source) and for
        the bootstrap of :func:`kcnalex.aggregate`.
    n_boot, seed : int
        Bootstrap replicates and seed of the confidence intervals.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    measures : sequence of str, optional
        Measure families for :func:`kcnalex.analyze` (default all).

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tqdm import tqdm

    from . import plot as kplot
    from .datasets import load_stats
    from .pipeline import analyze, to_long
    from .timeseries import aggregate, changepoints, events

    out = Path(output)
    folder = out.parent
    folder.mkdir(parents=True, exist_ok=True)
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    steps = tqdm(total=6, desc="report", unit="step", disable=disable)

    steps.set_postfix_str("read + measures")
    if source is None:
        wide = load_stats()
        entries = load_stats(table="entries")
        man = get_provenance(wide)
        prov = man.get("provenance", {})
        inputs = [man["file"], get_provenance(entries)["file"]]
        ingest = prov.get("ingest")
        title = "real kcna.co.jp archive 1997-2015 (bundled statistics)"
    else:
        wide = analyze(source, form="wide", entries=True, n_jobs=n_jobs,
                       progress=False,
                       **({} if measures is None else {"measures": measures}))
        entries = entry_months(wide)
        wide = wide.drop(columns=[c for c in wide.columns
                                  if c.startswith("n_entry:")])
        prov = get_provenance(wide)
        inputs = _input_files(source)
        ingest = prov.get("ingest")
        title = _describe_source(source, len(inputs))
    steps.update()

    steps.set_postfix_str("aggregate")
    long = to_long(wide)  # records the standard ratios that aggregate reports
    ps = aggregate(long, freq=freq, n_boot=n_boot, seed=seed, n_jobs=n_jobs)
    ps = ps[ps["measure"] != "n_sentences"].reset_index(drop=True)
    split = split_measures(ps)
    steps.update()

    steps.set_postfix_str("change points + bursts")
    series_measures = ([m for m in ps["measure"].unique()
                        if str(m).startswith(("stance:", "n_honorifics:"))]
                       + [m for m in ("vader_mean", "kcna_mean")
                          if m in set(ps["measure"])])
    cps = changepoints(ps, measure=series_measures)
    b = _bursts(entries)
    erates = _period_entries(entries, freq)
    steps.update()

    steps.set_postfix_str("figures")
    # the events a reader needs to read these series: deaths and successions,
    # summits, nuclear tests (the full table is in kcnalex.events())
    ev = events(kinds=REPORT_EVENT_KINDS, start=ps["period"].min(),
                end=ps["period"].max() + pd.offsets.YearEnd(0))
    figs: list[tuple[str, str, str]] = []
    leaders = [x for x in _DPRK_LEADERS
               if ((split["measure"] == "n_honorifics") & (split["group"] == x)).any()]
    if leaders:
        fig = plt.figure(figsize=(10, 5.6), layout="constrained")
        kplot.plot_honorifics(split, leaders=leaders, measure="n_honorifics",
                              events=ev, fig=fig)
        figs.append(("Honorific density by leader",
                     "Honorific units (epithets and titles before the name) per "
                     "1,000 word tokens, per leader, with 95% bootstrap bands; "
                     "vertical lines mark key events.", _fig_png(fig)))
        fig = plt.figure(figsize=(10, 5.6), layout="constrained")
        kplot.plot_honorifics(split, leaders=leaders, measure="honored_share",
                              events=ev, fig=fig)
        figs.append(("Honored share of leader mentions",
                     "Share of each leader's mentions preceded by at least one "
                     "honorific unit.", _fig_png(fig)))
    if ((split["measure"] == "stance") & (split["group"] == "US")).any():
        fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
        us = split[(split["measure"] == "stance") & (split["group"] == "US")]
        cp_us = cps[cps["measure"] == "stance:US"].assign(measure="stance",
                                                          group="US")
        kplot.plot_timeseries(us, measure="stance", events=ev, changepoints=cp_us,
                              ax=ax, ylabel="mean sentence stance toward the US",
                              title="Stance toward the United States")
        figs.append(("Stance toward the US, with events",
                     "Mean stance score of the sentences naming the US (negative = "
                     "hostile), 95% bootstrap band; dashed lines are change points "
                     "(PELT), thin lines events.", _fig_png(fig)))
    if (split["measure"] == "stance").any():
        fig, ax = plt.subplots(figsize=(10, 4.6), layout="constrained")
        kplot.plot_stance(split[split["measure"] == "stance"], events=ev, ax=ax)
        figs.append(("Stance per target", "Mean sentence stance toward each "
                     "named actor.", _fig_png(fig)))
    cats = split[split["measure"] == "n_cat"].assign(
        measure=lambda d: d["group"], group="all")
    if len(cats):
        fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
        kplot.plot_heatmap(cats, sort="total", ax=ax,
                           title="Formula categories (matches per 1,000 tokens)")
        figs.append(("Formula categories over time", "Matches of the "
                     "kcna-formulae lexicon per 1,000 word tokens, by category.",
                     _fig_png(fig)))
    if len(erates):
        fig, ax = plt.subplots(figsize=(10, 7.5), layout="constrained")
        kplot.plot_heatmap(erates, sort="peak", ax=ax,
                           title="The 30 most frequent formulae")
        figs.append(("The most frequent formulae", "Rate per 1,000 tokens of the "
                     "30 most frequent entries, ordered by the period of their "
                     "peak.", _fig_png(fig)))
    sent = [m for m in ("vader_mean", "kcna_mean") if m in set(ps["measure"])]
    if sent:
        fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
        kplot.plot_timeseries(ps[ps["measure"].isin(sent)], measure=sent,
                              hue="measure", events=ev, ax=ax,
                              ylabel="mean sentence score",
                              title="Sentence sentiment (VADER and kcna-polarity)")
        figs.append(("Sentiment", "Mean sentence score per period (VADER "
                     "compound; KCNA-domain lexicon).", _fig_png(fig)))
    steps.update()

    steps.set_postfix_str("tables")
    written = {}
    for name, df in (("period_stats.csv", ps), ("changepoints.csv", cps),
                     ("bursts.csv", b), ("entry_rates.csv",
                                         erates[["period", "entry", "n", "n_docs",
                                                 "month_tokens", "value"]])):
        path = folder / name
        df.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
        written[name] = sha256_file(path)
    steps.update()

    meta = {"title": title, "freq": freq, "seed": seed, "n_boot": n_boot,
            "n_docs": int(len(wide)), "n_tokens": int(wide["n_tokens"].sum()),
            "tokenizer": prov.get("tokenizer"),
            "lexicons": _unique_lexicons(prov.get("lexicons", []))}
    sections = [(t, f'<figure><img alt="{html.escape(t)}" '
                    f'src="data:image/png;base64,{png}">'
                    f"<figcaption>{html.escape(c)}</figcaption></figure>")
                for t, c, png in figs]
    sections.append(("Change points", _table_html(cps, 30)))
    sections.append(("Strongest formula bursts (Kleinberg)", _table_html(b, 20)))
    if ingest:
        ing = {k: ingest.get(k) for k in ("records_in", "kept", "dropped")}
        sections.append(("Ingest", f"<pre>{html.escape(json.dumps(ing, indent=1))}"
                                   "</pre>"))
    out.write_text(_render(sections, meta), encoding="utf-8")
    manifest = {
        "kcnalex": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": {"source": None if source is None else
                    (list(map(str, source)) if isinstance(source, (list, tuple))
                     else str(source)),
                    "freq": freq, "n_boot": n_boot, "seed": seed, "n_jobs": n_jobs,
                    "measures": None if measures is None else list(measures)},
        "tokenizer": prov.get("tokenizer"),
        "lexicons": prov.get("lexicons", []),
        "measures_provenance": prov,
        "inputs": inputs,
        "ingest": ingest,
        "outputs": written,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1,
                                                     default=str) + "\n")
    steps.update()
    steps.close()
    return out


def reproduce(manifest: str | os.PathLike, *, output: str | os.PathLike | None = None
              ) -> dict[str, Any]:
    """Rerun the report a manifest describes and compare the tables by sha256.

    Parameters
    ----------
    manifest : path
        A ``manifest.json`` written by :func:`make_report`.
    output : path, optional
        Folder for the rerun (default: a temporary folder, removed afterwards).

    Returns
    -------
    dict
        ``ok`` (every table identical), ``files`` {name: identical?},
        ``inputs_ok`` (every input file still has its recorded sha256).
    """
    man = json.loads(Path(manifest).read_text())
    cmd = man["command"]
    inputs_ok = True
    if cmd["source"] is not None:
        for f in man.get("inputs", []):
            p = Path(f["path"])
            inputs_ok &= p.exists() and sha256_file(p) == f["sha256"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(output) if output else Path(tmp)
        make_report(cmd["source"], output=folder / "report.html", freq=cmd["freq"],
                    n_jobs=cmd.get("n_jobs", 1), n_boot=cmd["n_boot"],
                    seed=cmd["seed"], progress=False, measures=cmd.get("measures"))
        files = {name: sha256_file(folder / name) == digest
                 for name, digest in man["outputs"].items()}
    return {"ok": all(files.values()) and inputs_ok, "files": files,
            "inputs_ok": inputs_ok}
