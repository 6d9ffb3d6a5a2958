"""Command-mode handlers: one async function per command, calling core services."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from core.enums import NumberAction
from core.services import (
    areas,
    bulk,
    contracts,
    credentials,
    deadlines,
    emergency,
    number_blocks,
    number_csv,
    numbers,
    stepup,
)
from core.services import session as session_service
from core.services import support as support_service
from ssh_server.command_framework import (
    NUMBER_KIND_LABELS,
    NUMBER_STATUS_LABELS,
    VIEW_MODE_LABELS,
    Arg,
    Context,
    InputAborted,
    InputTooLarge,
    NeedsConfirmation,
    Output,
    UsageError,
    arg,
    fields,
    table,
)
from tui.sanitize import clean


async def cmd_whoami(ctx: Context, ns: argparse.Namespace) -> Output:
    me = await ctx.read(session_service.whoami)
    customer = "–"
    if me.customer_name:
        customer = me.customer_name
        if me.customer_numbers:
            customer += f" ({', '.join(me.customer_numbers)})"
    pairs: list[tuple[str, object]] = [
        ("cmd.whoami.user", f"{me.username} ({me.full_name})" if me.full_name else me.username),
        ("cmd.whoami.role", ctx.t(f"role.{me.role}")),
        ("cmd.whoami.customer", customer),
        ("cmd.whoami.view_mode", ctx.t(VIEW_MODE_LABELS.get(me.view_mode, me.view_mode))),
    ]
    if me.via_support:
        pairs.append(("cmd.whoami.reason", me.reason or "–"))
    if me.source_address:
        pairs.append(("cmd.whoami.source", me.source_address))
    if me.key_fingerprint:
        pairs.append(("cmd.whoami.key", me.key_fingerprint))
    return Output(fields(ctx, pairs), me)


async def cmd_customers_search(ctx: Context, ns: argparse.Namespace) -> Output:
    hits = await ctx.read(support_service.search_customers, query=ns.query)
    if not hits:
        return Output(ctx.t("support.search.none"), [])
    rows = [
        (
            ", ".join(h.customer_numbers), h.name, h.city,
            ctx.t(f"support.matched.{h.matched}", value=h.matched_value),
        )
        for h in hits
    ]
    headers = [
        ctx.t(k)
        for k in (
            "support.col.customer_numbers",
            "support.col.name",
            "support.col.city",
            "support.col.matched",
        )
    ]
    return Output(table(headers, rows), hits)


def _yes(flag: str = "--yes") -> Arg:
    return arg(
        flag,
        help="cmd.opt.yes" if flag == "--yes" else "cmd.opt.consent",
        action="store_true",
        dest="confirmed",
    )


def _count(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: 1, 2, 3, ...") from exc


# contracts and credentials


async def cmd_contracts_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(
        contracts.list_contracts,
        customer_number=ns.customer_number,
        product=ns.product,
        query=ns.query,
    )
    yes, no = ctx.t("cmd.yes"), ctx.t("cmd.no")
    rows = [
        (
            v.id, v.contract_ref, v.customer_number, ctx.t(f"contracts.product.{v.product}"),
            ctx.t(f"contracts.type.{v.type}"), v.site_name, yes if v.has_line else no,
            ", ".join(v.sites),
        )
        for v in views
    ]
    headers = [ctx.t(f"cmd.contracts.col.{c}") for c in (
        "id", "ref", "customer_number", "product", "type", "site", "has_line", "sites",
    )]
    return Output(table(headers, rows) if rows else ctx.t("cmd.contracts.none"), views)


async def cmd_credentials_generate(ctx: Context, ns: argparse.Namespace) -> Output:
    contract_id = await ctx.read(contracts.find_contract_id, ref=ns.contract)
    preview = await ctx.read(credentials.prepare, contract_id=contract_id)
    if preview.eligible:
        ctx.confirm(
            ns.confirmed,
            "--consent",
            "cmd.credentials.preview",
            contract=preview.contract.contract_ref,
            email=preview.email_masked or "–",
            mobile=preview.mobile_masked or "–",
        )
    if ns.at is not None:  # R19: scheduled instead of now
        at = credentials.parse_reset_time(ns.at)
        planned = await ctx.run(
            credentials.schedule, contract_id=contract_id, at=at, consent=bool(ns.confirmed),
            code=ns.code,
        )
        return Output(ctx.t("cmd.credentials.scheduled", id=planned.id,
                            contract=planned.contract_ref, at=ctx.datetime(planned.at),
                            email=planned.email_masked, mobile=planned.mobile_masked),
                      _reset_json(planned))
    # an ineligible contract goes to the core, which refuses it naming R2
    result = await ctx.run(
        credentials.generate, contract_id=contract_id, consent=bool(ns.confirmed),
        expected_version=preview.version, code=ns.code,
    )
    text = ctx.t(
        "cmd.credentials.done", contract=result.contract_ref, username=result.line_username,
        email=result.email_masked, mobile=result.mobile_masked,
    )
    return Output(text, result)


def _reset_json(v: credentials.ScheduledResetView) -> dict[str, Any]:
    return {"id": v.id, "contract": v.contract_ref, "at": v.at.isoformat(), "status": v.status,
            "requested_by": v.requested_by, "recipient": v.recipient, "email": v.email_masked,
            "mobile": v.mobile_masked}


async def cmd_credentials_scheduled(ctx: Context, ns: argparse.Namespace) -> Output:
    """R19: the customer's scheduled resets, by time."""
    rows = await ctx.read(credentials.list_scheduled)
    if not rows:
        return Output(ctx.t("cmd.credentials.none_scheduled"), [])
    headers = [ctx.t(f"cmd.credentials.col.{c}") for c in ("id", "contract", "at", "by", "to")]
    text = table(headers, [(v.id, v.contract_ref, ctx.datetime(v.at), v.requested_by,
                            f"{v.email_masked} / {v.mobile_masked}") for v in rows])
    return Output(text, [_reset_json(v) for v in rows])


