"""Every migration goes down and up again on a database holding the demo data, on both
backends: an upgrade must work on a database in use, not only on an empty one (SQLite's
batch mode re-creates a table, which foreign keys from filled tables refuse)."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from core import migrate
from core.runtime import Core


def _revisions() -> list[str]:
    """Head first, down to the first revision after the initial one."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in script.walk_revisions() if rev.down_revision is not None]


async def _counts(core: Core) -> dict[str, int]:
    out: dict[str, int] = {}
    async with core.db.write_engine.connect() as conn:
        # (tables no revision adds or empties: a downgrade may drop what its revision added)
        for table in ("numbers", "customers", "accounts", "contracts"):
            out[table] = int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar())
    return out


@pytest.mark.parametrize("revision", _revisions())
async def test_revision_goes_down_and_up_with_data(demo_core: Core, revision: str) -> None:
    before = await _counts(demo_core)
    assert before["numbers"] > 0
    script = ScriptDirectory.from_config(migrate.alembic_config())
    down_to = script.get_revision(revision).down_revision
    assert isinstance(down_to, str)
    await migrate.downgrade(demo_core.db, down_to)
    assert await migrate.current_revision(demo_core.db) == down_to
    await migrate.upgrade(demo_core.db)
    assert await migrate.current_revision(demo_core.db) == migrate.head_revision()
    assert await _counts(demo_core) == before
