"""Style work done once per process instead of once per session.

Textual caches on each App's ``Stylesheet``; with one App per SSH session every login
repeated the same work:

* parsing ``app.tcss``, the screens' CSS and every widget's ``DEFAULT_CSS`` (~0.2 s CPU per
  login). Parsed ``RuleSet``s are not mutated after parsing, so Apps with the same theme
  variables share them: ``Stylesheet._parse_rules`` gets a bounded process-wide cache keyed
  by the CSS, its location, its scope and the theme variables.
* matching every rule against every widget's path (``Stylesheet.apply``, the largest share
  of a login's CPU after parsing was shared). Which rules win for a widget depends only on
  the rules and on the types, ids, classes and pseudo-class states along the widget's path
  from the App. Every session builds the same screens, so ``apply`` gets a process-wide
  cache keyed by exactly that. Rules that depend on siblings (``:first-child``, ``:odd``,
  ``:focus-within`` …) are never cached — Textual's own per-update cache excludes the same.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

MAX_ENTRIES = 512
MAX_APPLY_ENTRIES = 8192
"""Distinct (rules, widget path) pairs; all portal screens of all roles use ~1,500."""
MAX_RULE_SETS = 32
"""Distinct rule lists (themes × variants); beyond that the apply caches start over."""

_cache: OrderedDict[tuple[Any, ...], list[RuleSet]] = OrderedDict()
_installed = False

_EXCLUDED = frozenset(Stylesheet._EXCLUDE_PSEUDO_CLASSES_FROM_CACHE)
_rule_set_tokens: dict[tuple[int, ...], tuple[int, list[RuleSet]]] = {}
"""Rule list (by identity of its shared RuleSets) → small token; keeps the lists alive so
the identities in the key stay valid."""
_candidates: dict[tuple[Any, ...], tuple[tuple[str, ...], bool]] = {}
"""(token, widget type, id, classes) → (pseudo-classes the widget's rules test, cacheable)."""
_applied: OrderedDict[tuple[Any, ...], tuple[Any, tuple[bool, bool, bool, bool]]] = OrderedDict()
"""(token, path signature) → (winning rules or None, the four ``_has_*`` flags)."""
_next_token = [0]
_stats = {"hits": 0, "misses": 0, "uncacheable": 0}


def install() -> None:
    """Idempotent; call once at start-up, before the first App."""
    global _installed
    if _installed:
        return
    original = Stylesheet._parse_rules

    def _parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               tuple(sorted(self._variables.items())))
        rules = _cache.get(key)
        if rules is None:
            rules = original(self, css, read_from, is_default_rules, tie_breaker, scope)
            _cache[key] = rules
            if len(_cache) > MAX_ENTRIES:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
        return rules

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]
    Stylesheet.apply = _cached_apply(Stylesheet.apply)  # type: ignore[method-assign]
    _installed = True


def _token(sheet: Stylesheet) -> int:
    rules = sheet.rules
    seen = sheet.__dict__.get("_linedesk_token")
    if seen is not None and seen[0] is rules:
        return int(seen[1])
    ident = tuple(map(id, rules))
    entry = _rule_set_tokens.get(ident)
    if entry is None:
        if len(_rule_set_tokens) >= MAX_RULE_SETS:
            _rule_set_tokens.clear()
            _candidates.clear()
            _applied.clear()
        # never reused for other rules: a token counts up for the life of the process
        _next_token[0] += 1
        entry = (_next_token[0], rules)
        _rule_set_tokens[ident] = entry
    # the rule list is replaced (not mutated) when the stylesheet is re-parsed
    sheet.__dict__["_linedesk_token"] = (rules, entry[0])
    return entry[0]


def _pseudo_names(sheet: Stylesheet, token: int, node: DOMNode) -> tuple[tuple[str, ...], bool]:
    key = (token, type(node), node._id, frozenset(node._classes))
    found = _candidates.get(key)
    if found is None:
        rules_map = sheet.rules_map
        names: set[str] = set()
        for name in rules_map.keys() & node._selector_names:
            for rule in rules_map[name]:
                names |= rule.pseudo_classes
        found = (tuple(sorted(names)), names.isdisjoint(_EXCLUDED))
        _candidates[key] = found
    return found


def _path_key(node: DOMNode, pseudo: tuple[str, ...]) -> tuple[Any, ...]:
    parts: list[Any] = []
    current: Any = node
    while isinstance(current, DOMNode):
        parts.append((
            type(current), current._id, frozenset(current._classes),
            tuple([current.has_pseudo_class(name) for name in pseudo]) if pseudo else (),
        ))
        current = current._parent
    return tuple(parts)


_original_apply: Any = None


def uncached_apply(sheet: Stylesheet, node: DOMNode) -> None:
    """Textual's own ``apply`` (for tests comparing the cached result with it)."""
    (_original_apply or Stylesheet.apply)(sheet, node)


def _cached_apply(original: Any) -> Any:
    global _original_apply
    _original_apply = original

    def apply(self: Stylesheet, node: DOMNode, *, animate: bool = False,
              cache: dict[tuple[Any, ...], Any] | None = None) -> None:
        token = _token(self)
        pseudo, cacheable = _pseudo_names(self, token, node)
        if not cacheable:
            _stats["uncacheable"] += 1
            original(self, node, animate=animate, cache=cache)
            return
        key = (token, _path_key(node, pseudo))
        hit = _applied.get(key)
        if hit is not None:
            _stats["hits"] += 1
            rules, flags = hit
            (node._has_hover_style, node._has_focus_within, node._has_order_style,
             node._has_odd_or_even) = flags
            if rules is not None:
                self.replace_rules(node, rules, animate=animate)
            self._process_component_classes(node)
            return
        _stats["misses"] += 1
        # Textual stores the winning rules of this node (and only this node: component
        # classes recurse through here without a cache) in the dict it is given
        captured: dict[tuple[Any, ...], Any] = {}
        original(self, node, animate=animate, cache=captured)
        rules = next(iter(captured.values()), None)
        _applied[key] = (rules, (node._has_hover_style, node._has_focus_within,
                                 node._has_order_style, node._has_odd_or_even))
        if len(_applied) > MAX_APPLY_ENTRIES:
            _applied.popitem(last=False)

    return apply


def size() -> int:
    return len(_cache)


def stats() -> dict[str, int]:
    """Hits and misses of the shared ``apply`` cache (for benchmarks and tests)."""
    return {**_stats, "entries": len(_applied)}
