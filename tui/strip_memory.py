"""Textual's ``Strip`` (one rendered line) with its memo caches created on first use.

Every ``Strip`` creates seven small ``FIFOCache``s in ``__init__`` (crop, style, divide …),
~1 KB per line even though most lines never use more than one or two of them. Each widget
keeps its rendered lines for partial updates, so one session held thousands of empty caches:
measured with tracemalloc, ``strip.py`` + ``cache.py`` were 0.4 MB of the 0.9 MB Python heap
of a signed-in session. :func:`install` makes ``Strip.__init__`` leave those slots unset and
creates a cache when a method first touches it (``__getattr__`` runs only for unset slots).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

_CACHE_SIZES = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}
_PLAIN_SLOTS = {"_segments", "_cell_length", "_render_cache", "_link_ids", "_cell_count"}
_installed = False


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _getattr(self: Strip, name: str) -> FIFOCache[object, object]:
    size = _CACHE_SIZES.get(name)
    if size is None:
        raise AttributeError(name)
    cache: FIFOCache[object, object] = FIFOCache(size)
    setattr(self, name, cache)
    return cache


def install() -> None:
    """Idempotent; call once at start-up, before the first App."""
    global _installed
    if _installed:
        return
    if set(Strip.__slots__) != set(_CACHE_SIZES) | _PLAIN_SLOTS:
        return  # a Textual upgrade changed Strip: keep Textual's own behaviour
    Strip.__init__ = _init  # type: ignore[method-assign]
    Strip.__getattr__ = _getattr  # type: ignore[attr-defined]
    _installed = True
