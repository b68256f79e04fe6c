"""Helpers shared by the example scripts (not part of kcnalex).

Every example writes its figures and tables into one folder: ``--out DIR`` on the
command line, else the environment variable ``KCNALEX_EXAMPLES_OUT``, else
``examples/output/`` (git-ignored). Examples that read the real corpora look for
``../shared/corpora`` beside the repository (or ``KCNALEX_SHARED_CORPORA``) and exit
with status 0 and a ``skipped: ...`` line when it is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # scripts write files; no window

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIP_SHARED = "skipped: ../shared/corpora not found"
SKIP_STATS = "skipped: bundled statistics not found"


def parse_args(description: str) -> argparse.Namespace:
    """``--out`` (default: ``$KCNALEX_EXAMPLES_OUT`` or ``examples/output``)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", type=Path,
                    default=Path(os.environ.get("KCNALEX_EXAMPLES_OUT",
                                                HERE / "output")),
                    help="folder for the figures and tables")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def shared_corpora() -> Path:
    """The real corpora folder; exits 0 with a ``skipped:`` line when absent."""
    path = Path(os.environ.get("KCNALEX_SHARED_CORPORA",
                               ROOT.parent / "shared" / "corpora"))
    if not path.is_dir():
        print(SKIP_SHARED)
        sys.exit(0)
    return path


def day_files(corpora: Path, years: range, *, day: str = "15") -> list[Path]:
    """One kcna.co.jp day file per month of ``years`` (the first on or after ``day``).

    A small, evenly spread slice of the archive: 12 files (a few hundred articles)
    per year instead of about 350.
    """
    days = corpora / "kcna-co-jp" / "days"
    files = []
    for year in years:
        for month in range(1, 13):
            found = sorted(days.glob(f"{year}-{month:02d}-*_juche.json.gz"))
            later = [f for f in found if f.name[8:10] >= day]
            if later or found:
                files.append((later or found)[0])
    return files


def bundled_stats(table: str = "docs"):
    """``kcnalex.load_stats(table=...)``; exits 0 with a ``skipped:`` line if absent."""
    import kcnalex as kx

    try:
        return kx.load_stats(table=table)
    except FileNotFoundError as exc:
        print(f"{SKIP_STATS} ({exc})")
        sys.exit(0)


def save(fig_or_ax, path: Path) -> Path:
    """Save a figure (or the figure of an Axes) as PNG and report the file."""
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return path


def write_csv(df, path: Path) -> Path:
    """Write a table as CSV (no index) and report the file."""
    df.to_csv(path, index=False)
    print(f"wrote {path}")
    return path
