"""Run ``linedesk`` (the CLI) with garbage-collector pauses recorded, for the benchmarks.

    LINEDESK_BENCH_STATS_DIR=/tmp/stats python -m bench.instrumented serve --data-dir ... --port ...

Every process (the server, or each worker after the fork) appends nothing to the hot path
but a ``gc.callbacks`` hook that times each collection and writes ``gc-<pid>.json`` to the
stats directory: every pause of 1 ms or more as ``[unix time, generation, ms]`` plus the
count and total of all pauses. The file is rewritten at most twice a second and at exit.
Production servers run without it.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import time
from pathlib import Path
from typing import Any

RECORD_MS = 1.0
WRITE_EVERY = 0.5


class GcRecorder:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pid = 0
        self.reset()

    def reset(self) -> None:
        self.pid = os.getpid()
        self.started = 0.0
        self.pauses: list[tuple[float, int, float]] = []
        self.count = 0
        self.total_ms = 0.0
        self.last_write = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if os.getpid() != self.pid:  # forked: a worker starts its own record
            self.reset()
        now = time.perf_counter()
        if phase == "start":
            self.started = now
            return
        ms = (now - self.started) * 1000
        self.count += 1
        self.total_ms += ms
        if ms >= RECORD_MS:
            self.pauses.append((time.time(), int(info.get("generation", -1)), round(ms, 2)))
        if now - self.last_write >= WRITE_EVERY:
            self.write()

    def write(self) -> None:
        self.last_write = time.perf_counter()
        doc = {"pid": self.pid, "count": self.count, "total_ms": round(self.total_ms, 1),
               "pauses": self.pauses}
        path = self.directory / f"gc-{self.pid}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc))
        tmp.replace(path)


def read_pauses(directory: Path, since: float, until: float,
                exclude_pid: int | None = None) -> dict[str, float]:
    """Longest pause and number of pauses ≥ 1 ms in [since, until] over all processes
    (but ``exclude_pid``: a supervisor's pauses stall no session)."""
    longest, count = 0.0, 0
    for path in directory.glob("gc-*.json"):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if doc["pid"] == exclude_pid:
            continue
        for stamp, _generation, ms in doc["pauses"]:
            if since <= stamp <= until:
                longest = max(longest, ms)
                count += 1
    return {"gc_max_ms": round(longest, 1), "gc_pauses_over_1ms": count}


def main() -> None:
    directory = Path(os.environ["LINEDESK_BENCH_STATS_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    recorder = GcRecorder(directory)
    gc.callbacks.append(recorder)
    atexit.register(recorder.write)
    from ssh_server.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
