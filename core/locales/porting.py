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
        "de": "Ungültiges Datum: TT.MM.JJJJ oder JJJJ-MM-TT, „frühestens“ (earliest) oder "
              "+N Werktage (+20wd).",
        "en": "Invalid date: DD/MM/YYYY or YYYY-MM-DD, 'earliest' or +N working days "
              "(+20wd).",
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
        "de": "Alt-Anbieter hat den Wunschtermin bestätigt ({date})",
        "en": "Previous provider confirmed the wished date ({date})",
    },
    "ui.porting.note.confirmed_other": {
        "de": "Alt-Anbieter hat einen anderen Termin bestätigt: {date} statt des Wunschtermins "
              "{wished}",
        "en": "Previous provider confirmed another date: {date} instead of the wished date "
              "{wished}",
    },
    "ui.porting.note.cancelled": {
        "de": "Vom Kunden storniert; die Rufnummern im Status „Portierung“ sind entfernt",
        "en": "Cancelled by the customer; the numbers in state 'porting' are removed",
    },
    "ui.porting.note.completed": {
        "de": "Rufnummern sind umgezogen und aktiv",
        "en": "Numbers have moved and are active",
    },
    "ui.porting.reason.not_with_provider": {
        "de": "Abgelehnt: Mindestens eine Rufnummer ist beim Alt-Anbieter nicht (mehr) "
              "geschaltet.",
        "en": "Rejected: at least one number is not (or no longer) with the previous provider.",
    },
    "ui.porting.reason.contract_term": {
        "de": "Abgelehnt: Der Vertrag beim Alt-Anbieter läuft noch (keine Kündigung zum "
              "Wunschtermin).",
        "en": "Rejected: the contract with the previous provider is still running (not "
              "terminated for the wished date).",
    },
    "ui.porting.reason.address_mismatch": {
        "de": "Abgelehnt: Die Anschlussadresse stimmt nicht mit den Daten des Alt-Anbieters "
              "überein.",
        "en": "Rejected: the connection address does not match the previous provider's "
              "records.",
    },
    "ui.porting.reason.other": {
        "de": "Abgelehnt: Der Alt-Anbieter hat den Auftrag ohne nähere Angabe abgelehnt.",
        "en": "Rejected: the previous provider rejected the order without giving details.",
    },
    "ui.porting.reject_code.holder_mismatch": {
        "de": "Anschlussinhaber weicht ab", "en": "Account holder mismatch"},
    "ui.porting.reject_code.not_with_provider": {
        "de": "Rufnummer nicht beim Alt-Anbieter", "en": "Number not with the previous provider"},
    "ui.porting.reject_code.contract_term": {
        "de": "Vertragslaufzeit läuft noch", "en": "Contract term still running"},
    "ui.porting.reject_code.address_mismatch": {
        "de": "Anschlussadresse weicht ab", "en": "Connection address mismatch"},
    "ui.porting.reject_code.other": {"de": "Sonstiger Grund", "en": "Other reason"},
    "error.porting.not_found": {
        "de": "Es gibt keinen Portierungsauftrag Nr. {id}.",
        "en": "There is no porting order no. {id}.",
    },
    "error.porting.cancel_confirmed": {
        "de": "Der Alt-Anbieter hat den Auftrag bereits für den {date} bestätigt; ein bestätigter "
              "Auftrag kann nicht mehr storniert werden.",
        "en": "The previous provider has already confirmed the order for {date}; a confirmed "
              "order can no longer be cancelled.",
    },
    "error.porting.cancel_closed": {
        "de": "Der Auftrag ist bereits {status} und kann nicht storniert werden.",
        "en": "The order is already {status} and cannot be cancelled.",
    },
    "error.porting.comment_required": {
        "de": "Bitte geben Sie einen Kommentar ein.",
        "en": "Please enter a comment.",
    },
    "error.porting.too_many_open": {
        "de": "Es sind schon {max} Portierungsaufträge offen. Bitte warten Sie, bis einer "
              "abgeschlossen ist, oder stornieren Sie einen.",
        "en": "{max} porting orders are already open. Please wait until one is closed, or "
              "cancel one.",
    },
    "error.porting.too_many_comments": {
        "de": "Dieser Auftrag hat schon {max} Kommentare; weitere sind nicht möglich.",
        "en": "This order already has {max} comments; no more can be added.",
    },
    "error.porting.scenario_off": {
        "de": "Test-Szenarien des Netzbetreibers gibt es nur im Demo- und Testbetrieb "
              "(LINEDESK_CARRIER_TEST_SWITCH); der Netzbetreiber entscheidet selbst.",
        "en": "Carrier test scenarios exist only in demo and test configurations "
              "(LINEDESK_CARRIER_TEST_SWITCH); the carrier decides by itself.",
    },
    "error.porting.unknown_scenario": {
        "de": "Unbekanntes Test-Szenario „{value}“ (möglich: {allowed}).",
        "en": "Unknown test scenario '{value}' (allowed: {allowed}).",
    },
    "porting.mail.subject": {
        "de": "Portierungsauftrag {ref}: {status}",
        "en": "Porting order {ref}: {status}",
    },
    "porting.mail.frame": {
        "de": "Guten Tag {name},\n\n{text}\n\nDen Verlauf sehen Sie im Portal unter Rufnummern → "
              "Rufnummern portieren.\n\nIhr linedesk-Team",
        "en": "Hello {name},\n\n{text}\n\nThe timeline is in the portal under Numbers → Port "
              "numbers.\n\nYour linedesk team",
    },
    "porting.mail.body.submitted": {
        "de": "der Portierungsauftrag {ref} für {numbers} (bisheriger Anbieter: {provider}) ist "
              "eingereicht. Wunschtermin: {wished}.",
        "en": "porting order {ref} for {numbers} (previous provider: {provider}) has been "
              "submitted. Wished date: {wished}.",
    },
    "porting.mail.body.confirmed": {
        "de": "der bisherige Anbieter hat den Portierungsauftrag {ref} für {numbers} bestätigt. "
              "Die Rufnummern ziehen am {date} um.",
        "en": "the previous provider has confirmed porting order {ref} for {numbers}. The "
              "numbers move on {date}.",
    },
    "porting.mail.other_date": {
        "de": "Achtung: Das ist nicht Ihr Wunschtermin ({wished}); es gilt der {date}.",
        "en": "Please note: this is not your wished date ({wished}); {date} applies.",
    },
    "porting.mail.body.completed": {
        "de": "die Portierung {ref} ist abgeschlossen: {numbers} sind umgezogen und aktiv.",
        "en": "porting {ref} is complete: {numbers} have moved and are active.",
    },
    "porting.mail.body.rejected": {
        "de": "der bisherige Anbieter hat den Portierungsauftrag {ref} für {numbers} abgelehnt.",
        "en": "the previous provider has rejected porting order {ref} for {numbers}.",
    },
    "porting.mail.reason": {
        "de": "Grund: {code}. {text}",
        "en": "Reason: {code}. {text}",
    },
    "porting.mail.body.cancelled": {
        "de": "der Portierungsauftrag {ref} für {numbers} ist storniert; die Rufnummern bleiben "
              "beim bisherigen Anbieter ({provider}).",
        "en": "porting order {ref} for {numbers} has been cancelled; the numbers stay with the "
              "previous provider ({provider}).",
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
    "ui.porting.status.cancelled": {"de": "storniert", "en": "cancelled"},
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
    "ui.porting.create.date": {"de": "Wunschtermin (TT.MM.JJJJ, frühestens oder +20wd)",
                               "en": "Wished date (DD.MM.YYYY, earliest or +20wd)"},
    "ui.porting.create.confirm": {"de": "Portierungsauftrag absenden", "en": "Submit porting "
                                                                             "order"},
    "ui.porting.created": {
        "de": "Portierungsauftrag {ref} eingereicht (Wunschtermin {date}).",
        "en": "Porting order {ref} submitted (wished date {date}).",
    },
})

