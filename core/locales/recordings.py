"""Texts of session recordings (R24)."""

_PAIRS: dict[str, tuple[str, str]] = {
    "audit.action.session.recorded": ("Sitzung aufgezeichnet", "Session recorded"),
    "audit.text.session.recorded": ("Sitzung aufgezeichnet: {target}", "Session recorded: "
                                                                       "{target}"),
    "audit.action.session.recording_stopped": ("Aufzeichnung abgebrochen",
                                               "Recording stopped"),
    "audit.text.session.recording_stopped": (
        "Aufzeichnung {target} abgebrochen; die Sitzung lief weiter",
        "Recording {target} stopped; the session went on"),
    "audit.action.recordings.deleted": ("Alte Aufzeichnungen gelöscht", "Old recordings deleted"),
    "audit.text.recordings.deleted": ("Alte Aufzeichnungen gelöscht",
                                      "Old recordings deleted"),
    "audit.detail.recording": ("Aufzeichnung", "Recording"),
    "audit.detail.size": ("Größe (Bytes)", "Size (bytes)"),
    "audit.detail.limit_mb": ("Grenze (MiB)", "Bound (MiB)"),
    "audit.detail.seconds": ("Dauer (Sekunden)", "Duration (seconds)"),
    "audit.detail.complete": ("Vollständig", "Complete"),
    "audit.detail.days": ("Aufbewahrung (Tage)", "Kept (days)"),
    "audit.detail.command": ("Befehl", "Command"),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"de": de, "en": en} for k, (de, en) in _PAIRS.items()}
