"""Texts of the emergency location (Notrufstandort, R29): validation per field, the
activation refusal, the dashboard line, the dialog, command mode and the Archiv."""

MESSAGES: dict[str, dict[str, str]] = {
    # errors (each about one field, so the dialog shows it at that field)
    "error.emergency.invalid": {
        "de": "Der Notrufstandort ist unvollständig oder ungültig.",
        "en": "The emergency location is incomplete or invalid.",
    },
    "error.emergency.street_required": {
        "de": "Bitte die Straße angeben.", "en": "Please enter the street.",
    },
    "error.emergency.street_too_long": {
        "de": "Die Straße darf höchstens {max} Zeichen lang sein.",
        "en": "The street may be at most {max} characters long.",
    },
    "error.emergency.street_invalid": {
        "de": "„{value}“ ist kein Straßenname.", "en": "'{value}' is not a street name.",
    },
    "error.emergency.house_number_required": {
        "de": "Bitte die Hausnummer angeben.", "en": "Please enter the house number.",
    },
    "error.emergency.house_number_invalid": {
        "de": "„{value}“ ist keine Hausnummer (z. B. 12, 12a, 12-14).",
        "en": "'{value}' is not a house number (e.g. 12, 12a, 12-14).",
    },
    "error.emergency.postcode_required": {
        "de": "Bitte die Postleitzahl angeben.", "en": "Please enter the postcode.",
    },
    "error.emergency.postcode_format": {
        "de": "„{value}“ ist keine Postleitzahl: sie hat genau 5 Ziffern (z. B. 10117).",
        "en": "'{value}' is not a postcode: it has exactly 5 digits (e.g. 10117).",
    },
    "error.emergency.postcode_outside": {
        "de": "Die Postleitzahl {postcode} liegt nicht im Ortsnetz {area} {name} ({ranges}): "
              "der Notrufstandort muss im Ortsnetz der Rufnummer liegen.",
        "en": "Postcode {postcode} is not in the local area {area} {name} ({ranges}): the "
              "emergency location must lie in the number's local area.",
    },
    "error.emergency.city_required": {
        "de": "Bitte den Ort angeben.", "en": "Please enter the city.",
    },
    "error.emergency.city_too_long": {
        "de": "Der Ort darf höchstens {max} Zeichen lang sein.",
        "en": "The city may be at most {max} characters long.",
    },
    "error.emergency.city_invalid": {
        "de": "„{value}“ ist kein Ortsname.", "en": "'{value}' is not a city name.",
    },
    "error.emergency.voice_only": {
        "de": "Rufnummer {number} ist eine Faxnummer: einen Notrufstandort haben nur "
              "Sprach-Rufnummern.",
        "en": "Number {number} is a fax number: only voice numbers have an emergency location.",
    },
    "error.numbers.no_emergency_location": {
        "de": "Rufnummer {number} hat keinen Notrufstandort: ohne ihn wird sie nicht aktiviert. "
              "Bitte zuerst den Notrufstandort eintragen (Straße, Hausnummer, PLZ, Ort).",
        "en": "Number {number} has no emergency location: it is not activated without one. "
              "Please enter the emergency location first (street, house number, postcode, "
              "city).",
    },
    # dashboard and dialog
    "ui.numbers.action.location": {"de": "Notrufstandort", "en": "Emergency location"},
    "ui.numbers.location.line": {
        "de": "Notrufstandort: {location}", "en": "Emergency location: {location}",
    },
    "ui.numbers.location.missing": {
        "de": "Notrufstandort: keiner – ohne ihn keine Aktivierung",
        "en": "Emergency location: none – needed before activating",
    },
    "ui.numbers.location.fax": {
        "de": "Notrufstandort: – (Faxnummer)", "en": "Emergency location: – (fax number)",
    },
    "ui.numbers.location.title": {
        "de": "Notrufstandort ändern", "en": "Change the emergency location",
    },
    "ui.numbers.location.confirm": {
        "de": "Notrufstandort speichern", "en": "Save emergency location",
    },
    "ui.numbers.location.info": {
        "de": "Notrufe (110/112) gehen an diese Adresse; PLZ im Ortsnetz {area} {name}.",
        "en": "Emergency calls (110/112) go to this address; postcode in {area} {name}.",
    },
    "ui.numbers.location.default": {
        "de": "Vorschlag: die Adresse des Standorts (noch nicht gespeichert).",
        "en": "Suggested: the site's address (not saved yet).",
    },
    "ui.numbers.location.none": {
        "de": "Noch kein Notrufstandort eingetragen.",
        "en": "No emergency location entered yet.",
    },
    "ui.numbers.location.street": {"de": "Straße", "en": "Street"},
    "ui.numbers.location.house_number": {"de": "Hausnummer", "en": "House number"},
    "ui.numbers.location.postcode": {"de": "PLZ", "en": "Postcode"},
    "ui.numbers.location.city": {"de": "Ort", "en": "City"},
    "ui.numbers.location.loading": {
        "de": "Notrufstandort wird geladen …", "en": "Loading the emergency location …",
    },
    "ui.numbers.location.done": {
        "de": "Notrufstandort von {number} gespeichert: {location}",
        "en": "Emergency location of {number} saved: {location}",
    },
    # command mode
    "cmd.help.numbers_set_location": {
        "de": "Notrufstandort einer Sprach-Rufnummer ändern (R29)",
        "en": "Change the emergency location of a voice number (R29)",
    },
    "cmd.arg.street": {"de": "Straße (ohne Hausnummer)", "en": "street (without house number)"},
    "cmd.arg.house_number": {"de": "Hausnummer (z. B. 12a)", "en": "house number (e.g. 12a)"},
    "cmd.arg.postcode": {
        "de": "Postleitzahl, 5 Ziffern, im Ortsnetz der Rufnummer",
        "en": "postcode, 5 digits, in the number's local area",
    },
    "cmd.arg.city": {"de": "Ort", "en": "city"},
    "cmd.numbers.location.done": {
        "de": "Notrufstandort von {number}: {location}",
        "en": "Emergency location of {number}: {location}",
    },
    "cmd.numbers.col.location": {"de": "Notrufstandort", "en": "Emergency location"},
    # Archiv
    "audit.action.number.location_set": {
        "de": "Notrufstandort geändert", "en": "Emergency location changed",
    },
    "audit.text.number.location_set": {
        "de": "Notrufstandort der Rufnummer {target}: {location}",
        "en": "Emergency location of number {target}: {location}",
    },
    "audit.detail.location": {"de": "Notrufstandort", "en": "Emergency location"},
    "audit.detail.previous_location": {"de": "vorher", "en": "before"},
}
