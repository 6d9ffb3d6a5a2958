"""Default delivery into the data dir: Maildir ``mail/``, ``sms.jsonl`` and ``letters/``.

SMTP and the HTTP SMS gateway live in :mod:`core.net_transports`; :func:`build_transports`
picks per the settings. Every file transport is idempotent by the message key.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from core.config import Settings
from core.files import open_private, private_dir, write_private
from core.models import OutboxKind
from core.outbox import Message, Transport, build_email


def fsync_dir(path: Path) -> None:
    """Make the entries of directory ``path`` (a rename into it) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MaildirTransport:
    """Writes each e-mail to ``tmp/`` and renames it into ``new/`` (the Maildir protocol)."""

    def __init__(self, root: Path, sender: str) -> None:
        self.root = root
        self.sender = sender
        self._cur: tuple[int, set[str]] = (-1, set())
        """``cur/``'s mtime and its names: listed again only when a mail client moved one."""
        self._renamed = False
        """A file was renamed into ``new/`` since the last :meth:`sync`."""

    def _delivered(self, name: str) -> bool:
        if (self.root / "new" / name).exists():
            return True
        mtime = (self.root / "cur").stat().st_mtime_ns
        if mtime != self._cur[0]:
            self._cur = (mtime, {entry.split(":", 1)[0] for entry in os.listdir(self.root / "cur")})
        return name in self._cur[1]

    def _write(self, message: Message) -> None:
        for sub in ("tmp", "new", "cur"):
            private_dir(self.root / sub)
        # The key makes the file name unique and the delivery idempotent (O(1) per message:
        # a glob over new/ and cur/ made the outbox slower with every mail it had sent).
        name = f"{message.key}.linedesk"
        if self._delivered(name):
            return
        data = bytes(build_email(message, self.sender))
        tmp = self.root / "tmp" / name
        write_private(tmp, data)  # the file's data is on disk (fsync) ...
        os.replace(tmp, self.root / "new" / name)
        self._renamed = True  # ... its name in new/ once sync() ran

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._write, message)

    def _sync(self) -> None:
        if self._renamed:
            self._renamed = False
            fsync_dir(self.root / "new")

    async def sync(self) -> None:
        """Make the renames since the last call durable (one directory fsync per batch; the
        dispatcher calls it before it marks the batch sent)."""
        await asyncio.to_thread(self._sync)


class SmsFileTransport:
    """Appends one JSON object per SMS (``to``, ``text``, ``id``, ``at``) to ``sms.jsonl``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()
        self._ids: set[str] = set()
        self._unsynced = False
        self._offset = 0
        """The ids of the lines up to this offset are in :attr:`_ids`: each check reads only
        what was appended since (also by other processes), not the whole file again."""

    def _known(self, key: str) -> bool:
        if not self.path.exists():
            return False
        with open(self.path, "rb") as fh:
            if fh.seek(0, os.SEEK_END) < self._offset:  # replaced by a shorter file
                self._ids.clear()
                self._offset = 0
            fh.seek(self._offset)
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # being written: read again next time
                self._offset += len(line)
                try:
                    self._ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    continue
        return key in self._ids

    def _append(self, message: Message) -> None:
        private_dir(self.path.parent)
        if self._known(message.key):
            return
        line = json.dumps(
            {"id": message.key, "to": message.to, "text": message.body,
             "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            ensure_ascii=False,
        )
        fd = open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")  # one write: appends of several processes do not mix
        self._unsynced = True

    async def send(self, message: Message) -> None:
        async with self._lock:
            await asyncio.to_thread(self._append, message)

    def _sync(self) -> None:
        if self._unsynced and self.path.exists():
            self._unsynced = False
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    async def sync(self) -> None:
        """fsync the lines appended since the last call: once per batch, not per SMS (the
        dispatcher calls it before it marks the batch sent)."""
        async with self._lock:
            await asyncio.to_thread(self._sync)


class LetterFolderTransport:
    """A letter is a text file ``letters/<key>.txt`` ready for the print shop."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, message: Message) -> None:
        private_dir(self.root)
        target = self.root / f"{message.key}.txt"
        if target.exists():
            return
        tmp = self.root / f".{message.key}.tmp"
        text = f"{message.to}\n\n{message.subject}\n\n{message.body}\n"
        write_private(tmp, text.encode("utf-8"))
        os.replace(tmp, target)

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._write, message)


def build_transports(settings: Settings) -> dict[OutboxKind, Transport]:
    data = settings.data_dir
    transports: dict[OutboxKind, Transport] = {
        OutboxKind.EMAIL: MaildirTransport(data / "mail", settings.mail_from),
        OutboxKind.SMS: SmsFileTransport(data / "sms.jsonl"),
        OutboxKind.LETTER: LetterFolderTransport(data / "letters"),
    }
    if settings.smtp_url or settings.sms_url:
        # Imported here on purpose: aiosmtplib and httpx (~120 ms of import) are loaded
        # only when an SMTP server or SMS gateway is configured.
        from core import net_transports

        if settings.smtp_url:
            transports[OutboxKind.EMAIL] = net_transports.SmtpTransport(
                settings.smtp_url, settings.mail_from
            )
        if settings.sms_url:
            transports[OutboxKind.SMS] = net_transports.HttpSmsTransport(settings.sms_url)
    return transports
