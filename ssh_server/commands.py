"""Command mode: ``ssh -p 2222 USER@HOST COMMAND ...`` runs one command for scripts.

The same core services and permissions as the TUI; this module only parses, calls and
prints. Commands are a declarative table (:data:`COMMANDS`): a path, a help key, the
arguments and an async handler returning an :class:`Output` (human text + JSON data).

Exit codes (SPEC §5): 0 ok, 2 usage (also core ``ValidationError`` and a destructive
command without its confirmation flag), 3 permission denied, 4 refused by a domain rule.
Errors are one line on stderr, in the user's language, free of control characters.
"""

from __future__ import annotations

import argparse
import enum
import functools
import json
import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from rich.cells import cell_len

from core.authz import Actor
from core.errors import DomainError, PermissionDenied
from core.i18n import format_date, format_datetime, format_money, normalize_locale, t
from core.models import NumberStatus, Product, Role
from core.runtime import Core, UnitOfWork
from core.services import areas, contracts, credentials, numbers, porting
from core.services import session as session_service
from core.services import support as support_service
from tui.sanitize import clean

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

PROG = "linedesk"
HELP_WIDTH = 100
"""Fixed, so help text does not depend on the server's terminal or environment."""

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_DENIED = 3


@dataclass(frozen=True)
class CommandResult:
    """What the SSH channel sends back: exit status and both streams."""

    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Output:
    """A handler's result: ``text`` for people, ``data`` (JSON-able) for ``--json``."""

    text: str
    data: Any


class UsageError(Exception):
    """argparse (or a handler) found the command line malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^the following arguments are required: (?P<args>.+)$"), "cmd.argparse.required"),
    (re.compile(r"^unrecognized arguments: (?P<args>.+)$"), "cmd.argparse.unrecognized"),
    (re.compile(r"^argument (?P<name>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     "cmd.argparse.invalid_choice"),
    (re.compile(r"^argument (?P<name>\S+): expected one argument$"), "cmd.argparse.expected_one"),
    (re.compile(r"^argument (?P<name>\S+): (?P<detail>.+)$"), "cmd.argparse.invalid_value"),
)
"""argparse's own (English) messages for the few mistakes people make, in their language."""


def translate_usage(locale: str, message: str) -> str:
    for pattern, key in _ARGPARSE_MESSAGES:
        match = pattern.match(message)
        if match:
            return t(locale, key, **match.groupdict())
    return message


class HelpShown(Exception):
    """``--help`` was given: the text is the result, exit 0."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class NeedsConfirmation(Exception):
    """A destructive command ran without its flag: say what it would do, change nothing."""

    def __init__(self, flag: str, description: str) -> None:
        super().__init__(description)
        self.flag = flag
        self.description = description


class CommandParser(argparse.ArgumentParser):
    """argparse that never prints to the process streams nor calls ``sys.exit``:
    one process serves many sessions, so every outcome is an exception we turn into
    a :class:`CommandResult`."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise UsageError((message or "").strip())
        raise HelpShown(message or "")

    def print_help(self, file: Any = None) -> None:
        raise HelpShown(self.format_help())

    def print_usage(self, file: Any = None) -> None:
        raise HelpShown(self.format_usage())


def _formatter_for(locale: str) -> type[argparse.HelpFormatter]:
    """A help formatter of fixed width whose "usage:" prefix is in the user's language."""
    usage_prefix = t(locale, "cmd.help.usage") + " "

    class Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=HELP_WIDTH, max_help_position=32)

        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            super().add_usage(usage, actions, groups, usage_prefix if prefix is None else prefix)

    return Formatter


