"""Texts shared by every area: errors, roles, generic words."""

MESSAGES: dict[str, dict[str, str]] = {
    "error.permission_denied": {
        "de": "Keine Berechtigung für diese Aktion.",
        "en": "You are not allowed to do this.",
    },
    "error.cross_tenant": {
        "de": "Kein Zugriff auf Daten eines anderen Kunden.",
        "en": "No access to another customer's data.",
    },
    "error.employee_own_only": {
        "de": "Mitarbeiter-Konten sehen nur ihre eigenen Daten.",
        "en": "Employee accounts see only their own data.",
    },
    "error.admin_only": {
        "de": "Nur das Administrator-Konto (Admin-Ansicht) darf diese Aktion ausführen.",
        "en": "Only the administrator account (admin view) may do this.",
    },
    "error.support_reason_required": {
        "de": "Support-Zugriff: für Änderungen im Namen des Kunden ist ein Grund (Ticket-Nr.) "
              "nötig.",
        "en": "Support access: a change on behalf of the customer needs a reason (ticket id).",
    },
    "error.support_no_customer": {
        "de": "Support-Zugriff: bitte zuerst einen Kunden öffnen.",
        "en": "Support access: open a customer first.",
    },
    "error.not_found": {
        "de": "Nicht gefunden.",
        "en": "Not found.",
    },
    "error.not_found_named": {
        "de": "{what} „{name}“ nicht gefunden.",
        "en": "{what} '{name}' not found.",
    },
    "error.conflict": {
        "de": "Der Datensatz wurde inzwischen von jemand anderem geändert. Bitte neu laden.",
        "en": "Somebody else changed this in the meantime. Please reload.",
    },
    "error.storage_full": {
        "de": "Kein Speicherplatz mehr für die Daten – nichts wurde geändert. "
              "Bitte später erneut versuchen.",
        "en": "No storage space left for the data – nothing was changed. "
              "Please try again later.",
    },
    "error.database_unavailable": {
        "de": "Verbindung zur Datenbank unterbrochen – nichts wurde geändert. "
              "Bitte gleich noch einmal versuchen.",
        "en": "Connection to the database interrupted – nothing was changed. "
              "Please try again in a moment.",
    },
    "error.auth_failed": {
        "de": "Anmeldung fehlgeschlagen.",
        "en": "Login failed.",
    },
    "error.invalid_email": {
        "de": "„{value}“ ist keine gültige E-Mail-Adresse.",
        "en": "'{value}' is not a valid e-mail address.",
    },
    "error.invalid_mobile": {
        "de": "„{value}“ ist keine gültige Mobilfunk-Rufnummer (E.164, z. B. +491701234567).",
        "en": "'{value}' is not a valid mobile number (E.164, e.g. +491701234567).",
    },
    "error.invalid_username": {
        "de": "Ungültiger Benutzername „{value}“ (3–32 Zeichen: a–z, 0–9, . _ -).",
        "en": "Invalid username '{value}' (3–32 characters: a–z, 0–9, . _ -).",
    },
    "error.username_taken": {
        "de": "Der Benutzername „{value}“ ist bereits vergeben.",
        "en": "The username '{value}' is already taken.",
    },
    "error.weak_password": {
        "de": "Das Passwort muss mindestens {min} Zeichen lang sein.",
        "en": "The password must be at least {min} characters long.",
    },
    "error.invalid_locale": {
        "de": "Unbekannte Sprache „{value}“ (de oder en).",
        "en": "Unknown language '{value}' (de or en).",
    },
    "error.invalid_ssh_key": {
        "de": "Ungültiger öffentlicher SSH-Schlüssel.",
        "en": "Invalid SSH public key.",
    },
    "error.invalid_role": {
        "de": "Unbekannte Rolle „{value}“ (admin, employee, support).",
        "en": "Unknown role '{value}' (admin, employee, support).",
    },
    "error.customer_required": {
        "de": "Admin- und Mitarbeiter-Konten gehören zu genau einem Kunden.",
        "en": "Admin and employee accounts belong to exactly one customer.",
    },
    "error.invalid_customer_number": {
        "de": "Ungültige Kundennummer „{value}“ (7 Ziffern).",
        "en": "Invalid customer number '{value}' (7 digits).",
    },
    "error.customer_number_taken": {
        "de": "Die Kundennummer „{value}“ ist bereits vergeben.",
        "en": "The customer number '{value}' is already taken.",
    },
    "role.admin": {"de": "Administrator", "en": "Administrator"},
    "role.employee": {"de": "Mitarbeiter", "en": "Employee"},
    "role.support": {"de": "Support", "en": "Support"},
    "word.customer": {"de": "Kunde", "en": "Customer"},
    "word.user": {"de": "Benutzer", "en": "User"},
    "word.contract": {"de": "Vertrag", "en": "Contract"},
    "word.number": {"de": "Rufnummer", "en": "Number"},
    "word.yes": {"de": "ja", "en": "yes"},
    "word.no": {"de": "nein", "en": "no"},
}
MESSAGES["error.auth_locked"] = {
    "de": "Anmeldung fehlgeschlagen: zu viele Fehlversuche, bitte später erneut versuchen.",
    "en": "Login failed: too many failed attempts, please try again later.",
}
MESSAGES["error.control_chars"] = {
    "de": "{field}: Steuerzeichen (z. B. Escape-Sequenzen) sind nicht erlaubt.",
    "en": "{field}: control characters (such as escape sequences) are not allowed.",
}
MESSAGES["error.customer_name_required"] = {
    "de": "Der Kundenname darf nicht leer sein.",
    "en": "The customer name must not be empty.",
}
MESSAGES["error.support_has_no_customer"] = {
    "de": "Support-Konten gehören zu keinem Kunden.",
    "en": "Support accounts belong to no customer.",
}
MESSAGES["error.key_exists"] = {
    "de": "Dieser Schlüssel ({fingerprint}) ist bereits hinterlegt.",
    "en": "This key ({fingerprint}) is already registered.",
}
