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
from core.models import OutboxKind
from core.outbox import Message, Transport, build_email


class MaildirTransport:
    """Writes each e-mail to ``tmp/`` and renames it into ``new/`` (the Maildir protocol)."""

    def __init__(self, root: Path, sender: str) -> None:
        self.root = root
        self.sender = sender

    def _write(self, message: Message) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # The key makes the file name unique and the delivery idempotent.
        name = f"{message.key}.linedesk"
        if any(True for d in ("new", "cur") for _ in (self.root / d).glob(f"{name}*")):
            return
        data = bytes(build_email(message, self.sender))
        tmp = self.root / "tmp" / name
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / "new" / name)

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._write, message)


class SmsFileTransport:
    """Appends one JSON object per SMS (``to``, ``text``, ``id``, ``at``) to ``sms.jsonl``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    def _append(self, message: Message) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    if f'"id": "{message.key}"' in line:
                        return
        line = json.dumps(
            {"id": message.key, "to": message.to, "text": message.body,
             "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            ensure_ascii=False,
        )
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    async def send(self, message: Message) -> None:
        async with self._lock:
            await asyncio.to_thread(self._append, message)


class LetterFolderTransport:
    """A letter is a text file ``letters/<key>.txt`` ready for the print shop."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, message: Message) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / f"{message.key}.txt"
        if target.exists():
            return
        tmp = self.root / f".{message.key}.tmp"
        tmp.write_text(f"{message.to}\n\n{message.subject}\n\n{message.body}\n", encoding="utf-8")
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
