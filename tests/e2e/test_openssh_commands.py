"""Command mode driven by the real OpenSSH client, the way scripts and cron jobs call it.

Every call runs ``ssh`` as a subprocess with a timeout, so a command that hangs fails the
test instead of hanging CI. Authentication is by key: each demo account gets its own
ed25519 key, picked by the client config's ``IdentityFile .../%r`` (the remote user).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.models import AuditEvent
from core.services import operators
from tests.e2e.harness import RunningServer, running_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.openssh,
    pytest.mark.skipif(
        not (shutil.which("ssh") and shutil.which("ssh-keygen")),
        reason="needs openssh-client (.ci/run installs it)",
    ),
]

README = Path(__file__).resolve().parents[2] / "README.md"
TIMEOUT = 30.0
"""Seconds one ``ssh`` call may take; a hang fails the test."""
USERS = ("admin", "mia", "tom", "beispiel", "beispiel2", "support")


@dataclass
class Done:
    """One finished ``ssh`` call."""

    code: int
    out: str
    err: str


@dataclass
class Client:
    """The demo server and an OpenSSH client config that logs in by key."""

    srv: RunningServer
    config: Path

    @property
    def port(self) -> int:
        return self.srv.port

    def argv(self, user: str, *words: str, options: tuple[str, ...] = ()) -> list[str]:
        return ["ssh", "-F", str(self.config), *options, "-p", str(self.port),
                f"{user}@127.0.0.1", *words]


async def run(argv: list[str], *, stdin: bytes | None = None, devnull: bool = False,
              shell: bool = False) -> Done:
    """Run the client; ``stdin`` is piped in (then closed), ``devnull`` is ``< /dev/null``;
    neither: the client's stdin is an open pipe that is never written (as with cron)."""
    stdin_arg = asyncio.subprocess.DEVNULL if devnull else asyncio.subprocess.PIPE
    if shell:
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", argv[0], stdin=stdin_arg,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    else:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=stdin_arg, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    try:
        if stdin is not None:
            out, err = await asyncio.wait_for(proc.communicate(stdin), TIMEOUT)
        elif devnull:
            out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
        else:
            assert proc.stdout is not None and proc.stderr is not None
            out, err = await asyncio.wait_for(
                asyncio.gather(proc.stdout.read(), proc.stderr.read()), TIMEOUT
            )
            await asyncio.wait_for(proc.wait(), TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise AssertionError(f"ssh did not finish within {TIMEOUT}s: {argv}") from None
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
    assert proc.returncode is not None
    return Done(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


async def _keygen(path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0


@contextlib.asynccontextmanager
async def openssh_client(tmp_path: Path, db_templates: dict[str, Path]) -> AsyncIterator[Client]:
    async with running_server(tmp_path, templates=db_templates) as srv:
        keys = tmp_path / "keys"
        keys.mkdir()
        for user in USERS:
            await _keygen(keys / user)
            async with srv.core.uow() as uow:
                await operators.add_key(uow, username=user,
                                        public_key=(keys / f"{user}.pub").read_text())
        config = tmp_path / "ssh_config"
        config.write_text("\n".join([
            "Host *",
            "  StrictHostKeyChecking no",
            "  UserKnownHostsFile /dev/null",
            "  LogLevel ERROR",
            "  BatchMode yes",
            "  IdentityAgent none",
            f"  IdentityFile {keys}/%r",
            "  IdentitiesOnly yes",
            "  PreferredAuthentications publickey",
        ]) + "\n")
        os.chmod(config, 0o600)
        yield Client(srv, config)


@pytest.fixture
async def client(tmp_path: Path, db_templates: dict[str, Path]) -> AsyncIterator[Client]:
    async with openssh_client(tmp_path, db_templates) as c:
        yield c


# ---------------------------------------------------------------------- stdin not a terminal


async def test_command_mode_with_ssh_n_ends_with_its_exit_status(client: Client) -> None:
    done = await run(client.argv("admin", "whoami", options=("-n",)))
    assert (done.code, done.err) == (0, ""), done
    assert "Muster GmbH" in done.out and "admin" in done.out

    done = await run(client.argv("admin", "frobnicate", options=("-n",)))
    assert done.code == 2 and done.out == ""
    assert done.err.count("\n") == 1 and "frobnicate" in done.err


async def test_command_mode_with_stdin_from_dev_null(client: Client) -> None:
    done = await run(client.argv("admin", "numbers", "list", "--json"), devnull=True)
    assert (done.code, done.err) == (0, ""), done
    rows = json.loads(done.out)
    assert len(rows) >= 12 and all(r["number"].startswith("+49") for r in rows)


async def test_command_mode_with_piped_stdin(client: Client) -> None:
    done = await run(client.argv("admin", "whoami"), stdin=b"\n")  # echo | ssh ... whoami
    assert (done.code, done.err) == (0, ""), done
    assert "Muster GmbH" in done.out

    done = await run(client.argv("tom", "whoami"), stdin=b"")  # stdin closed at once
    assert done.code == 0 and "tom" in done.out


async def test_command_mode_with_stdin_open_but_silent(client: Client) -> None:
    """cron/CI: stdin is a pipe nobody writes to; the command must not wait for it."""
    done = await run(client.argv("mia", "numbers", "list", "--json"))
    assert done.code == 0 and json.loads(done.out)


async def test_interactive_session_whose_input_ended_closes(client: Client) -> None:
    """``ssh -tt HOST < /dev/null``: a portal nobody can type into ends (no idle session left
    holding one of the account's session slots)."""
    done = await run(client.argv("mia", options=("-tt",)), devnull=True)
    assert done.code == 0, done
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while client.srv.server.sessions:
        assert loop.time() < deadline, "session still open"
        await asyncio.sleep(0.1)


# ---------------------------------------------------------------------- Archiv entries


async def _audit_count(srv: RunningServer, action: str, user: str) -> int:
    async with srv.core.uow(readonly=True) as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.actor_username == user)
        )
    return int(count or 0)


async def test_command_calls_do_not_flood_the_archiv_with_sign_ins(client: Client) -> None:
    """A cron job calling every minute: one "command access" entry a day, no sign-in each."""
    for _ in range(3):
        done = await run(client.argv("admin", "numbers", "list", "--json", options=("-n",)))
        assert done.code == 0
    assert await _audit_count(client.srv, "session.login", "admin") == 0
    assert await _audit_count(client.srv, "session.command", "admin") == 1
    async with client.srv.core.uow(readonly=True) as uow:
        entry = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "session.command")
        )
    assert entry is not None and entry.source_address == "127.0.0.1"
    assert entry.key_fingerprint and entry.key_fingerprint.startswith("SHA256:")


