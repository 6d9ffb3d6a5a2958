"""Texts of command mode (ssh exec): help, labels and errors."""

MESSAGES: dict[str, dict[str, str]] = {
    "cmd.help.main": {
        "de": "linedesk-Befehlsmodus: ein Befehl pro SSH-Aufruf, z. B. "
              "„ssh -p 2222 admin@host numbers list --json“. Exit-Codes: 0 ok, 2 Aufruf fehlerhaft, "
              "3 keine Berechtigung, 4 durch eine Geschäftsregel abgelehnt.",
        "en": "linedesk command mode: one command per SSH call, e.g. "
              "'ssh -p 2222 admin@host numbers list --json'. Exit codes: 0 ok, 2 usage error, "
              "3 permission denied, 4 refused by a business rule.",
    },
    "cmd.opt.json": {"de": "maschinenlesbare Ausgabe (JSON)", "en": "machine-readable output (JSON)"},
    "cmd.opt.customer": {
        "de": "nur Support: im Namen dieses Kunden (Kundennummer) handeln",
        "en": "support only: act for this customer (customer number)",
    },
    "cmd.opt.reason": {
        "de": "nur Support: Grund/Ticket-Nr., nötig für Änderungen",
        "en": "support only: reason/ticket id, needed for changes",
    },
    "cmd.opt.yes": {
        "de": "Ausführung bestätigen (ohne: nur anzeigen, was geschähe)",
        "en": "confirm the action (without: only show what would happen)",
    },
    "cmd.help.whoami": {"de": "angemeldetes Konto anzeigen", "en": "show the signed-in account"},
    "cmd.help.group.customers": {"de": "Kunden (nur Support)", "en": "customers (support only)"},
    "cmd.help.customers_search": {
        "de": "Kunden nach Name, Kundennummer oder Rufnummer suchen (nur Support)",
        "en": "search customers by name, customer number or phone number (support only)",
    },
    "cmd.arg.query": {"de": "Suchbegriff", "en": "search text"},
    "cmd.whoami.user": {"de": "Benutzer", "en": "User"},
    "cmd.whoami.role": {"de": "Rolle", "en": "Role"},
    "cmd.whoami.customer": {"de": "Kunde", "en": "Customer"},
    "cmd.whoami.view_mode": {"de": "Ansichtsmodus", "en": "View mode"},
    "cmd.whoami.reason": {"de": "Grund", "en": "Reason"},
    "cmd.whoami.source": {"de": "Herkunft", "en": "Source"},
    "cmd.whoami.key": {"de": "Schlüssel", "en": "Key"},
    "cmd.error.quoting": {
        "de": "Befehl nicht lesbar ({detail}); bitte Anführungszeichen prüfen.",
        "en": "Cannot read the command ({detail}); please check the quotes.",
    },
    "cmd.error.no_command": {
        "de": "Kein Befehl angegeben; „--help“ zeigt alle Befehle.",
        "en": "No command given; '--help' lists all commands.",
    },
    "cmd.error.usage": {
        "de": "Aufruf fehlerhaft: {detail} („--help“ zeigt die Hilfe)",
        "en": "Usage error: {detail} ('--help' shows the help)",
    },
    "cmd.error.needs_confirmation": {
        "de": "Nicht ausgeführt: zur Bestätigung {flag} angeben.",
        "en": "Not carried out: add {flag} to confirm.",
    },
    "cmd.error.internal": {
        "de": "Unerwarteter Fehler – der Befehl wurde nicht ausgeführt.",
        "en": "Unexpected error – the command was not carried out.",
    },
    "cmd.error.customer_option_support_only": {
        "de": "--customer und --reason sind nur für Support-Konten.",
        "en": "--customer and --reason are for support accounts only.",
    },
    "cmd.error.reason_without_customer": {
        "de": "--reason braucht --customer.",
        "en": "--reason needs --customer.",
    },
    "cmd.error.support_customer_required": {
        "de": "Support: bitte mit --customer KUNDENNUMMER den Kunden angeben.",
        "en": "Support: please name the customer with --customer NUMBER.",
    },
}
