"""fetch_corpus against a local HTTP server on 127.0.0.1 (nothing leaves the host)."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import shutil
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

import kcnalex as kx
from kcnalex.fetch import FetchError, safe_extract


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP Range support; records the requests it served."""

    requests: list = []
    corrupt: set = set()

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        path = Path(self.translate_path(self.path))
        type(self).requests.append((self.path, self.headers.get("Range")))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        if self.path in type(self).corrupt:
            data = data[:-1] + b"X"
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_error(416)
                return
            body = data[start:]
            self.send_response(206)
            self.send_header("Content-Range",
                             f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def mirror(tmp_path, shared_corpora):
    """A local mirror of the upstream layout, built in tmp from ../shared/corpora."""
    root = tmp_path / "mirror"
    juche = root / "cache" / "juche"
    juche.mkdir(parents=True)
    for day in ("1997-01-01", "1997-01-02", "1997-01-03"):
        src = shared_corpora / "kcna-co-jp" / "days" / f"{day}_juche.json.gz"
        (juche / f"{day}_juche.json").write_bytes(gzip.decompress(src.read_bytes()))
    archive = root / "data" / "archive"
    archive.mkdir(parents=True)
    for f in (shared_corpora / "kcna-kp-2024").glob("*.json"):
        shutil.copy(f, archive / f.name)

    handler = type("H", (_RangeHandler,), {"requests": [], "corrupt": set()})

    def factory(*a, **kw):
        return handler(*a, directory=str(root), **kw)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", handler, root
    server.shutdown()
    server.server_close()


def test_list_corpora():
    df = kx.list_corpora()
    assert df["name"].tolist() == ["kcna-co-jp", "kcna-kp-2024"]
    assert df.set_index("name").loc["kcna-co-jp", "n_files"] == 6554
    assert df.set_index("name").loc["kcna-kp-2024", "license"] == "CC0-1.0"


@pytest.mark.realdata
def test_fetch_verified_and_cached(mirror, tmp_path, monkeypatch):
    url, handler, root = mirror
    monkeypatch.setenv("KCNALEX_DATA", str(tmp_path / "cache"))
    out = kx.fetch_corpus("kcna-co-jp", include="*1997-01-0[1-3]_*", base_url=url,
                          progress=False)
    assert out == tmp_path / "cache" / "kcna-co-jp"
    got = sorted(p.name for p in out.rglob("*.json"))
    assert got == ["1997-01-01_juche.json", "1997-01-02_juche.json",
                   "1997-01-03_juche.json"]
    src = root / "cache" / "juche" / "1997-01-02_juche.json"
    assert (out / "cache/juche/1997-01-02_juche.json").read_bytes() == \
        src.read_bytes()
    n = len(handler.requests)
    assert n == 3
    # second call: everything verified locally, nothing downloaded
    kx.fetch_corpus("kcna-co-jp", include="*1997-01-0[1-3]_*", base_url=url,
                    progress=False)
    assert len(handler.requests) == n
    # what was fetched reads as a corpus
    corpus = kx.read_corpus(out)
    assert len(corpus) > 0


@pytest.mark.realdata
def test_fetch_resumes_partial_download(mirror, tmp_path):
    url, handler, root = mirror
    src = next((root / "data" / "archive").glob("*.json"))
    dest = tmp_path / "kp"
    part = dest / "data" / "archive" / (src.name + ".part")
    part.parent.mkdir(parents=True)
    data = src.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    out = kx.fetch_corpus("kcna-kp-2024", dest=dest, base_url=url, progress=False)
    final = out / "data" / "archive" / src.name
    assert hashlib.sha256(final.read_bytes()).hexdigest() == \
        hashlib.sha256(data).hexdigest()
    assert handler.requests == [(f"/data/archive/{src.name}",
                                 f"bytes={len(data) // 2}-")]
    assert not part.exists()


@pytest.mark.realdata
def test_fetch_checksum_mismatch_removes_file(mirror, tmp_path):
    url, handler, root = mirror
    handler.corrupt.add("/cache/juche/1997-01-01_juche.json")
    with pytest.raises(FetchError, match="sha256 mismatch"):
        kx.fetch_corpus("kcna-co-jp", include="*1997-01-01_*", base_url=url,
                        dest=tmp_path / "c", progress=False)
    assert not list((tmp_path / "c").rglob("*.json*"))


def test_fetch_offline_is_a_clear_error(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(FetchError, match="offline"):
        kx.fetch_corpus("kcna-kp-2024", dest=tmp_path, progress=False,
                        base_url=f"http://127.0.0.1:{port}/", timeout=5)


def test_unknown_corpus():
    with pytest.raises(ValueError, match="known corpora: kcna-co-jp, kcna-kp-2024"):
        kx.fetch_corpus("rodong")


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil", "a/../../evil",
                                    "C:/evil"])
def test_safe_extract_refuses_traversal_zip(tmp_path, member):
    arc = tmp_path / "a.zip"
    with zipfile.ZipFile(arc, "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr(member, "evil")
    with pytest.raises(FetchError, match="unsafe path"):
        safe_extract(arc, tmp_path / "out")
    assert not (tmp_path / "out" / "ok.txt").exists()  # nothing written
    assert not (tmp_path / "evil.txt").exists()


def test_safe_extract_refuses_symlink_out_of_tar(tmp_path):
    arc = tmp_path / "a.tar"
    with tarfile.open(arc, "w") as tf:
        info = tarfile.TarInfo("link")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc/passwd"
        tf.addfile(info)
    with pytest.raises(FetchError, match="unsafe path"):
        safe_extract(arc, tmp_path / "out")


def test_safe_extract_good_archive(tmp_path):
    arc = tmp_path / "a.tar.gz"
    with tarfile.open(arc, "w:gz") as tf:
        data = b"hello"
        info = tarfile.TarInfo("d/x.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    files = safe_extract(arc, tmp_path / "out")
    assert [p.read_bytes() for p in files] == [b"hello"]