# ---------------------------------------------------------------------- README, verbatim

_SSH_OPTIONS_WITH_VALUE = set("BbcDEeFIiJLlmOoPpQRSWw")
_EXPECTED_EXIT = re.compile(r"#.*\bexit (\d)\b")


@dataclass
class Example:
    line: int
    text: str
    """As written in the README (continuation lines joined)."""
    expected: int


def readme_examples(text: str) -> list[Example]:
    """Every ``ssh`` line of the README's code blocks that runs a command (lines without a
    command after the host open the TUI and are left to the interactive tests)."""
    examples: list[Example] = []
    in_code = False
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i]
        start = i + 1
        i += 1
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if not in_code or not raw.startswith("ssh "):
            continue
        while raw.rstrip().endswith("\\") and i < len(lines):
            raw = raw.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        if _command_words(raw):
            match = _EXPECTED_EXIT.search(raw)
            examples.append(Example(start, raw, int(match.group(1)) if match else 0))
    return examples


def _command_words(line: str) -> list[str]:
    words = shlex.split(line, comments=True)[1:]
    j = 0
    while j < len(words) and words[j].startswith("-"):
        j += 2 if words[j][-1] in _SSH_OPTIONS_WITH_VALUE and len(words[j]) == 2 else 1
    return [w for w in words[j + 1:] if w != ">" and not w.endswith(".json")]


def as_test_runs_it(example: Example, client: Client) -> str:
    """The only substitutions: the test server's port for ``-p 2222``, ``127.0.0.1`` for
    ``HOST``, and ``-F CONFIG`` (key, no known-hosts file) right after ``ssh``."""
    text = example.text
    assert text.count(" -p 2222 ") == 1, f"README line {example.line}: use -p 2222"
    text = text.replace(" -p 2222 ", f" -p {client.port} ").replace("@HOST ", "@127.0.0.1 ")
    return "ssh -F " + shlex.quote(str(client.config)) + text[len("ssh"):]


