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
    "error.areas.postcode_required": {
        "de": "Die Adresse braucht eine fünfstellige Postleitzahl im Ortsnetz {area} {name} "
              "(z. B. „Straße 1, {example} {name}“).",
        "en": "The address needs a five-digit postcode in local area {area} {name} "
              "(e.g. 'Street 1, {example} {name}').",
    },
    "error.areas.postcode_outside": {
        "de": "Die Postleitzahl {postcode} liegt nicht im Ortsnetz {area} {name} (Postleitzahlen "
              "{ranges}). Ein PIN-Brief wird nur an eine Adresse in diesem Ortsnetz gesendet.",
        "en": "The postcode {postcode} is not in local area {area} {name} (postcodes {ranges}). "
              "A PIN letter is sent only to an address in that local area.",
    },
    "error.areas.note_invalid": {
        "de": "Der Vermerk ist ungültig (höchstens {max} Zeichen, keine Steuerzeichen).",
        "en": "The note is invalid (at most {max} characters, no control characters).",
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
        "de": "Ein neuer PIN-Brief für das Ortsnetz {area} kann frühestens am {date} angefordert "
              "werden.",
        "en": "A new PIN letter for local area {area} can be requested on {date} at the earliest.",
    },
    "error.areas.no_letter": {
        "de": "Für das Ortsnetz {area} ist kein PIN-Brief offen. Bitte fordern Sie zuerst einen "
              "PIN-Brief an.",
        "en": "There is no open PIN letter for local area {area}. Please request a PIN letter "
              "first.",
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
    "error.areas.pin_format": {
        "de": "Die PIN hat {length} Ziffern (siehe PIN-Brief). Dieser Versuch wurde nicht gezählt.",
        "en": "The PIN has {length} digits (see the PIN letter). This attempt was not counted.",
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
              "Die PIN ist gültig bis {date}. Nach {attempts} falschen Eingaben wird sie "
              "ungültig.\n\n"
              "Mit freundlichen Grüßen\nIhr Business Service",
        "en": "Dear Sir or Madam,\n\n"
              "to verify your address\n  {address}\nin local area {area} {name}, please enter the "
              "following PIN in the customer portal under Numbers → Buy numbers:\n\n"
              "    PIN: {pin}\n\n"
              "The PIN is valid until {date}. After {attempts} wrong entries it becomes "
              "invalid.\n\n"
              "Kind regards\nYour Business Service",
    },
}

