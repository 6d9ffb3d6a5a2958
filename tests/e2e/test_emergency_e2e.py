"""R29 over a real SSH exec channel: ``numbers set-location`` with free-text words as OpenSSH
passes them, the field errors on one stderr line with exit 2/4, the location in ``numbers
list --json`` and the CSV export, and activation refused without one."""

from __future__ import annotations

import json

from sqlalchemy import update

from core.models import Number
from tests.e2e.harness import RunningServer, run_exec


async def sh(srv: RunningServer, user: str, command: str) -> tuple[int, str, str]:
    return await run_exec(srv.port, user, f"{user}-demo", command)


async def test_set_location_list_export_and_activation(demo_server: RunningServer) -> None:
    code, out, err = await sh(
        demo_server, "admin", "numbers set-location 030 123456105 --street Am Treptower Park "
        "--house-number 28 --postcode 12435 --city Berlin")
    assert (code, err) == (0, ""), err
    assert "Am Treptower Park 28, 12435 Berlin" in out

    code, out, err = await sh(
        demo_server, "admin", "numbers set-location 030 123456105 --street Am Treptower Park "
        "--house-number 28 --postcode 2043 --city Berlin")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "genau 5 Ziffern" in err

    code, out, err = await sh(
        demo_server, "admin", "numbers set-location 030 123456105 --street Jungfernstieg "
        "--house-number 10 --postcode 20354 --city Hamburg --json")
    assert code == 4 and json.loads(err)["rule"] == "R29"

    code, out, _ = await sh(demo_server, "admin", "numbers list --json")
    by = {r["number"]: r for r in json.loads(out)}
    assert by["+4930123456105"]["emergency_location"]["text"] == (
        "Am Treptower Park 28, 12435 Berlin")

    code, out, _ = await sh(demo_server, "admin", "numbers export --csv")
    assert code == 0 and "030 123456105," in out
    assert "Am Treptower Park 28, 12435 Berlin" in out

    async with demo_server.core.uow() as uow:  # a number from before R29 without one
        await uow.session.execute(update(Number).where(Number.e164 == "+4930123456104").values(
            emergency_street=None, emergency_house_number=None, emergency_postcode=None,
            emergency_city=None))
    code, out, err = await sh(demo_server, "admin", "numbers activate 030 123456104 --yes")
    assert code == 4 and "hat keinen Notrufstandort" in err and err.count("\n") == 1
