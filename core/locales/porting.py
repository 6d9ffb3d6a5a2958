"""Texts of porting orders (R16): validation, timeline notes, carrier reasons, screen."""

MESSAGES: dict[str, dict[str, str]] = {
    "error.porting.text_invalid": {
        "de": "Ungültige Eingabe (höchstens {max} Zeichen, keine Steuerzeichen).",
        "en": "Invalid input (at most {max} characters, no control characters).",
    },
    "error.porting.numbers_required": {
        "de": "Bitte geben Sie mindestens eine zu portierende Rufnummer an.",
        "en": "Please enter at least one number to port.",
    },
    "error.porting.too_many": {
        "de": "Ein Portierungsauftrag kann höchstens {max} Rufnummern enthalten.",
        "en": "A porting order can contain at most {max} numbers.",
    },
    "error.porting.invalid_number": {
        "de": "„{value}“ ist keine gültige deutsche Rufnummer (z. B. 030 1234567 oder "
              "+49301234567).",
        "en": "'{value}' is not a valid German number (e.g. 030 1234567 or +49301234567).",
    },
    "error.porting.wrong_area": {
        "de": "Die Rufnummer {value} gehört nicht zum Ortsnetz {area}.",
        "en": "The number {value} does not belong to local area {area}.",
    },
    "error.porting.duplicate": {
        "de": "Die Rufnummer {value} ist doppelt angegeben.",
        "en": "The number {value} is listed twice.",
    },
    "error.porting.provider_required": {
        "de": "Bitte geben Sie den bisherigen Anbieter an.",
        "en": "Please enter the previous provider.",
    },
    "error.porting.holder_required": {
        "de": "Bitte geben Sie den Anschlussinhaber an.",
        "en": "Please enter the account holder.",
    },
    "error.porting.invalid_date": {
        "de": "Ungültiges Datum (TT.MM.JJJJ).",
        "en": "Invalid date (DD/MM/YYYY or YYYY-MM-DD).",
    },
    "error.porting.date_too_early": {
        "de": "Der Wunschtermin muss mindestens {days} Werktage in der Zukunft liegen "
              "(frühestens {date}).",
        "en": "The wished date must be at least {days} working days ahead (on {date} at the "
              "earliest).",
    },
    "error.porting.already_here": {
        "de": "Die Rufnummer {value} ist bereits bei uns (oder wird gerade portiert).",
        "en": "The number {value} is already with us (or is being ported).",
    },
    "ui.porting.note.submitted": {
        "de": "Auftrag an den Alt-Anbieter übermittelt",
        "en": "Order passed on to the previous provider",
    },
    "ui.porting.note.confirmed": {
        "de": "Alt-Anbieter hat den Wunschtermin bestätigt",
        "en": "Previous provider confirmed the wished date",
    },
    "ui.porting.note.completed": {
        "de": "Rufnummern sind umgezogen und aktiv",
        "en": "Numbers have moved and are active",
    },
    "ui.porting.reason.holder_mismatch": {
        "de": "Abgelehnt: Der Anschlussinhaber stimmt nicht mit dem Kundennamen beim Alt-Anbieter "
              "überein.",
        "en": "Rejected: the account holder does not match the customer name at the previous "
              "provider.",
    },
}

MESSAGES.update({
    "ui.porting.title": {"de": "Rufnummern portieren", "en": "Port numbers"},
    "ui.porting.hint": {
        "de": "Ziehen Sie Rufnummern von Ihrem Alt-Anbieter zu uns um. Voraussetzung: die Adresse "
              "im "
              "Ortsnetz ist per PIN-Brief verifiziert.",
        "en": "Move numbers from your previous provider to us. The address in the local area must "
              "be "
              "verified by PIN letter first.",
    },
    "ui.porting.col.ref": {"de": "Auftrag", "en": "Order"},
    "ui.porting.col.area": {"de": "Ortsnetz", "en": "Area"},
    "ui.porting.col.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "ui.porting.col.provider": {"de": "Alt-Anbieter", "en": "Previous provider"},
    "ui.porting.col.wished": {"de": "Wunschtermin", "en": "Wished date"},
    "ui.porting.col.status": {"de": "Status", "en": "Status"},
    "ui.porting.status.submitted": {"de": "eingereicht", "en": "submitted"},
    "ui.porting.status.confirmed": {"de": "bestätigt", "en": "confirmed"},
    "ui.porting.status.completed": {"de": "abgeschlossen", "en": "completed"},
    "ui.porting.status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "ui.porting.timeline": {"de": "Verlauf von Auftrag {ref}", "en": "Timeline of order {ref}"},
    "ui.porting.detail": {"de": "Anschlussinhaber: {holder} · Rufnummern: {numbers}",
                          "en": "Account holder: {holder} · numbers: {numbers}"},
    "ui.porting.next_step": {"de": "Nächster Schritt erwartet ab {date}",
                             "en": "Next step expected from {date}"},
    "ui.porting.empty": {"de": "Noch keine Portierungsaufträge.", "en": "No porting orders yet."},
    "ui.porting.button.create": {"de": "Neuer Portierungsauftrag (n)", "en": "New porting order "
                                                                             "(n)"},
    "ui.porting.button.back": {"de": "Zurück (Esc)", "en": "Back (Esc)"},
    "ui.porting.key.create": {"de": "Neuer Auftrag", "en": "New order"},
    "ui.porting.key.reload": {"de": "Neu laden", "en": "Reload"},
    "ui.porting.key.back": {"de": "Zurück", "en": "Back"},
    "ui.porting.no_verified_area": {
        "de": "Portieren ist erst möglich, wenn eine Adresse im Ortsnetz per PIN-Brief verifiziert "
              "ist "
              "(Rufnummern kaufen → PIN-Brief anfordern).",
        "en": "Porting is possible only once an address in the local area is verified by PIN "
              "letter "
              "(Buy numbers → request PIN letter).",
    },
    "ui.porting.create.title": {"de": "Neuer Portierungsauftrag", "en": "New porting order"},
    "ui.porting.create.info": {
        "de": "Der Wunschtermin muss mindestens {days} Werktage in der Zukunft liegen (frühestens "
              "{date}). "
              "Die Rufnummern erscheinen bis zum Umzug mit dem Status „Portierung“.",
        "en": "The wished date must be at least {days} working days ahead ({date} at the "
              "earliest). "
              "Until the move the numbers show with the status 'porting'.",
    },
    "ui.porting.create.area": {"de": "Ortsnetz (verifiziert)", "en": "Local area (verified)"},
    "ui.porting.create.numbers": {"de": "Rufnummern (durch Komma getrennt)",
                                  "en": "Numbers (separated by commas)"},
    "ui.porting.create.provider": {"de": "Bisheriger Anbieter", "en": "Previous provider"},
    "ui.porting.create.holder": {"de": "Anschlussinhaber (wie beim Alt-Anbieter)",
                                 "en": "Account holder (as registered with the previous provider)"},
    "ui.porting.create.date": {"de": "Wunschtermin (TT.MM.JJJJ)", "en": "Wished date (DD.MM.YYYY)"},
    "ui.porting.create.confirm": {"de": "Portierungsauftrag absenden", "en": "Submit porting "
                                                                             "order"},
    "ui.porting.created": {
        "de": "Portierungsauftrag {ref} eingereicht (Wunschtermin {date}).",
        "en": "Porting order {ref} submitted (wished date {date}).",
    },
})
