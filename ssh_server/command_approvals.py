"""Command mode for R21 four-eyes approval: ``approvals list [--all] [--json]``,
``approvals approve ID [--code NNNNNN]``, ``approvals reject ID --comment TEXT``,
``approvals policy status|on|off [--json]`` (off, while on, files a request: exit 5).

A guarded command (credentials generate, numbers swap, numbers assign --delete-traffic-data)
of a customer with the policy on files a request instead and exits 5 with the request number
(:class:`core.services.approvals.ApprovalRequested`)."""

from __future__ import annotations

import argparse

from core.services import approvals
from ssh_server.command_framework import Context, Output, UsageError, arg, record_id, table
from tui.sanitize import clean

REQUEST_ID = arg("id", help="cmd.arg.approval_id", metavar="ID", type=record_id)
COMMENT = arg("--comment", help="cmd.arg.comment", metavar="TEXT", words="text")
ALL = arg("--all", help="cmd.arg.approvals_all", action="store_true")
POLICY_STATE = arg("state", help="cmd.arg.approvals_policy_state",
                   choices=["status", "on", "off"])


async def cmd_approvals_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(approvals.list_requests, include_done=bool(ns.all))
    data = [{"id": v.id, "action": v.action, "what": v.what, "params": v.params,
             "requested_by": v.requested_by, "created_at": v.created_at.isoformat(),
             "expires_at": v.expires_at.isoformat(), "status": v.status,
             "decided_by": v.decided_by, "comment": v.comment, "can_decide": v.can_decide,
             "reason": v.refusal, "delivery": v.delivery} for v in views]
    if not views:
        return Output(ctx.t("approvals.none_at_all" if ns.all else "approvals.none"), data)
    columns = ("id", "what", "requested_by", "expires", "status", "note")
    rows = [(v.id, v.what, v.requested_by, ctx.datetime(v.expires_at),
             ctx.t(f"approvals.status.{v.status}"), _note(ctx, v)) for v in views]
    return Output(table([ctx.t(f"approvals.col.{c}") for c in columns], rows), data)


def _note(ctx: Context, view: approvals.ApprovalView) -> str:
    """An open request: why this account may not decide it. A decided one: who decided, and
    the comment (a rejection's reason), not "no longer open", which its status says."""
    if view.decided_by is None:
        return view.refusal or view.comment or ""
    by = ctx.t("approvals.decided_by", user=view.decided_by)
    return f"{by}: {view.comment}" if view.comment else by


async def cmd_approvals_approve(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(approvals.approve, request_id=ns.id, code=ns.code)
    return Output(ctx.t("approvals.approved", id=view.id, what=clean(view.what)),
                  {"id": view.id, "status": view.status, "action": view.action})


async def cmd_approvals_reject(ctx: Context, ns: argparse.Namespace) -> Output:
    if not (ns.comment or "").strip():
        raise UsageError(ctx.t("approvals.error.comment_required"))
    view = await ctx.run(approvals.reject, request_id=ns.id, comment=ns.comment)
    return Output(ctx.t("approvals.rejected", id=view.id),
                  {"id": view.id, "status": view.status, "comment": view.comment})


async def cmd_approvals_policy(ctx: Context, ns: argparse.Namespace) -> Output:
    """Show the four-eyes policy, or turn it on / off (off while on files a request)."""
    if ns.state == "status":
        policy = await ctx.read(approvals.get_policy)
    else:
        policy = await ctx.run(approvals.set_policy, required=ns.state == "on")
    text = ctx.t("approvals.policy.on" if policy.required else "approvals.policy.off")
    if policy.pending_off is not None:
        text += "\n" + ctx.t("approvals.policy.pending_off", id=policy.pending_off)
    return Output(text, {"required": policy.required, "pending_off": policy.pending_off})
