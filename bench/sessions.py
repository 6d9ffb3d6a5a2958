"""Sessions per process: linedesk (one process, one App per session) against the
process-per-session baseline, with the same load client, in one run.

    python -m bench.sessions --series 1,10,100 --hold 20 --typing 0.1

Starts both servers on free 127.0.0.1 ports with fresh demo data dirs, runs each series
step against both, measures first frame / keystroke latency, memory (linedesk: RSS of the
server process; baseline: server RSS + PSS of every child) and CPU seconds, and prints a
table with the ratios. A series stops for a design when more than 5% of sessions fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import psutil

from bench.instrumented import read_pauses
from bench.load import RunResult, run_load

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"port {port} did not open")


def seed(data_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ssh_server.cli", "--data-dir", str(data_dir), "demo", "seed"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )


def memory_mb(proc: psutil.Process, *, children: bool) -> float:
    """RSS of the server; with children, plus the PSS of each (shared pages split fairly)."""
    total = proc.memory_info().rss
    if children:
        for child in proc.children(recursive=True):
            try:
                total += child.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return total / 2**20


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU of the server, its live children and the children it has reaped
    (a baseline session's process is gone once its session ended)."""
    times = proc.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in proc.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


class Server:
    def __init__(self, name: str, argv: list[str], port: int, children: bool,
                 stats_dir: Path | None = None) -> None:
        self.name, self.port, self.children, self.stats_dir = name, port, children, stats_dir
        # One load client on one address opens hundreds of sessions as one user: lift the
        # per-source and per-user limits that would (rightly) refuse that in production.
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LINEDESK_MAX_UNAUTH_PER_SOURCE": "100000",
               "LINEDESK_MAX_SESSIONS_PER_USER": "100000", "LINEDESK_LOG_LEVEL": "WARNING",
               "LINEDESK_CONN_RATE_PER_SOURCE": "100000",
               "LINEDESK_CONN_BURST_PER_SOURCE": "100000"}
        if stats_dir is not None:
            env["LINEDESK_BENCH_STATS_DIR"] = str(stats_dir)
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        wait_port(port)
        self.ps = psutil.Process(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def measure(server: Server, n: int, args: argparse.Namespace) -> dict[str, object]:
    base_mem = memory_mb(server.ps, children=server.children)
    cpu0 = cpu_seconds(server.ps)
    peak = {"mem": base_mem}

    async def sample() -> None:
        while True:
            await asyncio.sleep(1.0)
            peak["mem"] = max(peak["mem"], memory_mb(server.ps, children=server.children))

    sampler = asyncio.create_task(sample())
    held: dict[str, float] = {}

    def all_ready() -> None:
        # everyone shows the dashboard: memory held per session, and from here on the CPU
        # is what idle sessions plus the typing ones cost
        held["mem"] = memory_mb(server.ps, children=server.children)
        held["cpu"] = cpu_seconds(server.ps)
        held["t"] = time.time()

    t_start = time.time()
    client_cpu0 = time.process_time()
    result: RunResult = await run_load(
        server.port, sessions=n, typing_fraction=args.typing, hold=args.hold,
        user="admin", password="admin-demo", ramp=args.ramp * n / 100,
        dashboard=not args.idle, on_all_ready=all_ready,
    )
    sampler.cancel()
    t_end = time.time()
    cpu_end = cpu_seconds(server.ps)
    cpu = cpu_end - cpu0
    hold_cpu = cpu_end - held.get("cpu", cpu_end)
    await asyncio.sleep(args.settle)
    after = memory_mb(server.ps, children=server.children)
    row: dict[str, object] = {
        "design": server.name,
        **asdict(result),
        "mem_base_mb": round(base_mem, 1),
        "mem_peak_mb": round(peak["mem"], 1),
        "mem_held_mb": round(held.get("mem", peak["mem"]), 1),
        "mem_per_session_mb": round(
            (held.get("mem", peak["mem"]) - base_mem) / max(1, result.ok), 2
        ),
        "mem_after_mb": round(after, 1),
        "cpu_s": round(cpu, 1),
        "cpu_login_ms": round(1000 * (held.get("cpu", cpu_end) - cpu0) / max(1, result.ok), 1),
        # while held: the typing sessions' keys plus whatever idle sessions cost
        "cpu_ms_per_key": round(1000 * hold_cpu / result.keystrokes, 1)
        if result.keystrokes
        else None,
        # the load client shares the cores with the server under test
        "client_cpu_s": round(time.process_time() - client_cpu0, 1),
        "hold_cpu_pct": round(100 * hold_cpu / max(0.001, t_end - held.get("t", t_end)), 1),
    }
    if server.stats_dir is not None:
        supervisor = server.ps.pid if server.children else None
        # while held: from "everyone ready" until the first session starts to close
        hold_end = min(t_end, held.get("t", t_end) + args.hold)
        row.update(
            {
                f"hold_{k}": v
                for k, v in read_pauses(
                    server.stats_dir, held.get("t", t_end), hold_end, supervisor
                ).items()
            }
        )
        row.update(read_pauses(server.stats_dir, t_start, t_end, supervisor))
    return row


async def main_async(args: argparse.Namespace) -> list[dict[str, object]]:
    work = Path(tempfile.mkdtemp(prefix="linedesk-bench-"))
    rows: list[dict[str, object]] = []
    designs = []
    if "inproc" in args.designs:
        d = work / "inproc"
        seed(d)
        port = free_port()
        designs.append(
            (
                "inproc",
                [
                    sys.executable,
                    "-m",
                    "bench.instrumented",
                    "serve",
                    "--data-dir",
                    str(d),
                    "--port",
                    str(port),
                    "--max-sessions-per-user",
                    "100000",
                    "--workers",
                    str(args.workers),
                ],
                port,
                args.workers > 1,
                work / "inproc-stats",
            )
        )
    if "baseline" in args.designs:
        d = work / "baseline"
        seed(d)
        port = free_port()
        designs.append(
            (
                "baseline",
                [
                    sys.executable,
                    "-m",
                    "bench.baseline_server",
                    "--data-dir",
                    str(d),
                    "--port",
                    str(port),
                ],
                port,
                True,
                None,
            )
        )
    for name, argv, port, children, stats_dir in designs:
        server = Server(name, argv, port, children, stats_dir)
        try:
            for n in args.series:
                row = await measure(server, n, args)
                rows.append(row)
                print(json.dumps(row), flush=True)
                if int(row["failures"]) > 0.05 * n:  # type: ignore[call-overload]
                    print(f"{name}: stopping the series at {n} sessions", flush=True)
                    break
                await asyncio.sleep(3)
        finally:
            server.stop()
    return rows


def table(rows: list[dict[str, object]]) -> str:
    head = ("| design | sessions | ok | first frame p50/p95/p99 ms | key p50/p95/p99 ms | keys | "
            "mem/session MB | base/held/after MB | CPU ms/login | CPU ms/key | GC max ms "
            "(hold/all) |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        ff, kk = r["first_frame_ms"], r["key_ms"]
        gc_max = f"{r['hold_gc_max_ms']} / {r['gc_max_ms']}" if "gc_max_ms" in r else "–"
        lines.append(
            f"| {r['design']} | {r['sessions']} | {r['ok']} | {ff['p50']}/{ff['p95']}/{ff['p99']} "
            "| "  # type: ignore[index]
            f"{kk['p50']}/{kk['p95']}/{kk['p99']} | {r['keystrokes']} | {r['mem_per_session_mb']} "
            "| "  # type: ignore[index]
            f"{r['mem_base_mb']}/{r['mem_held_mb']}/{r['mem_after_mb']} | {r['cpu_login_ms']} | "
            f"{r['cpu_ms_per_key']} | {gc_max} |"
        )
    by = {(r["design"], r["sessions"]): r for r in rows}
    for (design, n), r in sorted(by.items(), key=lambda x: (str(x[0][0]), int(x[0][1]))):  # type: ignore[call-overload]
        other = by.get(("baseline", n))
        if design == "inproc" and other:
            mem = float(other["mem_per_session_mb"]) / max(0.01, float(r["mem_per_session_mb"]))  # type: ignore[arg-type]
            ff = float(other["first_frame_ms"]["p95"]) / max(0.1, float(r["first_frame_ms"]["p95"]))  # type: ignore[index]
            kp = float(other["key_ms"]["p99"]) / max(0.1, float(r["key_ms"]["p99"]))  # type: ignore[index]
            lines.append(f"\nratio at {n}: memory/session {mem:.1f}x less, first frame p95 "
                         f"{ff:.1f}x faster, "
                         f"keystroke p99 {kp:.1f}x faster")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--series", type=lambda s: [int(x) for x in s.split(",")], default=[1, 10, 100]
    )
    parser.add_argument("--designs", default="inproc,baseline")
    parser.add_argument("--hold", type=float, default=20.0)
    parser.add_argument("--typing", type=float, default=0.1)
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds to spread 100 logins over")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds to wait after the sessions closed before measuring memory")
    parser.add_argument("--idle", action="store_true",
                        help="idle sessions stay on the home screen (no dashboard, no typing)")
    parser.add_argument("--workers", type=int, default=1,
                        help="linedesk worker processes sharing the port (serve --workers)")
    parser.add_argument("--out", type=Path, default=None, help="write JSON rows here")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print(table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
