"""Texts of bulk actions (R27) and the numbers CSV export/import (R28), core and command mode."""

MESSAGES: dict[str, dict[str, str]] = {
    # core: bulk
    "error.bulk.invalid_action": {
        "de": "„{value}“ ist keine Sammelaktion (aktivieren, deaktivieren, zurücknehmen, "
              "zuweisen).",
        "en": "'{value}' is not a bulk action (activate, deactivate, undo, assign).",
    },
    "error.bulk.no_numbers": {
        "de": "Keine Rufnummer angegeben.", "en": "No number given.",
    },
    "error.bulk.too_many": {
        "de": "{count} Rufnummern auf einmal sind zu viele (höchstens {limit}).",
        "en": "{count} numbers at once are too many (at most {limit}).",
    },
    "error.bulk.user_only_for_assign": {
        "de": "Nur beim Zuweisen wird ein Benutzer angegeben.",
        "en": "A user is given only when assigning.",
    },
    # core: CSV columns (the export's header row) and import errors
    "csv.col.number": {"de": "Rufnummer", "en": "Number"},
    "csv.col.area": {"de": "Ortsnetz", "en": "Local area"},
    "csv.col.kind": {"de": "Art", "en": "Kind"},
    "csv.col.status": {"de": "Status", "en": "Status"},
    "csv.col.since": {"de": "Angelegt am", "en": "Created on"},
    "csv.col.deactivation_date": {"de": "Aktiv bis", "en": "Active until"},
    "csv.col.username": {"de": "Benutzer", "en": "Username"},
    "csv.col.name": {"de": "Name", "en": "Name"},
    "csv.col.emergency_location": {"de": "Notrufstandort", "en": "Emergency location"},
    "csv.col.one_time": {"de": "Einmalig (EUR)", "en": "One-time (EUR)"},
    "csv.col.monthly": {"de": "Monatlich (EUR)", "en": "Monthly (EUR)"},
    "csv.col.block": {"de": "Rufnummernblock", "en": "Number block"},
    "csv.col.porting_date": {"de": "Portierungstermin", "en": "Porting date"},
    "csv.col.porting_state": {"de": "Portierung", "en": "Porting"},
    "csv.import.line": {"de": "Zeile {line}: {reason}", "en": "Line {line}: {reason}"},
    "csv.import.columns": {
        "de": "zu wenige Spalten (erwartet: Rufnummer,Benutzer).",
        "en": "too few columns (expected: number,username).",
    },
    "csv.import.duplicate": {
        "de": "Rufnummer {number} steht schon in Zeile {first}.",
        "en": "number {number} is already in line {first}.",
    },
    "csv.import.too_many_lines": {
        "de": "{count} Zeilen sind zu viele (höchstens {limit}).",
        "en": "{count} lines are too many (at most {limit}).",
    },
    "csv.import.empty": {
        "de": "Die Eingabe ist leer: keine Zeile „Rufnummer,Benutzer“ gelesen (die Liste kommt "
              "über die Standardeingabe, z. B. „< zuweisungen.csv“). Nichts wurde geändert.",
        "en": "The input is empty: no 'number,username' line was read (the list comes on "
              "standard input, e.g. '< assignments.csv'). Nothing was changed.",
    },
    "csv.import.no_user_column": {
        "de": "Die Kopfzeile nennt keine Benutzer-Spalte (z. B. „Rufnummer,Benutzer“).",
        "en": "The header row names no username column (e.g. 'number,username').",
    },
    # command mode: bulk
    "cmd.arg.numbers": {
        "de": "eine oder mehrere Rufnummern (eine neue beginnt mit 0 oder +)",
        "en": "one or more numbers (a new one starts with 0 or +)",
    },
    "cmd.bulk.preview.activate": {
        "de": "{count} von {total} Rufnummern würden kostenpflichtig aktiviert: einmalig "
              "{one_time}, monatlich {monthly}.",
        "en": "{count} of {total} numbers would be activated at a charge: {one_time} once, "
              "{monthly} monthly.",
    },
    "cmd.bulk.preview.deactivate": {
        "de": "{count} von {total} Rufnummern würden zur Deaktivierung vorgemerkt; sie bleiben "
              "bis {date} aktiv, danach entfallen monatlich {monthly}. Bis dahin ist die "
              "Rücknahme möglich.",
        "en": "{count} of {total} numbers would be marked for deactivation; they stay active "
              "until {date}, then {monthly} monthly are no longer charged. Undo is possible "
              "until then.",
    },
    "cmd.bulk.preview.undo": {
        "de": "Bei {count} von {total} Rufnummern würde die Deaktivierung zurückgenommen; sie "
              "bleiben aktiv (monatlich {monthly}).",
        "en": "The deactivation of {count} of {total} numbers would be undone; they stay "
              "active ({monthly} monthly).",
    },
    "cmd.bulk.preview.assign": {
        "de": "{count} von {total} Rufnummern würden {user} zugewiesen (Preise unverändert; "
              "Verbindungsdaten bleiben erhalten).",
        "en": "{count} of {total} numbers would be assigned to {user} (prices unchanged; call "
              "records are kept).",
    },
    "cmd.bulk.refused_header": {"de": "Abgelehnt würden:", "en": "Would be refused:"},
    "cmd.bulk.refused_item": {"de": "  {number}: {reason}", "en": "  {number}: {reason}"},
    "cmd.bulk.done_line": {"de": "{number}: erledigt", "en": "{number}: done"},
    "cmd.bulk.refused_line": {
        "de": "{number}: abgelehnt: {reason}", "en": "{number}: refused: {reason}",
    },
    "cmd.bulk.summary": {
        "de": "{done} erledigt, {refused} abgelehnt.", "en": "{done} done, {refused} refused.",
    },
    "cmd.bulk.some_refused": {
        "de": "{refused} von {total} Rufnummern abgelehnt (die übrigen sind erledigt).",
        "en": "{refused} of {total} numbers refused (the others are done).",
    },
    "cmd.bulk.no_traffic_data": {
        "de": "--delete-traffic-data geht nur für eine Rufnummer auf einmal.",
        "en": "--delete-traffic-data works for one number at a time only.",
    },
    # command mode: CSV
    "cmd.help.numbers_export": {
        "de": "alle Rufnummern des Kunden als CSV ausgeben (UTF-8, Kopfzeile)",
        "en": "write every number of the customer as CSV (UTF-8, header row)",
    },
    "cmd.help.numbers_import": {
        "de": "Zuweisungen „Rufnummer,Benutzer“ von der Standardeingabe übernehmen "
              "(alles oder nichts)",
        "en": "take 'number,username' assignments from standard input (all or nothing)",
    },
    "cmd.arg.csv": {"de": "als CSV ausgeben", "en": "write CSV"},
    "cmd.arg.dry_run": {
        "de": "nur prüfen und anzeigen, nichts ändern", "en": "only check and show, change nothing",
    },
    "cmd.export.csv_required": {
        "de": "Bitte das Format angeben: numbers export --csv",
        "en": "Please name the format: numbers export --csv",
    },
    "cmd.import.change": {
        "de": "Zeile {line}: {number} → {user} (bisher {previous})",
        "en": "Line {line}: {number} → {user} (was {previous})",
    },
    "cmd.import.dry_run": {
        "de": "Probelauf: {changes} Zuweisung(en) würden geändert, {unchanged} Zeile(n) "
              "bleiben unverändert. Nichts wurde geändert.",
        "en": "Dry run: {changes} assignment(s) would change, {unchanged} line(s) stay as they "
              "are. Nothing was changed.",
    },
    "cmd.import.done": {
        "de": "{changes} Zuweisung(en) geändert, {unchanged} Zeile(n) unverändert.",
        "en": "{changes} assignment(s) changed, {unchanged} line(s) unchanged.",
    },
    "cmd.import.refused": {
        "de": "Import abgelehnt: {count} fehlerhafte Zeile(n), nichts wurde geändert.",
        "en": "Import refused: {count} bad line(s), nothing was changed.",
    },
    "cmd.stdin.too_large": {
        "de": "Die Eingabe ist größer als {limit} und wurde nicht gelesen.",
        "en": "The input is larger than {limit} and was not read.",
    },
    "cmd.stdin.unavailable": {
        "de": "Dieser Befehl liest die Standardeingabe (z. B. „… < datei.csv“).",
        "en": "This command reads standard input (e.g. '... < file.csv').",
    },
    # TUI: the bulk dialog and the dashboard's marks
    "ui.bulk.title.activate": {
        "de": "{count} markierte Rufnummern aktivieren", "en": "Activate {count} marked numbers",
    },
    "ui.bulk.title.deactivate": {
        "de": "{count} markierte Rufnummern deaktivieren",
        "en": "Deactivate {count} marked numbers",
    },
    "ui.bulk.title.undo": {
        "de": "Deaktivierung von {count} markierten Rufnummern zurücknehmen",
        "en": "Undo the deactivation of {count} marked numbers",
    },
    "ui.bulk.title.assign": {
        "de": "{count} markierte Rufnummern zuweisen", "en": "Assign {count} marked numbers",
    },
    "ui.bulk.confirm.activate": {
        "de": "Rufnummern jetzt kostenpflichtig aktivieren",
        "en": "Activate the numbers now at a charge",
    },
    "ui.bulk.confirm.deactivate": {
        "de": "Rufnummern jetzt deaktivieren", "en": "Deactivate the numbers now",
    },
    "ui.bulk.confirm.undo": {
        "de": "Deaktivierungen zurücknehmen", "en": "Undo the deactivations",
    },
    "ui.bulk.confirm.assign": {"de": "Zuweisen", "en": "Assign"},
    "ui.bulk.loading": {"de": "Vorschau wird geladen …", "en": "Loading the preview …"},
    "ui.bulk.working": {
        "de": "Wird ausgeführt: {count} Rufnummern …", "en": "Working: {count} numbers …",
    },
    "ui.bulk.nothing": {
        "de": "Keine der markierten Rufnummern lässt diese Aktion zu.",
        "en": "None of the marked numbers allows this action.",
    },
    "ui.bulk.refused_header": {"de": "Abgelehnt würden:", "en": "Would be refused:"},
    "ui.bulk.line.done": {"de": "✓ {number}", "en": "✓ {number}"},
    "ui.bulk.line.refused": {"de": "✗ {number}: {reason}", "en": "✗ {number}: {reason}"},
    "ui.bulk.more": {"de": "… und {count} weitere", "en": "… and {count} more"},
    "ui.bulk.close": {"de": "Schließen", "en": "Close"},
    "ui.bulk.marked": {"de": "{count} markiert", "en": "{count} marked"},
    "ui.bulk.marked_all": {
        "de": "{count} Rufnummern des Filters markiert ({total} insgesamt markiert).",
        "en": "{count} numbers of the filter marked ({total} marked in all).",
    },
    "ui.bulk.unmarked_all": {
        "de": "Markierung von {count} Rufnummern aufgehoben.",
        "en": "{count} numbers unmarked.",
    },
    "ui.bulk.key.mark": {"de": "markieren", "en": "mark"},
    "ui.bulk.key.mark_all": {"de": "alle markieren", "en": "mark all"},
}
