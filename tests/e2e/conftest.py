"""Fixtures for end-to-end tests over real SSH (see :mod:`tests.e2e.harness`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import RunningServer, running_server


@pytest.fixture
async def demo_server(
    tmp_path: Path, db_templates: dict[str, Path]
) -> AsyncIterator[RunningServer]:
    """The SSH server with the demo data on a free loopback port."""
    async with running_server(tmp_path, templates=db_templates) as srv:
        yield srv
