"""``linedesk`` command line: serve, local TUI, and operator tasks (users, keys, customers,
demo data, migrations, outbox). Operator commands act directly on the database and are
meant for a shell on the server, never exposed over SSH.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from core import migrate
from core.config import ConfigError, Settings
from core.errors import DatabaseUnavailable, DomainError
from core.runtime import Core, UnitOfWork
from tui.sanitize import clean

T = TypeVar("T")


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _run(settings: Settings, fn: Callable[[UnitOfWork], Awaitable[T]], *,
         prepare: bool = True) -> T:
    """Run one operator task in one unit of work, on a migrated database (``prepare``: it
    is migrated first; without, the task only reads what is there)."""

    async def in_uow(core: Core) -> T:
        async with core.uow(readonly=not prepare) as uow:
            return await fn(uow)

    return _run_core(settings, in_uow, prepare=prepare)


def _run_core(settings: Settings, fn: Callable[[Core], Awaitable[T]], *,
              prepare: bool = True) -> T:
    if not prepare and settings.database_url is None and not (
            settings.data_dir / "linedesk.db").exists():
        click.echo(f"linedesk: no database in {settings.data_dir.resolve()} (--data-dir, "
                   "LINEDESK_DATA_DIR or --database-url)", err=True)
        sys.exit(1)

    async def main() -> T:
        core = Core(settings)
        try:
            if prepare:
                await migrate.prepare(core)
            return await fn(core)
        finally:
            await core.close()

    try:
        return asyncio.run(main())
    except DatabaseUnavailable:  # a read (status) or a write that found it down
        click.echo("linedesk: cannot reach the database: it does not answer", err=True)
        sys.exit(1)
    except DomainError as exc:
        click.echo(f"linedesk: {exc.render('en')}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        from ssh_server.preflight import database_problem

        if (problem := database_problem(exc)) is None:
            raise
        click.echo(f"linedesk: {problem}", err=True)  # ``status`` from another machine
        sys.exit(1)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, default=_json_default, ensure_ascii=False, indent=2))


def _print_views(views: Sequence[Any], as_json: bool, line: Callable[[Any], str],
                 header: str | None = None) -> None:
    """A listing of views (dataclasses): with ``--json`` as JSON objects, else ``header`` (if
    any) and one ``line`` per view, escaped like every terminal text (names, lock reasons
    and delivery errors are data: one stored before input was checked, or by another system,
    must not retitle the operator's terminal)."""
    if as_json:
        _print_json([asdict(v) for v in views])
        return
    if header is not None:
        click.echo(header)
    for v in views:
        click.echo(clean(line(v)))


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Data directory (LINEDESK_DATA_DIR, default ./data).")
@click.option("--database-url", default=None, help="SQLAlchemy URL (LINEDESK_DATABASE_URL).")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, database_url: str | None) -> None:
    """linedesk – business telephony self-service portal over SSH."""
    ctx.ensure_object(dict)
    try:
        ctx.obj["settings"] = Settings.from_env(data_dir=data_dir, database_url=database_url)
    except ConfigError as exc:
        click.echo(f"linedesk: {exc}", err=True)
        sys.exit(2)


@main.command()
@click.option("--host", default=None, help="Listen address (LINEDESK_HOST, default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Listen port (LINEDESK_PORT, default 2222).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--demo", is_flag=True, help="Load the demo data if the database is empty.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Worker processes sharing the port (LINEDESK_WORKERS; default 0: one "
                   "per CPU; 1: a single process).")