async def cmd_credentials_cancel(ctx: Context, ns: argparse.Namespace) -> Output:
    """R19: cancel a scheduled reset (until it has run)."""
    v = await ctx.run(credentials.cancel_scheduled, reset_id=ns.id)
    return Output(ctx.t("cmd.credentials.cancelled", id=v.id, contract=v.contract_ref,
                        at=ctx.datetime(v.at)), _reset_json(v))


async def cmd_stepup(ctx: Context, ns: argparse.Namespace) -> Output:
    """R20: show the customer's step-up policy, or turn it on / off (off needs a code)."""
    if ns.state == "status":
        policy = await ctx.read(stepup.get_policy)
    else:
        policy = await ctx.run(stepup.set_policy, required=ns.state == "on", code=ns.code)
    key = "cmd.stepup.on" if policy.required else "cmd.stepup.off"
    return Output(ctx.t(key), {"required": policy.required})


# numbers


def _number_rows(ctx: Context, views: Sequence[numbers.NumberView]) -> list[tuple[object, ...]]:
    """One row per number; R30: a block's numbers indented below a row naming the block."""
    rows: list[tuple[object, ...]] = []
    shown: set[int] = set()
    for v in views:
        if v.block is not None and v.block.id not in shown:
            shown.add(v.block.id)
            rows.append((
                ctx.t("cmd.blocks.list_row", block=v.block.national, size=v.block.size), "",
                ctx.t(NUMBER_STATUS_LABELS.get(v.block.status, v.block.status)),
                f"! {ctx.date(v.block.deactivation_date)}" if v.block.deactivation_date else "",
                "", "",
            ))
        rows.append((
            f"  {v.e164}" if v.block is not None else v.e164,
            ctx.t(NUMBER_KIND_LABELS.get(v.kind, v.kind)),
            ctx.t(NUMBER_STATUS_LABELS.get(v.status, v.status)),
            f"! {ctx.date(v.deactivation_date)}" if v.deactivation_date else "",
            v.assigned_to or "–",
            v.emergency_location.text if v.emergency_location else "–",
        ))
    return rows


