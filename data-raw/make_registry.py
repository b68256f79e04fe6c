"""Rebuild the file lists of kcnalex's corpus registry from local copies.

The registry (``src/kcnalex/data/registry/corpora.toml``) names public KCNA corpora a
user can download with ``kcnalex fetch NAME``; each corpus has a file list
(``<name>.files.csv.gz``: path, size, sha256) so every download is verified.

The checksums are computed from the copies in ``../shared/corpora`` (the kcna.co.jp day
files are stored there gzip-compressed; the checksum is of the decompressed bytes, i.e.
of the upstream file). Run from the repository root::

    python data-raw/make_registry.py [--shared ../shared/corpora]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "kcnalex" / "data" / "registry"


def _rows_co_jp(shared: Path):
    for f in sorted((shared / "kcna-co-jp" / "days").glob("*.json.gz")):
        data = gzip.decompress(f.read_bytes())
        name = f.name[: -len(".gz")]
        yield f"cache/juche/{name}", len(data), hashlib.sha256(data).hexdigest()


def _rows_kp(shared: Path):
    for f in sorted((shared / "kcna-kp-2024").glob("*.json")):
        data = f.read_bytes()
        yield f"data/archive/{f.name}", len(data), hashlib.sha256(data).hexdigest()


def _write(name: str, rows) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["path", "size", "sha256"])
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    # mtime=0: the same input gives the same bytes
    data = gzip.compress(buf.getvalue().encode(), mtime=0)
    (OUT / f"{name}.files.csv.gz").write_bytes(data)
    print(f"{name}: {n} files")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=Path(__file__).resolve().parents[2]
                    / "shared" / "corpora", type=Path)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    _write("kcna-co-jp", _rows_co_jp(args.shared))
    _write("kcna-kp-2024", _rows_kp(args.shared))


if __name__ == "__main__":
    main()
