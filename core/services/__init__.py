"""Services: one module per area. Each public function takes ``(uow, actor, ...)`` and
checks permission and tenant first; results are frozen dataclasses, never ORM objects."""