MESSAGES.update({
    f"audit.value.reject_code.{code}": MESSAGES[f"ui.porting.reject_code.{code}"]
    for code in ("holder_mismatch", "not_with_provider", "contract_term", "address_mismatch",
                 "other")
})
"""The Archiv shows a rejection's reason code in words."""

MESSAGES.update({
    # command mode (R31)
    "cmd.help.porting_show": {
        "de": "einen Portierungsauftrag mit Verlauf und Kommentaren anzeigen",
        "en": "show a porting order with its timeline and comments",
    },
    "cmd.help.porting_cancel": {
        "de": "einen eingereichten Portierungsauftrag stornieren",
        "en": "cancel a submitted porting order",
    },
    "cmd.help.porting_comment": {
        "de": "einen Kommentar zu einem Portierungsauftrag schreiben",
        "en": "write a comment on a porting order",
    },
    "cmd.arg.porting_id": {
        "de": "Auftrag wie in porting list (z. B. SIM-000001) oder seine Nummer",
        "en": "order as in porting list (e.g. SIM-000001) or its number",
    },
    "cmd.arg.porting_comment": {"de": "der Kommentar (höchstens 500 Zeichen)",
                                "en": "the comment (at most 500 characters)"},
    "cmd.arg.porting_scenario": {
        "de": "Test-Schalter des simulierten Netzbetreibers (ein echter ignoriert ihn)",
        "en": "test switch of the simulated carrier (a real carrier ignores it)",
    },
    "cmd.porting.status.cancelled": {"de": "storniert", "en": "cancelled"},
    "cmd.porting.date_differs": {"de": "{date} (gewünscht: {wished})",
                                 "en": "{date} (wished: {wished})"},
    "cmd.porting.field.ref": {"de": "Auftrag", "en": "Order"},
    "cmd.porting.field.status": {"de": "Status", "en": "Status"},
    "cmd.porting.field.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "cmd.porting.field.provider": {"de": "Bisheriger Anbieter", "en": "Previous provider"},
    "cmd.porting.field.holder": {"de": "Anschlussinhaber", "en": "Account holder"},
    "cmd.porting.field.wished": {"de": "Wunschtermin", "en": "Wished date"},
    "cmd.porting.field.confirmed": {"de": "Bestätigter Termin", "en": "Confirmed date"},
    "cmd.porting.field.reason": {"de": "Ablehnungsgrund", "en": "Reason"},
    "cmd.porting.field.cancel": {"de": "Stornierbar", "en": "Can be cancelled"},
    "cmd.porting.timeline": {"de": "Verlauf:", "en": "Timeline:"},
    "cmd.porting.comment_line": {"de": "  {at}  Kommentar von {author} ({role}): {text}",
                                 "en": "  {at}  comment by {author} ({role}): {text}"},
    "cmd.porting.cancelled": {
        "de": "Portierungsauftrag {id} storniert; {count} Rufnummer(n) im Status „Portierung“ "
              "entfernt.",
        "en": "Porting order {id} cancelled; {count} number(s) in state 'porting' removed.",
    },
    "cmd.porting.commented": {"de": "Kommentar zu Portierungsauftrag {id} gespeichert.",
                              "en": "Comment on porting order {id} saved."},
})

