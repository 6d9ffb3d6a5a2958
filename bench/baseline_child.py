"""What OpenSSH would run per connection: ``linedesk tui`` for an already
authenticated user, on the PTY it was given (Textual's own Linux driver)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from core.config import Settings
from core.runtime import Core
from core.services.auth import authenticate_password
from tui.app import LinedeskApp


async def main() -> None:
    settings = Settings.from_env(data_dir=Path(os.environ["LINEDESK_DATA_DIR"]))
    core = Core(settings)
    try:
        result = await authenticate_password(
            core, username=os.environ["BENCH_USER"], password=os.environ.pop("BENCH_PASSWORD"),
            source="baseline",
        )
        app = LinedeskApp(core, result.unwrap())
        await app.run_async()
    finally:
        await core.close()


if __name__ == "__main__":
    asyncio.run(main())
