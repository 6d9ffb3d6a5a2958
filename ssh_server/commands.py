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
import json
import logging
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from rich.cells import cell_len

from core.authz import Actor
from core.errors import DomainError, PermissionDenied
from core.i18n import format_date, format_datetime, format_money, t
from core.models import Role
from core.runtime import Core, UnitOfWork
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


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=HELP_WIDTH, max_help_position=32)


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
        ("cmd.whoami.view_mode", ctx.t(f"ui.view_mode.{me.view_mode}")),
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


COMMANDS: tuple[Command, ...] = (
    Command(("whoami",), "cmd.help.whoami", cmd_whoami, needs_customer=False),
    Command(
        ("customers", "search"), "cmd.help.customers_search", cmd_customers_search,
        (arg("query", help="cmd.arg.query", metavar="QUERY"),), needs_customer=False,
    ),
)

GROUP_HELP: dict[str, str] = {
    "customers": "cmd.help.group.customers",
}


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
    parser = CommandParser(
        prog=PROG, description=t(locale, "cmd.help.main"), formatter_class=_formatter,
        parents=[_common_options(locale, top=True)], allow_abbrev=False,
    )
    top = parser.add_subparsers(dest="_group", metavar="COMMAND", required=True)
    groups: dict[str, argparse._SubParsersAction[CommandParser]] = {}
    for cmd in commands:
        if len(cmd.path) == 1:
            holder = top
        else:
            group = cmd.path[0]
            if group not in groups:
                help_text = t(locale, GROUP_HELP.get(group, f"cmd.help.group.{group}"))
                group_parser = top.add_parser(
                    group, help=help_text, description=help_text, formatter_class=_formatter,
                    allow_abbrev=False,
                )
                groups[group] = group_parser.add_subparsers(dest="_action", metavar="ACTION", required=True)
            holder = groups[group]
        help_text = t(locale, cmd.help)
        leaf = holder.add_parser(
            cmd.path[-1], help=help_text, description=help_text, parents=[common],
            formatter_class=_formatter, allow_abbrev=False,
        )
        for a in cmd.args:
            leaf.add_argument(*a.names, help=t(locale, a.help), **dict(a.options))
        leaf.set_defaults(_command=cmd)
    return parser


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
        ns = build_parser(locale).parse_args(argv)
    except HelpShown as shown:
        return CommandResult(EXIT_OK, _render(shown.text), "")
    except UsageError as exc:
        return _error(EXIT_USAGE, t(locale, "cmd.error.usage", detail=exc.message), as_json=as_json,
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

