"""Footer labels in the session's language: the one place that rewrites a node's bindings.

Textual's ``Binding`` is a frozen dataclass and a node's bindings live in the private
``_bindings`` map (there is no public API to relabel them), so every screen that showed its
keys translated used to copy a loop reaching into it. This module is that loop, once:

    label_bindings(self, "numbers.", lambda rest: self.t(KEY_LABELS[rest]))
    self.refresh_bindings()

Bindings are matched by their ``id`` (``Binding(..., id="numbers.sort")``); the function
is given the part of the id after ``prefix`` and returns the label, or None to keep it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from textual.dom import DOMNode

Labeller = Callable[[str], str | None] | Mapping[str, str]
"""The rest of a binding id → its new label (None or missing: keep the label)."""


def label_bindings(node: DOMNode, prefix: str, labels: Labeller) -> None:
    """Give every binding of ``node`` whose id starts with ``prefix`` the label
    ``labels(rest of id)``; call ``node.refresh_bindings()`` afterwards when mounted."""
    lookup: Callable[[str], str | None] = (
        labels.get if isinstance(labels, Mapping) else labels
    )
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        relabelled = []
        for binding in bindings:
            label = None
            if binding.id and binding.id.startswith(prefix):
                label = lookup(binding.id[len(prefix):])
            relabelled.append(binding if label is None else replace(binding, description=label))
        table[key] = relabelled