def _localize(parser: argparse.ArgumentParser, locale: str) -> None:
    """Section titles and the ``--help`` text of argparse in the user's language."""
    parser._positionals.title = t(locale, "cmd.help.positionals")
    parser._optionals.title = t(locale, "cmd.help.optionals")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = t(locale, "cmd.help.help")


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call; ``help`` is an i18n key."""

    names: tuple[str, ...]
    help: str
    options: Mapping[str, Any] = field(default_factory=dict)


def arg(*names: str, help: str, **options: Any) -> Arg:
    return Arg(names, help, options)


@dataclass
class Context:
    """What a handler works with: the core, the (possibly support-opened) actor, the locale."""

    core: Core
    actor: Actor
    locale: str

    def t(self, key: str, /, **params: Any) -> str:
        return t(self.locale, key, **params)

    def date(self, value: date | datetime | None) -> str:
        return format_date(value, self.locale)

    def datetime(self, value: datetime | None) -> str:
        return format_datetime(value, self.locale)

    def money(self, cents: int) -> str:
        return format_money(cents, self.locale)

    async def read(
        self, fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]], /,
        *args: P.args, **kwargs: P.kwargs,
    ) -> R:
        return await self.core.read(fn, self.actor, *args, **kwargs)

    async def run(
        self, fn: Callable[Concatenate[UnitOfWork, Actor, P], Awaitable[R]], /,
        *args: P.args, **kwargs: P.kwargs,
    ) -> R:
        return await self.core.run(fn, self.actor, *args, **kwargs)

    def confirm(self, given: bool, flag: str, key: str, /, **params: Any) -> None:
        """Raise :class:`NeedsConfirmation` (describing the effect) unless ``flag`` was given."""
        if not given:
            raise NeedsConfirmation(flag, self.t(key, **params))


Handler = Callable[[Context, argparse.Namespace], Awaitable[Output]]


@dataclass(frozen=True)
class Command:
    """One command of the table."""

    path: tuple[str, ...]
    """``("whoami",)`` or ``("numbers", "activate")``."""
    help: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    needs_customer: bool = True
    """Support must name a customer (``--customer``) for this command."""


# ---------------------------------------------------------------------------- output helpers


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table; every cell is sanitised (user data may hold escapes)."""
    cells = [[clean(h) for h in headers], *[[clean(c) for c in row] for row in rows]]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [c + " " * (w - cell_len(c)) for c, w in zip(row, widths, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells[1:])
    return "\n".join(out)


def fields(ctx: Context, pairs: Sequence[tuple[str, object]]) -> str:
    """``Label: value`` lines with aligned values; labels are i18n keys."""
    labels = [ctx.t(k) for k, _ in pairs]
    width = max(cell_len(label) for label in labels) + 1
    return "\n".join(
        f"{label + ':':<{width}} {clean(value)}" for label, (_, value) in zip(labels, pairs, strict=True)
    )


def jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates and tuples as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def dump_json(data: Any) -> str:
    """ASCII-only JSON: every control, escape or bidi character arrives as a ``\\u`` escape,
    so the output is terminal-safe while scripts still get the exact data."""
    return json.dumps(jsonable(data), ensure_ascii=True, indent=2, sort_keys=False)


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


# ---------------------------------------------------------------------------- commands

VIEW_MODE_LABELS: Mapping[str, str] = {"admin": "ui.view_mode.admin", "user": "ui.view_mode.user"}
NUMBER_KIND_LABELS: Mapping[str, str] = {"voice": "ui.numbers.kind.voice", "fax": "ui.numbers.kind.fax"}
NUMBER_STATUS_LABELS: Mapping[str, str] = {
    "inactive": "ui.numbers.status.inactive",
    "active": "ui.numbers.status.active",
    "pending_deactivation": "ui.numbers.status.pending_deactivation",
    "porting": "ui.numbers.status.porting",
}
"""Labels shared with the TUI (header, number dashboard), so both say the same."""



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
    headers = [ctx.t(k) for k in (
        "support.col.customer_numbers", "support.col.name", "support.col.city", "support.col.matched",
    )]
    return Output(table(headers, rows), hits)


def _yes(flag: str = "--yes") -> Arg:
    return arg(flag, help="cmd.opt.yes" if flag == "--yes" else "cmd.opt.consent", action="store_true",
               dest="confirmed")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: YYYY-MM-DD") from exc


def _count(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: 1, 2, 3, ...") from exc


# contracts and credentials


async def cmd_contracts_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(
        contracts.list_contracts, customer_number=ns.customer_number, product=ns.product, query=ns.query
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
            ns.confirmed, "--consent", "cmd.credentials.preview", contract=preview.contract.contract_ref,
            email=preview.email_masked or "–", mobile=preview.mobile_masked or "–",
        )
    # an ineligible contract goes to the core, which refuses it naming R2
    result = await ctx.run(
        credentials.generate, contract_id=contract_id, consent=bool(ns.confirmed),
        expected_version=preview.version,
    )
    text = ctx.t(
        "cmd.credentials.done", contract=result.contract_ref, username=result.line_username,
        email=result.email_masked, mobile=result.mobile_masked,
    )
    return Output(text, result)


# numbers


def _number_rows(ctx: Context, views: Sequence[numbers.NumberView]) -> list[tuple[object, ...]]:
    return [
        (
            v.e164, ctx.t(NUMBER_KIND_LABELS.get(v.kind, v.kind)),
            ctx.t(NUMBER_STATUS_LABELS.get(v.status, v.status)),
            f"! {ctx.date(v.deactivation_date)}" if v.deactivation_date else "",
            v.assigned_to or "–",
        )
        for v in views
    ]


def _number_headers(ctx: Context) -> list[str]:
    return [ctx.t(f"cmd.numbers.col.{c}") for c in ("number", "kind", "status", "date", "assigned")]


def _number_output(ctx: Context, key: str, view: numbers.NumberView, **params: Any) -> Output:
    text = ctx.t(key, number=view.e164, **params) + "\n\n" + table(
        _number_headers(ctx), _number_rows(ctx, [view])
    )
    return Output(text, view.as_json())


async def cmd_numbers_list(ctx: Context, ns: argparse.Namespace) -> Output:
    views = await ctx.read(numbers.list_numbers, query=ns.query, status=ns.status)
    if not views:
        return Output(ctx.t("cmd.numbers.none"), [])
    return Output(table(_number_headers(ctx), _number_rows(ctx, views)), [v.as_json() for v in views])


async def cmd_numbers_activate(ctx: Context, ns: argparse.Namespace) -> Output:
    quote = await ctx.read(numbers.activation_quote, number=ns.number)
    ctx.confirm(
        ns.confirmed, "--yes", "cmd.numbers.activate.preview", number=quote.number,
        fee=ctx.money(quote.activation_fee_cents), monthly=ctx.money(quote.monthly_price_cents),
    )
    view = await ctx.run(numbers.activate, number=ns.number, expected_version=quote.version)
    return _number_output(ctx, "cmd.numbers.activate.done", view)


async def cmd_numbers_deactivate(ctx: Context, ns: argparse.Namespace) -> Output:
    quote = await ctx.read(numbers.deactivation_quote, number=ns.number)
    ctx.confirm(
        ns.confirmed, "--yes", "cmd.numbers.deactivate.preview", number=quote.number,
        date=ctx.date(quote.deactivation_date),
    )
    view = await ctx.run(numbers.deactivate, number=ns.number, expected_version=quote.version)
    return _number_output(ctx, "cmd.numbers.deactivate.done", view, date=ctx.date(view.deactivation_date))


async def cmd_numbers_undo(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(numbers.undo_deactivation, number=ns.number)
    return _number_output(ctx, "cmd.numbers.undo.done", view)


async def cmd_numbers_swap(ctx: Context, ns: argparse.Namespace) -> Output:
    old = await ctx.read(numbers.get_number, number=ns.old)
    new = await ctx.read(numbers.activation_quote, number=ns.new)
    ctx.confirm(ns.confirmed, "--yes", "cmd.numbers.swap.preview", old=old.e164, new=new.number)
    result = await ctx.run(
        numbers.swap, old=ns.old, new=ns.new, expected_old_version=old.version,
        expected_new_version=new.version,
    )
    text = ctx.t("cmd.numbers.swap.done", old=result.old.e164, new=result.new.e164) + "\n\n" + table(
        _number_headers(ctx), _number_rows(ctx, [result.old, result.new])
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
    )
    return _number_output(ctx, "cmd.numbers.assign.done", view, user=view.assigned_to or "–")


async def cmd_numbers_order(ctx: Context, ns: argparse.Namespace) -> Output:
    ordered = await ctx.run(areas.order_numbers, area=ns.area, count=ns.count)
    text = ctx.t("cmd.numbers.order.done", count=len(ordered), area=ns.area) + "\n" + "\n".join(ordered)
    return Output(text, {"area": ns.area, "numbers": ordered, "status": "inactive"})


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
    headers = [ctx.t(f"cmd.areas.col.{c}") for c in ("prefix", "name", "verified", "address", "numbers", "letter")]
    return Output(table(headers, [_area_line(ctx, v) for v in views]), views)


async def cmd_areas_request_pin(ctx: Context, ns: argparse.Namespace) -> Output:
    letter = await ctx.run(areas.request_pin, area=ns.area, address=ns.address)
    text = ctx.t(
        "cmd.areas.request_pin.done", area=letter.area, name=letter.area_name, address=letter.address,
        date=ctx.date(letter.expires_at),
    )
    return Output(text, letter)


async def cmd_areas_verify(ctx: Context, ns: argparse.Namespace) -> Output:
    view = await ctx.run(areas.verify_pin, area=ns.area, pin=ns.pin)
    return Output(ctx.t("cmd.areas.verify.done", area=view.prefix, name=view.name), view)


def _porting_json(ctx: Context, order: porting.PortingOrderView) -> dict[str, Any]:
    """The order as JSON plus the carrier's reason and notes in the user's language."""
    data = jsonable(order)
    data["reason_text"] = order.reason_text(ctx.locale)
    for entry, event in zip(data["timeline"], order.timeline, strict=True):
        entry["note_text"] = event.note_text(ctx.locale)
    return data


def _porting_note(ctx: Context, order: porting.PortingOrderView) -> str:
    """Why it was rejected, else the carrier's latest note."""
    if order.reject_reason:
        return order.reason_text(ctx.locale)
    return order.timeline[-1].note_text(ctx.locale) if order.timeline else ""


async def cmd_porting_create(ctx: Context, ns: argparse.Namespace) -> Output:
    order = await ctx.run(
        porting.create_order, area=ns.area, numbers=list(ns.numbers), old_provider=ns.old_provider,
        account_holder=ns.account_holder, wished_date=ns.wished_date,
    )
    text = ctx.t(
        "cmd.porting.create.done", id=order.id, count=len(order.numbers), area=order.area,
        date=ctx.date(order.wished_date), status=ctx.t(f"cmd.porting.status.{order.status}"),
    )
    return Output(text, _porting_json(ctx, order))


async def cmd_porting_list(ctx: Context, ns: argparse.Namespace) -> Output:
    orders = await ctx.read(porting.list_orders)
    if not orders:
        return Output(ctx.t("cmd.porting.none"), [])
    rows = [
        (
            o.id, o.area, ", ".join(o.numbers), o.old_provider, ctx.date(o.wished_date),
            ctx.t(f"cmd.porting.status.{o.status}"), _porting_note(ctx, o),
        )
        for o in orders
    ]
    columns = ("id", "area", "numbers", "provider", "date", "status", "note")
    headers = [ctx.t(f"cmd.porting.col.{c}") for c in columns]
    return Output(table(headers, rows), [_porting_json(ctx, o) for o in orders])


NUMBER = arg("number", help="cmd.arg.number", metavar="NUMBER")
AREA = arg("area", help="cmd.arg.area", metavar="AREA")

COMMANDS: tuple[Command, ...] = (
    Command(("whoami",), "cmd.help.whoami", cmd_whoami, needs_customer=False),
    Command(
        ("customers", "search"), "cmd.help.customers_search", cmd_customers_search,
        (arg("query", help="cmd.arg.query", metavar="QUERY"),), needs_customer=False,
    ),
    Command(("contracts", "list"), "cmd.help.contracts_list", cmd_contracts_list, (
        arg("--customer-number", help="cmd.arg.customer_number", metavar="NUMBER"),
        arg("--product", help="cmd.arg.product", choices=sorted(p.value for p in Product)),
        arg("--query", help="cmd.arg.filter", metavar="TEXT"),
    )),
    Command(("credentials", "generate"), "cmd.help.credentials_generate", cmd_credentials_generate, (
        arg("contract", help="cmd.arg.contract", metavar="CONTRACT"), _yes("--consent"),
    )),
    Command(("numbers", "list"), "cmd.help.numbers_list", cmd_numbers_list, (
        arg("--status", help="cmd.arg.status", choices=[s.value for s in NumberStatus]),
        arg("--query", help="cmd.arg.filter", metavar="TEXT"),
    )),
    Command(("numbers", "activate"), "cmd.help.numbers_activate", cmd_numbers_activate, (NUMBER, _yes())),
    Command(("numbers", "deactivate"), "cmd.help.numbers_deactivate", cmd_numbers_deactivate,
            (NUMBER, _yes())),
    Command(("numbers", "undo-deactivation"), "cmd.help.numbers_undo", cmd_numbers_undo, (NUMBER,)),
    Command(("numbers", "swap"), "cmd.help.numbers_swap", cmd_numbers_swap, (
        arg("old", help="cmd.arg.old", metavar="OLD"), arg("new", help="cmd.arg.new", metavar="NEW"), _yes(),
    )),
    Command(("numbers", "assign"), "cmd.help.numbers_assign", cmd_numbers_assign, (
        NUMBER, arg("user", help="cmd.arg.user", metavar="USER"),
        arg("--delete-traffic-data", help="cmd.arg.delete_traffic_data", action="store_true"), _yes(),
    )),
    Command(("numbers", "order"), "cmd.help.numbers_order", cmd_numbers_order, (
        AREA, arg("--count", help="cmd.arg.count", type=_count, required=True, metavar="N"),
    )),
    Command(("fax", "send-credentials"), "cmd.help.fax_send", cmd_fax_send, (
        NUMBER, arg("users", help="cmd.arg.users", nargs="+", metavar="USER"),
    )),
    Command(("areas", "list"), "cmd.help.areas_list", cmd_areas_list),
    Command(("areas", "request-pin"), "cmd.help.areas_request_pin", cmd_areas_request_pin, (
        AREA, arg("--address", help="cmd.arg.address", required=True, metavar="ADDRESS"),
    )),
    Command(("areas", "verify"), "cmd.help.areas_verify", cmd_areas_verify, (
        AREA, arg("pin", help="cmd.arg.pin", metavar="PIN"),
    )),
    Command(("porting", "create"), "cmd.help.porting_create", cmd_porting_create, (
        AREA,
        arg("--number", help="cmd.arg.porting_number", action="append", required=True, dest="numbers",
            metavar="NUMBER"),
        arg("--old-provider", help="cmd.arg.old_provider", required=True, metavar="NAME"),
        arg("--account-holder", help="cmd.arg.account_holder", required=True, metavar="NAME"),
        arg("--wished-date", help="cmd.arg.wished_date", required=True, type=_iso_date,
            metavar="YYYY-MM-DD"),
    )),
    Command(("porting", "list"), "cmd.help.porting_list", cmd_porting_list),
)

# ---------------------------------------------------------------------------- parsing


def _common_options(locale: str, *, top: bool) -> CommandParser:
    """``--json``, ``--customer`` and ``--reason`` are accepted before and after the
    command; below the top level their default is SUPPRESS so they do not overwrite it."""
    parent = CommandParser(add_help=False)
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parent.add_argument("--json", action="store_true", help=t(locale, "cmd.opt.json"),
                        **({"default": False} if top else default))
    parent.add_argument("--customer", metavar="NUMBER", help=t(locale, "cmd.opt.customer"),
                        **({"default": None} if top else default))
    parent.add_argument("--reason", metavar="TEXT", help=t(locale, "cmd.opt.reason"),
                        **({"default": None} if top else default))
    return parent


def build_parser(locale: str, commands: Sequence[Command] = COMMANDS) -> CommandParser:
    """The whole command line grammar, with help texts in ``locale``."""
    common = _common_options(locale, top=False)
    formatter = _formatter_for(locale)
    parser = CommandParser(
        prog=PROG, description=t(locale, "cmd.help.main"), formatter_class=formatter,
        parents=[_common_options(locale, top=True)], allow_abbrev=False,
    )
    _localize(parser, locale)
    top = parser.add_subparsers(dest="_group", metavar="COMMAND", required=True)
    groups: dict[str, argparse._SubParsersAction[CommandParser]] = {}
    for cmd in commands:
        if len(cmd.path) == 1:
            holder = top
        else:
            group = cmd.path[0]
            if group not in groups:
                help_text = t(locale, f"cmd.help.group.{group}")
                group_parser = top.add_parser(
                    group, help=help_text, description=help_text, formatter_class=formatter,
                    allow_abbrev=False,
                )
                _localize(group_parser, locale)
                groups[group] = group_parser.add_subparsers(dest="_action", metavar="ACTION", required=True)
            holder = groups[group]
        help_text = t(locale, cmd.help)
        leaf = holder.add_parser(
            cmd.path[-1], help=help_text, description=help_text, parents=[common],
            formatter_class=formatter, allow_abbrev=False,
        )
        _localize(leaf, locale)
        for a in cmd.args:
            leaf.add_argument(*a.names, help=t(locale, a.help), **dict(a.options))
        leaf.set_defaults(_command=cmd)
    return parser


@functools.cache
def _parser(locale: str) -> CommandParser:
    """Built once per language (about 10 ms of CPU on the shared event loop otherwise);
    parsing never changes a parser, so sessions can share it safely."""
    return build_parser(locale)


# ---------------------------------------------------------------------------- execution


def _error(code: int, message: str, *, as_json: bool, key: str | None = None) -> CommandResult:
    line = one_line(message)
    if as_json:
        line = json.dumps({"error": key or "", "message": line, "exit_code": code}, ensure_ascii=True)
    return CommandResult(code, "", line + "\n")


def _render(text: str) -> str:
    body = clean(text, keep_newlines=True)
    return body if body.endswith("\n") or not body else body + "\n"


async def execute(core: Core, actor: Actor, command: str) -> CommandResult:
    """Run one exec command for ``actor`` and return exit code, stdout and stderr."""
    locale = actor.locale
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return _error(EXIT_USAGE, t(locale, "cmd.error.quoting", detail=str(exc)), as_json=False,
                      key="cmd.error.quoting")
    as_json = "--json" in argv
    if not argv:
        return _error(EXIT_USAGE, t(locale, "cmd.error.no_command"), as_json=False, key="cmd.error.no_command")
    try:
        ns = _parser(normalize_locale(locale)).parse_args(argv)
    except HelpShown as shown:
        return CommandResult(EXIT_OK, _render(shown.text), "")
    except UsageError as exc:
        detail = translate_usage(locale, exc.message)
        return _error(EXIT_USAGE, t(locale, "cmd.error.usage", detail=detail), as_json=as_json,
                      key="cmd.error.usage")
    as_json = bool(ns.json)
    cmd: Command = ns._command
    try:
        ctx = Context(core, await _acting_actor(core, actor, cmd, ns), locale)
        output = await cmd.handler(ctx, ns)
    except UsageError as exc:
        return _error(EXIT_USAGE, exc.message, as_json=as_json, key="cmd.error.usage")
    except NeedsConfirmation as need:
        stdout = dump_json({"executed": False, "needs": need.flag, "description": need.description}) \
            if as_json else need.description
        result = _error(EXIT_USAGE, t(locale, "cmd.error.needs_confirmation", flag=need.flag),
                        as_json=as_json, key="cmd.error.needs_confirmation")
        return CommandResult(EXIT_USAGE, _render(stdout), result.stderr)
    except DomainError as error:
        return _error(error.exit_code, error.render(locale), as_json=as_json, key=error.key)
    except Exception:
        log.exception("command failed: %s", cmd.path)
        return _error(EXIT_INTERNAL, t(locale, "cmd.error.internal"), as_json=as_json, key="cmd.error.internal")
    stdout = dump_json(output.data) if as_json else output.text
    return CommandResult(EXIT_OK, _render(stdout), "")


async def _acting_actor(core: Core, actor: Actor, cmd: Command, ns: argparse.Namespace) -> Actor:
    """Support names the customer per command (``--customer``); opening it is audited in
    that customer's log. Other roles act for their own customer only."""
    if actor.role is not Role.SUPPORT:
        if ns.customer is not None or ns.reason is not None:
            raise PermissionDenied("cmd.error.customer_option_support_only")
        return actor
    if ns.customer is None:
        if ns.reason is not None:
            raise UsageError(t(actor.locale, "cmd.error.reason_without_customer"))
        if cmd.needs_customer:
            raise UsageError(t(actor.locale, "cmd.error.support_customer_required"))
        return actor
    return await core.run(
        support_service.open_customer, actor, customer_number=ns.customer, reason=ns.reason
    )

