"""Command-mode framework: the parser, the command table's types, output helpers.

Commands themselves are in :mod:`ssh_server.command_handlers`; the table and
:func:`ssh_server.commands.execute` in :mod:`ssh_server.commands`."""

from __future__ import annotations

import argparse
import enum
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar

from rich.cells import cell_len

from core.authz import Actor
from core.enums import KIND_LABELS, STATUS_LABELS
from core.errors import RuleViolation
from core.i18n import format_date, format_datetime, format_money, t
from core.runtime import Core, UnitOfWork
from core.services import stepup
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
    exit_code: int = 0
    """4 when part of a bulk action was refused (the output still lists every result)."""
    stderr: str = ""
    """One line for stderr beside the output (what was refused)."""
    raw: bool = False
    """``text`` is already terminal-safe and exact (CSV with ``\r\n``): sent as it is."""


class InputTooLarge(Exception):
    """Standard input was larger than the session reads for a command."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class InputAborted(Exception):
    """The channel closed before standard input ended (the input may be cut off)."""


StdinReader = Callable[[], Awaitable[str]]
"""Reads a command's standard input to EOF (bounded; raises :class:`InputTooLarge`)."""


class UsageError(Exception):
    """argparse (or a handler) found the command line malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^the following arguments are required: (?P<args>.+)$"), "cmd.argparse.required"),
    (re.compile(r"^unrecognized arguments: (?P<args>.+)$"), "cmd.argparse.unrecognized"),
    (re.compile(r"^argument (?P<name>\S+): invalid choice: (?P<value>.+?) \(choose from "
                r"(?P<choices>.+)\)$"),
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

    def __init__(self, flag: str, description: str, data: Any = None) -> None:
        super().__init__(description)
        self.flag = flag
        self.description = description
        self.data = data
        """The preview for ``--json`` (a bulk action's per-number decisions)."""


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

        def add_usage(
            self, usage: Any, actions: Any, groups: Any, prefix: str | None = None
        ) -> None:
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
    words: str = ""
    """``"text"``: free text, takes the words up to the next option; ``"number"``: a phone
    number, its groups are joined (``030 123456101``); see :mod:`ssh_server.command_words`."""
    secret: bool = False
    """A code or PIN: masked in the command line a recording keeps (R24)."""


def record_id(value: str) -> int:
    """The type of an ``ID`` argument (a request, an order, a scheduled reset): 1, 2, 3, ...

    Its refusal is the message argparse shows, so it names the value and what is meant,
    never the function (argparse's own "invalid _id value: '0'" did)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: 1, 2, 3, ...")
    return int(text)


def arg(*names: str, help: str, words: str = "", secret: bool = False, **options: Any) -> Arg:
    return Arg(names, help, options, words, secret)


ActingHook = Callable[[Actor], None]
"""Told the actor a command acts as, once it is known (support: the customer ``--customer``
opened), so that the session's R24 recording is listed in that customer's Archiv."""


@dataclass
class Context:
    """What a handler works with: the core, the (possibly support-opened) actor, the locale."""

    core: Core
    actor: Actor
    locale: str
    stdin: StdinReader | None = None
    """The command's standard input, read only by commands that take a file."""

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
        """A write; when it needs an R20 step-up code and none was given (``--code``), the
        code is sent and the command ends refused (exit 4) naming the masked mobile."""
        try:
            return await self.core.run(fn, self.actor, *args, **kwargs)
        except stepup.StepUpRequired as needed:
            sent = await self.core.run(stepup.request, self.actor, action=needed.action,
                                       object_id=needed.object_id)
            raise RuleViolation("R20", "stepup.sent", mobile=sent.masked_mobile) from None

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
    own_reason: bool = False
    """``--reason`` is this command's own text (R25: why an account is locked), not the
    support ticket, so other roles may give it too."""


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
        f"{label + ':':<{width}} {clean(value)}"
        for label, (_, value) in zip(labels, pairs, strict=True)
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


VIEW_MODE_LABELS: Mapping[str, str] = {"admin": "ui.view_mode.admin", "user": "ui.view_mode.user"}
NUMBER_KIND_LABELS: Mapping[str, str] = KIND_LABELS
NUMBER_STATUS_LABELS: Mapping[str, str] = STATUS_LABELS
"""The TUI's labels (``core.enums``), so both say the same."""
