"""Peak-memory sampling shared by the benchmarks (psutil; a no-op without it)."""

from __future__ import annotations

import threading


class Sampler(threading.Thread):
    """Samples the RSS of this process + its children (worker processes)."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak_total, self.peak_child = interval, 0.0, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover
            return
        me = psutil.Process()
        while not self._halt.is_set():
            try:
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
                total = me.memory_info().rss + sum(kids)
            except psutil.Error:
                kids, total = [], 0
            self.peak_total = max(self.peak_total, total / 2**20)
            self.peak_child = max([self.peak_child, *(k / 2**20 for k in kids)])
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()