def _number_headers(ctx: Context) -> list[str]:
    return [ctx.t(f"cmd.numbers.col.{c}")
            for c in ("number", "kind", "status", "date", "assigned", "location")]


def _number_output(ctx: Context, key: str, view: numbers.NumberView, **params: Any) -> Output:
    text = ctx.t(key, number=view.e164, **params) + "\n\n" + table(
        _number_headers(ctx), _number_rows(ctx, [view])
    )
    return Output(text, view.as_json())


async def cmd_numbers_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(numbers.list_numbers, query=ns.query, status=ns.status)
    if not views:
        return Output(ctx.t("cmd.numbers.none"), [])
    return Output(
        table(_number_headers(ctx), _number_rows(ctx, views)), [v.as_json() for v in views]
    )


async def _block_output(ctx: Context, key: str, view: numbers.NumberView,
                        **params: Any) -> Output:
    """R30: a member was changed, so was its block: say so, with every number's result."""
    assert view.block is not None
    members = await ctx.read(number_blocks.get_block, number=view.e164)
    text = ctx.t(key, block=view.block.national, count=len(members), **params) + "\n\n" + table(
        _number_headers(ctx), _number_rows(ctx, members)
    )
    return Output(text, {**view.as_json(), "numbers": [m.as_json() for m in members]})


async def cmd_numbers_activate(ctx: Context, ns: argparse.Namespace) -> Output:
    quote = await ctx.read(numbers.activation_quote, number=ns.number)
    if quote.block is not None:
        ctx.confirm(
            ns.confirmed, "--yes", "cmd.blocks.activate.preview", number=quote.number,
            block=quote.block.national, count=quote.count,
            fee=ctx.money(quote.activation_fee_cents),
            monthly=ctx.money(quote.monthly_price_cents),
            total=ctx.money(quote.block.activation_fee_cents),
            total_monthly=ctx.money(quote.block.monthly_price_cents),
        )
    ctx.confirm(
        ns.confirmed, "--yes", "cmd.numbers.activate.preview", number=quote.number,
        fee=ctx.money(quote.activation_fee_cents), monthly=ctx.money(quote.monthly_price_cents),
    )
    view = await ctx.run(numbers.activate, number=ns.number, expected_version=quote.version)
    if view.block is not None:
        return await _block_output(ctx, "cmd.blocks.activate.done", view)
    return _number_output(ctx, "cmd.numbers.activate.done", view)


async def cmd_numbers_deactivate(ctx: Context, ns: argparse.Namespace) -> Output:
    quote = await ctx.read(numbers.deactivation_quote, number=ns.number)
    if quote.block is not None:
        ctx.confirm(
            ns.confirmed, "--yes", "cmd.blocks.deactivate.preview", number=quote.number,
            block=quote.block.national, count=quote.block.size,
            date=ctx.date(quote.deactivation_date),
        )
    ctx.confirm(
        ns.confirmed, "--yes", "cmd.numbers.deactivate.preview", number=quote.number,
        date=ctx.date(quote.deactivation_date),
    )
    view = await ctx.run(numbers.deactivate, number=ns.number, expected_version=quote.version)
    if view.block is not None:
        return await _block_output(ctx, "cmd.blocks.deactivate.done", view,
                                   date=ctx.date(view.deactivation_date))
    return _number_output(
        ctx, "cmd.numbers.deactivate.done", view, date=ctx.date(view.deactivation_date)
    )


