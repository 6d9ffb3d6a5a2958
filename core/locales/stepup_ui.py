"""Texts of the step-up code dialog (R20) in the TUI."""

MESSAGES: dict[str, dict[str, str]] = {
    "ui.stepup.title": {"de": "Bestätigungscode eingeben", "en": "Enter confirmation code"},
    "ui.stepup.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "ui.stepup.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "ui.stepup.sent": {
        "de": "Code an {mobile} gesendet, {minutes} Minuten gültig.",
        "en": "Code sent to {mobile}, valid for {minutes} minutes.",
    },
    "ui.stepup.resent": {
        "de": "Neuer Code an {mobile} gesendet, {minutes} Minuten gültig. Der vorige gilt "
              "nicht mehr.",
        "en": "New code sent to {mobile}, valid for {minutes} minutes. The previous one no "
              "longer works.",
    },
    "ui.stepup.placeholder": {"de": "6 Ziffern aus der SMS", "en": "6 digits from the SMS"},
    "ui.stepup.resend": {"de": "neuen Code senden", "en": "send a new code"},
    "ui.stepup.cancelled": {
        "de": "Abgebrochen: ohne Bestätigungscode wurde nichts geändert.",
        "en": "Cancelled: without the confirmation code nothing was changed.",
    },
}
