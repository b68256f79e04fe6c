"""Open a kcnalex HTML report in headless Chromium, screenshot it, check the console.

Usage::

    python scripts/check_report_in_browser.py kcnalex-report/report.html \
        [--screenshot report.png]

Needs Debian's ``chromium`` (``apt-get install chromium``). Exit status 0 when the page
loaded, a screenshot was written, and neither the browser console nor the network log
reported an error; 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

# a console message of the page, as Chromium logs it with --enable-logging
_CONSOLE = re.compile(r"CONSOLE\(\d+\)\]? ?\"?(.*)|:CONSOLE:(.*)")


def chromium() -> str | None:
    """Path of the chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check(html: Path, screenshot: Path, *, width: int = 1200,
          height: int = 5200) -> dict:
    """Screenshot ``html`` and collect console errors and broken images."""
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    url = html.resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        common = FLAGS + [f"--user-data-dir={profile}", "--enable-logging=stderr",
                          "--v=0", f"--window-size={width},{height}"]
        shot = subprocess.run([exe, *common, f"--screenshot={screenshot}", url],
                              capture_output=True, text=True, timeout=120)
        # the rendered DOM: how many figures the page holds
        dom = subprocess.run([exe, *common, "--dump-dom", url], capture_output=True,
                             text=True, timeout=120)
    log = shot.stderr + dom.stderr
    console = [m.group(1) or m.group(2) for line in log.splitlines()
               if (m := _CONSOLE.search(line))]
    errors = [c for c in console if c and re.search(
        r"error|uncaught|failed|refused", c, re.I)]
    errors += [line for line in log.splitlines()
               if "Failed to load resource" in line or "net::ERR_" in line]
    n_img = dom.stdout.count("<img ")
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    return {"returncode": shot.returncode, "screenshot": str(screenshot),
            "screenshot_bytes": screenshot.stat().st_size
            if screenshot.exists() else 0,
            "images": n_img, "console": console, "errors": errors,
            "title": title.group(1) if title else ""}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("--screenshot", type=Path, default=None)
    args = ap.parse_args(argv)
    shot = args.screenshot or args.html.with_suffix(".png")
    res = check(args.html, shot)
    print(f"screenshot: {res['screenshot']} ({res['screenshot_bytes']} bytes)")
    print(f"title: {res['title']}; images in DOM: {res['images']}")
    print(f"console messages: {len(res['console'])}; errors: {len(res['errors'])}")
    for e in res["errors"]:
        print("  ", e)
    ok = res["returncode"] == 0 and res["screenshot_bytes"] > 0 and not res["errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
