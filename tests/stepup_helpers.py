"""Tests that run a step-up guarded action (R20) get the code the way a person does: from
the SMS. In-process tests read it out of the outbox row of that SMS (which is then taken
out of the outbox, so the tests' own delivery counts stay what they were); tests against a
server process read it from ``sms.jsonl``."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, select

from core.authz import Actor
from core.models import OutboxMessage
from core.outbox import _unseal
from core.runtime import Core
from core.services import stepup

R = TypeVar("R")
CODE = re.compile(r"\b(\d{6})\b")


async def take_code_from_outbox(core: Core) -> str:
    """The code of the newest step-up SMS still in the outbox; the row is removed."""
    async with core.uow() as uow:
        row = await uow.session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("stepup-%"))
            .order_by(OutboxMessage.id.desc()).limit(1))
        assert row is not None, "no step-up SMS in the outbox"
        body = _unseal(core.secret_box, row).body
        await uow.session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
    match = CODE.search(body)
    assert match, body
    return match.group(1)


async def request_code(core: Core, actor: Actor, action: str, object_id: str) -> str:
    """Request a code for ``action`` on ``object_id`` and read it from its SMS."""
    await core.run(stepup.request, actor, action=action, object_id=object_id)
    return await take_code_from_outbox(core)


async def run_with_code(
    core: Core, fn: Callable[..., Awaitable[R]], actor: Actor, /, **kwargs: Any
) -> R:
    """``core.run(fn, actor, **kwargs)``; when the core asks for a step-up code, request
    one, read it from the SMS and run the same call again with it."""
    try:
        return await core.run(fn, actor, **kwargs)
    except stepup.StepUpRequired as needed:
        code = await request_code(core, actor, needed.action, needed.object_id)
        return await core.run(fn, actor, code=code, **kwargs)


def newest_sms_code(data_dir: Path) -> str:
    """The code in the newest SMS of ``<data dir>/sms.jsonl`` (a server process's delivery)."""
    lines = (data_dir / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    for line in reversed(lines):
        match = CODE.search(json.loads(line)["text"])
        if match:
            return match.group(1)
    raise AssertionError("no SMS with a code")


async def set_policy(core: Core, actor: Actor, *, required: bool) -> None:
    """Turn the customer's step-up policy on or off as its admin would (with a code)."""
    await run_with_code(core, stepup.set_policy, actor, required=required)


async def execute_with_code(core: Core, actor: Actor, command: str) -> Any:
    """Command mode as a person runs it: the call without ``--code`` sends the code and
    exits 4; read it from the SMS and run the same command with ``--code``."""
    from ssh_server.commands import execute

    first = await execute(core, actor, command)
    if first.exit_code != 4 or "--code" not in first.stderr:
        return first
    return await execute(core, actor, f"{command} --code {await take_code_from_outbox(core)}")
