"""Command mode for R25 account locks: ``users lock USER --reason ...`` / ``users unlock USER``
(the customer's administrator, for its own employees)."""

from __future__ import annotations

import argparse

from core.services import locks
from ssh_server.command_framework import Context, Output, UsageError, arg
from tui.sanitize import clean

USER = arg("user", help="cmd.arg.user", metavar="USER")


async def cmd_users_lock(ctx: Context, ns: argparse.Namespace) -> Output:
    if not (ns.reason or "").strip():
        raise UsageError(ctx.t("locks.error.reason_required"))
    view = await ctx.run(locks.lock_employee, username=ns.user, reason=ns.reason)
    return Output(ctx.t("cmd.users.locked", user=clean(view.username)), view)


async def cmd_users_unlock(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(locks.unlock_employee, username=ns.user)
    return Output(ctx.t("cmd.users.unlocked", user=clean(view.username)), view)
