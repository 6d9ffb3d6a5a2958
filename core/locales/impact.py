"""Texts of the impact preview (R18): what a dangerous action takes down or deletes."""

MESSAGES: dict[str, dict[str, str]] = {
    "impact.line.online": {
        "de": "Der Anschluss ist online seit {since}: er geht beim Generieren sofort offline.",
        "en": "The line has been online since {since}: it goes offline at once when you "
              "generate.",
    },
    "impact.line.offline": {
        "de": "Der Anschluss ist offline (seit {since}).",
        "en": "The line is offline (since {since}).",
    },
    "impact.line.none": {"de": "Dieser Vertrag hat keinen Anschluss.",
                         "en": "This contract has no line."},
    "impact.calls.title": {
        "de": "Laufende Gespräche auf den Rufnummern dieses Vertrags ({count}) – sie brechen "
              "sofort ab:",
        "en": "Calls going on right now on this contract's numbers ({count}) – they drop at "
              "once:",
    },
    "impact.calls.line": {
        "de": "• {number} ({user}) seit {since} mit {remote}",
        "en": "• {number} ({user}) since {since} with {remote}",
    },
    "impact.calls.more": {"de": "… und {count} weitere", "en": "… and {count} more"},
    "impact.calls.none": {
        "de": "Zurzeit laufen keine Gespräche auf den Rufnummern dieses Vertrags.",
        "en": "No calls are going on right now on this contract's numbers.",
    },
    "impact.unknown_since": {"de": "unbekannt", "en": "unknown"},
    "impact.lost.title": {
        "de": "Dabei gehen diese Einstellungen von {number} verloren:",
        "en": "These settings of {number} will be lost:",
    },
    "impact.lost.inline": {"de": "Verloren gehen bei {number}: {items}.",
                           "en": "Lost with {number}: {items}."},
    "impact.lost.none": {
        "de": "Für {number} sind keine Einstellungen gespeichert, die verloren gingen.",
        "en": "{number} has no stored settings that would be lost.",
    },
    "impact.lost.forwarding": {"de": "• Weiterleitung an {value}",
                               "en": "• Forwarding to {value}"},
    "impact.lost.assignment": {"de": "• Zuweisung an {value}", "en": "• Assignment to {value}"},
    "impact.lost.fax_owner": {"de": "• Persönliches Fax von {value}",
                              "en": "• Personal fax of {value}"},
    "impact.lost.fax_credentials": {"de": "• Fax-Zugangsdaten von {value}",
                                    "en": "• Fax credentials of {value}"},
    "impact.lost.setting": {"de": "• Einstellung {value}", "en": "• Setting {value}"},
}
