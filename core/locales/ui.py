"""Texts of the App shell: header, navigation, help."""

MESSAGES: dict[str, dict[str, str]] = {
    "ui.header.support_access": {"de": "Support-Zugriff: {customer}", "en": "Support access: "
                                                                            "{customer}"},
    "ui.header.support_no_customer": {
        "de": "Support – kein Kunde geöffnet", "en": "Support – no customer open",
    },
    "ui.db.lost": {
        "de": "Verbindung zur Datenbank unterbrochen – die Anzeige wird aktualisiert, sobald "
              "sie wieder besteht.",
        "en": "Connection to the database interrupted – the display is refreshed as soon as "
              "it is back.",
    },
    "ui.db.back": {
        "de": "Wieder verbunden – die Anzeige ist aktualisiert.",
        "en": "Connected again – the display has been refreshed.",
    },
    "ui.view_mode": {"de": "Ansichtsmodus", "en": "View mode"},
    "ui.view_mode.admin": {"de": "Admin-Ansicht", "en": "Admin view"},
    "ui.view_mode.user": {"de": "Anwender-Ansicht", "en": "User view"},
    "ui.nav.home": {"de": "Start", "en": "Home"},
    "ui.nav.contracts": {"de": "Verträge", "en": "Contracts"},
    "ui.nav.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "ui.nav.users": {"de": "Benutzerverwaltung", "en": "User management"},
    "ui.nav.users.key": {"de": "Benutzer", "en": "Users"},  # key bar: 1–5, v, ? fit 120 cols
    "ui.nav.audit": {"de": "Archiv", "en": "Audit log"},
    "ui.nav.help": {"de": "Hilfe", "en": "Help"},
    "ui.nav.quit": {"de": "Beenden", "en": "Quit"},
    "ui.nav.filter": {"de": "Filtern", "en": "Filter"},
    "ui.home.title": {"de": "Business Service Portal", "en": "Business Service Portal"},
    "ui.home.welcome": {"de": "Willkommen, {name}!", "en": "Welcome, {name}!"},
    "ui.home.customer": {"de": "Kunde: {customer}", "en": "Customer: {customer}"},
    "ui.home.signed_in_as": {"de": "Angemeldet als {user} ({role})", "en": "Signed in as {user} "
                                                                           "({role})"},
    "ui.home.navigate": {
        "de": "Wählen Sie einen Bereich mit den Tasten 1–5 oder den Schaltflächen:",
        "en": "Choose an area with the keys 1–5 or the buttons:",
    },
    "ui.nav.language": {"de": "Sprache wechseln", "en": "Switch language"},
    "ui.palette.placeholder": {"de": "Befehl suchen …", "en": "Search for a command …"},
    "ui.palette.key": {"de": "Taste {key}", "en": "Key {key}"},
    "ui.key.unavailable": {
        "de": "„{label}“ ist hier gerade nicht möglich.",
        "en": "“{label}” is not possible here right now.",
    },
    "ui.quit.title": {"de": "Portal beenden?", "en": "Quit the portal?"},
    "ui.quit.hint": {"de": "Zum Beenden Strg+Q drücken.", "en": "Press ctrl+q to quit the portal."},
    "ui.key.close_dialog_first": {
        "de": "Bitte zuerst den Dialog schließen (Esc).",
        "en": "Please close the dialog first (Esc).",
    },
    "ui.help.title": {"de": "Hilfe – Tastenbelegung", "en": "Help – keys"},
    "ui.help.screen_keys": {"de": "Tasten dieser Ansicht", "en": "Keys of this screen"},
    "ui.help.global_keys": {"de": "Überall", "en": "Everywhere"},
    "ui.help.no_screen_keys": {
        "de": "Diese Ansicht hat keine eigenen Tasten.", "en": "This screen has no keys of its "
                                                               "own.",
    },
    "ui.help.close": {"de": "Schließen", "en": "Close"},
    "ui.help.body": {
        "de": "ctrl+p Befehlspalette (alle Befehle, nach Namen suchen) · ctrl+l Sprache\n"
              "Tab/Shift+Tab wechselt zwischen Feldern, Enter bestätigt, Esc bricht ab.",
        "en": "ctrl+p command palette (every command, search by name) · ctrl+l language\n"
              "Tab/Shift+Tab moves between fields, Enter confirms, Esc cancels.",
    },
    "ui.error.unexpected": {
        "de": "Unerwarteter Fehler – die Aktion wurde nicht ausgeführt.",
        "en": "Unexpected error – the action was not carried out.",
    },
    "ui.session.idle_warning": {
        "de": "Sie werden in {seconds} Sekunden wegen Inaktivität abgemeldet.",
        "en": "You will be signed out in {seconds} seconds due to inactivity.",
    },
    "ui.session.shutdown": {
        "de": "Der Server wird angehalten – Ihre Sitzung wird gleich beendet.",
        "en": "The server is stopping – your session will end shortly.",
    },
    "ui.session.restart": {
        "de": "Der Server wird neu gestartet – Ihre Sitzung wird gleich beendet. "
              "Bitte danach erneut verbinden.",
        "en": "The server is restarting – your session will end shortly. "
              "Please reconnect afterwards.",
    },
    "ui.placeholder": {
        "de": "Dieser Bereich wird gerade aufgebaut.",
        "en": "This area is being built.",
    },
}
