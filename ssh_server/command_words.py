"""The words of an exec request as a shell user typed them through OpenSSH.

OpenSSH joins the words after the host with spaces, so the server receives one string and
the user's quotes are gone: ``--address "Marienplatz 1, 80331 München"`` arrives as
``--address Marienplatz 1, 80331 München`` and ``"030 123456101"`` as ``030 123456101``
(SPEC §8). Before argparse sees the words, :func:`regroup` puts them back together, led by
the command table:

- a free-text value (an :class:`~ssh_server.command_framework.Arg` with ``words="text"``:
  an address, an account holder, a reason, a search) takes every word up to the next
  option (a word starting with ``--``);
- where a phone number is expected (``words="number"``), a national number in groups
  (``030 123456101``, ``+49 30 123456101``) is one number; a new number starts with ``0``
  or ``+``;
- quotes that survived (``'"a b"'`` in the shell) still make one word.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from ssh_server.command_framework import Arg, Command

TEXT = "text"
NUMBER = "number"

COMMON_OPTIONS: dict[str, Arg] = {
    "--json": Arg(("--json",), "", {"action": "store_true"}),
    "--customer": Arg(("--customer",), ""),
    "--reason": Arg(("--reason",), "", words=TEXT),
    "--help": Arg(("--help",), "", {"action": "help"}),
    "-h": Arg(("-h",), "", {"action": "help"}),
}
"""Accepted by every command (after its words), see ``ssh_server.commands._common_options``."""

_NUMBER_PART = re.compile(r"^\+?[0-9()/-]+$")
_FLAG_ACTIONS = {"store_true", "store_false", "store_const", "count", "help", "version"}


def split_words(command: str) -> list[str]:
    """Shell-like words; a lone quote (``O'Brien`` after OpenSSH dropped the outer quotes)
    is taken literally instead of failing the whole command."""
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def is_option(word: str) -> bool:
    return (word.startswith("--") and len(word) > 2) or word == "-h"


def takes_value(spec: Arg) -> bool:
    return spec.options.get("action", "store") not in _FLAG_ACTIONS


def find_command(words: Sequence[str], commands: Sequence[Command]) -> tuple[int, Command | None]:
    """Where the command words start (after options given before them) and which command."""
    i = 0
    while i < len(words) and is_option(words[i]):
        spec = COMMON_OPTIONS.get(words[i].partition("=")[0])
        i += 2 if spec is not None and takes_value(spec) and "=" not in words[i] else 1
    best: Command | None = None
    for cmd in commands:
        if tuple(words[i:i + len(cmd.path)]) == cmd.path and (
            best is None or len(cmd.path) > len(best.path)
        ):
            best = cmd
    return i, best


def regroup(words: Sequence[str], commands: Sequence[Command]) -> list[str]:
    """``words`` with free texts and grouped numbers joined, ready for argparse."""
    start, cmd = find_command(words, commands)
    if cmd is None:
        return list(words)
    head = list(words[: start + len(cmd.path)])
    return head + _regroup_args(list(words[start + len(cmd.path):]), cmd)


def _regroup_args(rest: list[str], cmd: Command) -> list[str]:
    options = dict(COMMON_OPTIONS)
    options.update({name: a for a in cmd.args if a.names[0].startswith("-") for name in a.names})
    positionals = [a for a in cmd.args if not a.names[0].startswith("-")]
    out: list[str] = []
    slot = 0
    j = 0
    while j < len(rest):
        word = rest[j]
        if word == "--":
            out.extend(rest[j:])
            break
        if is_option(word):
            name, eq, inline = word.partition("=")
            spec = options.get(name)
            if spec is None or not takes_value(spec):
                out.append(word)
                j += 1
                continue
            values = [inline] if eq else []
            j += 1
            if spec.words == TEXT:
                j = _text_parts(rest, j, values)
            elif spec.words == NUMBER:
                if not values and j < len(rest) and not is_option(rest[j]):
                    values.append(rest[j])
                    j += 1
                j = _number_parts(rest, j, values, greedy=False)
            elif not values and j < len(rest):
                values.append(rest[j])
                j += 1
            out.append(f"{name}={' '.join(values)}" if values else name)
            continue
        if slot >= len(positionals):
            out.append(word)
            j += 1
            continue
        spec = positionals[slot]
        many = spec.options.get("nargs") in ("+", "*")
        values = [word]
        j += 1
        if spec.words == TEXT:
            j = _text_parts(rest, j, values)
        elif spec.words == NUMBER:
            after = positionals[slot + 1] if slot + 1 < len(positionals) else None
            greedy = not many and (after is None or after.words != NUMBER)
            j = _number_parts(rest, j, values, greedy=greedy)
        out.append(" ".join(values))
        if not many:
            slot += 1
    return out


def _text_parts(rest: list[str], j: int, values: list[str]) -> int:
    """Append the words of a free text up to the next option; returns the next index."""
    while j < len(rest) and not is_option(rest[j]):
        values.append(rest[j])
        j += 1
    return j


def _number_parts(rest: list[str], j: int, values: list[str], *, greedy: bool) -> int:
    """Append the further groups of the number in ``values``; returns the next index.
    A group starting with ``+`` (or with ``0``, unless ``greedy``) begins a new number."""
    if not values or not _NUMBER_PART.match(values[0]):
        return j
    while j < len(rest) and not is_option(rest[j]) and _NUMBER_PART.match(rest[j]):
        word = rest[j]
        if word.startswith("+") or (word.startswith("0") and not greedy):
            break
        values.append(word)
        j += 1
    return j
