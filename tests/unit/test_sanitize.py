"""User-controlled text is made terminal-safe before it is shown."""

from __future__ import annotations

import pytest
from rich.text import Text

from tui.sanitize import clean, safe_markup, safe_text

HOSTILE = [
    ("OSC 52 clipboard", "Muster\x1b]52;c;ZWNobyBwd25lZA==\x07GmbH"),
    ("OSC title ST", "a\x1b]0;evil title\x1b\\b"),
    ("CSI clear screen", "x\x1b[2J\x1b[Hy"),
    ("CSI cursor", "x\x1b[10;10Hy"),
    ("8-bit CSI", "x\x9b31my"),
    ("8-bit OSC", "x\x9d0;title\x9cy"),
    ("DCS", "x\x1bPq#0;2;0;0;0\x1b\\y"),
    ("lone ESC", "x\x1by"),
    ("bell and backspace", "x\x07\x08y"),
    ("carriage return overwrite", "harmless\rEVIL"),
    ("NUL", "x\x00y"),
    ("DEL", "x\x7fy"),
    ("C1 NEL", "x\x85y"),
]


@pytest.mark.parametrize(("case", "value"), HOSTILE, ids=[c for c, _ in HOSTILE])
def test_no_control_characters_survive(case: str, value: str) -> None:
    out = clean(value)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in out), (case, out)
    assert "\x1b" not in out


def test_osc_payload_is_removed_with_the_sequence() -> None:
    assert "ZWNobyBwd25lZA" not in clean(HOSTILE[0][1])
    assert "evil title" not in clean(HOSTILE[1][1])
    assert clean(HOSTILE[0][1]).startswith("Muster") and clean(HOSTILE[0][1]).endswith("GmbH")


@pytest.mark.parametrize(
    "ch", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"]
)
def test_bidi_overrides_removed(ch: str) -> None:
    assert clean(f"invoice{ch}fdp.exe") == "invoicefdp.exe"


def test_ordinary_text_unchanged() -> None:
    for text in ("Muster GmbH", "Friedrichstraße 123", "Zoë Müller-Łukasz", "東京", "a – b · c"):
        assert clean(text) == text


def test_newlines_kept_only_when_asked() -> None:
    assert "\n" not in clean("a\nb")
    assert clean("a\nb", keep_newlines=True) == "a\nb"
    assert clean("a\tb") == "a b"


def test_none_is_empty() -> None:
    assert clean(None) == ""


def test_safe_text_is_never_markup() -> None:
    text = safe_text("[bold red]boom[/] \x1b[31m")
    assert isinstance(text, Text)
    assert text.plain.startswith("[bold red]boom[/]")
    assert text.spans == []
    assert safe_markup("[link=file:///etc/passwd]x[/link]") == "\\[link=file:///etc/passwd]x\\[/link]"
