"""Texts of the App shell: header, navigation, help."""

MESSAGES: dict[str, dict[str, str]] = {
    "ui.header.support_access": {"de": "Support-Zugriff: {customer}", "en": "Support access: {customer}"},
    "ui.header.support_no_customer": {
        "de": "Support – kein Kunde geöffnet", "en": "Support – no customer open",
    },
    "ui.view_mode": {"de": "Ansichtsmodus", "en": "View mode"},
    "ui.view_mode.admin": {"de": "Admin-Ansicht", "en": "Admin view"},
    "ui.view_mode.user": {"de": "Anwender-Ansicht", "en": "User view"},
    "ui.nav.home": {"de": "Start", "en": "Home"},
    "ui.nav.contracts": {"de": "Verträge", "en": "Contracts"},
    "ui.nav.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "ui.nav.users": {"de": "Benutzerverwaltung", "en": "User management"},
    "ui.nav.audit": {"de": "Archiv", "en": "Audit log"},
    "ui.nav.help": {"de": "Hilfe", "en": "Help"},
    "ui.nav.quit": {"de": "Beenden", "en": "Quit"},
    "ui.nav.filter": {"de": "Filtern", "en": "Filter"},
    "ui.home.title": {"de": "Business Service Portal", "en": "Business Service Portal"},
    "ui.home.welcome": {"de": "Willkommen, {name}!", "en": "Welcome, {name}!"},
    "ui.home.customer": {"de": "Kunde: {customer}", "en": "Customer: {customer}"},
    "ui.home.signed_in_as": {"de": "Angemeldet als {user} ({role})", "en": "Signed in as {user} ({role})"},
    "ui.home.navigate": {
        "de": "Wählen Sie einen Bereich mit den Tasten 1–4 oder den Schaltflächen:",
        "en": "Choose an area with the keys 1–4 or the buttons:",
    },
    "ui.help.title": {"de": "Hilfe – Tastenbelegung", "en": "Help – keys"},
    "ui.help.close": {"de": "Schließen", "en": "Close"},
    "ui.help.body": {
        "de": "1 Verträge · 2 Rufnummern · 3 Benutzerverwaltung · 4 Archiv\n"
              "/ Tabelle filtern · ctrl+p Befehlspalette · ? Hilfe · ctrl+q Beenden\n"
              "Tab/Shift+Tab wechselt zwischen Feldern, Enter bestätigt, Esc bricht ab.",
        "en": "1 contracts · 2 numbers · 3 user management · 4 audit log\n"
              "/ filter table · ctrl+p command palette · ? help · ctrl+q quit\n"
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
        "de": "Der Server wird neu gestartet – Ihre Sitzung wird gleich beendet.",
        "en": "The server is restarting – your session will end shortly.",
    },
    "ui.placeholder": {
        "de": "Dieser Bereich wird gerade aufgebaut.",
        "en": "This area is being built.",
    },
}
