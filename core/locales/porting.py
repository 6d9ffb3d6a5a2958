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
        "de": "„{value}“ ist keine gültige deutsche Rufnummer (z. B. 030 1234567 oder +49301234567).",
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
        "en": "The wished date must be at least {days} working days ahead (on {date} at the earliest).",
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
        "de": "Abgelehnt: Der Anschlussinhaber stimmt nicht mit dem Kundennamen beim Alt-Anbieter überein.",
        "en": "Rejected: the account holder does not match the customer name at the previous provider.",
    },
}
