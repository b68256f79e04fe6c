"""Shared fixtures.

Real corpora live in ``../shared/corpora`` beside the project root (never copied into
the repository); tests that need them take the ``shared_corpora`` fixture and skip
with a reason when the folder is absent (a user's fresh checkout has none).
``KCNALEX_SHARED_CORPORA`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# No per-example deadline: CI machines are shared and a slow example is not a bug.
settings.register_profile("kcnalex", deadline=None, print_blob=True)
settings.load_profile("kcnalex")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(
    os.environ.get("KCNALEX_SHARED_CORPORA", ROOT.parent / "shared" / "corpora")
)
SEED = SHARED / "seed" / "000_5dd338b0427d6c1b.txt"
CO_JP = SHARED / "kcna-co-jp" / "days"
KP_2024 = SHARED / "kcna-kp-2024" / "headlines_2024-09-30.json"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real corpus not available: {path} is absent")
    return path


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """Root of the real corpora (skips when absent)."""
    return _need(SHARED)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The KCNA Watch seed article (skips when absent)."""
    return _need(SEED)


@pytest.fixture(scope="session")
def co_jp_dir() -> Path:
    """The kcna.co.jp day files 1997-2015 (skips when absent)."""
    return _need(CO_JP)


@pytest.fixture(scope="session")
def kp_2024_path() -> Path:
    """The kcna.kp 2024 scrape (skips when absent)."""
    return _need(KP_2024)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