MESSAGES.update({
    # porting screen (R31)
    "ui.porting.col.date": {"de": "Termin (Alt-Anbieter)", "en": "Carrier date"},
    "ui.porting.date_differs": {"de": "{date} ≠ Wunsch", "en": "{date} ≠ wished"},
    "ui.porting.other_date": {
        "de": "Der Alt-Anbieter hat den {date} bestätigt, nicht den Wunschtermin {wished}.",
        "en": "The previous provider confirmed {date}, not the wished date {wished}.",
    },
    "ui.porting.comment_by": {"de": "Kommentar von {author} ({role}):",
                              "en": "Comment by {author} ({role}):"},
    "ui.porting.reject_line": {"de": "Ablehnungsgrund: {code} – {text}",
                               "en": "Reason: {code} – {text}"},
    "ui.porting.keys_hint": {
        "de": "c Kommentar · s stornieren (solange der Alt-Anbieter nicht bestätigt hat)",
        "en": "c comment · s cancel (until the previous provider confirms)",
    },
    "ui.porting.key.comment": {"de": "Kommentar", "en": "Comment"},
    "ui.porting.key.cancel": {"de": "Stornieren", "en": "Cancel order"},
    "ui.porting.dialog.back": {"de": "Zurück", "en": "Back"},
    "ui.porting.comment.title": {"de": "Kommentar zu Auftrag {ref}",
                                 "en": "Comment on order {ref}"},
    "ui.porting.comment.info": {
        "de": "Der Kommentar erscheint im Verlauf des Auftrags, mit Ihrem Namen und der Zeit "
              "(höchstens {max} Zeichen). Kunde und Support sehen ihn.",
        "en": "The comment appears in the order's timeline with your name and the time (at most "
              "{max} characters). Customer and support see it.",
    },
    "ui.porting.comment.placeholder": {"de": "Ihr Kommentar", "en": "Your comment"},
    "ui.porting.comment.confirm": {"de": "Kommentar speichern", "en": "Save comment"},
    "ui.porting.commented": {"de": "Kommentar zu Auftrag {ref} gespeichert.",
                             "en": "Comment on order {ref} saved."},
    "ui.porting.cancel.title": {"de": "Auftrag {ref} stornieren", "en": "Cancel order {ref}"},
    "ui.porting.cancel.question": {
        "de": "Der Auftrag wird storniert: {numbers} bleiben bei {provider}; die Rufnummern im "
              "Status „Portierung“ werden entfernt.",
        "en": "The order is cancelled: {numbers} stay with {provider}; the numbers in state "
              "'porting' are removed.",
    },
    "ui.porting.cancel.confirm": {"de": "Auftrag stornieren", "en": "Cancel order"},
    "ui.porting.cancelled": {"de": "Portierungsauftrag {ref} storniert.",
                             "en": "Porting order {ref} cancelled."},
})

MESSAGES.update({
    "ui.porting.button.comment": {"de": "Kommentar (c)", "en": "Comment (c)"},
    "ui.porting.button.cancel": {"de": "Stornieren (s)", "en": "Cancel order (s)"},
})