async def cmd_numbers_undo(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(numbers.undo_deactivation, number=ns.number)
    if view.block is not None:
        return await _block_output(ctx, "cmd.blocks.undo.done", view)
    return _number_output(ctx, "cmd.numbers.undo.done", view)


async def cmd_numbers_swap(ctx: Context, ns: argparse.Namespace) -> Output:
    old = await ctx.read(numbers.get_number, number=ns.old)
    new = await ctx.read(numbers.activation_quote, number=ns.new)
    ctx.confirm(ns.confirmed, "--yes", "cmd.numbers.swap.preview", old=old.e164, new=new.number)
    result = await ctx.run(
        numbers.swap, old=ns.old, new=ns.new, expected_old_version=old.version,
        expected_new_version=new.version, code=ns.code,
    )
    text = (
        ctx.t("cmd.numbers.swap.done", old=result.old.e164, new=result.new.e164)
        + "\n\n"
        + table(_number_headers(ctx), _number_rows(ctx, [result.old, result.new]))
    )
    return Output(text, {"old": result.old.as_json(), "new": result.new.as_json()})


async def cmd_numbers_assign(ctx: Context, ns: argparse.Namespace) -> Output:
    await ctx.read(numbers.list_assignees)  # permission first, also for the preview
    current = await ctx.read(numbers.get_number, number=ns.number)
    if ns.delete_traffic_data:
        ctx.confirm(
            ns.confirmed, "--yes", "cmd.numbers.assign.preview", number=current.e164,
            user=ns.user, previous=current.assigned_to or "–",
        )
    view = await ctx.run(
        numbers.assign, number=ns.number, username=ns.user,
        delete_traffic_data=ns.delete_traffic_data, expected_version=current.version,
        code=ns.code,
    )
    return _number_output(ctx, "cmd.numbers.assign.done", view, user=view.assigned_to or "–")


async def cmd_numbers_order(ctx: Context, ns: argparse.Namespace) -> Output:
    if (ns.count is None) == (ns.block is None):
        raise UsageError(ctx.t("cmd.blocks.count_or_block"))
    if ns.block is not None:
        return await _order_block(ctx, ns)
    ordered = await ctx.run(areas.order_numbers, area=ns.area, count=ns.count)
    text = (
        ctx.t("cmd.numbers.order.done", count=len(ordered), area=ns.area)
        + "\n"
        + "\n".join(ordered)
    )
    return Output(text, {"area": ns.area, "numbers": ordered, "status": "inactive"})


async def cmd_numbers_set_location(ctx: Context, ns: argparse.Namespace) -> Output:
    """R29: change the emergency location of a voice number (validated per field)."""
    view = await ctx.run(
        emergency.set_location, number=ns.number, street=ns.street,
        house_number=ns.house_number, postcode=ns.postcode, city=ns.city,
    )
    location = view.emergency_location.text if view.emergency_location else "–"
    return _number_output(ctx, "cmd.numbers.location.done", view, location=location)


async def _order_block(ctx: Context, ns: argparse.Namespace) -> Output:
    """R30 ``numbers order AREA --block 10|100``: the block and its prices, then ``--yes``."""
    quote = await ctx.read(number_blocks.block_quote, area=ns.area, size=ns.block,
                           contract=ns.contract)
    ctx.confirm(
        ns.confirmed, "--yes", "cmd.blocks.order.preview", block=quote.national, size=quote.size,
        area=quote.area, contract=quote.contract_ref, fee=ctx.money(quote.activation_fee_cents),
        monthly=ctx.money(quote.monthly_price_cents),
        total=ctx.money(quote.total_activation_cents),
        total_monthly=ctx.money(quote.total_monthly_cents),
    )
    ordered = await ctx.run(number_blocks.order_block, area=ns.area, size=ns.block,
                            contract=ns.contract)
    text = (ctx.t("cmd.blocks.order.done", block=ordered.national, size=ordered.size,
                  area=ordered.area) + "\n" + "\n".join(ordered.numbers))
    return Output(text, {
        "area": ordered.area, "numbers": list(ordered.numbers), "status": "inactive",
        "block": {"size": ordered.size, "first": ordered.first, "last": ordered.last,
                  "contract": ordered.contract_ref},
        "activation_fee_cents": ordered.activation_fee_cents,
        "monthly_price_cents": ordered.monthly_price_cents,
    })


async def cmd_fax_send(ctx: Context, ns: argparse.Namespace) -> Output:
    result = await ctx.run(numbers.send_fax_credentials, number=ns.number, usernames=list(ns.users))
    text = ctx.t("cmd.fax.done", number=result.number, users=", ".join(result.recipients))
    return Output(text, result)


# areas and porting


def _area_line(ctx: Context, view: areas.AreaView) -> tuple[object, ...]:
    letter = "–"
    if view.letter is not None:
        letter = ctx.t(
            "cmd.areas.letter", status=ctx.t(f"cmd.areas.letter.{view.letter.status}"),
            date=ctx.date(view.letter.expires_at),
        )
    return (
        view.prefix, view.name, ctx.t("cmd.yes") if view.verified else ctx.t("cmd.no"),
        view.address or "–", view.number_count, letter,
    )


async def cmd_areas_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(areas.list_areas)
    headers = [
        ctx.t(f"cmd.areas.col.{c}")
        for c in ("prefix", "name", "verified", "address", "numbers", "letter")
    ]
    return Output(table(headers, [_area_line(ctx, v) for v in views]), views)


async def cmd_areas_request_pin(ctx: Context, ns: argparse.Namespace) -> Output:
    letter = await ctx.run(areas.request_pin, area=ns.area, address=ns.address)
    text = ctx.t(
        "cmd.areas.request_pin.done",
        area=letter.area,
        name=letter.area_name,
        address=letter.address,
        date=ctx.date(letter.expires_at),
    )
    return Output(text, letter)


async def cmd_areas_verify(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(areas.verify_pin, area=ns.area, pin=ns.pin)
    return Output(ctx.t("cmd.areas.verify.done", area=view.prefix, name=view.name), view)


# deadlines (R22)


async def cmd_deadlines_list(ctx: Context, ns: argparse.Namespace) -> Output:
    """R22: everything that will happen by itself, by date (the Fristen screen's list)."""
    entries = await ctx.read(deadlines.list_deadlines)
    if not entries:
        return Output(ctx.t("cmd.deadlines.none"), [])
    columns = ("date", "days", "kind", "object", "detail", "undo")
    headers = [ctx.t(f"cmd.deadlines.col.{c}") for c in columns]
    rows = [
        (ctx.date(e.date), deadlines.days_text(e.days_left, ctx.locale),
         ctx.t(f"deadlines.kind.{e.kind}"), e.object, e.detail,
         ctx.t("cmd.deadlines.yes" if e.can_undo else "cmd.deadlines.no"))
        for e in entries
    ]
    return Output(table(headers, rows), [e.as_json() for e in entries])


# bulk actions (R27) and CSV (R28)

_BULK_WRITES: dict[str, NumberAction] = {
    "activate": NumberAction.ACTIVATE,
    "deactivate": NumberAction.DEACTIVATE,
    "undo-deactivation": NumberAction.UNDO,
    "assign": NumberAction.ASSIGN,
}


def _bulk_preview_text(ctx: Context, preview: bulk.BulkOutcome) -> str:
    """The count, the prices and every refusal, before ``--yes``."""
    lines = [ctx.t(
        f"cmd.bulk.preview.{preview.action.value}", count=preview.count,
        total=len(preview.items), one_time=ctx.money(preview.one_time_cents),
        monthly=ctx.money(preview.monthly_cents), date=ctx.date(preview.deactivation_date),
        user=preview.target or "–",
    )]
    if preview.refused:
        lines.append(ctx.t("cmd.bulk.refused_header"))
        lines.extend(ctx.t("cmd.bulk.refused_item", number=i.number, reason=i.reason or "")
                     for i in preview.refused)
    return "\n".join(lines)


async def _bulk(ctx: Context, ns: argparse.Namespace, username: str | None = None) -> Output:
    """Several numbers: preview without ``--yes`` (exit 2), else one line per number;
    exit 4 when any was refused (the others are done all the same)."""
    action = _BULK_WRITES[ns._action]
    preview = await ctx.read(bulk.preview, action=action, numbers=list(ns.numbers),
                             username=username)
    if not ns.confirmed:
        raise NeedsConfirmation("--yes", _bulk_preview_text(ctx, preview), preview.as_json())
    result = await ctx.run(bulk.apply, action=action, numbers=list(ns.numbers),
                           username=username, expected_versions=preview.versions)
    lines = [
        ctx.t("cmd.bulk.done_line", number=i.number) if i.ok
        else ctx.t("cmd.bulk.refused_line", number=i.number, reason=i.reason or "")
        for i in result.items
    ]
    refused = len(result.refused)
    lines.append(ctx.t("cmd.bulk.summary", done=result.count, refused=refused))
    stderr = ctx.t("cmd.bulk.some_refused", refused=refused, total=len(result.items)) \
        if refused else ""
    return Output("\n".join(lines), [i.as_json() for i in result.items],
                  exit_code=4 if refused else 0, stderr=stderr)


def _single(ns: argparse.Namespace) -> argparse.Namespace:
    """One number: the single command's namespace (its output and exit codes unchanged)."""
    ns.number = ns.numbers[0]
    return ns


async def cmd_numbers_activate_many(ctx: Context, ns: argparse.Namespace) -> Output:
    if len(ns.numbers) == 1:
        return await cmd_numbers_activate(ctx, _single(ns))
    return await _bulk(ctx, ns)


async def cmd_numbers_deactivate_many(ctx: Context, ns: argparse.Namespace) -> Output:
    if len(ns.numbers) == 1:
        return await cmd_numbers_deactivate(ctx, _single(ns))
    return await _bulk(ctx, ns)


async def cmd_numbers_undo_many(ctx: Context, ns: argparse.Namespace) -> Output:
    if len(ns.numbers) == 1:
        return await cmd_numbers_undo(ctx, _single(ns))
    return await _bulk(ctx, ns)


async def cmd_numbers_assign_many(ctx: Context, ns: argparse.Namespace) -> Output:
    if len(ns.numbers) == 1:
        return await cmd_numbers_assign(ctx, _single(ns))
    if ns.delete_traffic_data:
        raise UsageError(ctx.t("cmd.bulk.no_traffic_data"))
    return await _bulk(ctx, ns, username=ns.user)


async def cmd_numbers_export(ctx: Context, ns: argparse.Namespace) -> Output:
    """R28: every number of the customer as CSV on stdout (``--json``: a list of objects)."""
    if not ns.csv and not ns.json:
        raise UsageError(ctx.t("cmd.export.csv_required"))
    rows = await ctx.read(number_csv.export_rows)
    data = [dict(zip(number_csv.EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]]
    return Output(number_csv.to_csv(rows, clean=clean), data, raw=True)


async def cmd_numbers_import(ctx: Context, ns: argparse.Namespace) -> Output:
    """R28: ``number,username`` lines from stdin, all or nothing; ``--dry-run`` previews."""
    if ctx.stdin is None:
        raise UsageError(ctx.t("cmd.stdin.unavailable"))
    try:
        text = await ctx.stdin()
    except InputTooLarge as exc:
        raise UsageError(ctx.t("cmd.stdin.too_large", limit=f"{exc.limit // 1024} KiB")) from exc
    except InputAborted as exc:
        raise UsageError(ctx.t("cmd.stdin.unavailable")) from exc
    call = ctx.read if ns.dry_run else ctx.run
    outcome = await call(number_csv.import_assignments, text=text, dry_run=ns.dry_run)
    if outcome.problems:
        lines = [p.reason for p in outcome.problems]
        return Output("\n".join(lines), outcome.as_json(), exit_code=4,
                      stderr=ctx.t("cmd.import.refused", count=len(outcome.problems)))
    lines = [ctx.t("cmd.import.change", line=c.line, number=c.number, user=c.username,
                   previous=c.previous or "–") for c in outcome.changes]
    key = "cmd.import.dry_run" if ns.dry_run else "cmd.import.done"
    lines.append(ctx.t(key, changes=len(outcome.changes), unchanged=outcome.unchanged))
    return Output("\n".join(lines), outcome.as_json())
