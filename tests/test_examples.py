"""The example scripts and the first-steps notebook run and write what they promise.

Each script runs as a subprocess (``sys.executable``) with a temporary ``--out``
folder. Scripts on the real corpora print "skipped: ../shared/corpora not found" and
exit 0 when ``../shared/corpora`` is absent, and this is asserted instead; scripts on
the bundled statistics are skipped (with the reason) while those are not generated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(
    os.environ.get("KCNALEX_SHARED_CORPORA", ROOT.parent / "shared" / "corpora")
)
SKIP_SHARED = "skipped: ../shared/corpora not found"

# script -> (data it needs, files it must write)
SCRIPTS = {
    "quickstart.py": ("sample", ["quickstart_formulae.csv", "quickstart_yearly.csv",
                                 "quickstart.png"]),
    "custom_lexicon.py": ("sample", ["my-lexicon.toml", "custom_counts.csv",
                                     "custom_kwic.csv", "custom_categories.png"]),
    "honorifics_over_time.py": ("stats", ["honorifics_yearly.csv", "honorifics.png",
                                          "honored_share.png"]),
    "emerging_formulae.py": ("stats", ["bursts.csv", "emerging.csv", "emerging.png"]),
    "stance_toward_us.py": ("shared", ["stance_us_sentences.csv",
                                       "stance_us_quarterly.csv", "stance_us.png"]),
    "compare_eras.py": ("shared", ["keyness_words.csv", "keyness_formulae.csv",
                                   "keyness_words.png"]),
}


def _stats_missing() -> str | None:
    """Why the bundled statistics cannot be loaded, or None when they can."""
    from kcnalex.datasets import stats_dir

    try:
        folder = stats_dir()
    except FileNotFoundError as exc:
        return str(exc)
    for name in ("doc_stats.parquet", "entry_months.parquet", "manifest.json"):
        if not (folder / name).is_file():
            return f"{folder / name} is absent (data-raw/make_stats.py writes it)"
    return None


def _run(script: str, out: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "MPLBACKEND": "Agg", **env}
    full_env.pop("KCNALEX_EXAMPLES_OUT", None)
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), "--out", str(out)],
                          cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_every_example_is_tested():
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(SCRIPTS)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_example_writes_its_outputs(script, tmp_path):
    needs, expected = SCRIPTS[script]
    if needs == "stats":
        reason = _stats_missing()
        if reason:
            pytest.skip(f"bundled statistics not generated yet: {reason}")
    proc = _run(script, tmp_path)
    if needs == "shared" and not SHARED.is_dir():
        assert SKIP_SHARED in proc.stdout
        assert not any(tmp_path.iterdir())
        return
    for name in expected:
        path = tmp_path / name
        assert path.is_file(), f"{script} did not write {name}:\n{proc.stdout}"
        assert path.stat().st_size > 0, f"{script} wrote an empty {name}"
        if name.endswith(".png"):
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_shared_examples_skip_without_corpora(tmp_path):
    """The skip path, exercised even on a machine that has the corpora."""
    proc = _run("stance_toward_us.py", tmp_path / "out",
                KCNALEX_SHARED_CORPORA=str(tmp_path / "absent"))
    assert proc.stdout.strip() == SKIP_SHARED
    assert not any((tmp_path / "out").iterdir())


def test_output_folder_from_environment(tmp_path):
    out = tmp_path / "from-env"
    env = {**os.environ, "MPLBACKEND": "Agg", "KCNALEX_EXAMPLES_OUT": str(out)}
    proc = subprocess.run([sys.executable, str(EXAMPLES / "custom_lexicon.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "custom_counts.csv").stat().st_size > 0


def test_default_output_folder_is_ignored_by_git():
    lines = (ROOT / ".gitignore").read_text().split()
    assert "examples/output/" in lines


def test_notebook_is_committed_without_outputs():
    nb = json.loads((EXAMPLES / "first_steps.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(EXAMPLES / "first_steps.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, "the notebook should draw at least one figure"
