"""R23: the mirror filter fits the user's output to the support terminal (clip, letterbox)
and lets no terminal string (OSC 52, title) through; a sequence cut between chunks is kept."""

from __future__ import annotations

import pyte

from ssh_server.shadow import MirrorFilter


def render(data: str, cols: int, rows: int, fit: tuple[int, int]) -> list[str]:
    screen = pyte.Screen(cols, rows)
    screen.set_mode(pyte.modes.DECAWM >> 5, private=True)  # keep wrap on: clipping is ours
    pyte.Stream(screen).feed(MirrorFilter(*fit).feed(data))
    return screen.display


def frame(lines: list[str]) -> str:
    return "".join(f"\x1b[{y + 1};1H\x1b[1m{line}\x1b[0m" for y, line in enumerate(lines))


def test_a_larger_screen_is_clipped_to_rows_and_columns() -> None:
    user = [f"row{y:02d}-" + "x" * 30 for y in range(10)]
    shown = render(frame(user), 20, 6, (20, 5))
    assert [line.rstrip() for line in shown[:5]] == [u[:20] for u in user[:5]]
    assert shown[5].strip() == ""  # the status line's row stays free


def test_a_smaller_screen_is_letterboxed() -> None:
    shown = render(frame(["ab", "cd"]), 10, 5, (10, 4))
    assert [line.rstrip() for line in shown] == ["ab", "cd", "", "", ""]


def test_wide_characters_are_cut_whole() -> None:
    out = MirrorFilter(5, 3).feed("\x1b[1;1H日本語")
    assert out == "\x1b[1;1H日本"


def test_strings_never_pass_and_split_sequences_wait() -> None:
    mirror = MirrorFilter(80, 24)
    assert mirror.feed("\x1b]52;c;c2VjcmV0\x07ok") == "ok"
    assert mirror.feed("\x1b]0;title\x1b\\") == ""
    assert mirror.feed("a\x1b[1") == "a"
    assert mirror.feed(";5Hb") == "\x1b[1;5Hb"
    assert mirror.feed("\x1b[99;1Hhidden\x1b[2;1Hseen") == "\x1b[2;1Hseen"


def test_frames_are_cut_into_pieces_that_fit_a_notify_payload() -> None:
    import json

    from ssh_server.shadow import PIECE_BYTES, pieces

    data = "\x1b[1;1H" + "▔" * 5000 + "😀" * 3000 + "plain" * 500
    cut = pieces(data)
    assert "".join(cut) == data
    assert max(len(json.dumps(piece)) for piece in cut) <= PIECE_BYTES
