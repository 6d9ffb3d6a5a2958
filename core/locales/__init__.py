"""Message catalogs, one module per area: ``MESSAGES = {key: {"de": ..., "en": ...}}``."""