async def test_every_readme_command_example_runs_verbatim_with_openssh(
    client: Client, tmp_path: Path
) -> None:
    examples = readme_examples(README.read_text(encoding="utf-8"))
    assert len(examples) >= 25, "the README's command-mode examples were not found"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    for example in examples:
        command = as_test_runs_it(example, client)
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", command, cwd=workdir, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            out_b, err_b = await asyncio.wait_for(proc.communicate(), TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError(f"README line {example.line} hung: {example.text}") from None
        out, err = out_b.decode(), err_b.decode()
        where = f"README line {example.line}: {example.text}\nstdout: {out}\nstderr: {err}"
        assert proc.returncode == example.expected, where
        assert "\x1b" not in out + err, where
        if example.expected:
            assert err.count("\n") == 1, where  # one line on stderr
            continue
        assert err == "", where
        if "> numbers.json" in example.text:
            out = (workdir / "numbers.json").read_text()
        assert out.strip(), where
        if "--json" in example.text:
            json.loads(out)


# ---------------------------------------------------------------------- the grammar via OpenSSH


async def test_free_text_and_spaced_numbers_as_the_shell_passes_them(client: Client) -> None:
    """Each word below is one shell word (the shell removed its quotes); OpenSSH joins them."""
    done = await run(client.argv(
        "admin", "areas", "request-pin", "089", "--address", "Marienplatz 1, 80331 München",
        "--json", options=("-n",),
    ))
    assert done.code == 0, done
    assert json.loads(done.out)["address"] == "Marienplatz 1, 80331 München"
    # quoting that survives OpenSSH ('"…"' in the shell) still works
    done = await run(client.argv(
        "admin", "areas", "request-pin", "040", "--address", '"Jungfernstieg 10, 20354 Hamburg"',
        "--json", options=("-n",),
    ))
    assert done.code == 0, done
    assert json.loads(done.out)["address"] == "Jungfernstieg 10, 20354 Hamburg"
    done = await run(client.argv(
        "admin", "numbers", "activate", "030 123456104", "--yes", "--json", options=("-n",),
    ))
    assert done.code == 0, done
    assert json.loads(done.out)["number"] == "+4930123456104"


async def test_support_options_after_the_command_words(client: Client) -> None:
    done = await run(client.argv(
        "support", "numbers", "activate", "+4930123456105", "--yes", "--customer", "1000001",
        "--reason", "Ticket 4711", options=("-n",),
    ))
    assert done.code == 0, done
    async with client.srv.core.uow(readonly=True) as uow:
        event = await uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "number.activated")
        )
    assert event is not None and event.reason == "Ticket 4711" and event.via_support


async def test_help_and_usage_errors_through_openssh(client: Client) -> None:
    done = await run(client.argv("tom", "help", options=("-n",)))
    assert (done.code, done.err) == (0, "") and "'help COMMAND'" in done.out
    done = await run(client.argv("tom", "numbers", "--help", options=("-n",)))
    assert done.code == 0 and "undo-deactivation" in done.out
    done = await run(client.argv("tom", "help", "numbers", "list", options=("-n",)))
    assert done.code == 0 and done.out.startswith("usage: linedesk numbers list")
    done = await run(client.argv("admin", "areas", "request-pin", "040", "--address",
                                 options=("-n",)))
    assert done.code == 2 and done.out == "" and done.err.count("\n") == 1
    assert "--address" in done.err and "„help“" in done.err


async def test_order_count_outside_1_to_10_is_a_usage_error(client: Client) -> None:
    """`numbers order 089 --count 0` is invalid input: exit 2 and one line on stderr naming the
    allowed range, before the area is even looked at (089 is not verified: that would be 4)."""
    for count in ("0", "-1", "101", "11"):
        done = await run(client.argv("admin", "numbers", "order", "089", "--count", count,
                                     options=("-n",)))
        assert (done.code, done.out) == (2, ""), (count, done)
        assert done.err.count("\n") == 1 and "1 bis 10" in done.err, (count, done)
    done = await run(client.argv("admin", "numbers", "order", "089", "--count", "abc",
                                 options=("-n",)))
    assert (done.code, done.out) == (2, "") and done.err.count("\n") == 1, done
    assert "abc" in done.err and "--count" in done.err, done
