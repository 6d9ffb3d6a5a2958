"""Private files in the data dir: the directory 0700, every file in it 0600.

The data dir holds the database, the host key, the secret key and every delivered e-mail,
SMS and letter (with PINs and decryption codes): nobody but the service account may read
them, whatever the process umask is. Files are created with their final mode (no window in
which they are readable) and an existing installation is tightened on start.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and make it 0700, also if it existed already; missing parents are
    created 0700 too (``mkdir(parents=True)`` would give them the umask's mode)."""
    if not path.parent.exists():
        private_dir(path.parent)
    path.mkdir(mode=DIR_MODE, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def open_private(path: Path, flags: int) -> int:
    """``os.open`` with mode 0600 for a new file (an existing one is tightened)."""
    fd = os.open(path, flags, FILE_MODE)
    if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
        os.fchmod(fd, FILE_MODE)
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new or truncated 0600 file and fsync it."""
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def tighten(root: Path) -> None:
    """Make ``root`` 0700 and everything below it (dirs 0700, files 0600): for data dirs
    created before files were private. Creates ``root`` if it does not exist."""
    private_dir(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            if not (Path(dirpath) / name).is_symlink():  # never change a link's target
                os.chmod(Path(dirpath) / name, DIR_MODE)
        for name in filenames:
            path = Path(dirpath) / name
            if not path.is_symlink() and path.stat().st_mode & 0o777 != FILE_MODE:
                os.chmod(path, FILE_MODE)
