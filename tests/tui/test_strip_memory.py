"""Rendered lines create their memo caches on first use (they were ~1 KB per line each)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui import strip_memory


def test_a_new_line_holds_no_caches_until_a_method_needs_one() -> None:
    strip_memory.install()
    strip = Strip([Segment("Hallo "), Segment("Welt", Style(bold=True))])
    assert dir_set(strip).isdisjoint(strip_memory._CACHE_SIZES)
    cropped = strip.crop(0, 5)
    assert cropped.text == "Hallo"
    assert strip.crop(0, 5) is cropped  # memoised in the cache created on first use
    assert "_crop_cache" in dir_set(strip)
    assert strip.crop(6, 10).text == "Welt"
    assert [s.text for s in strip.divide([6, 10])] == ["Hallo ", "Welt"]
    assert strip.apply_style(Style(italic=True)).text == "Hallo Welt"
    assert strip.extend_cell_length(12).cell_length == 12
    assert strip.adjust_cell_length(4).text == "Hall"


def dir_set(strip: Strip) -> set[str]:
    """Slots that hold a value."""
    present = set()
    for name in Strip.__slots__:
        try:
            object.__getattribute__(strip, name)
        except AttributeError:
            continue
        present.add(name)
    return present
