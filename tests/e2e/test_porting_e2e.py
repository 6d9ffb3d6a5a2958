"""R31 end to end with the OpenSSH client: the README's porting examples run verbatim on a
day long after the README was written (its wished date is relative, so it cannot go
stale), and the carrier's paths (another date, a reject code) as a script sees them."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.services import porting
from tests.e2e.test_openssh_commands import (
    README,
    TIMEOUT,
    Client,
    as_test_runs_it,
    openssh_client,
    readme_examples,
    run,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.openssh,
    pytest.mark.skipif(
        not (shutil.which("ssh") and shutil.which("ssh-keygen")),
        reason="needs openssh-client (.ci/run installs it)",
    ),
]

LATE = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
"""A Tuesday months after the old README example's fixed wished date (2027-01-15)."""


async def _readme_porting_lines(client: Client) -> list[tuple[str, int, str, str]]:
    done = []
    for example in readme_examples(README.read_text(encoding="utf-8")):
        if " porting " not in example.text:
            continue
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", as_test_runs_it(example, client), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
        where = f"README line {example.line}: {example.text}\n{out.decode()}\n{err.decode()}"
        assert proc.returncode == example.expected, where
        done.append((example.text, proc.returncode, out.decode(), err.decode()))
    return done


async def test_readme_porting_examples_run_verbatim_on_any_day(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with openssh_client(tmp_path, db_templates) as client:
        clock = client.srv.core.clock
        assert isinstance(clock, FixedClock)
        clock.set(LATE)
        done = await _readme_porting_lines(client)
        assert len(done) >= 6  # create, list, comment, show, cancel, cancel refused
        listed = next(json.loads(out) for text, _, out, _ in done if "porting list --json" in text)
        created = next(o for o in listed if o["id"] == 2)
        assert created["wished_date"] == porting.earliest_wished_date(date(2027, 6, 1)).isoformat()
        shown = next(out for text, _, out, _ in done if "porting show 2" in text)
        assert "Kommentar von admin (Administrator): Bitte erst nach 18 Uhr umschalten" in shown
        refused = next(err for text, _, _, err in done if "porting cancel SIM-000001" in text)
        assert "bereits für den" in refused and refused.count("\n") == 1


async def test_carrier_paths_as_a_script_sees_them(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with openssh_client(tmp_path, db_templates) as client:
        ids = {}
        for scenario, number in (("other_date", "030 5550200"),
                                 ("reject:contract_term", "030 5550201")):
            done = await run(client.argv(
                "admin", "porting", "create", "030", "--number", number, "--old-provider",
                "Alt-Telefon GmbH", "--account-holder", "Muster GmbH", "--wished-date", "+15wd",
                "--carrier-scenario", scenario, "--json", options=("-n",)))
            assert done.code == 0, done
            ids[scenario] = json.loads(done.out)["id"]
        clock = client.srv.core.clock
        assert isinstance(clock, FixedClock)
        clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
        async with client.srv.core.uow() as uow:
            assert await porting.advance_due(uow) == 2

        done = await run(client.argv("admin", "porting", "show", str(ids["other_date"]), "--json",
                                     options=("-n",)))
        data = json.loads(done.out)
        assert (data["status"], data["confirmed_date"], data["date_differs"]) == (
            "confirmed", "2026-12-16", True)
        done = await run(client.argv("admin", "porting", "cancel", str(ids["other_date"]),
                                     options=("-n",)))
        assert done.code == 4 and "16.12.2026" in done.err and done.err.count("\n") == 1

        done = await run(client.argv("tom", "porting", "show", str(ids["other_date"]),
                                     options=("-n",)))
        assert done.code == 3

        done = await run(client.argv("admin", "porting", "list", options=("-n",)))
        assert done.code == 0
        assert "Vertragslaufzeit läuft noch" in done.out
        assert "16.12.2026 (gewünscht: 11.12.2026)" in done.out
