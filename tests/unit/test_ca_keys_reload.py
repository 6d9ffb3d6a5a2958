"""R26: the CA key file is re-read when it changed (stat at each certificate login, read in a
thread, only on a change); a file that does not parse or cannot be read keeps the keys read
before and logs an error naming the file and the line."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import asyncssh
import pytest

from ssh_server import certificates
from ssh_server.certificates import CaKeys


def ca_line() -> tuple[bytes, str]:
    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    return key.public_data, "cert-authority " + key.export_public_key().decode()


def replace(path: Path, text: str) -> None:
    tmp = path.with_suffix(".new")
    tmp.write_text(text)
    os.replace(tmp, path)


async def test_a_changed_file_is_read_again_and_a_removed_key_is_gone(tmp_path: Path) -> None:
    (one, one_line), (two, two_line) = ca_line(), ca_line()
    path = tmp_path / "cas"
    path.write_text(f"# team CA\n{one_line}")
    keys = CaKeys(path)
    assert one in keys and two not in keys

    reads = 0
    real_read = certificates._read

    def counting(p: Path) -> tuple[certificates.Stamp, str]:
        nonlocal reads
        reads += 1
        return real_read(p)

    certificates._read = counting  # type: ignore[assignment]
    try:
        for _ in range(5):
            await keys.refresh()
        assert reads == 0  # unchanged: only a stat

        replace(path, two_line)  # renamed over it (a new inode)
        await keys.refresh()
        assert two in keys and one not in keys and reads == 1

        path.write_text(f"{one_line}{two_line}")  # edited in place
        await asyncio.gather(*(keys.refresh() for _ in range(10)))  # many logins at once
        assert one in keys and two in keys and reads == 2
        assert keys.reloads == 2

        path.write_text("# nobody any more\n")
        await keys.refresh()
        assert len(keys) == 0
    finally:
        certificates._read = real_read  # type: ignore[assignment]


async def test_a_broken_or_missing_file_keeps_the_old_keys_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (one, one_line), (two, two_line) = ca_line(), ca_line()
    path = tmp_path / "cas"
    path.write_text(one_line)
    keys = CaKeys(path)

    with caplog.at_level(logging.ERROR, logger="ssh_server.certificates"):
        replace(path, f"{two_line}ssh-ed25519 AAAA-truncated\n")
        await keys.refresh()
        await keys.refresh()  # the same broken file: logged once
    assert one in keys and two not in keys  # nobody locked out, no half of the new file
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert str(path) in errors[0] and "line 2" in errors[0] and "keeping the 1 key" in errors[0]

    replace(path, two_line)  # fixed
    await keys.refresh()
    assert two in keys and one not in keys

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="ssh_server.certificates"):
        path.unlink()
        await keys.refresh()
        await keys.refresh()
    assert two in keys
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "cannot be read" in errors[0]

    path.write_bytes(b"\xff\xfe not utf-8\n")
    await keys.refresh()
    assert two in keys


async def test_no_file_configured_trusts_no_ca() -> None:
    keys = CaKeys("")
    await keys.refresh()
    assert len(keys) == 0 and b"anything" not in keys


def test_principals_option_limits_what_a_ca_may_sign_in(tmp_path: Path) -> None:
    """``cert-authority,principals="a,b"`` as in OpenSSH's authorized_keys: that CA's
    certificates sign in only those accounts (the option used to be skipped, so the CA
    could sign in anyone); a CA line without it is not limited; an unquoted list is an
    error naming the line, not a silently unlimited CA."""
    (team, team_line), (any_ca, any_line), (bad, bad_line) = ca_line(), ca_line(), ca_line()
    path = tmp_path / "cas"
    path.write_text(
        f'cert-authority,principals="mia, tom" {team_line.removeprefix("cert-authority ")}'
        f"{any_line}"
        f"cert-authority,principals=mia {bad_line.removeprefix('cert-authority ')}")
    keys, errors, limits = certificates.parse_ca_keys(path.read_text())
    assert errors == ['line 3: principals= needs a quoted list (principals="name1,name2")']
    assert bad not in keys and team in keys and any_ca in keys
    assert limits == {team: frozenset({"mia", "tom"})}
    cas = CaKeys(path)
    assert cas.admits(team, "mia") and cas.admits(team, "tom")
    assert not cas.admits(team, "admin")
    assert cas.admits(any_ca, "admin")