@click.option("--idle-timeout", type=int, default=None, help="Seconds (LINEDESK_IDLE_TIMEOUT).")
@click.option("--max-sessions-per-user", type=int, default=None)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, data_dir: Path | None,
          demo: bool, workers: int | None, idle_timeout: int | None,
          max_sessions_per_user: int | None) -> None:
    """Start the SSH server (migrates the database and creates the host key on first start)."""
    settings = _settings(ctx).with_(
        host=host, port=port, data_dir=data_dir, workers=workers, idle_timeout=idle_timeout,
        max_sessions_per_user=max_sessions_per_user,
    )
    if demo:  # R31: the simulated carrier's test switch belongs to the demo
        settings = settings.with_(carrier_test_switch=True)
    if settings.workers == 0 and settings.port == 0:
        # port 0 (any free port) cannot be shared: workers need one fixed port
        settings = settings.with_(workers=1)
    from ssh_server.server import run_forever

    run_forever(settings, demo=demo)


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--demo", is_flag=True, help="Load the demo data if the database is empty.")
@click.pass_context
def tui(ctx: click.Context, data_dir: Path | None, demo: bool) -> None:
    """Run the portal in this terminal, with a login screen."""
    settings = _settings(ctx).with_(data_dir=data_dir)
    if demo:  # R31: the simulated carrier's test switch belongs to the demo
        settings = settings.with_(carrier_test_switch=True)
    from tui.local import run_local

    run_local(settings, demo=demo)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply all migrations (and load reference data)."""

    async def noop(_core: Core) -> None:
        return None

    _run_core(_settings(ctx), noop)
    click.echo("database is up to date")


@main.group()
def demo() -> None:
    """Demo data (SPEC §7)."""


@demo.command("seed")
@click.pass_context
def demo_seed(ctx: click.Context) -> None:
    """Load the demo customers, accounts, contracts and numbers into an empty database."""
    from core.demo import seed_demo

    if _run(_settings(ctx), seed_demo):
        click.echo("demo data loaded (admin/admin-demo, mia/mia-demo, tom/tom-demo, "
                   "beispiel/beispiel-demo, support/support-demo)")
    else:
        click.echo("database is not empty: demo data not loaded", err=True)
        sys.exit(1)


@main.group()
def customers() -> None:
    """Customers and customer numbers."""


@customers.command("add")
@click.argument("name")
@click.option("--number", "numbers", multiple=True, required=True, help="Customer number (7 "
                                                                        "digits).")
@click.option("--street", default="")
@click.option("--postal-code", default="")
@click.option("--city", default="")
@click.pass_context
def customers_add(ctx: click.Context, name: str, numbers: tuple[str, ...], street: str,
                  postal_code: str, city: str) -> None:
    """Create a customer with one or more customer numbers."""
    from core.services import operators

    view = _run(_settings(ctx), lambda uow: operators.add_customer(
        uow, name=name, customer_numbers=list(numbers), street=street,
        postal_code=postal_code, city=city))
    click.echo(f"customer {view.id} {view.name} ({', '.join(view.customer_numbers)})")


@customers.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def customers_list(ctx: click.Context, as_json: bool) -> None:
    """List customers."""
    from core.services import operators

    views = _run(_settings(ctx), operators.list_customers)
    _print_views(views, as_json,
                 lambda v: f"{v.id:>4}  {v.name:<30} {', '.join(v.customer_numbers)}")


@main.group()
def users() -> None:
    """Accounts and their SSH keys."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "employee", "support"]), required=True)
