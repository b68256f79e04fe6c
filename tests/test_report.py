"""make_report / reproduce / the CLI, and the report in a real headless browser."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import kcnalex as kx
from kcnalex._provenance import sha256_file
from kcnalex.cli import main
from kcnalex.io import SAMPLE_DIR
from kcnalex.report import TABLES, split_measures

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "report.html"
    kx.make_report(str(SAMPLE_DIR), output=out, n_boot=100, progress=False)
    return out


def test_report_files_and_manifest(sample_report):
    folder = sample_report.parent
    html = sample_report.read_text()
    assert html.startswith("<!DOCTYPE html>")
    # figures embedded, nothing fetched from outside
    assert html.count('src="data:image/png;base64,') >= 5
    assert 'src="http' not in html and "url(http" not in html
    assert "<script" not in html
    man = json.loads((folder / "manifest.json").read_text())
    assert man["kcnalex"] == kx.__version__
    assert man["tokenizer"] == kx.TOKENIZER_VERSION
    assert {lx["name"] for lx in man["lexicons"]} >= {"kcna-formulae", "leaders"}
    assert set(man["outputs"]) == set(TABLES)
    for name, digest in man["outputs"].items():
        assert sha256_file(folder / name) == digest
    # every input file listed with its sha256
    files = sorted(SAMPLE_DIR.glob("*.json.gz"))
    assert [f["sha256"] for f in man["inputs"]] == [sha256_file(f) for f in files]
    ing = man["ingest"]
    assert ing["records_in"] == ing["kept"] + sum(ing["dropped"].values())


def test_report_tables_content(sample_report):
    ps = pd.read_csv(sample_report.parent / "period_stats.csv")
    assert {"period", "group", "measure", "value", "ci_low", "ci_high", "n_docs",
            "low_data"} <= set(ps.columns)
    # one row per year of the sample for a count measure
    rows = ps[ps["measure"] == "n_formulae"]
    years = sorted(kx.load_sample()["date"].dt.year.unique())
    assert [int(p[:4]) for p in rows["period"]] == years
    wide = kx.analyze(kx.load_sample(), form="wide")
    y = rows.iloc[0]
    sub = wide[wide["date"].dt.year == int(y["period"][:4])]
    assert y["value"] == pytest.approx(1000 * sub["n_formulae"].sum()
                                       / sub["n_tokens"].sum(), rel=1e-9)


def test_two_runs_identical_tables(sample_report, tmp_path):
    again = tmp_path / "report.html"
    kx.make_report(str(SAMPLE_DIR), output=again, n_boot=100, progress=False)
    for name in TABLES:
        assert (again.parent / name).read_bytes() == \
            (sample_report.parent / name).read_bytes(), name


def test_reproduce(sample_report, tmp_path):
    res = kx.reproduce(sample_report.parent / "manifest.json")
    assert res["ok"] and res["inputs_ok"]
    assert all(res["files"].values())
    # a changed table is detected
    man = json.loads((sample_report.parent / "manifest.json").read_text())
    man["outputs"]["bursts.csv"] = "0" * 64
    bad = tmp_path / "manifest.json"
    bad.write_text(json.dumps(man))
    res = kx.reproduce(bad)
    assert not res["ok"] and res["files"]["bursts.csv"] is False


def test_split_measures():
    ps = pd.DataFrame({"measure": ["stance:US", "vader_mean", "n_cat:hostility"],
                       "group": "all", "value": [1.0, 2.0, 3.0]})
    out = split_measures(ps)
    assert out["measure"].tolist() == ["stance", "vader_mean", "n_cat"]
    assert out["group"].tolist() == ["US", "all", "hostility"]
    assert ps["measure"].tolist()[0] == "stance:US"  # input unchanged


def test_cli_report_and_ingest(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r" / "report.html"
    assert main(["report", str(SAMPLE_DIR), "-o", str(out), "--no-progress"]) == 0
    assert out.exists() and (out.parent / "manifest.json").exists()
    assert main(["reproduce", str(out.parent / "manifest.json")]) == 0
    corpus = tmp_path / "c.parquet"
    rep = tmp_path / "ingest.json"
    assert main(["ingest", str(SAMPLE_DIR), "-o", str(corpus), "--report",
                 str(rep), "--no-progress"]) == 0
    r = json.loads(rep.read_text())
    assert r["records_in"] == r["kept"] + sum(r["dropped"].values())
    assert len(pd.read_parquet(corpus)) == r["kept"]
    # with workers (one file a task, so the sample's few files use them): the same
    # corpus file and report
    from kcnalex import _readpool

    monkeypatch.setattr(_readpool, "FILES_PER_TASK", 1)
    corpus2, rep2 = tmp_path / "c2.parquet", tmp_path / "ingest2.json"
    assert main(["ingest", str(SAMPLE_DIR), "-o", str(corpus2), "--report",
                 str(rep2), "--no-progress", "--n-jobs", "2"]) == 0
    assert json.loads(rep2.read_text()) == r
    pd.testing.assert_frame_equal(pd.read_parquet(corpus2), pd.read_parquet(corpus))
    # a missing path is one clear line, exit status 2
    assert main(["ingest", str(tmp_path / "nope"), "-o", str(corpus)]) == 2
    assert "error" in capsys.readouterr().err


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert kx.__version__ in capsys.readouterr().out


def _stats_present() -> bool:
    return (ROOT / "corpora" / "kcna-co-jp-1997-2015" / "doc_stats.parquet").exists()


@pytest.mark.skipif(not _stats_present(), reason="bundled statistics not built")
@pytest.mark.slow
def test_default_report_on_bundled_stats(tmp_path):
    out = tmp_path / "report.html"
    kx.make_report(output=out, n_boot=200, progress=False)
    ps = pd.read_csv(tmp_path / "period_stats.csv")
    years = sorted({int(p[:4]) for p in ps["period"]})
    assert years == list(range(1997, 2016))
    us = ps[ps["measure"] == "stance:US"]
    assert len(us) == 19 and (us["value"] < 0).all()  # hostile every year
    again = tmp_path / "again" / "report.html"
    kx.make_report(output=again, n_boot=200, progress=False)
    for name in TABLES:
        assert (again.parent / name).read_bytes() == (tmp_path / name).read_bytes()


def _check_module():
    spec = importlib.util.spec_from_file_location(
        "check_report_in_browser", ROOT / "scripts" / "check_report_in_browser.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed")
def test_report_in_headless_browser(sample_report, tmp_path):
    mod = _check_module()
    res = mod.check(sample_report, tmp_path / "shot.png")
    assert res["returncode"] == 0
    assert res["screenshot_bytes"] > 10_000
    assert res["images"] >= 5
    assert res["errors"] == []
    assert res["title"].startswith("kcnalex report")