MESSAGES.update({
    "ui.areas.title": {"de": "Rufnummern kaufen – Ortsnetze", "en": "Buy numbers – local areas"},
    "ui.areas.hint": {
        "de": "Um Rufnummern zu bestellen oder zu portieren, müssen Sie die Adresse für das "
              "Ortsnetz "
              "zuvor per PIN-Brief verifizieren.",
        "en": "To order or port numbers, first verify your address in the local area by PIN "
              "letter.",
    },
    "ui.areas.col.prefix": {"de": "Vorwahl", "en": "Prefix"},
    "ui.areas.col.name": {"de": "Ortsnetz", "en": "Local area"},
    "ui.areas.col.state": {"de": "Verifizierung", "en": "Verification"},
    "ui.areas.col.address": {"de": "Adresse", "en": "Address"},
    "ui.areas.col.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "ui.areas.state.verified": {"de": "verifiziert seit {date}", "en": "verified since {date}"},
    "ui.areas.state.outstanding": {"de": "PIN-Brief unterwegs (PIN gültig bis {date})",
                                   "en": "PIN letter on its way (PIN valid until {date})"},
    "ui.areas.state.expired": {"de": "PIN abgelaufen", "en": "PIN expired"},
    "ui.areas.state.invalidated": {"de": "PIN ungültig", "en": "PIN invalid"},
    "ui.areas.state.none": {"de": "nicht verifiziert", "en": "not verified"},
    "ui.areas.letter.outstanding": {"de": "unterwegs", "en": "on its way"},
    "ui.areas.letter.verified": {"de": "bestätigt", "en": "confirmed"},
    "ui.areas.letter.invalidated": {"de": "ungültig", "en": "invalid"},
    "ui.areas.letter.expired": {"de": "abgelaufen", "en": "expired"},
    "ui.areas.detail.verified": {
        "de": "Adresse verifiziert – Sie können Rufnummern bestellen (o) und portieren.",
        "en": "Address verified – you can order (o) and port numbers.",
    },
    "ui.areas.detail.none": {
        "de": "Noch kein PIN-Brief angefordert – fordern Sie einen PIN-Brief an (r).",
        "en": "No PIN letter requested yet – request a PIN letter (r).",
    },
    "ui.areas.detail.letter": {
        "de": "PIN-Brief vom {created}: {status}; PIN gültig bis {expires}; verbleibende Versuche: "
              "{left}; neuer PIN-Brief frühestens am {next}.",
        "en": "PIN letter of {created}: {status}; PIN valid until {expires}; attempts left: "
              "{left}; "
              "new PIN letter on {next} at the earliest.",
    },
    "ui.areas.button.request": {"de": "PIN-Brief anfordern (r)", "en": "Request PIN letter (r)"},
    "ui.areas.button.pin": {"de": "PIN eingeben (p)", "en": "Enter PIN (p)"},
    "ui.areas.button.order": {"de": "Rufnummern bestellen (o)", "en": "Order numbers (o)"},
    "ui.areas.button.back": {"de": "Zurück (Esc)", "en": "Back (Esc)"},
    "ui.areas.key.request": {"de": "PIN-Brief", "en": "PIN letter"},
    "ui.areas.key.pin": {"de": "PIN eingeben", "en": "Enter PIN"},
    "ui.areas.key.order": {"de": "Bestellen", "en": "Order"},
    "ui.areas.key.reload": {"de": "Neu laden", "en": "Reload"},
    "ui.areas.key.back": {"de": "Zurück", "en": "Back"},
    "ui.areas.key.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "ui.areas.key.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "ui.areas.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "ui.areas.already_verified": {
        "de": "Die Adresse im Ortsnetz {area} ist bereits verifiziert.",
        "en": "The address in local area {area} is already verified.",
    },
    "ui.areas.request.title": {"de": "PIN-Brief anfordern – Ortsnetz {area} {name}",
                               "en": "Request PIN letter – local area {area} {name}"},
    "ui.areas.request.info": {
        "de": "Wir senden einen Brief mit einer PIN an die Adresse im Ortsnetz. Die PIN ist {days} "
              "Tage "
              "gültig; nach {attempts} falschen Eingaben wird sie ungültig. Ein neuer PIN-Brief "
              "kann "
              "frühestens {interval} Tage nach dem letzten angefordert werden.",
        "en": "We send a letter with a PIN to the address in the local area. The PIN is valid for "
              "{days} days; after {attempts} wrong entries it becomes invalid. A new PIN letter "
              "can "
              "be requested {interval} days after the previous one at the earliest.",
    },
    "ui.areas.request.address": {"de": "Adresse (Straße, PLZ Ort)", "en": "Address (street, "
                                                                          "postcode town)"},
    "ui.areas.request.address_placeholder": {"de": "z. B. Mönckebergstraße 7, 20095 Hamburg",
                                             "en": "e.g. Mönckebergstraße 7, 20095 Hamburg"},
    "ui.areas.request.confirm": {"de": "PIN-Brief jetzt anfordern", "en": "Request PIN letter now"},
    "ui.areas.request.done": {
        "de": "Der PIN-Brief für das Ortsnetz {area} ist unterwegs. Die PIN ist gültig bis {date}.",
        "en": "The PIN letter for local area {area} is on its way. The PIN is valid until {date}.",
    },
    "ui.areas.pin.title": {"de": "PIN eingeben – Ortsnetz {area} {name}",
                           "en": "Enter PIN – local area {area} {name}"},
    "ui.areas.pin.info": {
        "de": "PIN-Brief an {address}; gültig bis {date}; verbleibende Versuche: {left}.",
        "en": "PIN letter to {address}; valid until {date}; attempts left: {left}.",
    },
    "ui.areas.pin.label": {"de": "PIN aus dem Brief", "en": "PIN from the letter"},
    "ui.areas.pin.confirm": {"de": "PIN prüfen", "en": "Check PIN"},
    "ui.areas.pin.no_letter": {
        "de": "Für das Ortsnetz {area} ist kein PIN-Brief offen – bitte zuerst einen PIN-Brief "
              "anfordern.",
        "en": "No open PIN letter for local area {area} – please request a PIN letter first.",
    },
    "ui.areas.pin.done": {
        "de": "Die Adresse im Ortsnetz {area} {name} ist verifiziert.",
        "en": "The address in local area {area} {name} is verified.",
    },
    "ui.areas.order.title": {"de": "Neue Rufnummern bestellen – Ortsnetz {area} {name}",
                             "en": "Order new numbers – local area {area} {name}"},
    "ui.areas.order.info": {
        "de": "Pro Bestellung 1 bis {max} Rufnummern. Neue Rufnummern sind zunächst inaktiv; erst "
              "die "
              "Aktivierung kostet {once} einmalig und {monthly} monatlich. Sie haben {held} "
              "Rufnummern "
              "in diesem Ortsnetz; mehr als {limit} nur nach Freigabe durch den Betreiber.",
        "en": "1 to {max} numbers per order. New numbers start inactive; only activating one costs "
              "{once} once and {monthly} per month. You have {held} numbers in this local area; "
              "more "
              "than {limit} need the operator's approval.",
    },
    "ui.areas.order.count": {"de": "Anzahl (1–{max})", "en": "Count (1–{max})"},
    "ui.areas.order.confirm": {"de": "Rufnummern bestellen", "en": "Order numbers"},
    "ui.areas.order.not_verified": {
        "de": "Rufnummern im Ortsnetz {area} können erst nach der Verifizierung per PIN-Brief "
              "bestellt werden.",
        "en": "Numbers in local area {area} can be ordered only after verification by PIN letter.",
    },
    "ui.areas.order.done": {
        "de": "{count} Rufnummer(n) bestellt (inaktiv): {numbers}",
        "en": "{count} number(s) ordered (inactive): {numbers}",
    },
})
