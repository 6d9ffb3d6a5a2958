"""``ssh -t HOST COMMAND`` from a real terminal (OpenSSH in tmux): the client asks for a PTY
and puts its terminal in raw mode, so the server has to do what a terminal's line discipline
would for a command that reads standard input (``numbers import-assignments``): echo, Enter,
backspace, ctrl+d (end of input) and ctrl+c (abort). Before, typed lines were invisible and
neither ctrl+d nor ctrl+c ended the command: the terminal hung until ``~.``."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.services import numbers
from core.services.auth import authenticate_password
from tests.e2e.test_openssh import Tmux
from tests.e2e.test_openssh_commands import Client, openssh_client

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.openssh,
    pytest.mark.skipif(not (shutil.which("ssh") and shutil.which("tmux")),
                       reason="needs openssh-client and tmux (.ci/run installs them)"),
]


@pytest.fixture
async def client(tmp_path: Path, db_templates: dict[str, Path]) -> AsyncIterator[Client]:
    async with openssh_client(tmp_path, db_templates) as c:
        yield c


@pytest.fixture
async def tmux(tmp_path: Path) -> AsyncIterator[Tmux]:
    t = Tmux(tmp_path / "tmux.sock")
    yield t
    await t.kill()


async def _start(client: Client, tmux: Tmux, words: str) -> None:
    argv = " ".join(client.argv("admin", words, options=("-t",)))
    await tmux.start(f"{argv}; echo EXIT=$?; sleep 600", cols=100, rows=30)
    # the command says it waits for input and how it ends: type only then (the client's
    # terminal is raw from then on)
    await tmux.wait_for("Strg+D")


async def _assignee(client: Client, e164: str) -> str | None:
    core = client.srv.core
    admin = (await authenticate_password(core, username="admin",
                                         password="admin-demo")).unwrap()
    return (await core.read(numbers.get_number, admin, number=e164)).assigned_to


async def test_typed_lines_echo_and_ctrl_d_ends_the_input(client: Client, tmux: Tmux) -> None:
    await _start(client, tmux, "numbers import-assignments")
    await tmux.keys("-l", "number,username")
    await tmux.keys("Enter")
    await tmux.keys("-l", "030 123456101,miaX")
    await tmux.keys("BSpace")  # a typo, erased
    await tmux.keys("Enter")
    await tmux.wait_for("030 123456101,mia")  # what was typed is shown
    await tmux.keys("C-d")
    screen = await tmux.wait_for("EXIT=")
    assert "EXIT=0" in screen, screen
    assert "miaX" not in screen
    # the output is in lines, not a staircase (a PTY's line feed needs a carriage return)
    assert any(line.startswith("Zeile 2: ") for line in screen.splitlines()), screen
    assert await _assignee(client, "+4930123456101") == "mia"


async def test_ctrl_c_aborts_and_changes_nothing(client: Client, tmux: Tmux) -> None:
    await _start(client, tmux, "numbers import-assignments")
    await tmux.keys("-l", "030 123456101,mia")
    await tmux.keys("Enter")
    await tmux.keys("C-c")
    screen = await tmux.wait_for("EXIT=")
    assert "EXIT=2" in screen and "Standardeingabe" in screen, screen
    assert await _assignee(client, "+4930123456101") == "tom"
