"""Migration a9c4e2f7d315 (R31): orders from before it get their carrier date and reason code,
and it goes down and up again."""

from __future__ import annotations

from sqlalchemy import text

from core import migrate
from core.authz import Actor
from core.runtime import Core
from core.services import porting

BEFORE = "7a1c3e5b9d24"


async def test_orders_from_before_r31_are_filled_in(
    demo_core: Core, actors: dict[str, Actor]
) -> None:
    await migrate.downgrade(demo_core.db, BEFORE)
    columns = ("customer_id, area_prefix, numbers, old_provider, account_holder, wished_date, "
               "status, reject_reason, carrier_ref, next_step_at, created_at, created_by_id, "
               "version")
    copied = columns.replace("status, reject_reason", ":status, :reason")
    insert = text(f"INSERT INTO porting_orders ({columns}) SELECT {copied} FROM porting_orders "
                  "WHERE id = 1")
    async with demo_core.db.write_engine.begin() as conn:
        for status, reason in (("rejected", "ui.porting.reason.holder_mismatch"),
                               ("rejected", "Rufnummer unbekannt"), ("completed", None)):
            await conn.execute(insert, {"status": status, "reason": reason})
    await migrate.upgrade(demo_core.db)
    assert await migrate.current_revision(demo_core.db) == migrate.head_revision()
    orders = {o.id: o for o in await demo_core.read(porting.list_orders, actors["admin"])}
    demo, holder, other, completed = (orders[i] for i in (1, 2, 3, 4))
    assert demo.status == "confirmed" and demo.confirmed_date == demo.wished_date
    assert (holder.reject_code, other.reject_code) == ("holder_mismatch", "other")
    assert other.reason_text("de") == "Rufnummer unbekannt"
    assert completed.confirmed_date == completed.wished_date and completed.reject_code is None
    assert all(e.kind == "status" for e in demo.timeline)
