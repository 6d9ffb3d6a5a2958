"""The Textual front end: one :class:`tui.app.LinedeskApp` per session."""
