"""Command mode over a real SSH exec channel: output, --json schemas, exit codes 0/2/3/4,
one-line errors on stderr, support options, sanitised output."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select, update

from core.models import AuditEvent, Customer
from tests.e2e.harness import RunningServer, run_exec


async def sh(srv: RunningServer, user: str, command: str) -> tuple[int, str, str]:
    return await run_exec(srv.port, user, f"{user}-demo", command)


def one_line(stderr: str) -> bool:
    return stderr.endswith("\n") and stderr.count("\n") == 1 and "\x1b" not in stderr


async def test_exec_happy_paths_and_json_schemas(demo_server: RunningServer) -> None:
    code, out, err = await sh(demo_server, "admin", "whoami")
    assert (code, err) == (0, "")
    assert "Muster GmbH" in out and "Admin-Ansicht" in out

    code, out, _ = await sh(demo_server, "admin", "numbers list --json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 12
    assert all(
        {"number", "status", "deactivation_date", "assigned_to", "kind"} <= r.keys() for r in rows
    )
    assert all(r["number"].startswith("+49") for r in rows)

    code, out, _ = await sh(demo_server, "admin", "contracts list --json")
    assert code == 0
    contracts = json.loads(out)
    assert all(
        {"id", "customer_number", "product", "type", "has_line", "sites"} <= c.keys()
        for c in contracts
    )

    code, out, err = await sh(demo_server, "admin", "numbers activate '030 123456104' --yes --json")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["status"] == "active"

    code, out, _ = await sh(demo_server, "tom", "numbers list")
    assert code == 0 and "+4930123456101" in out and "Assigned to" in out

    code, out, _ = await sh(demo_server, "admin", "porting list --json")
    assert code == 0 and json.loads(out)[0]["status"] == "confirmed"


async def test_exec_usage_errors_exit_2(demo_server: RunningServer) -> None:
    for command in ("frobnicate", "numbers", "numbers activate", "whoami 'unclosed", "numbers "
                                                                                     "order 030"):
        code, out, err = await sh(demo_server, "admin", command)
        assert code == 2, command
        assert out == "" and one_line(err), command
    code, out, err = await sh(demo_server, "admin", "numbers deactivate +4930123456106")
    assert code == 2 and "31.12.2026" in out and "--yes" in err and one_line(err)
    code, out, err = await sh(demo_server, "admin", "numbers --help")
    assert (code, err) == (0, "") and "activate" in out and "undo-deactivation" in out


async def test_exec_permission_denied_exit_3(demo_server: RunningServer) -> None:
    for user, command in (
        ("mia", "contracts list"),
        ("mia", "numbers activate +4930123456105 --yes"),
        ("admin", "customers search Muster"),
        ("admin", "--customer 2000001 numbers list"),
    ):
        code, out, err = await sh(demo_server, user, command)
        assert code == 3, (user, command)
        assert out == "" and one_line(err)


async def test_exec_rule_refusals_exit_4(demo_server: RunningServer) -> None:
    code, out, _ = await sh(demo_server, "admin", "contracts list --json")
    sip = next(c["contract_ref"] for c in json.loads(out) if c["type"] == "sip_trunk")
    for command, rule in (
        (f"credentials generate {sip} --consent", "[R2]"),
        ("numbers order 040 --count 1", "[R16]"),
        ("numbers undo-deactivation +4930123456100", "[R12]"),
        ("fax send-credentials +4930123456110 tom", "[R15]"),
    ):
        code, out, err = await sh(demo_server, "admin", command)
        assert code == 4, command
        assert rule not in err and one_line(err), command
    code, _, err = await sh(demo_server, "admin", "numbers list --json --status nope")
    assert code == 2


async def test_exec_support_customer_and_reason(demo_server: RunningServer) -> None:
    code, out, _ = await sh(demo_server, "support", "customers search '040 123456200' --json")
    assert code == 0 and [h["name"] for h in json.loads(out)] == ["Muster GmbH"]
    code, _, err = await sh(demo_server, "support", "numbers list")
    assert code == 2 and "--customer" in err
    code, out, _ = await sh(demo_server, "support", "--customer 1000001 numbers list --json")
    assert code == 0 and len(json.loads(out)) >= 12
    code, _, err = await sh(demo_server, "support", "--customer 1000001 numbers activate "
                                                    "+4930123456105 --yes")
    assert code == 3 and one_line(err)
    code, out, err = await sh(
        demo_server, "support",
        "--customer 1000001 --reason 'Ticket 4711' numbers activate +4930123456105 --yes",
    )
    assert code == 0, err
    async with demo_server.core.uow(readonly=True) as uow:
        opened = list(await uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "support.customer_opened")
        ))
        activated = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.activated")
        )
    assert len(opened) == 3 and all(e.via_support and e.source_address for e in opened)
    assert activated is not None and activated.reason == "Ticket 4711" and activated.via_support


async def test_exec_output_is_sanitised(demo_server: RunningServer) -> None:
    async with demo_server.core.uow() as uow:
        await uow.session.execute(
            update(Customer).where(Customer.name == "Muster GmbH")
            .values(name="Muster\x1b[2J\x1b]0;pwned\x07 GmbH\u202e")
        )
    for command in ("whoami", "whoami --json"):
        code, out, _ = await sh(demo_server, "admin", command)
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    code, out, _ = await sh(demo_server, "admin", "whoami --json")
    assert json.loads(out)["customer_name"].startswith("Muster\x1b[2J")


async def test_exec_arguments_never_reach_the_log(
    demo_server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    """asyncssh logs each exec request's command line; a PIN given on it must not appear."""
    caplog.set_level(logging.INFO, logger="asyncssh")
    code, _, err = await sh(demo_server, "admin", "areas verify 040 918273")
    assert code != 0 and one_line(err)  # no letter outstanding: refused, but logged all the same
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Command: areas verify …" in logged
    assert "918273" not in logged
