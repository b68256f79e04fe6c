"""Fetch public KCNA corpora into a local cache, verified by sha256.

The registry (``data/registry/corpora.toml``) names each corpus, where it lives, its
licence and format, and the size and sha256 of every file. :func:`fetch_corpus`
downloads the files into a cache folder — the platform's user cache directory
(``platformdirs.user_cache_dir("kcnalex")``), or ``$KCNALEX_DATA`` when set — resuming
partial downloads (HTTP ``Range``), checking each file's sha256, and refusing archive
members that would escape the destination folder. Nothing is fetched at import time or
implicitly: only these functions reach the network.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tomllib
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

import pandas as pd

__all__ = ["fetch_corpus", "list_corpora", "cache_dir", "FetchError",
           "safe_extract"]

_CHUNK = 1 << 16


class FetchError(RuntimeError):
    """A download failed (offline, server error, checksum mismatch, unsafe archive)."""


@dataclass(frozen=True)
class _FileEntry:
    path: str
    size: int
    sha256: str


def _registry_dir():
    return resources.files("kcnalex") / "data" / "registry"


def _load_registry() -> dict:
    with (_registry_dir() / "corpora.toml").open("rb") as fh:
        return tomllib.load(fh)


def _corpus(name: str) -> dict:
    reg = _load_registry()
    for c in reg["corpus"]:
        if c["name"] == name:
            return c
    names = ", ".join(c["name"] for c in reg["corpus"])
    raise ValueError(f"unknown corpus {name!r}; known corpora: {names}")


def _files(corpus: dict) -> list[_FileEntry]:
    raw = (_registry_dir() / corpus["files"]).read_bytes()
    text = gzip.decompress(raw).decode()
    return [_FileEntry(r["path"], int(r["size"]), r["sha256"])
            for r in csv.DictReader(io.StringIO(text))]


def list_corpora() -> pd.DataFrame:
    """The corpora kcnalex can fetch.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``title``, ``license``, ``format``, ``n_files``, ``size_mb``,
        ``repository``.

    Examples
    --------
    >>> list_corpora()["name"].tolist()
    ['kcna-co-jp', 'kcna-kp-2024']
    """
    rows = []
    for c in _load_registry()["corpus"]:
        files = _files(c)
        rows.append({
            "name": c["name"], "title": c["title"], "license": c["license"],
            "format": c["format"], "n_files": len(files),
            "size_mb": round(sum(f.size for f in files) / 1e6, 1),
            "repository": c["repository"],
        })
    return pd.DataFrame(rows)


def cache_dir() -> Path:
    """Where fetched corpora go: ``$KCNALEX_DATA`` or the user cache dir."""
    env = os.environ.get("KCNALEX_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("kcnalex"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _safe_target(root: Path, member: str) -> Path:
    """Resolve an archive or registry path inside ``root``, refusing traversal."""
    p = PurePosixPath(member.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]):
        raise FetchError(f"refusing unsafe path {member!r} (outside {root})")
    target = (root / Path(*p.parts)).resolve()
    if not target.is_relative_to(root.resolve()):
        raise FetchError(f"refusing unsafe path {member!r} (outside {root})")
    return target


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike) -> list[Path]:
    """Extract a zip or tar archive into ``dest``, refusing path traversal.

    Every member is checked before anything is written: absolute paths, ``..``
    components, drive letters, and (for tar) links pointing outside ``dest`` raise
    :class:`FetchError` and nothing is extracted.

    Returns
    -------
    list of pathlib.Path
        The extracted files.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    archive = Path(archive)
    out: list[Path] = []
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            targets = [_safe_target(dest, n) for n in names]
            for name, target in zip(names, targets):
                if name.endswith("/"):
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.append(target)
        return out
    try:
        tf = tarfile.open(archive)
    except tarfile.TarError as exc:
        raise FetchError(f"{archive}: not a zip or tar archive ({exc})") from None
    with tf:
        members = tf.getmembers()
        for m in members:
            _safe_target(dest, m.name)
            if m.issym() or m.islnk():
                link = (PurePosixPath(m.name).parent / m.linkname).as_posix()
                _safe_target(dest, link if not m.linkname.startswith("/")
                             else m.linkname)
            if m.isdev():
                raise FetchError(f"refusing device file {m.name!r} in {archive}")
        for m in members:
            target = _safe_target(dest, m.name)
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif m.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                with tf.extractfile(m) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                out.append(target)
    return out


def _download(url: str, target: Path, entry: _FileEntry, *, timeout: float) -> None:
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if have > entry.size:
        part.unlink()
        have = 0
    req = urllib.request.Request(url, headers={"User-Agent": "kcnalex-fetch"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            mode = "ab" if have and resp.status == 206 else "wb"
            with open(part, mode) as fh:
                shutil.copyfileobj(resp, fh, _CHUNK)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have == entry.size:
            pass  # the partial file is already complete
        else:
            raise FetchError(f"{url}: server answered HTTP {exc.code} {exc.reason}"
                             ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"could not download {url}: {reason}. Are you offline? The partial file "
            f"is kept at {part} and the next fetch resumes it."
        ) from None
    digest = _sha256(part)
    if digest != entry.sha256:
        part.unlink()
        raise FetchError(f"{url}: sha256 mismatch (expected {entry.sha256}, got "
                         f"{digest}); the file was removed")
    part.replace(target)


def fetch_corpus(name: str, *, dest: str | os.PathLike | None = None,
                 include: str | None = None, base_url: str | None = None,
                 timeout: float = 60.0, progress: bool | None = None) -> Path:
    """Download a public KCNA corpus into the cache, verified by sha256.

    Files already present with the right checksum are not downloaded again; a partial
    download (``*.part``) is resumed with an HTTP ``Range`` request.

    Parameters
    ----------
    name : str
        A corpus of :func:`list_corpora` (``"kcna-co-jp"``, ``"kcna-kp-2024"``).
    dest : path, optional
        Destination folder; default ``cache_dir() / name``.
    include : str, optional
        Only files whose registry path matches this glob (e.g. ``"*2015-*"``).
    base_url : str, optional
        Another server holding the same file layout (a mirror, or a local server in
        tests); default the registry's URL.
    timeout : float
        Seconds to wait for the server on each file.
    progress : bool, optional
        A tqdm bar on stderr (default: when stderr is a terminal).

    Returns
    -------
    pathlib.Path
        The folder holding the corpus (pass it to :func:`kcnalex.read_corpus`).

    Raises
    ------
    FetchError
        Offline, HTTP error, checksum mismatch or an unsafe path.
    ValueError
        Unknown corpus name.
    """
    corpus = _corpus(name)
    files = _files(corpus)
    if include:
        files = [f for f in files if PurePosixPath(f.path).match(include)]
        if not files:
            raise ValueError(f"no file of {name!r} matches {include!r}")
    root = Path(dest) if dest is not None else cache_dir() / name
    root.mkdir(parents=True, exist_ok=True)
    base = (base_url or corpus["base_url"]).rstrip("/") + "/"
    from tqdm import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    for entry in tqdm(files, desc=f"fetch {name}", unit="file", disable=disable):
        target = _safe_target(root, entry.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and target.stat().st_size == entry.size \
                and _sha256(target) == entry.sha256:
            continue
        _download(base + entry.path, target, entry, timeout=timeout)
    return root
