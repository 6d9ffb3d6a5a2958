"""Texts of the Fristen list (R22): entries, refusals, screen and command mode."""

MESSAGES: dict[str, dict[str, str]] = {
    "ui.nav.deadlines": {"de": "Fristen", "en": "Deadlines"},
    "deadlines.kind.deactivation": {"de": "Deaktivierung", "en": "Deactivation"},
    "deadlines.kind.pin_letter": {"de": "PIN-Brief", "en": "PIN letter"},
    "deadlines.kind.porting": {"de": "Portierung", "en": "Porting"},
    "deadlines.kind.reset": {"de": "Neuvergabe der Zugangsdaten", "en": "Credential reset"},
    "deadlines.object.deactivation": {
        "de": "Rufnummer {number} ({area})", "en": "Number {number} ({area})",
    },
    "deadlines.detail.deactivation": {
        "de": "aktiv bis einschließlich {date}, danach deaktiviert",
        "en": "active up to and including {date}, deactivated after that",
    },
    "deadlines.object.pin_letter": {
        "de": "Ortsnetz {area} {name}: {address}", "en": "Local area {area} {name}: {address}",
    },
    "deadlines.detail.pin_letter": {
        "de": "gültig bis {until}, noch {attempts} Versuche",
        "en": "valid until {until}, {attempts} attempts left",
    },
    "deadlines.object.porting": {
        "de": "Auftrag {ref}: {count} Rufnummer(n) {numbers} von {provider}",
        "en": "Order {ref}: {count} number(s) {numbers} from {provider}",
    },
    "deadlines.detail.porting_submitted": {
        "de": "Wunschtermin {date} (eingereicht, noch nicht bestätigt)",
        "en": "wished date {date} (submitted, not yet confirmed)",
    },
    "deadlines.detail.porting_confirmed": {
        "de": "bestätigter Termin {date}", "en": "confirmed date {date}",
    },
    "deadlines.object.reset": {
        "de": "Neue Zugangsdaten für Vertrag {contract}",
        "en": "New credentials for contract {contract}",
    },
    "deadlines.detail.reset": {
        "de": "am {at} an {recipient} ({email} / {mobile})",
        "en": "at {at} to {recipient} ({email} / {mobile})",
    },
    "deadlines.refusal.pin_letter": {
        "de": "Ein PIN-Brief kann nicht zurückgenommen werden: er verfällt von selbst "
              "(neuer Brief unter Ortsnetze).",
        "en": "A PIN letter cannot be withdrawn: it expires by itself "
              "(request a new one under local areas).",
    },
    "deadlines.detail.porting_confirmed_other": {
        "de": "bestätigter Termin {date} (gewünscht: {wished})",
        "en": "confirmed date {date} (wished: {wished})",
    },
    "deadlines.error.not_found": {
        "de": "Diese Frist gibt es nicht (mehr).", "en": "This deadline does not exist (any more).",
    },
    "deadlines.error.unknown_kind": {
        "de": "Unbekannte Art von Frist: „{value}“.", "en": "Unknown kind of deadline: '{value}'.",
    },
    # screen
    "ui.deadlines.hint": {
        "de": "Was von selbst geschieht, nach Datum. u nimmt die markierte Frist zurück "
              "oder storniert sie, wo das möglich ist.",
        "en": "What will happen by itself, by date. u undoes or cancels the selected entry "
              "where that is possible.",
    },
    "ui.deadlines.hint.view": {
        "de": "Was von selbst geschieht, nach Datum.", "en": "What will happen by itself, by date.",
    },
    "ui.deadlines.col.date": {"de": "Datum", "en": "Date"},
    "ui.deadlines.col.days": {"de": "Tage", "en": "Days"},
    "ui.deadlines.col.kind": {"de": "Art", "en": "Kind"},
    "ui.deadlines.col.object": {"de": "Betrifft", "en": "Object"},
    "ui.deadlines.col.detail": {"de": "Details", "en": "Details"},
    "ui.deadlines.today": {"de": "heute", "en": "today"},
    "ui.deadlines.overdue": {"de": "fällig", "en": "due"},
    "ui.deadlines.empty": {
        "de": "Keine Fristen: nichts geschieht von selbst.",
        "en": "No deadlines: nothing will happen by itself.",
    },
    "ui.deadlines.scope.own": {
        "de": "Anwender-Ansicht: die Deaktivierungen Ihrer eigenen Rufnummern.",
        "en": "User view: the deactivations of your own numbers.",
    },
    "ui.deadlines.scope.all": {
        "de": "Alle Fristen des Kunden.", "en": "Every deadline of the customer.",
    },
    "ui.deadlines.key.resolve": {"de": "Zurücknehmen", "en": "Undo/cancel"},
    "ui.deadlines.key.reload": {"de": "Neu laden", "en": "Reload"},
    "ui.deadlines.button.resolve": {"de": "u Zurücknehmen", "en": "u Undo/cancel"},
    "ui.deadlines.button.reload": {"de": "Neu laden", "en": "Reload"},
    "ui.deadlines.nothing_selected": {
        "de": "Keine Frist markiert.", "en": "No deadline selected.",
    },
    "ui.deadlines.undo.title": {
        "de": "Deaktivierung zurücknehmen", "en": "Undo the deactivation",
    },
    "ui.deadlines.undo.question": {
        "de": "{object} bleibt aktiv (statt nach dem {date} deaktiviert zu werden).",
        "en": "{object} stays active (instead of being deactivated after {date}).",
    },
    "ui.deadlines.undo.confirm": {
        "de": "Deaktivierung zurücknehmen", "en": "Undo deactivation",
    },
    "ui.deadlines.cancel.title": {
        "de": "Geplante Neuvergabe der Zugangsdaten stornieren",
        "en": "Cancel the scheduled reset",
    },
    "ui.deadlines.cancel.question": {
        "de": "{object}: werden nicht erzeugt ({detail}).",
        "en": "{object}: will not be generated ({detail}).",
    },
    "ui.deadlines.cancel.confirm": {"de": "Neuvergabe stornieren", "en": "Cancel reset"},
    "ui.deadlines.cancel_porting.title": {
        "de": "Portierungsauftrag stornieren", "en": "Cancel the porting order",
    },
    "ui.deadlines.cancel_porting.question": {
        "de": "{object}: wird storniert ({detail}); die Rufnummern bleiben beim Alt-Anbieter.",
        "en": "{object}: will be cancelled ({detail}); the numbers stay with the previous "
              "provider.",
    },
    "ui.deadlines.cancel_porting.confirm": {
        "de": "Auftrag stornieren", "en": "Cancel order",
    },
    "ui.deadlines.porting_cancelled": {
        "de": "Portierungsauftrag storniert: {object}.", "en": "Porting order cancelled: {object}.",
    },
    "ui.deadlines.back": {"de": "Abbrechen", "en": "Cancel"},
    "ui.deadlines.undone": {
        "de": "Deaktivierung zurückgenommen: {object} bleibt aktiv.",
        "en": "Deactivation undone: {object} stays active.",
    },
    "ui.deadlines.cancelled": {
        "de": "Geplante Neuvergabe der Zugangsdaten storniert: {object}.",
        "en": "Scheduled reset cancelled: {object}.",
    },
    # command mode
    "cmd.help.deadlines_list": {
        "de": "Fristen: was von selbst geschieht, nach Datum (R22)",
        "en": "Deadlines: what will happen by itself, by date (R22)",
    },
    "cmd.deadlines.none": {
        "de": "Keine Fristen.", "en": "No deadlines.",
    },
    "cmd.deadlines.col.date": {"de": "Datum", "en": "Date"},
    "cmd.deadlines.col.days": {"de": "Tage", "en": "Days"},
    "cmd.deadlines.col.kind": {"de": "Art", "en": "Kind"},
    "cmd.deadlines.col.object": {"de": "Betrifft", "en": "Object"},
    "cmd.deadlines.col.detail": {"de": "Details", "en": "Details"},
    "cmd.deadlines.col.undo": {"de": "Zurücknehmbar", "en": "Undoable"},
    "cmd.deadlines.yes": {"de": "ja", "en": "yes"},
    "cmd.deadlines.no": {"de": "nein", "en": "no"},
}
