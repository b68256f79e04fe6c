"""Peak-memory sampling shared by the benchmarks (psutil; a no-op without it)."""

from __future__ import annotations

import statistics
import threading
import time


class Sampler(threading.Thread):
    """Samples the RSS of this process + its children (worker processes).

    ``peak_total`` and ``peak_child`` are the highest samples (MB); ``series``
    holds every sample as ``(seconds since start, total MB)``.
    """

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak_total, self.peak_child = interval, 0.0, 0.0
        self.series: list[tuple[float, float]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover
            return
        me = psutil.Process()
        t0 = time.perf_counter()
        while not self._halt.is_set():
            try:
                kids = [c.memory_info().rss for c in me.children(recursive=True)]
                total = me.memory_info().rss + sum(kids)
            except psutil.Error:
                kids, total = [], 0
            self.series.append((time.perf_counter() - t0, total / 2**20))
            self.peak_total = max(self.peak_total, total / 2**20)
            self.peak_child = max([self.peak_child, *(k / 2**20 for k in kids)])
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def tenths(self) -> list[float]:
        """The median sample (MB) of each tenth of the sampled time: the level the
        memory returns to between the peaks of single steps, over the run."""
        if not self.series:
            return []
        end = self.series[-1][0] or 1.0
        parts: list[list[float]] = [[] for _ in range(10)]
        for t, mb in self.series:
            parts[min(9, int(10 * t / end))].append(mb)
        return [round(statistics.median(p), 1) if p else float("nan") for p in parts]