@click.option("--customer", "customer_number", default=None, help="Customer number.")
@click.option("--name", "full_name", default="")
@click.option("--email", default=None)
@click.option("--mobile", default=None)
@click.option("--locale", type=click.Choice(["de", "en"]), default="de")
@click.option("--password", default=None, help="Initial password (prompted if --prompt-password).")
@click.option("--prompt-password", is_flag=True)
@click.pass_context
def users_add(ctx: click.Context, username: str, role: str, customer_number: str | None,
              full_name: str, email: str | None, mobile: str | None, locale: str,
              password: str | None, prompt_password: bool) -> None:
    """Create an account (without a password it can log in by SSH key only)."""
    from core.services import operators

    if prompt_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    view = _run(_settings(ctx), lambda uow: operators.add_account(
        uow, username=username, role=role, customer_number=customer_number, password=password,
        full_name=full_name, email=email, mobile=mobile, locale=locale))
    click.echo(f"account {view.username} ({view.role}) created")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List accounts."""
    from core.services import operators

    views = _run(_settings(ctx), operators.list_accounts)
    _print_views(
        views, as_json,
        lambda v: f"{v.username:<14} {v.role:<9} {(v.customer_name or '-'):<16} "
                  f"{v.full_name[:20]:<20} {v.key_count:>4} {'yes' if v.active else 'no':<6} "
                  f"{_lock_cell(v)}".rstrip(),
        header=f"{'USERNAME':<14} {'ROLE':<9} {'CUSTOMER':<16} {'NAME':<20} {'KEYS':>4} ACTIVE "
               "LOCKED")


def _lock_cell(view: Any) -> str:
    """R25: an operator who locked an account sees it (and why) in ``users list``."""
    if not view.locked:
        return ""
    return f"yes ({(view.lock_reason or '')[:60]})"


@users.command("set-password")
@click.argument("username")
@click.option("--password", default=None, help="New password (prompted when omitted).")
@click.pass_context
def users_set_password(ctx: click.Context, username: str, password: str | None) -> None:
    """Set an account's password."""
    from core.services import operators

    if password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    _run(
        _settings(ctx),
        lambda uow: operators.set_password(uow, username=username, password=password),
    )
    click.echo(f"password of {username} set")


@users.command("add-key")
@click.argument("username")
@click.argument("public_key_file", type=click.File("r"))
@click.pass_context
def users_add_key(ctx: click.Context, username: str, public_key_file: Any) -> None:
    """Add an OpenSSH public key (file, or - for stdin)."""
    from core.services import operators

    line = public_key_file.read().strip()
    view = _run(
        _settings(ctx), lambda uow: operators.add_key(uow, username=username, public_key=line)
    )
    click.echo(f"key {view.fingerprint} added to {username}")


@users.command("keys")
@click.argument("username")
@click.pass_context
def users_keys(ctx: click.Context, username: str) -> None:
    """List an account's SSH keys."""
    from core.services import operators

    for v in _run(_settings(ctx), lambda uow: operators.list_keys(uow, username=username)):
        click.echo(f"{v.fingerprint}  {v.key_type}  {v.comment}")


@users.command("remove-key")
@click.argument("username")
@click.argument("fingerprint")
@click.pass_context
def users_remove_key(ctx: click.Context, username: str, fingerprint: str) -> None:
    """Remove an SSH key by its SHA256 fingerprint."""
    from core.services import operators

    _run(
        _settings(ctx),
        lambda uow: operators.remove_key(uow, username=username, fingerprint=fingerprint),
    )
    click.echo(f"key {fingerprint} removed from {username}")


def _operator_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


@users.command("lock")
@click.argument("username")
@click.option("--reason", required=True, help="Why (shown to the user, in the Archiv).")
@click.pass_context
def users_lock(ctx: click.Context, username: str, reason: str) -> None:
    """Lock an account (R25): its sessions and commands end on every node within 2 s, new
    sign-ins are refused with the reason."""
    from core.services import locks

    view = _run(_settings(ctx), lambda uow: locks.operator_lock(
        uow, username=username, reason=reason, operator=_operator_name()))
    click.echo(f"account {view.username} locked")


@users.command("unlock")
@click.argument("username")
@click.pass_context
def users_unlock(ctx: click.Context, username: str) -> None:
    """Unlock a locked account."""
    from core.services import locks

    view = _run(_settings(ctx), lambda uow: locks.operator_unlock(
        uow, username=username, operator=_operator_name()))
    click.echo(f"account {view.username} unlocked")


@main.group()
def areas() -> None:
    """Local areas (R16)."""


