"""Command mode: ``ssh -p 2222 USER@HOST COMMAND ...`` runs one command for scripts.

The same core services and permissions as the TUI; this module only parses, calls and
prints. Commands are a declarative table (:data:`COMMANDS`): a path, a help key, the
arguments and an async handler returning an :class:`Output` (human text + JSON data).

Exit codes (SPEC §5): 0 ok, 2 usage (also core ``ValidationError`` and a destructive
command without its confirmation flag), 3 permission denied, 4 refused by a domain rule,
5 filed as an R21 approval request (not run yet; ``approvals``).
Errors are one line on stderr, in the user's language, free of control characters.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import shlex
from collections.abc import Sequence
from typing import Any

from core.authz import Actor
from core.errors import DomainError, PermissionDenied
from core.i18n import normalize_locale, t
from core.models import Product, Role
from core.runtime import Core
from core.services import support as support_service
from ssh_server.command_approvals import (
    ALL,
    COMMENT,
    POLICY_STATE,
    REQUEST_ID,
    cmd_approvals_approve,
    cmd_approvals_list,
    cmd_approvals_policy,
    cmd_approvals_reject,
)
from ssh_server.command_framework import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    HELP_WIDTH,
    PROG,
    ActingHook,
    Arg,
    Command,
    CommandParser,
    CommandResult,
    Context,
    HelpShown,
    NeedsConfirmation,
    Output,
    StdinReader,
    UsageError,
    _formatter_for,
    _localize,
    arg,
    dump_json,
    one_line,
    record_id,
    translate_usage,
)
from ssh_server.command_handlers import (
    _count,
    _yes,
    cmd_areas_list,
    cmd_areas_request_pin,
    cmd_areas_verify,
    cmd_contracts_list,
    cmd_credentials_cancel,
    cmd_credentials_generate,
    cmd_credentials_scheduled,
    cmd_customers_search,
    cmd_deadlines_list,
    cmd_fax_send,
    cmd_numbers_activate_many,
    cmd_numbers_assign_many,
    cmd_numbers_deactivate_many,
    cmd_numbers_export,
    cmd_numbers_import,
    cmd_numbers_list,
    cmd_numbers_order,
    cmd_numbers_set_location,
    cmd_numbers_swap,
    cmd_numbers_undo_many,
    cmd_stepup,
    cmd_whoami,
)
from ssh_server.command_locks import USER, cmd_users_lock, cmd_users_unlock
from ssh_server.command_porting import (
    ORDER_ID,
    SCENARIO,
    TEXT,
    WISHED_DATE,
    cmd_porting_cancel,
    cmd_porting_comment,
    cmd_porting_create,
    cmd_porting_list,
    cmd_porting_show,
)
from ssh_server.command_words import regroup, split_words, takes_value
from ssh_server.logs import escape_controls, redact_command
from tui.sanitize import clean

log = logging.getLogger(__name__)

NUMBER = arg("number", help="cmd.arg.number", metavar="NUMBER", words="number")
NUMBERS = arg("numbers", help="cmd.arg.numbers", metavar="NUMBER", nargs="+", words="number")
"""R27: one number (the single command) or several (a bulk action)."""
AREA = arg("area", help="cmd.arg.area", metavar="AREA")
CODE = arg("--code", help="cmd.arg.code", metavar="NNNNNN", secret=True)
"""R20: the step-up code from the SMS (a call without it sends one and exits 4)."""

COMMANDS: tuple[Command, ...] = (
    Command(("whoami",), "cmd.help.whoami", cmd_whoami, needs_customer=False),
    Command(
        ("customers", "search"),
        "cmd.help.customers_search",
        cmd_customers_search,
        (arg("query", help="cmd.arg.query", metavar="QUERY", words="text"),),
        needs_customer=False,
    ),
    Command(
        ("contracts", "list"),
        "cmd.help.contracts_list",
        cmd_contracts_list,
        (
            arg("--customer-number", help="cmd.arg.customer_number", metavar="NUMBER"),
            arg("--product", help="cmd.arg.product", choices=sorted(p.value for p in Product)),
            arg("--query", help="cmd.arg.filter", metavar="TEXT", words="text"),
        ),
    ),
    Command(
        ("credentials", "generate"),
        "cmd.help.credentials_generate",
        cmd_credentials_generate,
        (
            arg("contract", help="cmd.arg.contract", metavar="CONTRACT"),
            _yes("--consent"),
            arg("--at", help="cmd.arg.at", metavar="ISO"),
            CODE,
        ),
    ),
    Command(
        ("credentials", "scheduled"), "cmd.help.credentials_scheduled", cmd_credentials_scheduled
    ),
    Command(
        ("credentials", "cancel"),
        "cmd.help.credentials_cancel",
        cmd_credentials_cancel,
        (arg("id", help="cmd.arg.reset_id", metavar="ID", type=record_id),),
    ),
    Command(
        ("stepup",),
        "cmd.help.stepup",
        cmd_stepup,
        (
            arg("state", help="cmd.arg.stepup_state", choices=["status", "on", "off"]),
            CODE,
        ),
    ),
    Command(
        ("numbers", "list"),
        "cmd.help.numbers_list",
        cmd_numbers_list,
        (
            arg("--status", help="cmd.arg.status", metavar="STATUS"),
            arg("--query", help="cmd.arg.filter", metavar="TEXT", words="text"),
        ),
    ),
    Command(
        ("numbers", "activate"),
        "cmd.help.numbers_activate",
        cmd_numbers_activate_many,
        (NUMBERS, _yes()),
    ),
    Command(
        ("numbers", "deactivate"),
        "cmd.help.numbers_deactivate",
        cmd_numbers_deactivate_many,
        (NUMBERS, _yes()),
    ),
    Command(
        ("numbers", "undo-deactivation"),
        "cmd.help.numbers_undo",
        cmd_numbers_undo_many,
        (NUMBERS, _yes()),
    ),
    Command(
        ("numbers", "swap"),
        "cmd.help.numbers_swap",
        cmd_numbers_swap,
        (
            arg("old", help="cmd.arg.old", metavar="OLD", words="number"),
            arg("new", help="cmd.arg.new", metavar="NEW", words="number"),
            _yes(),
            CODE,
        ),
    ),
    Command(
        ("numbers", "assign"),
        "cmd.help.numbers_assign",
        cmd_numbers_assign_many,
        (
            NUMBERS,
            arg("user", help="cmd.arg.user", metavar="USER"),
            arg("--delete-traffic-data", help="cmd.arg.delete_traffic_data", action="store_true"),
            _yes(),
            CODE,
        ),
    ),
    Command(
        ("numbers", "set-location"),
        "cmd.help.numbers_set_location",
        cmd_numbers_set_location,
        (
            NUMBER,
            arg("--street", help="cmd.arg.street", required=True, metavar="STREET", words="text"),
            arg("--house-number", help="cmd.arg.house_number", required=True, metavar="NO",
                words="text"),
            arg("--postcode", help="cmd.arg.postcode", required=True, metavar="NNNNN"),
            arg("--city", help="cmd.arg.city", required=True, metavar="CITY", words="text"),
        ),
    ),
    Command(
        ("numbers", "export"),
        "cmd.help.numbers_export",
        cmd_numbers_export,
        (arg("--csv", help="cmd.arg.csv", action="store_true"),),
    ),
    Command(
        ("numbers", "import-assignments"),
        "cmd.help.numbers_import",
        cmd_numbers_import,
        (arg("--dry-run", help="cmd.arg.dry_run", action="store_true"),),
    ),
    Command(
        ("numbers", "order"),
        "cmd.help.numbers_order",
        cmd_numbers_order,
        (
            AREA,
            arg("--count", help="cmd.arg.count", type=_count, metavar="N"),
            arg("--block", help="cmd.arg.block", type=_count, metavar="10|100"),
            arg("--contract", help="cmd.arg.block_contract", metavar="CONTRACT"),
            _yes(),
        ),
    ),
    Command(
        ("fax", "send-credentials"),
        "cmd.help.fax_send",
        cmd_fax_send,
        (
            NUMBER,
            arg("users", help="cmd.arg.users", nargs="+", metavar="USER"),
        ),
    ),
    Command(("areas", "list"), "cmd.help.areas_list", cmd_areas_list),
    Command(
        ("areas", "request-pin"),
        "cmd.help.areas_request_pin",
        cmd_areas_request_pin,
        (
            AREA,
            arg(
                "--address", help="cmd.arg.address", required=True, metavar="ADDRESS", words="text"
            ),
        ),
    ),
    Command(
        ("areas", "verify"),
        "cmd.help.areas_verify",
        cmd_areas_verify,
        (
            AREA,
            arg("pin", help="cmd.arg.pin", metavar="PIN", secret=True),
        ),
    ),
    Command(
        ("porting", "create"),
        "cmd.help.porting_create",
        cmd_porting_create,
        (
            AREA,
            arg(
                "--number",
                help="cmd.arg.porting_number",
                action="append",
                required=True,
                dest="numbers",
                metavar="NUMBER",
                words="number",
            ),
            arg(
                "--old-provider",
                help="cmd.arg.old_provider",
                required=True,
                metavar="NAME",
                words="text",
            ),
            arg(
                "--account-holder",
                help="cmd.arg.account_holder",
                required=True,
                metavar="NAME",
                words="text",
            ),
            WISHED_DATE,
            SCENARIO,
        ),
    ),
    Command(("porting", "list"), "cmd.help.porting_list", cmd_porting_list),
    Command(("porting", "show"), "cmd.help.porting_show", cmd_porting_show, (ORDER_ID,)),
    Command(("porting", "cancel"), "cmd.help.porting_cancel", cmd_porting_cancel, (ORDER_ID,)),
    Command(("porting", "comment"), "cmd.help.porting_comment", cmd_porting_comment,
            (ORDER_ID, TEXT)),
    Command(("deadlines", "list"), "cmd.help.deadlines_list", cmd_deadlines_list),
    Command(("users", "lock"), "cmd.help.users_lock", cmd_users_lock, (USER,), own_reason=True),
    Command(("users", "unlock"), "cmd.help.users_unlock", cmd_users_unlock, (USER,)),
    Command(("approvals", "list"), "cmd.help.approvals.list", cmd_approvals_list, (ALL,)),
    Command(
        ("approvals", "approve"),
        "cmd.help.approvals.approve",
        cmd_approvals_approve,
        (REQUEST_ID, CODE),
    ),
    Command(
        ("approvals", "reject"),
        "cmd.help.approvals.reject",
        cmd_approvals_reject,
        (REQUEST_ID, COMMENT),
    ),
    Command(
        ("approvals", "policy"),
        "cmd.help.approvals.policy",
        cmd_approvals_policy,
        (POLICY_STATE,),
    ),
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
        prog=PROG,
        description=t(locale, "cmd.help.main"),
        formatter_class=formatter,
        parents=[_common_options(locale, top=True)],
        allow_abbrev=False,
        usage=" ".join(("%(prog)s COMMAND [ACTION] ...", *COMMON_USAGE)),
        epilog=t(locale, "cmd.help.epilog"),
    )
    _localize(parser, locale)
    top = parser.add_subparsers(dest="_group", metavar="COMMAND", required=True, prog=PROG)
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
                groups[group] = group_parser.add_subparsers(
                    dest="_action", metavar="ACTION", required=True, prog=f"{PROG} {group}"
                )
            holder = groups[group]
        help_text = t(locale, cmd.help)
        leaf = holder.add_parser(
            cmd.path[-1], help=help_text, description=help_text, parents=[common],
            formatter_class=formatter, allow_abbrev=False, usage=_usage(cmd),
        )
        _localize(leaf, locale)
        for a in cmd.args:
            leaf.add_argument(*a.names, help=t(locale, a.help), **dict(a.options))
        leaf.set_defaults(_command=cmd)
    return parser


COMMON_USAGE = ("[--json]", "[--customer NUMBER]", "[--reason TEXT]")


def _usage(cmd: Command) -> str:
    """The command words first, then its arguments, then options: the order that survives
    OpenSSH (argparse would print the options first)."""
    parts: list[str] = []
    for a in cmd.args:
        if a.names[0].startswith("-"):
            continue
        meta = str(a.options.get("metavar", a.names[0]))
        parts.append(f"{meta} [{meta} ...]" if a.options.get("nargs") == "+" else meta)
    for a in cmd.args:
        if not a.names[0].startswith("-"):
            continue
        word = a.names[0]
        if takes_value(a):
            choices = a.options.get("choices")
            meta = "{" + ",".join(choices) + "}" if choices else a.options.get("metavar", "VALUE")
            word = f"{word} {meta}"
        parts.append(word if a.options.get("required") else f"[{word}]")
    prog = " ".join((PROG, *cmd.path))
    lines = [prog]
    for part in [*parts, *COMMON_USAGE]:
        if len(lines[-1]) + 1 + len(part) > HELP_WIDTH - 8 and lines[-1].strip():
            lines.append(" " * len(prog))
        lines[-1] += " " + part
    return "\n".join(lines)


@functools.cache
def _parser(locale: str) -> CommandParser:
    """Built once per language (about 10 ms of CPU on the shared event loop otherwise);
    parsing never changes a parser, so sessions can share it safely."""
    return build_parser(locale)


# ---------------------------------------------------------------------------- execution


def _error(code: int, message: str, *, as_json: bool, key: str | None = None,
           rule: str | None = None) -> CommandResult:
    line = one_line(message)
    if as_json:
        line = json.dumps({"error": key or "", "message": line, "exit_code": code, "rule": rule},
                          ensure_ascii=True)
    return CommandResult(code, "", line + "\n")


def _render(text: str) -> str:
    body = clean(text, keep_newlines=True)
    return body if body.endswith("\n") or not body else body + "\n"


MASK = "***"
MAX_RECORDED_COMMAND = 2000


def recorded_command_line(command: str) -> str:
    """The command line as an R24 recording keeps it: the values of secret arguments (``--code``,
    an area's PIN) masked, control characters escaped. A line that does not parse keeps only
    its command words (like the server log): which word is a secret is then unknown."""
    argv = regroup(split_words(command), COMMANDS)
    try:
        ns = _parser("en").parse_args(argv)
    except (HelpShown, UsageError):
        return escape_controls(redact_command(command))
    cmd: Command = ns._command
    secrets = {str(value) for a in cmd.args if a.secret
               for value in _values(getattr(ns, _dest(a), None))}
    flags = {name for a in cmd.args if a.secret for name in a.names if name.startswith("-")}
    words: list[str] = []
    for word in argv:
        flag, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if eq and (flag in flags or value in secrets):
            words.append(f"{flag}={MASK}")
        elif word in secrets:
            words.append(MASK)
        else:
            words.append(f"{flag}={_quoted(value)}" if eq else _quoted(word))
    return escape_controls(" ".join(words))[:MAX_RECORDED_COMMAND]


def _quoted(word: str) -> str:
    return shlex.quote(word) if any(c.isspace() for c in word) else word


def _dest(a: Arg) -> str:
    dest = a.options.get("dest")
    if dest:
        return str(dest)
    name = next((n for n in a.names if n.startswith("--")), a.names[0])
    return name.lstrip("-").replace("-", "_")


def _values(value: object) -> list[object]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


async def execute(
    core: Core, actor: Actor, command: str, *, stdin: StdinReader | None = None,
    on_acting: ActingHook | None = None,
) -> CommandResult:
    """Run one exec command for ``actor`` and return exit code, stdout and stderr.
    ``stdin`` reads the command's standard input (only commands that take a file call it);
    ``on_acting`` learns the actor the command acts as (R24: whose Archiv lists its
    recording)."""
    locale = actor.locale
    argv = split_words(command)
    if not argv:
        return _error(
            EXIT_USAGE, t(locale, "cmd.error.no_command"), as_json=False, key="cmd.error.no_command"
        )
    if argv[0] == "help":  # "help", "help numbers", "help numbers list"
        argv = [*argv[1:], "--help"]
    argv = regroup(argv, COMMANDS)
    as_json = "--json" in argv
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
        ctx = Context(core, await _acting_actor(core, actor, cmd, ns), locale, stdin)
        if on_acting is not None:
            on_acting(ctx.actor)
        output = await cmd.handler(ctx, ns)
    except UsageError as exc:
        return _error(EXIT_USAGE, exc.message, as_json=as_json, key="cmd.error.usage")
    except NeedsConfirmation as need:
        preview = {} if need.data is None else {"preview": need.data}
        stdout = (
            dump_json(
                {"executed": False, "needs": need.flag, "description": need.description, **preview}
            )
            if as_json
            else need.description
        )
        result = _error(
            EXIT_USAGE,
            t(locale, "cmd.error.needs_confirmation", flag=need.flag),
            as_json=as_json,
            key="cmd.error.needs_confirmation",
        )
        return CommandResult(EXIT_USAGE, _render(stdout), result.stderr)
    except DomainError as error:
        return _error(
            error.exit_code, error.render(locale), as_json=as_json, key=error.key, rule=error.rule
        )
    except Exception:
        log.exception("command failed: %s", cmd.path)
        return _error(
            EXIT_INTERNAL,
            t(locale, "cmd.error.internal"),
            as_json=as_json,
            key="cmd.error.internal",
        )
    if output.raw and not as_json:
        return CommandResult(output.exit_code, output.text, _stderr_line(output))
    stdout = dump_json(output.data) if as_json else output.text
    return CommandResult(output.exit_code, _render(stdout), _stderr_line(output))


def _stderr_line(output: Output) -> str:
    return one_line(output.stderr) + "\n" if output.stderr else ""


async def _acting_actor(core: Core, actor: Actor, cmd: Command, ns: argparse.Namespace) -> Actor:
    """Support names the customer per command (``--customer``); opening it is audited in
    that customer's log. Other roles act for their own customer only."""
    if actor.role is not Role.SUPPORT:
        if ns.customer is not None or (ns.reason is not None and not cmd.own_reason):
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

