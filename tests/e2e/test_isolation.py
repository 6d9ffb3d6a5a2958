"""One session must not hurt the others: hostile input over real SSH (issue 12), and
typeahead sent as one write (issue 11, point 4).

The isolation test runs ``linedesk serve --workers 1`` as its own process and drives it
with :mod:`bench.isolation` (the same cases and fuzzer as the benchmark): an observer on
the number dashboard presses ↓/↑ every 50 ms while an attacker session (an employee) sends
each attack; the figures it prints are the ones SECURITY.md reports. ``LINEDESK_LONG=1``
runs the fuzzer with 10^6 cases instead of 10^5.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from bench import isolation
from tests.e2e.harness import RunningServer, interactive_session

LONG = os.environ.get("LINEDESK_LONG") == "1"
FUZZ_CASES = 1_000_000 if LONG else 100_000
P99_MS = 250.0
"""Observer key → frame, p99 over every key pressed during the attacks, asserted loosely:
the suite runs on two busy cores next to other tests (CI once measured 168 ms with a control
p99 of 50 ms over only 32 keys); a machine slow already without an attack gets three times
the control's p99. The 100 ms target itself is the benchmark's (``python -m bench.isolation``
on a quiet machine, figures in SECURITY.md); a stalled session still fails ``STALL_MS``."""
STALL_MS = 1000.0
"""No single observer key may wait longer than this during any attack."""
RSS_MB = 20.0
"""RSS growth of the worker per attacking session."""


@pytest.mark.timeout(900 if LONG else 180)
async def test_hostile_input_does_not_hurt_other_sessions(tmp_path: Path) -> None:
    rnd = random.Random(12)
    results: list[isolation.CaseResult] = []
    samples: list[float] = []
    async with isolation.server(tmp_path) as srv:
        client, _ = await isolation.login(srv.port, "admin", "admin-demo")
        client.chan.write(b"2")
        await client.screen.wait_for(b"Rufnummern", 20)
        await isolation.warm_up(srv)
        observer = isolation.Observer(client, 0.05)
        for name, make in isolation.cases().items():
            result = await isolation.run_case(srv, observer, name, [make(rnd)], timeout=30)
            results.append(result)
            if name != "no_attack":
                samples.extend(observer.samples)
        fuzz = list(isolation.fuzz_batches(FUZZ_CASES, seed=12))
        result = await isolation.run_case(srv, observer, "fuzz", fuzz, timeout=600 if LONG else 60)
        results.append(result)
        samples.extend(observer.samples)
        client.close()
    table = "\n".join([isolation.HEADER, *map(isolation.row, results)])
    control, attacks = results[0], results[1:]
    pooled = isolation.pct(samples, 0.99)
    print(f"\n{table}\npooled observer p99 under attack: {pooled} ms over {len(samples)} keys "
          f"(control p99 {control.p99_ms} ms)")
    for result in attacks:
        assert result.login_s is not None, f"new login failed after {result.case}\n{table}"
        assert not result.errors, f"{result.case}: {result.errors}"
        assert not result.unfinished, f"{result.case}: input not handled in time\n{table}"
        assert result.rss_growth_mb <= RSS_MB, table
        assert result.max_ms <= STALL_MS, table
        assert result.keys >= 5, f"{result.case}: observer barely answered\n{table}"
    assert pooled <= max(P99_MS, 3 * control.p99_ms), table


async def test_typeahead_in_one_write_fills_the_dialog_fields_in_order(
    demo_server: RunningServer,
) -> None:
    async with interactive_session(demo_server.port, "admin", "admin-demo",
                                   cols=140, rows=50) as term:
        await term.wait_for("Muster GmbH", timeout=30)
        # users area, new-employee dialog, four fields: all in one SSH packet
        await term.send("3nlea\tLea Neu\tlea@muster-gmbh.de\t0176 0000001")
        text = await term.wait_for("0176 0000001", timeout=30)
        lines = text.splitlines()

        def row(value: str) -> int:
            found = [i for i, line in enumerate(lines) if value in line]
            assert len(found) == 1, f"{value!r} on {len(found)} lines:\n{text}"
            return found[0]

        assert row(" lea ") < row("Lea Neu") < row("lea@muster-gmbh.de") < row("0176 0000001")
        assert "leaLea" not in text and "Neulea@" not in text