@areas.command("note")
@click.argument("customer_number")
@click.argument("area")
@click.argument("note")
@click.pass_context
def areas_note(ctx: click.Context, customer_number: str, area: str, note: str) -> None:
    """Approve more than 100 numbers of a customer in a verified AREA with NOTE ("" withdraws)."""
    from core.services import operators

    text = _run(_settings(ctx), lambda uow: operators.set_area_note(
        uow, customer_number=customer_number, area=area, note=note))
    if text:
        click.echo(f"operator note for area {area.strip()} of customer {customer_number.strip()} "
                   "set")
    else:
        click.echo(f"operator note for area {area.strip()} of customer {customer_number.strip()} "
                   "removed")


@main.group()
def outbox() -> None:
    """E-mails, SMS and letters waiting for delivery."""


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "dead"]), default=None)
@click.option("--limit", type=int, default=100)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def outbox_list(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """Show outbox messages (recipients masked, contents never shown)."""
    from core import outbox as ob
    from core.models import OutboxStatus

    async def fn(core: Core) -> list[ob.OutboxView]:
        return await ob.list_messages(core.db, status=OutboxStatus(status) if status else None,
                                      limit=limit)

    views = _run_core(_settings(ctx), fn)
    _print_views(
        views, as_json,
        lambda v: f"{v.id:>5} {v.kind:<6} {v.status:<8} {v.attempts:>5} {v.recipient:<24} "
                  f"{(v.last_error or '')[:60]}",
        header=f"{'ID':>5} {'KIND':<6} {'STATUS':<8} {'TRIES':>5} {'TO':<24} ERROR")


@outbox.command("dispatch")
@click.option("--retry-dead", is_flag=True, help="Requeue dead-lettered messages first.")
@click.pass_context
def outbox_dispatch(ctx: click.Context, retry_dead: bool) -> None:
    """Deliver everything that is due now."""
    from core import outbox as ob

    async def fn(core: Core) -> tuple[int, int]:
        requeued = await ob.retry_dead(core.db, core.clock) if retry_dead else 0
        return requeued, await core.dispatcher.dispatch_once(limit=10_000)

    requeued, delivered = _run_core(_settings(ctx), fn)
    if retry_dead:
        click.echo(f"{requeued} dead message(s) requeued")
    click.echo(f"{delivered} message(s) delivered")


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Nodes, their workers and sessions (from their heartbeats), and the outbox backlog."""
    from core.services import nodes

    async def read(uow: UnitOfWork) -> tuple[list[nodes.WorkerState], nodes.Backlog]:
        return await nodes.cluster(uow), await nodes.outbox_backlog(uow)

    # read only: no migration (a newer linedesk's status must not migrate the database
    # of older nodes during a rolling upgrade) and no new ./data database when run elsewhere
    workers, backlog = _run(_settings(ctx), read, prepare=False)
    if as_json:
        _print_json({"workers": [asdict(w) for w in workers], "outbox": asdict(backlog)})
        return
    if not workers:
        click.echo("no node has sent a heartbeat (is linedesk serve running on this database?)")
    by_node: dict[str, list[nodes.WorkerState]] = {}
    for worker in workers:
        by_node.setdefault(worker.node, []).append(worker)
    for node, procs in by_node.items():
        live = [w for w in procs if not w.stale]
        state = ("not answering" if not live
                 else "accepting" if any(w.accepting for w in live) else "draining")
        click.echo(f"node {node}: {len(live)} worker(s), "
                   f"{sum(w.sessions for w in live)} session(s), "
                   f"{sum(w.connections for w in live)} connection(s), {state}")
        for w in procs:
            note = " NOT ANSWERING" if w.stale else ("" if w.accepting else " draining")
            click.echo(f"  worker {w.worker} pid {w.pid}: {w.sessions} session(s), "
                       f"{w.connections} connection(s), last heartbeat "
                       f"{w.beat_at:%Y-%m-%d %H:%M:%S %Z}{note}")
    oldest = (f", oldest due since {backlog.oldest_pending:%Y-%m-%d %H:%M:%S}"
              if backlog.oldest_pending is not None else "")
    click.echo(f"outbox: {backlog.pending} pending, {backlog.dead} dead{oldest}")


if __name__ == "__main__":
    main()
