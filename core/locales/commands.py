"""Texts of command mode (ssh exec): help, labels and errors."""

MESSAGES: dict[str, dict[str, str]] = {
    "cmd.help.main": {
        "de": "linedesk-Befehlsmodus: ein Befehl pro SSH-Aufruf, z. B. "
              "„ssh -p 2222 admin@host numbers list --json“. Exit-Codes: 0 ok, 1 Serverfehler, "
              "2 Aufruf fehlerhaft, 3 keine Berechtigung, 4 durch eine Geschäftsregel abgelehnt, "
              "5 als Vier-Augen-Antrag eingereicht.",
        "en": "linedesk command mode: one command per SSH call, e.g. "
              "'ssh -p 2222 admin@host numbers list --json'. Exit codes: 0 ok, 1 server error, "
              "2 usage error, 3 permission denied, 4 refused by a business rule, 5 filed as a "
              "four-eyes request.",
    },
    "cmd.help.group.deadlines": {
        "de": "Fristen: was von selbst geschieht", "en": "deadlines: what will happen by itself",
    },
    "cmd.help.group.approvals": {
        "de": "Freigaben (Vier-Augen-Prinzip)", "en": "approvals (four-eyes principle)",
    },
    "cmd.help.usage": {"de": "Aufruf:", "en": "usage:"},
    "cmd.help.positionals": {"de": "Argumente", "en": "arguments"},
    "cmd.help.optionals": {"de": "Optionen", "en": "options"},
    "cmd.help.help": {"de": "diese Hilfe anzeigen", "en": "show this help"},
    "cmd.opt.json": {"de": "maschinenlesbare Ausgabe (JSON)", "en": "machine-readable output "
                                                                    "(JSON)"},
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
    "cmd.help.epilog": {
        "de": "„help BEFEHL“ (oder „BEFEHL --help“) zeigt die Hilfe eines Befehls, z. B. "
              "„help numbers list“. Optionen stehen nach den Befehlswörtern. Freitext (Adresse, "
              "Anschlussinhaber, Grund, Suche) reicht bis zur nächsten Option, Anführungszeichen "
              "sind nicht nötig; eine Rufnummer darf Leerzeichen enthalten (030 123456101).",
        "en": "'help COMMAND' (or 'COMMAND --help') shows a command's help, e.g. "
              "'help numbers list'. Options go after the command words. Free text (address, "
              "account holder, reason, search) runs up to the next option, no quotes needed; "
              "a phone number may contain spaces (030 123456101).",
    },
    "cmd.error.quoting": {
        "de": "Befehl nicht lesbar ({detail}); bitte Anführungszeichen prüfen.",
        "en": "Cannot read the command ({detail}); please check the quotes.",
    },
    "cmd.error.no_command": {
        "de": "Kein Befehl angegeben; „help“ zeigt alle Befehle.",
        "en": "No command given; 'help' lists all commands.",
    },
    "cmd.error.usage": {
        "de": "Aufruf fehlerhaft: {detail} („help“ zeigt die Hilfe)",
        "en": "Usage error: {detail} ('help' shows the help)",
    },
    "cmd.argparse.required": {
        "de": "es fehlt: {args}", "en": "missing: {args}",
    },
    "cmd.argparse.unrecognized": {
        "de": "unbekannte Angaben: {args}", "en": "unrecognized arguments: {args}",
    },
    "cmd.argparse.invalid_choice": {
        "de": "{name}: {value} ist nicht möglich (erlaubt: {choices})",
        "en": "{name}: {value} is not possible (choose from {choices})",
    },
    "cmd.argparse.expected_one": {
        "de": "{name} braucht einen Wert", "en": "{name} needs a value",
    },
    "cmd.argparse.invalid_value": {
        "de": "ungültiger Wert für {name}: {detail}", "en": "invalid value for {name}: {detail}",
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
    "cmd.opt.consent": {
        "de": "Einwilligung: gespeicherte E-Mail-Adresse und Mobilfunknummer dürfen für die "
              "Zustellung "
              "genutzt werden (ohne: nur Hinweise anzeigen)",
        "en": "consent: the stored e-mail address and mobile number may be used for delivery "
              "(without: only show the warnings)",
    },
    "cmd.yes": {"de": "ja", "en": "yes"},
    "cmd.no": {"de": "nein", "en": "no"},
    "cmd.help.group.contracts": {"de": "Verträge", "en": "contracts"},
    "cmd.help.group.credentials": {"de": "Internet-Zugangsdaten", "en": "internet access "
                                                                        "credentials"},
    "cmd.help.group.numbers": {"de": "Rufnummern", "en": "phone numbers"},
    "cmd.help.group.fax": {"de": "Fax", "en": "fax"},
    "cmd.help.group.areas": {
        "de": "Ortsnetze (Adressprüfung per PIN-Brief)", "en": "local areas (address check by PIN "
                                                               "letter)",
    },
    "cmd.help.group.porting": {"de": "Rufnummernportierung", "en": "number porting"},
    "cmd.help.contracts_list": {"de": "Verträge auflisten", "en": "list contracts"},
    "cmd.help.credentials_generate": {
        "de": "neue Internet-Zugangsdaten für einen Vertrag mit Anschluss erzeugen",
        "en": "generate new internet access credentials for a contract with a line",
    },
    "cmd.help.numbers_list": {"de": "Rufnummern auflisten", "en": "list phone numbers"},
    "cmd.help.numbers_activate": {
        "de": "Rufnummer kostenpflichtig aktivieren", "en": "activate a phone number (chargeable)",
    },
    "cmd.help.numbers_deactivate": {
        "de": "Rufnummer zum Ende des Folgemonats deaktivieren",
        "en": "deactivate a phone number at the end of the following month",
    },
    "cmd.help.numbers_undo": {
        "de": "vorgemerkte Deaktivierung zurücknehmen", "en": "undo a pending deactivation",
    },
    "cmd.help.numbers_swap": {
        "de": "aktive Rufnummer gegen eine inaktive tauschen (Einstellungen der alten werden "
              "gelöscht)",
        "en": "swap an active number for an inactive one (settings of the old one are deleted)",
    },
    "cmd.help.numbers_assign": {
        "de": "Rufnummer einem Mitarbeiter zuweisen", "en": "assign a phone number to an employee",
    },
    "cmd.help.numbers_order": {
        "de": "neue Rufnummern in einem verifizierten Ortsnetz bestellen",
        "en": "order new numbers in a verified local area",
    },
    "cmd.help.fax_send": {
        "de": "Zugangsdaten für den Faxdruckertreiber per E-Mail an Mitarbeiter senden",
        "en": "e-mail the fax printer-driver credentials to employees",
    },
    "cmd.help.areas_list": {
        "de": "Ortsnetze mit Prüfstatus anzeigen", "en": "list local areas with their verification",
    },
    "cmd.help.areas_request_pin": {
        "de": "PIN-Brief für eine Adresse im Ortsnetz anfordern",
        "en": "request a PIN letter for an address in a local area",
    },
    "cmd.help.areas_verify": {
        "de": "Ortsnetz mit der PIN aus dem Brief verifizieren",
        "en": "verify a local area with the PIN from the letter",
    },
    "cmd.help.porting_create": {"de": "Portierungsauftrag anlegen", "en": "create a porting order"},
    "cmd.help.porting_list": {"de": "Portierungsaufträge anzeigen", "en": "list porting orders"},
    "cmd.arg.customer_number": {"de": "nur diese Kundennummer", "en": "only this customer number"},
    "cmd.arg.product": {"de": "nur dieses Produkt", "en": "only this product"},
    "cmd.arg.filter": {"de": "Freitextfilter", "en": "free-text filter"},
    "cmd.arg.status": {
        "de": "nur dieser Status: aktiv, inaktiv, vorgemerkt, Portierung (oder englisch: "
              "active, inactive, pending, porting)",
        "en": "only this status: active, inactive, pending, porting (or in German: aktiv, "
              "inaktiv, vorgemerkt, Portierung)",
    },
    "cmd.arg.contract": {
        "de": "Vertragsnummer (z. B. V-1000001-0002) oder ID",
        "en": "contract reference (e.g. V-1000001-0002) or id",
    },
    "cmd.arg.number": {
        "de": "Rufnummer (+4930… oder 030 …)", "en": "phone number (+4930… or 030 …)",
    },
    "cmd.arg.old": {"de": "aktive Rufnummer, die abgeschaltet wird", "en": "active number to "
                                                                           "switch off"},
    "cmd.arg.new": {"de": "inaktive Rufnummer, die an ihre Stelle tritt", "en": "inactive number "
                                                                                "taking its place"},
    "cmd.arg.user": {"de": "Benutzername des Mitarbeiters", "en": "username of the employee"},
    "cmd.arg.users": {"de": "Benutzernamen der Empfänger", "en": "usernames of the recipients"},
    "cmd.arg.delete_traffic_data": {
        "de": "Verbindungsdaten des bisherigen Nutzers zu dieser Rufnummer löschen",
        "en": "delete the previous user's call records of this number",
    },
    "cmd.arg.area": {"de": "Ortsnetz-Vorwahl, z. B. 030", "en": "local area prefix, e.g. 030"},
    "cmd.arg.count": {"de": "Anzahl", "en": "how many"},
    "cmd.arg.address": {"de": "Adresse im Ortsnetz", "en": "address in the local area"},
    "cmd.arg.pin": {"de": "PIN aus dem Brief", "en": "PIN from the letter"},
    "cmd.arg.porting_number": {
        "de": "zu portierende Rufnummer (mehrfach angeben)", "en": "number to port (repeat for "
                                                                   "more)",
    },
    "cmd.arg.old_provider": {"de": "bisheriger Anbieter", "en": "previous provider"},
    "cmd.arg.account_holder": {
        "de": "Anschlussinhaber beim bisherigen Anbieter", "en": "account holder at the previous "
                                                                 "provider",
    },
    "cmd.arg.wished_date": {"de": "Wunschtermin", "en": "wished date"},
    "cmd.contracts.col.id": {"de": "ID", "en": "ID"},
    "cmd.contracts.col.ref": {"de": "Vertrag", "en": "Contract"},
    "cmd.contracts.col.customer_number": {"de": "Kundennr.", "en": "Customer no."},
    "cmd.contracts.col.product": {"de": "Produkt", "en": "Product"},
    "cmd.contracts.col.type": {"de": "Typ", "en": "Type"},
    "cmd.contracts.col.site": {"de": "Standort", "en": "Site"},
    "cmd.contracts.col.has_line": {"de": "Anschluss", "en": "Line"},
    "cmd.contracts.col.sites": {"de": "Standorte/Filialen", "en": "Sites/branches"},
    "cmd.contracts.none": {"de": "Keine Verträge.", "en": "No contracts."},
    "cmd.credentials.preview": {
        "de": "Für Vertrag {contract} würden neue Zugangsdaten erzeugt. Die bisherigen werden "
              "sofort "
              "ungültig; die Internetverbindung und alle laufenden Gespräche werden getrennt, auch "
              "bei "
              "aktivem Easy Login. Die Verbindung steht erst wieder, wenn die neuen Zugangsdaten "
              "im "
              "Router eingetragen sind. Die Zugangsdaten gehen als verschlüsselte ZIP-Datei an "
              "{email}, "
              "der Code per SMS an {mobile}.",
        "en": "New credentials would be generated for contract {contract}. The current ones become "
              "invalid at once; the internet connection and all active calls drop, also with Easy "
              "Login "
              "active. The connection comes back only after the new credentials are entered in the "
              "router. The credentials go as an encrypted ZIP file to {email}, the code by SMS to "
              "{mobile}.",
    },
    "cmd.credentials.done": {
        "de": "Neue Zugangsdaten für {contract} erzeugt (Benutzername {username}). Verschlüsselte "
              "ZIP-Datei an {email}, Code per SMS an {mobile}. Die Leitung ist offline, bis die "
              "neuen "
              "Zugangsdaten im Router eingetragen sind.",
        "en": "New credentials generated for {contract} (username {username}). Encrypted ZIP file "
              "to "
              "{email}, code by SMS to {mobile}. The line stays offline until the new credentials "
              "are "
              "entered in the router.",
    },
    "cmd.numbers.col.number": {"de": "Rufnummer", "en": "Number"},
    "cmd.numbers.col.kind": {"de": "Art", "en": "Kind"},
    "cmd.numbers.col.status": {"de": "Status", "en": "Status"},
    "cmd.numbers.col.date": {"de": "Abschaltung zum", "en": "Deactivated after"},
    "cmd.numbers.col.assigned": {"de": "Zugewiesen an", "en": "Assigned to"},
    "cmd.numbers.none": {"de": "Keine Rufnummern.", "en": "No numbers."},
    "cmd.numbers.activate.preview": {
        "de": "Rufnummer {number} würde kostenpflichtig aktiviert: einmalig {fee}, monatlich "
              "{monthly}.",
        "en": "Number {number} would be activated at a charge: {fee} once, {monthly} monthly.",
    },
    "cmd.numbers.activate.done": {
        "de": "Rufnummer {number} ist jetzt aktiv.", "en": "Number {number} is now active.",
    },
    "cmd.numbers.deactivate.preview": {
        "de": "Rufnummer {number} würde zur Deaktivierung vorgemerkt; sie bleibt bis {date} aktiv "
              "und ist danach kostenfrei. Bis dahin ist die Rücknahme möglich.",
        "en": "Number {number} would be marked for deactivation; it stays active until {date} and "
              "is free of charge afterwards. Undo is possible until then.",
    },
    "cmd.numbers.deactivate.done": {
        "de": "Rufnummer {number} ist zur Deaktivierung vorgemerkt (aktiv bis {date}).",
        "en": "Number {number} is marked for deactivation (active until {date}).",
    },
    "cmd.numbers.undo.done": {
        "de": "Deaktivierung von {number} zurückgenommen; die Rufnummer bleibt aktiv.",
        "en": "Deactivation of {number} undone; the number stays active.",
    },
    "cmd.numbers.swap.preview": {
        "de": "{old} würde sofort deaktiviert und {new} an ihrer Stelle aktiviert (kostenneutral). "
              "ALLE Einstellungen von {old} werden unwiderruflich gelöscht.",
        "en": "{old} would be deactivated at once and {new} activated in its place (cost-neutral). "
              "ALL settings of {old} are deleted irrevocably.",
    },
    "cmd.numbers.swap.done": {
        "de": "{old} ist deaktiviert, {new} ist aktiv (noch nicht eingerichtet).",
        "en": "{old} is deactivated, {new} is active (not yet configured).",
    },
    "cmd.numbers.assign.preview": {
        "de": "Rufnummer {number} würde {user} zugewiesen; die Verbindungsdaten des bisherigen "
              "Nutzers {previous} zu dieser Rufnummer werden gelöscht.",
        "en": "Number {number} would be assigned to {user}; the call records of the previous user "
              "{previous} for this number are deleted.",
    },
    "cmd.numbers.assign.done": {
        "de": "Rufnummer {number} ist jetzt {user} zugewiesen.",
        "en": "Number {number} is now assigned to {user}.",
    },
    "cmd.numbers.order.done": {
        "de": "{count} Rufnummern im Ortsnetz {area} bestellt (inaktiv):",
        "en": "{count} numbers ordered in local area {area} (inactive):",
    },
    "cmd.fax.done": {
        "de": "Zugangsdaten für den Faxdruckertreiber von {number} an {users} gesendet.",
        "en": "Fax printer-driver credentials of {number} sent to {users}.",
    },
    "cmd.areas.col.prefix": {"de": "Ortsnetz", "en": "Area"},
    "cmd.areas.col.name": {"de": "Name", "en": "Name"},
    "cmd.areas.col.verified": {"de": "Verifiziert", "en": "Verified"},
    "cmd.areas.col.address": {"de": "Adresse", "en": "Address"},
    "cmd.areas.col.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "cmd.areas.col.letter": {"de": "PIN-Brief", "en": "PIN letter"},
    "cmd.areas.letter": {"de": "{status} (gültig bis {date})", "en": "{status} (valid until "
                                                                     "{date})"},
    "cmd.areas.letter.outstanding": {"de": "unterwegs", "en": "on its way"},
    "cmd.areas.letter.verified": {"de": "bestätigt", "en": "verified"},
    "cmd.areas.letter.invalidated": {"de": "ungültig", "en": "invalidated"},
    "cmd.areas.letter.expired": {"de": "abgelaufen", "en": "expired"},
    "cmd.areas.request_pin.done": {
        "de": "PIN-Brief für Ortsnetz {area} ({name}) an „{address}“ angefordert; die PIN ist bis "
              "{date} gültig.",
        "en": "PIN letter for local area {area} ({name}) to '{address}' requested; the PIN is "
              "valid "
              "until {date}.",
    },
    "cmd.areas.verify.done": {
        "de": "Ortsnetz {area} ({name}) ist verifiziert.",
        "en": "Local area {area} ({name}) is verified.",
    },
    "cmd.porting.create.done": {
        "de": "Portierungsauftrag {id} für {count} Rufnummer(n) im Ortsnetz {area} angelegt "
              "(Wunschtermin {date}, Status: {status}).",
        "en": "Porting order {id} for {count} number(s) in local area {area} created "
              "(wished date {date}, status: {status}).",
    },
    "cmd.porting.none": {"de": "Keine Portierungsaufträge.", "en": "No porting orders."},
    "cmd.porting.col.id": {"de": "Auftrag", "en": "Order"},
    "cmd.porting.col.area": {"de": "Ortsnetz", "en": "Area"},
    "cmd.porting.col.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "cmd.porting.col.provider": {"de": "Bisheriger Anbieter", "en": "Previous provider"},
    "cmd.porting.col.date": {"de": "Termin", "en": "Date"},
    "cmd.porting.col.status": {"de": "Status", "en": "Status"},
    "cmd.porting.col.note": {"de": "Hinweis", "en": "Note"},
    "cmd.porting.status.submitted": {"de": "eingereicht", "en": "submitted"},
    "cmd.porting.status.confirmed": {"de": "bestätigt", "en": "confirmed"},
    "cmd.porting.status.completed": {"de": "abgeschlossen", "en": "completed"},
    "cmd.porting.status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "cmd.stdin.tty_hint": {
        "de": "Eingabe (eine Zeile je Datensatz), Ende mit Strg+D, Abbruch mit Strg+C:",
        "en": "Input (one line per record), end with ctrl+d, cancel with ctrl+c:",
    },
}
