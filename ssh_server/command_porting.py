"""Command mode for porting orders (R16, R31): ``porting create``, ``porting list``,
``porting show ID``, ``porting cancel ID``, ``porting comment ID --text TEXT``.

The rules (dates, states, who may cancel or comment) are the core's
(:mod:`core.services.porting`); this module parses, calls and prints. ``--wished-date``
takes a date or the relative forms the core reads against its own today (``earliest``,
``+20wd``), so a script need not compute German working days."""

from __future__ import annotations

import argparse
import re

from core.services import porting
from core.services.porting import PortingOrderView
from ssh_server.command_framework import Context, Output, arg, fields, one_line, table

_REFERENCE = re.compile(r"#?[1-9][0-9]*|[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")


def order_reference(value: str) -> str:
    """The type of a porting ``ID`` argument: the reference ``porting list`` shows
    (``SIM-000001``) or the order's id (``1``, ``#1``); the core looks either up. A value
    that cannot be either (no digit, ``0``, spaces) is a usage error naming both forms."""
    text = value.strip()
    if not (_REFERENCE.fullmatch(text) and any(c.isdigit() for c in text)) \
            or text.strip("#0") == "":
        raise argparse.ArgumentTypeError(f"{value[:64]!r}: SIM-000001, 1, 2, 3, ...")
    return text


ORDER_ID = arg("id", help="cmd.arg.porting_id", metavar="ID", type=order_reference)
TEXT = arg("--text", help="cmd.arg.porting_comment", metavar="TEXT", words="text",
           required=True)
SCENARIO = arg("--carrier-scenario", help="cmd.arg.porting_scenario", metavar="SCENARIO",
               choices=list(porting.SCENARIOS), dest="scenario")
WISHED_DATE = arg("--wished-date", help="cmd.arg.wished_date", required=True,
                  metavar="YYYY-MM-DD|earliest|+Nwd")


def _note(ctx: Context, order: PortingOrderView) -> str:
    """Why it was rejected or cannot be cancelled, else the carrier's latest note."""
    if order.reject_reason:
        return one_line(f"{order.reject_code_text(ctx.locale)}: {order.reason_text(ctx.locale)}")
    steps = [e for e in order.timeline if not e.is_comment]
    return one_line(steps[-1].note_text(ctx.locale)) if steps else ""


def _date(ctx: Context, order: PortingOrderView) -> str:
    """The day the numbers move; a carrier date other than the wished one says so."""
    if order.date_differs:
        return ctx.t("cmd.porting.date_differs", date=ctx.date(order.confirmed_date),
                     wished=ctx.date(order.wished_date))
    return ctx.date(order.switch_date)


async def cmd_porting_create(ctx: Context, ns: argparse.Namespace) -> Output:
    order = await ctx.run(
        porting.create_order, area=ns.area, numbers=list(ns.numbers), old_provider=ns.old_provider,
        account_holder=ns.account_holder, wished_date=ns.wished_date, scenario=ns.scenario,
    )
    text = ctx.t(
        "cmd.porting.create.done", id=order.reference, count=len(order.numbers), area=order.area,
        date=ctx.date(order.wished_date), status=order.status_label(ctx.locale),
    )
    return Output(text, order.as_json(ctx.locale))


async def cmd_porting_list(ctx: Context, ns: argparse.Namespace) -> Output:
    orders = await ctx.read(porting.list_orders)
    if not orders:
        return Output(ctx.t("cmd.porting.none"), [])
    rows = [
        (o.reference, o.area, ", ".join(o.numbers), o.old_provider, _date(ctx, o),
         o.status_label(ctx.locale), _note(ctx, o))
        for o in orders
    ]
    columns = ("id", "area", "numbers", "provider", "date", "status", "note")
    headers = [ctx.t(f"cmd.porting.col.{c}") for c in columns]
    return Output(table(headers, rows), [o.as_json(ctx.locale) for o in orders])


def _timeline(ctx: Context, order: PortingOrderView) -> list[str]:
    lines = []
    for e in order.timeline:
        if e.is_comment:
            lines.append(ctx.t("cmd.porting.comment_line", at=ctx.datetime(e.at),
                               author=e.author or "–", role=ctx.t(f"role.{e.author_role}"),
                               text=one_line(e.note)))
        else:
            # a carrier's free text is one line here: a line break in it must not forge a
            # line of its own in the output (SECURITY.md "Output")
            note = one_line(e.note_text(ctx.locale))
            lines.append(f"  {ctx.datetime(e.at)}  {ctx.t(porting.STATUS_LABELS[e.status])}"
                         + (f" – {note}" if note else ""))
    return lines


async def cmd_porting_show(ctx: Context, ns: argparse.Namespace) -> Output:
    order = await ctx.read(porting.get_order, order_id=ns.id)
    pairs: list[tuple[str, object]] = [
        ("cmd.porting.field.ref", order.reference),
        ("cmd.porting.field.status", order.status_label(ctx.locale)),
        ("cmd.porting.field.numbers", ", ".join(order.numbers)),
        ("cmd.porting.field.provider", order.old_provider),
        ("cmd.porting.field.holder", order.account_holder),
        ("cmd.porting.field.wished", ctx.date(order.wished_date)),
        ("cmd.porting.field.confirmed", _date(ctx, order) if order.confirmed_date else "–"),
    ]
    if order.reject_code:
        pairs.append(("cmd.porting.field.reason", _note(ctx, order)))
    pairs.append(("cmd.porting.field.cancel",
                  ctx.t("cmd.yes") if order.allows(porting.ACTION_CANCEL)
                  else order.refusal(porting.ACTION_CANCEL) or "–"))
    text = fields(ctx, pairs) + "\n" + ctx.t("cmd.porting.timeline") + "\n" + "\n".join(
        _timeline(ctx, order))
    return Output(text, order.as_json(ctx.locale))


async def cmd_porting_cancel(ctx: Context, ns: argparse.Namespace) -> Output:
    order = await ctx.run(porting.cancel_order, order_id=ns.id)
    return Output(ctx.t("cmd.porting.cancelled", id=order.reference, count=len(order.numbers)),
                  order.as_json(ctx.locale))


async def cmd_porting_comment(ctx: Context, ns: argparse.Namespace) -> Output:
    order = await ctx.run(porting.add_comment, order_id=ns.id, text=ns.text or "")
    return Output(ctx.t("cmd.porting.commented", id=order.reference), order.as_json(ctx.locale))
