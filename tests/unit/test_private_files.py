"""Issue 11.14: the data dir is 0700 and every file in it 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import migrate
from core.clock import FixedClock
from core.models import OutboxKind
from core.runtime import Core
from tests.conftest import DEMO_NOW, make_settings


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: new files 0644, new dirs 0755
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


@pytest.mark.usefixtures("open_umask")
async def test_data_dir_and_everything_delivered_into_it_is_private(tmp_path: Path) -> None:
    from ssh_server.server import load_host_key

    data_dir = tmp_path / "data"
    core = Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW))
    try:
        await migrate.prepare(core)
        async with core.uow() as uow:
            for kind in (OutboxKind.EMAIL, OutboxKind.SMS, OutboxKind.LETTER):
                uow.send(kind, to="mia@muster-gmbh.de" if kind is OutboxKind.EMAIL else "x",
                         subject="s", body="PIN: 123456")
        await core.dispatcher.dispatch_once()
    finally:
        await core.close()
    load_host_key(data_dir)
    found = modes(data_dir)
    for name in ("linedesk.db", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub", "sms.jsonl"):
        assert name in found, name
    assert any(name.startswith("mail/new/") for name in found)
    assert any(name.startswith("letters/") for name in found)
    wrong = {name: oct(mode) for name, mode in found.items()
             if mode != (0o700 if (data_dir / name).is_dir() else 0o600)}
    assert not wrong


@pytest.mark.usefixtures("open_umask")
async def test_an_older_data_dir_is_tightened_on_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "letters").mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    (data_dir / "letters" / "old.txt").write_text("PIN: 654321", encoding="utf-8")
    (data_dir / "sms.jsonl").write_text("{}\n", encoding="utf-8")
    core = Core(make_settings(data_dir), clock=FixedClock(DEMO_NOW))
    try:
        await migrate.prepare(core)
    finally:
        await core.close()
    found = modes(data_dir)
    assert found["."] == 0o700 and found["letters"] == 0o700
    assert found["letters/old.txt"] == 0o600 and found["sms.jsonl"] == 0o600
