"""The documentation site builds (strict) and its API reference misses no export."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kcnalex
from kcnalex._version import __version__

yaml = pytest.importorskip("yaml")  # installed with mkdocs (docs and test extras)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
_DIRECTIVE = re.compile(r"^:::\s+(kcnalex(?:\.\w+)+)\s*$", re.M)


def _api_entries() -> set[str]:
    return {m for page in (DOCS / "api").glob("*.md")
            for m in _DIRECTIVE.findall(page.read_text(encoding="utf-8"))}


def _nav_files(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [f for v in node.values() for f in _nav_files(v)]
    if isinstance(node, list):
        return [f for v in node for f in _nav_files(v)]
    return []


def _config() -> dict:
    # mkdocs.yml has no custom YAML tags, so the safe loader reads it
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_every_export_has_an_api_entry():
    entries = _api_entries()
    missing = [f"kcnalex.{module}.{name}" for name, module in kcnalex._EXPORTS.items()
               if f"kcnalex.{module}.{name}" not in entries]
    assert missing == [], f"public names missing from docs/api/*.md: {missing}"


def test_api_entries_name_public_objects():
    """Every ``:::`` entry names an object that exists (no stale entries)."""
    import importlib

    for entry in sorted(_api_entries()):
        module, name = entry.rsplit(".", 1)
        mod = importlib.import_module(module)
        assert hasattr(mod, name), entry
        assert not name.startswith("_"), entry


def test_nav_pages_exist():
    missing = [f for f in _nav_files(_config()["nav"]) if not (DOCS / f).is_file()]
    assert missing == [], f"pages in the mkdocs.yml nav but not in docs/: {missing}"


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if proc.returncode != 0:
        print(proc.stderr)
    assert proc.returncode == 0, proc.stderr[-4000:]
    # every export is rendered with its anchor in the built API pages
    html = "".join(p.read_text(encoding="utf-8")
                   for p in (site / "api").glob("*/index.html"))
    missing = [name for name, module in kcnalex._EXPORTS.items()
               if f'id="kcnalex.{module}.{name}"' not in html]
    assert missing == [], f"exports not rendered in the API reference: {missing}"
    # docstring templates are filled (read_corpus shares its parameters text) and
    # reST roles do not show verbatim (docs/_ext/griffe_docstrings.py)
    assert "{params}" not in html
    assert ":func:" not in html


def test_citation_matches_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == "kcnalex"
    assert str(cff["version"]) == __version__
    assert cff["license"] == "MIT"
    assert str(cff["date-released"]) == "2026-11-27"
    assert cff["authors"] == [{"name": "kcnalex developers"}]


def test_changelog_has_this_version_and_issues():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## kcnalex {__version__}" in text
    for heading in ("New features", "Behaviour changes", "Bug fixes"):
        assert f"### {heading}" in text
    for issue in range(2, 9):
        assert f"#{issue}" in text, f"issue #{issue} not in CHANGELOG.md"
