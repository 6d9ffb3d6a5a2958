"""R26 end to end with ``ssh-keygen -s`` and the OpenSSH client: a user certificate signed by
a CA of ``LINEDESK_USER_CA_KEYS`` signs in the account its principals name; a wrong principal,
no principal, an expired, a not yet valid certificate and one from another CA are refused; a
session and a running command that outlive their certificate end with a notice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest
from sqlalchemy import select

from core.models import AuditEvent
from tests.e2e.harness import RunningServer, interactive_session, running_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.openssh,
    pytest.mark.skipif(not (shutil.which("ssh") and shutil.which("ssh-keygen")),
                       reason="needs openssh-client (.ci/run installs it)"),
]

TIMEOUT = 30.0


async def _run(*argv: str, stdin: bytes | None = None,
               timeout: float = TIMEOUT) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        if stdin is not None:
            out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
        else:  # stdin stays open (never EOF), like a command waiting for its input
            assert proc.stdout is not None and proc.stderr is not None
            out, err = await asyncio.wait_for(
                asyncio.gather(proc.stdout.read(), proc.stderr.read()), timeout)
            await asyncio.wait_for(proc.wait(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise AssertionError(f"did not finish within {timeout}s: {argv}") from None
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
    return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


async def keygen(path: Path) -> Path:
    code, _, err = await _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name,
                              "-f", str(path), stdin=b"")
    assert code == 0, err
    return path


async def certify(ca: Path, key: Path, name: str, *, principals: str | None,
                  validity: str) -> Path:
    """``ssh-keygen -s CA -I ID [-n PRINCIPALS] -V VALIDITY key.pub``: a copy of the key with
    its certificate next to it (``NAME`` and ``NAME-cert.pub``, as OpenSSH looks for it)."""
    target = key.parent / name
    shutil.copy(key, target)
    shutil.copy(key.with_suffix(".pub"), target.with_suffix(".pub"))
    os.chmod(target, 0o600)
    args = ["ssh-keygen", "-q", "-s", str(ca), "-I", f"{name}@test"]
    if principals is not None:
        args += ["-n", principals]
    code, _, err = await _run(*args, "-V", validity, str(target.with_suffix(".pub")), stdin=b"")
    assert code == 0, err
    assert os.path.exists(f"{target}-cert.pub")  # noqa: ASYNC240
    return target


class Certs:
    def __init__(self, srv: RunningServer, keys: Path, ca: Path, config: Path) -> None:
        self.srv, self.keys, self.ca, self.config = srv, keys, ca, config

    def ssh(self, identity: Path, user: str, *words: str) -> list[str]:
        return ["ssh", "-F", str(self.config), "-i", str(identity), "-o",
                f"CertificateFile={identity}-cert.pub", "-p", str(self.srv.port),
                f"{user}@127.0.0.1", *words]


@contextlib.asynccontextmanager
async def certificate_server(tmp_path: Path, db_templates: dict[str, Path]) -> AsyncIterator[Certs]:
    keys = tmp_path / "keys"
    keys.mkdir()
    ca = await keygen(keys / "ca")
    await keygen(keys / "other_ca")
    await keygen(keys / "user")
    ca_file = tmp_path / "user_ca_keys"
    ca_file.write_text("# the support team's CA\n"
                       f"cert-authority {(keys / 'ca.pub').read_text()}")
    config = tmp_path / "ssh_config"
    config.write_text("\n".join([
        "Host *", "  StrictHostKeyChecking no", "  UserKnownHostsFile /dev/null",
        "  LogLevel ERROR", "  BatchMode yes", "  IdentityAgent none", "  IdentitiesOnly yes",
        "  PreferredAuthentications publickey",
    ]) + "\n")
    async with running_server(tmp_path, templates=db_templates,
                              user_ca_keys=str(ca_file)) as srv:
        yield Certs(srv, keys, ca, config)


@pytest.mark.timeout(120)
async def test_certificates_accepted_for_their_principal_only_within_validity(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with certificate_server(tmp_path, db_templates) as c:
        user = c.keys / "user"
        good = await certify(c.ca, user, "mia_1m", principals="mia", validity="+1m")
        code, out, err = await _run(*c.ssh(good, "mia", "whoami", "--json"), stdin=b"")
        assert code == 0, err
        assert '"username": "mia"' in out
        async with c.srv.core.uow(readonly=True) as uow:
            entry = await uow.session.scalar(
                select(AuditEvent).where(AuditEvent.action == "session.command")
                .order_by(AuditEvent.id.desc()))
        assert entry is not None and entry.actor_username == "mia"
        assert entry.key_fingerprint and entry.key_fingerprint.startswith("SHA256:")

        refused = {
            "wrong principal": (await certify(c.ca, user, "tom_only", principals="tom",
                                              validity="+1m"), "mia"),
            "no principal": (await certify(c.ca, user, "anyone", principals=None,
                                           validity="+1m"), "mia"),
            "expired": (await certify(c.ca, user, "expired", principals="mia",
                                      validity="-10m:-5m"), "mia"),
            "not yet valid": (await certify(c.ca, user, "later", principals="mia",
                                            validity="+5m:+10m"), "mia"),
            "another CA": (await certify(c.keys / "other_ca", user, "other", principals="mia",
                                         validity="+1m"), "mia"),
        }
        for what, (identity, login) in refused.items():
            code, out, err = await _run(*c.ssh(identity, login, "whoami"), stdin=b"")
            assert code == 255 and "Permission denied" in err, (what, code, out, err)
        # the principal's own account works with its certificate; others' names do not
        tom = refused["wrong principal"][0]
        code, out, err = await _run(*c.ssh(tom, "tom", "whoami", "--json"), stdin=b"")
        assert code == 0 and '"username": "tom"' in out, err


@pytest.mark.timeout(120)
async def test_session_and_command_outliving_their_certificate_are_ended(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    async with certificate_server(tmp_path, db_templates) as c:
        short = await certify(c.ca, c.keys / "user", "mia_short", principals="mia",
                              validity="-1m:+8s")
        key = asyncssh.read_private_key(str(short))
        cert = asyncssh.read_certificate(f"{short}-cert.pub")
        valid_before = int(cert._valid_before)  # type: ignore[attr-defined]
        assert 5 <= valid_before - time.time() <= 9
        started = time.time()
        async with interactive_session(c.srv.port, "mia", client_keys=[(key, cert)],  # type: ignore[list-item]
                                       cols=120, rows=36) as term:
            await term.wait_for("Muster GmbH", timeout=30)
            # a command of the same certificate (OpenSSH), waiting for input that never ends
            command = asyncio.create_task(
                _run(*c.ssh(short, "mia", "numbers", "import-assignments", "--dry-run")))
            await term.wait_closed(timeout=30)
            ended = time.time()
            notice = await asyncio.wait_for(term.process.stderr.read(), 30)
            assert "SSH-Zertifikat ist abgelaufen" in notice, notice
            code, _, err = await command
        print(f"certificate valid {valid_before - started:.1f} s more; session ended "
              f"{ended - valid_before:+.2f} s after its expiry")
        assert valid_before - 1 <= ended <= valid_before + 3
        assert code == 1 and "SSH-Zertifikat ist abgelaufen" in err, (code, err)
        # and it signs in no more
        code, _, err = await _run(*c.ssh(short, "mia", "whoami"), stdin=b"")
        assert code == 255, err


@pytest.mark.timeout(180)
async def test_rotated_ca_file_is_read_again_and_a_broken_one_keeps_the_old_keys(
    tmp_path: Path, db_templates: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """R26 rotation without a restart: the file is checked at each certificate login. A CA
    taken out is refused at the next login, a CA put in is accepted; a new file with a line
    that is no key is not taken (the keys before stay, an error names the file and line)."""
    async with certificate_server(tmp_path, db_templates) as c:
        ca_file = Path(c.srv.server.settings.user_ca_keys)
        old_ca, new_ca = c.ca, c.keys / "other_ca"
        old_cert = await certify(old_ca, c.keys / "user", "mia_old", principals="mia",
                                 validity="+5m")
        new_cert = await certify(new_ca, c.keys / "user", "mia_new", principals="mia",
                                 validity="+5m")

        async def signs_in(identity: Path) -> bool:
            code, out, err = await _run(*c.ssh(identity, "mia", "whoami", "--json"), stdin=b"")
            assert code in (0, 255), (code, out, err)
            return code == 0 and '"username": "mia"' in out

        def rotate_to(text: str, *, in_place: bool = False) -> None:
            if in_place:
                ca_file.write_text(text)
                return
            staged = ca_file.with_suffix(".new")  # as an operator should: beside, renamed over
            staged.write_text(text)
            os.replace(staged, ca_file)

        old_pub, new_pub = (p.with_suffix(".pub").read_text() for p in (old_ca, new_ca))

        assert await signs_in(old_cert) and not await signs_in(new_cert)

        rotate_to(f"cert-authority {new_pub}")
        assert await signs_in(new_cert)
        assert not await signs_in(old_cert)  # removed: refused from the next login on

        with caplog.at_level(logging.ERROR, logger="ssh_server.certificates"):
            rotate_to(f"{old_pub}ssh-ed25519 AAAAbroken\n")
            assert await signs_in(new_cert)  # the broken file is not taken: nobody locked out
            assert not await signs_in(old_cert)
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert any(str(ca_file) in e and "line 2" in e and "keeping the 1 key" in e
                   for e in errors), errors

        # fixed, edited in place: both CAs
        rotate_to(f"{old_pub}{new_pub}", in_place=True)
        assert await signs_in(old_cert) and await signs_in(new_cert)
        assert c.srv.server.user_ca_keys.reloads == 2


@pytest.mark.timeout(120)
async def test_a_refused_certificate_is_logged_with_why(
    tmp_path: Path, db_templates: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    """The client only hears "Permission denied"; the server's log said nothing at all about
    a refused certificate, so the operator could not tell an expired one from a wrong
    principal or another CA's. Now one line each, with the certificate's id."""
    async with certificate_server(tmp_path, db_templates) as c:
        user = c.keys / "user"
        cases = {
            "principals 'tom'": await certify(c.ca, user, "tom_only", principals="tom",
                                              validity="+1m"),
            "principals none": await certify(c.ca, user, "anyone", principals=None,
                                             validity="+1m"),
            "refused: expired at ": await certify(c.ca, user, "expired", principals="mia",
                                                  validity="-10m:-5m"),
            "refused: not valid before ": await certify(c.ca, user, "later", principals="mia",
                                                        validity="+5m:+10m"),
            "not in LINEDESK_USER_CA_KEYS": await certify(c.keys / "other_ca", user, "other",
                                                          principals="mia", validity="+1m"),
        }
        with caplog.at_level(logging.INFO, logger="ssh_server.certificates"):
            for identity in cases.values():
                code, _out, err = await _run(*c.ssh(identity, "mia", "whoami"), stdin=b"")
                assert code == 255 and "Permission denied" in err
        lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        for (why, identity) in cases.items():
            mine = [x for x in lines if f"certificate '{identity.name}@test' for 'mia' from "
                                        "127.0.0.1 refused: " in x]
            assert mine and why in mine[0], (why, lines)


@pytest.mark.timeout(120)
async def test_a_ca_limited_by_principals_signs_in_only_those_accounts(
    tmp_path: Path, db_templates: dict[str, Path]
) -> None:
    """``cert-authority,principals="tom"`` in LINEDESK_USER_CA_KEYS, as in OpenSSH's
    authorized_keys: a valid certificate of that CA for mia is refused (the option was
    skipped before, so the CA could sign in every account), one for tom is accepted."""
    async with certificate_server(tmp_path, db_templates) as c:
        ca_file = Path(c.srv.server.settings.user_ca_keys)
        staged = ca_file.with_suffix(".new")
        staged.write_text(f'cert-authority,principals="tom" {c.ca.with_suffix(".pub").read_text()}')
        os.replace(staged, ca_file)
        mia = await certify(c.ca, c.keys / "user", "mia_p", principals="mia", validity="+5m")
        tom = await certify(c.ca, c.keys / "user", "tom_p", principals="tom", validity="+5m")
        code, out, err = await _run(*c.ssh(mia, "mia", "whoami", "--json"), stdin=b"")
        assert code == 255 and "mia" not in out, (code, out, err)
        code, out, err = await _run(*c.ssh(tom, "tom", "whoami", "--json"), stdin=b"")
        assert code == 0 and '"username": "tom"' in out, (code, out, err)
