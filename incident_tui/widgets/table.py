"""A DataTable whose rows are redrawn once their columns have been sized."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class SizedTable(DataTable):
    """DataTable sizes auto-width columns on idle, after rows arrive, but its render
    caches are not keyed by column widths: a frame painted between `add_row` and that
    idle pass stays on screen with header-sized columns (seen in Textual 8.2.8 about one
    load in four). Dropping the caches once the widths are known fixes it."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._clear_caches()
