"""Widgets of the number dashboard built for many sessions in one process: a table that
measures nothing and keeps small caches, and a Visual drawn once per state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, Visual
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowDoesNotExist, RowKey


class DrawnOnce(Visual):
    """A Content whose lines are drawn once per width and style: the action links come in
    a handful of states, and most arrow keys switch between them (wrapping and dividing
    their markup was a quarter of an arrow key's CPU)."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._strips: dict[tuple[int, int | None, VisualStyle], list[Strip]] = {}

    def render_strips(
        self, width: int, height: int | None, style: VisualStyle, options: RenderOptions
    ) -> list[Strip]:
        if options.selection is not None or options.post_style is not None:
            return self.content.render_strips(width, height, style, options)
        key = (width, height, style)
        strips = self._strips.get(key)
        if strips is None:
            if len(self._strips) >= 4:  # resized or re-themed: only the latest matter
                self._strips.clear()
            strips = self._strips[key] = self.content.render_strips(width, height, style, options)
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content.get_height(rules, width)


class NumberTable(DataTable[Any]):
    """The dashboard's table: fixed column widths and one-line rows, so nothing is measured
    (DataTable measures every cell of every added or updated row otherwise, and of the whole
    column when a cell gets narrower); small render caches, since at most one page is held;
    and :class:`Edge` instead of a stop when the cursor would leave the page."""

    class Edge(Message):
        """The cursor is on the first (``step`` -1) or last (+1) row and was moved on."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self, *, columns: int, lines_cached: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # DataTable's caches hold up to 10,000 cells and 1,000 rows and lines, in every
        # session. Lines are cached here by whether their row has the cursor (_lines, at
        # most the page's); cells and rows are then only drawn for lines not cached, i.e.
        # the cursor's line and rows scrolled into view for the first time.
        self._cell_render_cache = LRUCache(columns * 8)
        self._row_render_cache = LRUCache(8)
        self._row_renderable_cache = LRUCache(8)
        self._line_cache = LRUCache(1)  # replaced by _lines
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(lines_cached)
        self._pass_style: Style | None = None
        self._row_styles: dict[int, Style] = {}
        """Header (-1), even (0) / odd (1) zebra row or plain (-2) style of this render pass."""

    @property
    def _header_lines(self) -> int:
        return self.header_height if self.show_header else 0

    def _update_dimensions(self, new_rows: Any) -> None:
        # Textual 8.2 private hook (textual is pinned): widths are fixed and every row is one
        # line high, so only the virtual size follows the row count.
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(width + self._row_label_column_width,
                                 self._total_row_height + self._header_lines)

    def _update_column_widths(self, updated_cells: set[CellKey]) -> None:
        """Fixed widths: an updated cell never changes a column's width."""

    def render_lines(self, crop: Region) -> list[Strip]:
        # DataTable asks for its own style (a walk over all ancestors) and the zebra row
        # styles once per line; a scrolled table redraws every line: ask once per pass
        self._pass_style = self.rich_style
        self._row_styles.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        # DataTable.render_line without fixed rows (this table has none)
        if y >= self._header_lines:
            y += self.scroll_offset.y
        scroll_x = self.scroll_offset.x
        style = self._pass_style if self._pass_style is not None else self.rich_style
        return self._render_line(y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        # DataTable keys its line cache by the cursor position, so a cursor move that
        # scrolls redraws every line; with a row cursor a line depends only on whether
        # *its* row has the cursor or the hover highlight
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        row = self._row_locations.get(row_key)
        if row == self.cursor_coordinate.row or self.cursor_type != "row":
            # drawn once per cursor move: caching it would only push out lines drawn to stay
            return super()._render_line(y, x1, x2, base_style)
        key = (y, x1, x2, self.size.width, row == self.hover_coordinate.row, base_style,
               self.cursor_type, self.show_cursor, self._show_hover_cursor, self._update_count,
               self._pseudo_class_state)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = super()._render_line(y, x1, x2, base_style)
        return strip

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        key = -1 if row_index == -1 else (row_index % 2 if self.zebra_stripes else -2)
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A one-line Text cell as DataTable draws it, without Rich's Padding/Styled/
        render_lines machinery (two thirds of a table redraw's CPU, and a redraw follows
        every key, page and live update). Same cache and key as DataTable's; the header
        and anything not a Text go the usual way."""
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else None
        column_key = self._column_locations.get_key(column_index)
        cell = (
            self._data[row_key][column_key]
            if row_key is not None and column_key is not None
            else None
        )
        if (row_key is None or column_key is None or not isinstance(cell, Text)
                or self.rows[row_key].height != 1 or self.fixed_rows or self.fixed_columns):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        lines = self._cell_render_cache.get(cache_key)
        if lines is None:
            component_style, post_style = self._get_styles_to_render_cell(
                False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
                self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
            pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
            inner = max(0, width - 2 * self.cell_padding)
            if cell.cell_len > inner or cell.justify == "right":
                cell = cell.copy()
                cell.truncate(inner, overflow="ellipsis")  # "Mia Schn…", not "Mia Schne"
                if cell.justify == "right":
                    cell.rstrip()
                    cell.pad_left(inner - cell.cell_len)
            console = self.app.console
            text: Iterable[Segment] = cell.render(console, end="")
            if cell.style:  # Text.render leaves the Text's own style to its caller
                text = Segment.apply_style(text, console.get_style(cell.style))
            pad = [Segment(" " * self.cell_padding)] if self.cell_padding else []
            line = [*pad, *Segment.adjust_line_length(list(text), inner), *pad]
            lines = [list(Segment.apply_style(line, pre_style + component_style, post_style))]
            self._cell_render_cache[cache_key] = lines
        return lines

    def replace_row(self, key: str, cells: list[Any]) -> None:
        """New cells for one row, redrawing that row only. ``update_cell`` counts as a
        change of the whole table (every cached line and cell is dropped, every visible line
        redrawn), nine times for nine columns; a live update of one number should not."""
        row_key = RowKey(key)
        index = self._row_locations.get(row_key)
        if index is None:
            raise RowDoesNotExist(key)
        data = self._data[row_key]
        for column, cell in zip(self.ordered_columns, cells, strict=True):
            data[column.key] = cell
        y = index + self._header_lines
        caches: tuple[tuple[LRUCache[Any, Any], Callable[[Any], bool]], ...] = (
            (self._lines, lambda k: k[0] == y),
            (self._cell_render_cache, lambda k: k[0] == row_key),
            (self._row_render_cache, lambda k: k[0] == row_key),
            (self._row_renderable_cache, lambda k: k[1] == index),
        )
        for cache, stale in caches:
            for cache_key in [k for k in cache.keys() if stale(k)]:
                cache.discard(cache_key)
        self._line_cache.clear()  # DataTable's own (one line, keyed by the update count)
        self.refresh_row(index)

    def _at_edge(self, step: int) -> bool:
        last = self.row_count - 1
        if last >= 0 and self.cursor_row == (last if step > 0 else 0):
            self.post_message(self.Edge(step))
            return True
        return False

    def action_cursor_down(self) -> None:
        if not self._at_edge(1):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._at_edge(-1):
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if not self._at_edge(1):
            super().action_page_down()

    def action_page_up(self) -> None:
        if not self._at_edge(-1):
            super().action_page_up()
