"""Texts of local areas: PIN letter, area verification, ordering numbers (R16)."""

MESSAGES: dict[str, dict[str, str]] = {
    "error.areas.unknown": {
        "de": "Unbekanntes Ortsnetz „{area}“ (Vorwahl, z. B. 030).",
        "en": "Unknown local area '{area}' (prefix, e.g. 030).",
    },
    "error.areas.address_required": {
        "de": "Bitte geben Sie die Adresse im Ortsnetz an.",
        "en": "Please enter the address in the local area.",
    },
    "error.areas.address_invalid": {
        "de": "Die Adresse ist ungültig (höchstens {max} Zeichen, keine Steuerzeichen).",
        "en": "The address is invalid (at most {max} characters, no control characters).",
    },
    "error.areas.already_verified": {
        "de": "Die Adresse im Ortsnetz {area} ist bereits verifiziert.",
        "en": "The address in local area {area} is already verified.",
    },
    "error.areas.letter_outstanding": {
        "de": "Für das Ortsnetz {area} ist bereits ein PIN-Brief unterwegs. "
              "Ein neuer PIN-Brief kann frühestens am {date} angefordert werden.",
        "en": "A PIN letter for local area {area} is already on its way. "
              "A new PIN letter can be requested on {date} at the earliest.",
    },
    "error.areas.resend_too_early": {
        "de": "Ein neuer PIN-Brief für das Ortsnetz {area} kann frühestens am {date} angefordert werden.",
        "en": "A new PIN letter for local area {area} can be requested on {date} at the earliest.",
    },
    "error.areas.no_letter": {
        "de": "Für das Ortsnetz {area} ist kein PIN-Brief offen. Bitte fordern Sie zuerst einen PIN-Brief an.",
        "en": "There is no open PIN letter for local area {area}. Please request a PIN letter first.",
    },
    "error.areas.pin_expired": {
        "de": "Die PIN für das Ortsnetz {area} ist abgelaufen (gültig 14 Tage). "
              "Bitte fordern Sie einen neuen PIN-Brief an.",
        "en": "The PIN for local area {area} has expired (valid for 14 days). "
              "Please request a new PIN letter.",
    },
    "error.areas.pin_invalidated": {
        "de": "Die PIN für das Ortsnetz {area} wurde nach 5 falschen Eingaben ungültig. "
              "Bitte fordern Sie einen neuen PIN-Brief an.",
        "en": "The PIN for local area {area} became invalid after 5 wrong entries. "
              "Please request a new PIN letter.",
    },
    "error.areas.pin_wrong": {
        "de": "Die PIN ist falsch. Verbleibende Versuche: {left}.",
        "en": "The PIN is wrong. Attempts left: {left}.",
    },
    "error.areas.order_count": {
        "de": "Pro Bestellung können 1 bis {max} Rufnummern bestellt werden.",
        "en": "An order can contain 1 to {max} numbers.",
    },
    "error.areas.not_verified": {
        "de": "Die Adresse im Ortsnetz {area} ({name}) ist noch nicht per PIN-Brief verifiziert.",
        "en": "The address in local area {area} ({name}) is not yet verified by PIN letter.",
    },
    "error.areas.operator_note_required": {
        "de": "Sie haben bereits {held} Rufnummern im Ortsnetz {area}. Mehr als {limit} Rufnummern "
              "in einem Ortsnetz sind nur nach Freigabe durch den Betreiber möglich – bitte "
              "wenden Sie sich an den Support.",
        "en": "You already have {held} numbers in local area {area}. More than {limit} numbers in "
              "one local area need the operator's approval – please contact support.",
    },
    "letter.areas.pin_subject": {
        "de": "Ihr PIN-Brief für das Ortsnetz {area} {name}",
        "en": "Your PIN letter for local area {area} {name}",
    },
    "letter.areas.pin_body": {
        "de": "Sehr geehrte Damen und Herren,\n\n"
              "zur Verifizierung Ihrer Adresse\n  {address}\nim Ortsnetz {area} {name} geben Sie "
              "bitte im Kundenportal unter Rufnummern → Rufnummern kaufen die folgende PIN ein:\n\n"
              "    PIN: {pin}\n\n"
              "Die PIN ist gültig bis {date}. Nach {attempts} falschen Eingaben wird sie ungültig.\n\n"
              "Mit freundlichen Grüßen\nIhr Business Service",
        "en": "Dear Sir or Madam,\n\n"
              "to verify your address\n  {address}\nin local area {area} {name}, please enter the "
              "following PIN in the customer portal under Numbers → Buy numbers:\n\n"
              "    PIN: {pin}\n\n"
              "The PIN is valid until {date}. After {attempts} wrong entries it becomes invalid.\n\n"
              "Kind regards\nYour Business Service",
    },
}
