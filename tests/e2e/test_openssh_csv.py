"""R28 end to end with the real OpenSSH client: ``numbers export --csv`` → edit the file
(as a spreadsheet or a script would) → ``ssh ... numbers import-assignments < file.csv``;
a bad line changes nothing; stdin above the bound is refused at once; R27 bulk over ssh."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import shlex
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.services import numbers
from core.services.auth import authenticate_password
from tests.e2e.test_openssh_commands import TIMEOUT, Client, Done, openssh_client, run

pytestmark = [pytest.mark.e2e, pytest.mark.openssh]


@pytest.fixture
async def client(tmp_path: Path, db_templates: dict[str, Path]) -> AsyncIterator[Client]:
    async with openssh_client(tmp_path, db_templates) as c:
        yield c


async def shell(client: Client, user: str, words: str, redirect: str) -> Done:
    """``ssh ... WORDS < FILE`` (or ``> FILE``) through bash, as a user types it."""
    argv = " ".join(shlex.quote(a) for a in client.argv(user)) + " " + words + " " + redirect
    proc = await asyncio.create_subprocess_exec(
        "bash", "-c", argv, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise AssertionError(f"ssh did not finish within {TIMEOUT}s: {argv}") from None
    assert proc.returncode is not None
    return Done(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


async def assignee(client: Client, e164: str) -> str | None:
    core = client.srv.core
    admin = (await authenticate_password(core, username="admin",
                                         password="admin-demo")).unwrap()
    return (await core.read(numbers.get_number, admin, number=e164)).assigned_to


async def test_export_edit_import_with_openssh(client: Client, tmp_path: Path) -> None:
    exported = tmp_path / "numbers.csv"
    done = await shell(client, "admin", "numbers export --csv", f"> {shlex.quote(str(exported))}")
    assert (done.code, done.err) == (0, ""), done
    raw = exported.read_bytes()
    assert raw.startswith(b"Rufnummer,Ortsnetz,") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    header = rows[0]
    number_col, user_col = header.index("Rufnummer"), header.index("Benutzer")
    # the edit: Tom's number goes to Mia, the shared fax to Tom
    for row in rows[1:]:
        if row[number_col] == "030 123456101":
            row[user_col] = "mia"
        if row[number_col] == "030 123456111":
            row[user_col] = "tom"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)

    dry = await shell(client, "admin", "numbers import-assignments --dry-run",
                      f"< {shlex.quote(str(edited))}")
    assert (dry.code, dry.err) == (0, ""), dry
    assert "Probelauf: 2 Zuweisung(en)" in dry.out
    assert await assignee(client, "+4930123456101") == "tom"

    done = await shell(client, "admin", "numbers import-assignments",
                       f"< {shlex.quote(str(edited))}")
    assert (done.code, done.err) == (0, ""), done
    assert "+4930123456101 → mia (bisher tom)" in done.out
    assert await assignee(client, "+4930123456101") == "mia"
    assert await assignee(client, "+4930123456111") == "tom"

    # the same file again: nothing left to change
    again = await shell(client, "admin", "numbers import-assignments",
                        f"< {shlex.quote(str(edited))}")
    assert again.code == 0 and "0 Zuweisung(en) geändert" in again.out


async def test_a_bad_line_over_ssh_changes_nothing(client: Client, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("number,username\n030 123456106,tom\n030 123456101,nobody\n",
                   encoding="utf-8")
    done = await shell(client, "admin", "numbers import-assignments", f"< {shlex.quote(str(bad))}")
    assert done.code == 4, done
    assert done.out.startswith("Zeile 3: Mitarbeiter „nobody“ nicht gefunden.")
    assert done.err.count("\n") == 1 and "nichts wurde geändert" in done.err
    assert await assignee(client, "+4930123456106") is None


@pytest.mark.parametrize("options", [("-n",), ()])
async def test_forgotten_stdin_is_a_usage_error(client: Client, options: tuple[str, ...]) -> None:
    """`ssh -n ... numbers import-assignments` (the `< file.csv` forgotten) said
    "0 Zuweisung(en) geändert" with exit 0: a cron job never learnt that it imported nothing."""
    done = await run(client.argv("admin", "numbers", "import-assignments", options=options),
                     devnull=not options)
    assert done.code == 2, done
    assert done.out == "" and done.err.count("\n") == 1, done
    assert "Die Eingabe ist leer" in done.err and "< zuweisungen.csv" in done.err


async def test_stdin_above_the_bound_is_refused(client: Client) -> None:
    big = ("030 123456106,tom\n" * 70_000).encode()  # ~1.3 MB
    done = await run(client.argv("admin", "numbers", "import-assignments"), stdin=big)
    assert done.code == 2, done
    assert done.err.count("\n") == 1 and "1024 KiB" in done.err
    assert await assignee(client, "+4930123456106") is None


async def test_bulk_deactivate_over_ssh(client: Client) -> None:
    words = ("numbers", "deactivate", "030", "123456101", "030", "123456102", "+49", "30",
             "123456104")
    preview = await run(client.argv("admin", *words, options=("-n",)))
    assert preview.code == 2 and "2 von 3 Rufnummern" in preview.out, preview
    done = await run(client.argv("admin", *words, "--yes", options=("-n",)))
    assert done.code == 4, done
    assert done.out.splitlines()[:2] == ["+4930123456101: erledigt", "+4930123456102: erledigt"]
    assert "+4930123456104: abgelehnt:" in done.out
    assert done.err.count("\n") == 1
