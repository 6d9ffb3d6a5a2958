"""R30 over a real SSH exec channel: ``numbers order AREA --block 10|100`` (price first,
then ``--yes``), ``numbers list`` shows the block, activating or deactivating one number
acts on its block and says so; refusals exit 4 with one line on stderr."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.harness import RunningServer, connect, run_exec

DEMO_BLOCK = [f"+4930700000{i}" for i in range(10)]
NEXT_BLOCK = [f"+493070000{i}" for i in range(10, 20)]


async def sh(srv: RunningServer, command: str) -> tuple[int, str, str]:
    return await run_exec(srv.port, "admin", "admin-demo", command)


def one_line(stderr: str) -> bool:
    return stderr.endswith("\n") and stderr.count("\n") == 1 and "\x1b" not in stderr


async def test_order_a_block_list_it_and_switch_it_as_a_whole(
    demo_server: RunningServer,
) -> None:
    # the price before ordering: exit 2 without --yes, nothing bought
    code, out, err = await sh(demo_server, "numbers order 030 --block 10")
    assert code == 2, (out, err)
    preview = out + err
    assert "030 7000010–7000019" in preview and "V-1000001-0009" in preview
    assert "9,95" in preview and "99,50" in preview and "--yes" in preview
    code, out, _ = await sh(demo_server, "numbers list --json")
    assert NEXT_BLOCK[0] not in {r["number"] for r in json.loads(out)}

    code, out, err = await sh(demo_server, "numbers order 030 --block 10 --yes --json")
    assert (code, err) == (0, ""), err
    ordered = json.loads(out)
    assert ordered["numbers"] == NEXT_BLOCK and ordered["status"] == "inactive"
    assert ordered["block"] == {"size": 10, "first": NEXT_BLOCK[0], "last": NEXT_BLOCK[-1],
                                "contract": "V-1000001-0009"}

    # numbers list shows each block as a row with its numbers below it
    code, out, _ = await sh(demo_server, "numbers list")
    assert code == 0
    assert "Block 030 7000000–7000009 (10 Rufnummern)" in out
    assert "Block 030 7000010–7000019 (10 Rufnummern)" in out
    assert f"\n  {DEMO_BLOCK[3]}" in out

    # activating one number activates its block, and says so
    code, out, err = await sh(demo_server, f"numbers activate {NEXT_BLOCK[4]}")
    assert code == 2 and "alle 10 Rufnummern" in out + err
    code, out, err = await sh(demo_server, f"numbers activate {NEXT_BLOCK[4]} --yes")
    assert (code, err) == (0, ""), err
    assert "Block 030 7000010–7000019 aktiviert: alle 10 Rufnummern." in out
    code, out, err = await sh(demo_server, f"numbers deactivate {DEMO_BLOCK[3]} --yes --json")
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert [n["number"] for n in result["numbers"]] == DEMO_BLOCK
    assert {n["status"] for n in result["numbers"]} == {"pending_deactivation"}
    code, out, _ = await sh(demo_server, "numbers list --json")
    by_number = {r["number"]: r for r in json.loads(out)}
    assert {by_number[n]["status"] for n in NEXT_BLOCK} == {"active"}
    assert {by_number[n]["status"] for n in DEMO_BLOCK} == {"pending_deactivation"}
    assert by_number[DEMO_BLOCK[0]]["block"]["size"] == 10


async def test_block_refusals_exit_4_with_one_line(demo_server: RunningServer) -> None:
    for command, words in (
        ("numbers order 030 --block 50 --yes", "10 / 100"),
        ("numbers order 040 --block 10 --yes", "040"),
        ("numbers order 030 --block 10 --contract V-1000001-0005 --yes", "SIP-Trunk"),
        (f"numbers swap {DEMO_BLOCK[1]} +4930123456104 --yes", "Rufnummernblock"),
    ):
        code, out, err = await sh(demo_server, command)
        assert code == 4, (command, out, err)
        assert one_line(err) and words in err, (command, err)
    code, out, err = await sh(demo_server, "numbers order 030 --count 1 --block 10")
    assert code == 2 and "--count" in err


async def test_export_and_import_assignments_are_per_number_in_a_block(
    demo_server: RunningServer,
) -> None:
    conn = await connect(demo_server.port, "admin", "admin-demo")
    try:
        result = await asyncio.wait_for(conn.run(
            "numbers import-assignments",
            input="number,username\n030 7000002,tom\n+49307000005,mia\n", check=False), 30)
    finally:
        conn.close()
    assert result.exit_status == 0, result.stderr
    code, out, err = await sh(demo_server, "numbers export --csv")
    assert (code, err) == (0, ""), err
    rows = {line.split(",")[0].strip('"'): line for line in out.splitlines()[1:]}
    assert all(f"030 700000{i}" in rows for i in range(10))  # one row per number
    assert ",tom," in rows["030 7000002"] and ",mia," in rows["030 7000005"]
    assert ",tom," not in rows["030 7000003"] and ",mia," not in rows["030 7000003"]
    code, out, _ = await sh(demo_server, "numbers list --json")
    listed = {r["number"]: r for r in json.loads(out)}
    assert listed[DEMO_BLOCK[2]]["block"]["first"] == DEMO_BLOCK[0]  # still in its block
    assert {listed[n]["status"] for n in DEMO_BLOCK} == {"active"}
