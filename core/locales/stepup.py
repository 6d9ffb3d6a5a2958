"""Texts of the step-up code (R20) and the scheduled credential reset (R19)."""

_ACTION_NAMES: dict[str, tuple[str, str]] = {
    "credentials.generate": ("neue Internet-Zugangsdaten", "new internet access credentials"),
    "numbers.swap": ("Rufnummerntausch", "number swap"),
    "numbers.assign_delete_traffic": ("Zuweisung mit Löschung der Verkehrsdaten",
                                      "assignment with deletion of traffic data"),
    "stepup.policy_off": ("Abschalten des Bestätigungscodes", "turning off the confirmation code"),
}

MESSAGES: dict[str, dict[str, str]] = {
    f"stepup.action.{k}": {"de": de, "en": en} for k, (de, en) in _ACTION_NAMES.items()
}
MESSAGES.update({
    f"audit.value.for_action.{k}": {"de": de, "en": en} for k, (de, en) in _ACTION_NAMES.items()
})

MESSAGES.update({
    "stepup.sms": {
        "de": "linedesk: Ihr Bestätigungscode für {what}: {code}. Gültig {minutes} Minuten, "
              "nur einmal. Geben Sie ihn nicht weiter.",
        "en": "linedesk: your confirmation code for {what}: {code}. Valid for {minutes} "
              "minutes, once. Do not share it.",
    },
    "stepup.error.required": {
        "de": "Diese Aktion braucht einen Bestätigungscode. Er wurde per SMS an {mobile} "
              "gesendet.",
        "en": "This action needs a confirmation code. It was sent by SMS to {mobile}.",
    },
    "stepup.error.no_mobile": {
        "de": "Für {user} ist keine Mobilfunk-Rufnummer hinterlegt: der Bestätigungscode kann "
              "nicht gesendet werden (Benutzerverwaltung, Taste 3).",
        "en": "No mobile number is stored for {user}: the confirmation code cannot be sent "
              "(user management, key 3).",
    },
    "stepup.error.rate_limited": {
        "de": "Zu viele Bestätigungscodes angefordert (höchstens {count} in {minutes} Minuten). "
              "Bitte später erneut versuchen.",
        "en": "Too many confirmation codes requested (at most {count} in {minutes} minutes). "
              "Please try again later.",
    },
    "stepup.error.no_code": {
        "de": "Kein gültiger Bestätigungscode für genau diese Aktion. Bitte einen neuen Code "
              "anfordern.",
        "en": "No valid confirmation code for exactly this action. Please request a new code.",
    },
    "stepup.error.used": {
        "de": "Dieser Bestätigungscode wurde bereits verwendet. Bitte einen neuen anfordern.",
        "en": "This confirmation code has already been used. Please request a new one.",
    },
    "stepup.error.voided": {
        "de": "Der Bestätigungscode wurde fünfmal falsch eingegeben und ist ungültig. Bitte "
              "einen neuen anfordern.",
        "en": "The confirmation code was entered wrongly five times and is void. Please "
              "request a new one.",
    },
    "stepup.error.expired": {
        "de": "Der Bestätigungscode ist abgelaufen (10 Minuten). Bitte einen neuen anfordern.",
        "en": "The confirmation code has expired (10 minutes). Please request a new one.",
    },
    "stepup.error.format": {
        "de": "Der Bestätigungscode hat {digits} Ziffern (siehe SMS). Dieser Versuch wurde "
              "nicht gezählt.",
        "en": "The confirmation code has {digits} digits (see the SMS). This attempt was not "
              "counted.",
    },
    "stepup.error.wrong": {
        "de": "Falscher Bestätigungscode. Noch {left} Versuche.",
        "en": "Wrong confirmation code. {left} attempts left.",
    },
    "stepup.sent": {
        "de": "Bestätigungscode per SMS an {mobile} gesendet (gültig 10 Minuten). Denselben "
              "Befehl mit --code NNNNNN wiederholen.",
        "en": "Confirmation code sent by SMS to {mobile} (valid for 10 minutes). Repeat the "
              "same command with --code NNNNNN.",
    },
    # R19
    "credentials.error.bad_time": {
        "de": "Ungültiger Zeitpunkt: {value} (TT.MM.JJJJ HH:MM oder JJJJ-MM-TT HH:MM, "
              "Ortszeit Berlin).",
        "en": "Invalid time: {value} (DD.MM.YYYY HH:MM or YYYY-MM-DD HH:MM, Berlin local "
              "time).",
    },
    "credentials.error.schedule_too_soon": {
        "de": "Der Zeitpunkt {at} liegt weniger als {minutes} Minuten in der Zukunft.",
        "en": "The time {at} is less than {minutes} minutes ahead.",
    },
    "credentials.error.schedule_too_far": {
        "de": "Der Zeitpunkt {at} liegt mehr als {days} Tage in der Zukunft.",
        "en": "The time {at} is more than {days} days ahead.",
    },
    "credentials.error.already_scheduled": {
        "de": "Für Vertrag {contract} ist schon eine Neuvergabe der Zugangsdaten geplant "
              "({at}, Nr. {id}); zuerst stornieren.",
        "en": "A reset is already scheduled for contract {contract} ({at}, no. {id}); cancel "
              "it first.",
    },
    "credentials.error.no_such_schedule": {
        "de": "Keine geplante Neuvergabe der Zugangsdaten Nr. {id}.",
        "en": "No scheduled reset no. {id}.",
    },
    "credentials.error.schedule_done": {
        "de": "Die geplante Neuvergabe der Zugangsdaten Nr. {id} ist bereits ausgeführt.",
        "en": "Scheduled reset no. {id} has already run.",
    },
    "credentials.error.schedule_cancelled": {
        "de": "Die geplante Neuvergabe der Zugangsdaten Nr. {id} ist bereits storniert.",
        "en": "Scheduled reset no. {id} is already cancelled.",
    },
    "credentials.mail.reset_cancelled.subject": {
        "de": "Geplante Neuvergabe der Zugangsdaten für Vertrag {contract} storniert",
        "en": "Scheduled new credentials for contract {contract} cancelled",
    },
    "credentials.mail.reset_cancelled.body": {
        "de": "Guten Tag {name},\n\ndie für {at} geplante Neuvergabe der Internet-Zugangsdaten "
              "für Vertrag {contract} wurde storniert: die hinterlegte E-Mail-Adresse oder "
              "Mobilfunk-Rufnummer, für die Sie zugestimmt hatten, hat sich geändert (oder der "
              "Vertrag erlaubt es nicht mehr). Es wurden keine Zugangsdaten geändert. Planen Sie "
              "bei Bedarf neu.\n\nIhr linedesk-Team",
        "en": "Hello {name},\n\ngenerating new internet access credentials for contract "
              "{contract}, scheduled for {at}, was cancelled: the stored e-mail address or mobile "
              "number you consented to has changed (or the contract no longer allows it). No "
              "credentials were changed. Schedule again if needed.\n\nYour linedesk team",
    },
    "credentials.mail.reset_late.subject": {
        "de": "Neue Zugangsdaten für Vertrag {contract} verspätet generiert",
        "en": "New credentials for contract {contract} generated late",
    },
    "credentials.mail.reset_late.body": {
        "de": "Guten Tag {name},\n\ndie für {at} geplante Neuvergabe der Internet-Zugangsdaten "
              "für Vertrag {contract} wurde wegen einer Betriebsunterbrechung erst um {done} "
              "ausgeführt; die neuen Zugangsdaten sind generiert und versendet.\n\n"
              "Ihr linedesk-Team",
        "en": "Hello {name},\n\nthe new internet access credentials for contract {contract}, "
              "scheduled for {at}, were generated and sent only at {done} because of an "
              "outage.\n\nYour linedesk team",
    },
    # audit log
    "audit.action.stepup.code_requested": {"de": "Bestätigungscode angefordert",
                                           "en": "Confirmation code requested"},
    "audit.action.stepup.code_used": {"de": "Bestätigungscode verwendet",
                                      "en": "Confirmation code used"},
    "audit.action.stepup.code_voided": {"de": "Bestätigungscode ungültig (5 Fehlversuche)",
                                        "en": "Confirmation code void (5 wrong entries)"},
    "audit.action.stepup.policy_on": {"de": "Bestätigungscode eingeschaltet",
                                      "en": "Confirmation code turned on"},
    "audit.action.stepup.policy_off": {"de": "Bestätigungscode abgeschaltet",
                                       "en": "Confirmation code turned off"},
    "audit.action.reset.scheduled": {"de": "Neuvergabe der Zugangsdaten geplant",
                                                 "en": "New credentials scheduled"},
    "audit.action.reset.cancelled": {"de": "Geplante Neuvergabe der Zugangsdaten storniert",
                                                 "en": "Scheduled credentials cancelled"},
    "audit.detail.for_action": {"de": "Für", "en": "For"},
    "audit.detail.at": {"de": "Zeitpunkt", "en": "Time"},
    "audit.detail.cause": {"de": "Ursache", "en": "Cause"},
    "audit.detail.late": {"de": "Verspätet", "en": "Late"},
    "audit.detail.scheduled_by": {"de": "Geplant von", "en": "Scheduled by"},
    "audit.value.cause.contact_changed": {"de": "Kontaktdaten geändert",
                                          "en": "contact data changed"},
    "audit.value.cause.not_possible": {"de": "nicht mehr möglich", "en": "no longer possible"},
    "audit.value.cause.policy_off": {"de": "Vier-Augen-Prinzip ausgeschaltet",
                                     "en": "four-eyes policy turned off"},
    "audit.detail.withdrawn": {"de": "Zurückgezogene Anträge", "en": "Requests withdrawn"},
})

# command mode (R19, R20)
MESSAGES.update({
    "cmd.arg.code": {
        "de": "Bestätigungscode aus der SMS (ohne: der Code wird gesendet, Exit-Code 4)",
        "en": "confirmation code from the SMS (without: the code is sent, exit code 4)",
    },
    "cmd.arg.at": {
        "de": "zu diesem Zeitpunkt statt jetzt (ISO, z. B. 2026-12-02T22:00, Ortszeit Berlin "
              "ohne Zeitzone; 15 Minuten bis 30 Tage voraus)",
        "en": "at this time instead of now (ISO, e.g. 2026-12-02T22:00, Berlin local time "
              "without an offset; 15 minutes to 30 days ahead)",
    },
    "cmd.arg.reset_id": {"de": "Nummer der geplanten Neuvergabe der Zugangsdaten",
                         "en": "number of the scheduled reset"},
    "cmd.help.credentials_scheduled": {
        "de": "geplante Neuvergaben der Internet-Zugangsdaten auflisten",
        "en": "list scheduled new internet access credentials",
    },
    "cmd.help.credentials_cancel": {
        "de": "eine geplante Neuvergabe der Internet-Zugangsdaten stornieren",
        "en": "cancel scheduled new internet access credentials",
    },
    "cmd.credentials.scheduled": {
        "de": "Neuvergabe der Zugangsdaten für {contract} geplant für {at} (Nr. {id}). "
              "Zustellung an {email} und {mobile}; stornieren mit: credentials cancel {id}",
        "en": "New credentials for {contract} scheduled for {at} (no. {id}). Delivery to "
              "{email} and {mobile}; cancel with: credentials cancel {id}",
    },
    "cmd.credentials.none_scheduled": {"de": "Keine geplante Neuvergabe der Zugangsdaten.",
                                       "en": "No scheduled new credentials."},
    "cmd.credentials.cancelled": {
        "de": "Geplante Neuvergabe der Zugangsdaten Nr. {id} für {contract} ({at}) storniert.",
        "en": "Scheduled new credentials no. {id} for {contract} ({at}) cancelled.",
    },
    "cmd.credentials.col.id": {"de": "Nr.", "en": "No."},
    "cmd.credentials.col.contract": {"de": "Vertrag", "en": "Contract"},
    "cmd.credentials.col.at": {"de": "Zeitpunkt", "en": "Time"},
    "cmd.credentials.col.by": {"de": "Geplant von", "en": "Scheduled by"},
    "cmd.credentials.col.to": {"de": "Zustellung an", "en": "Delivery to"},
})

# the credential wizard's "zu einem Zeitpunkt" (R19)
MESSAGES.update({
    "credentials.schedule_button": {"de": "Zu einem Zeitpunkt …", "en": "At a time …"},
    "credentials.key.schedule": {"de": "Zeitpunkt", "en": "At a time"},
    "credentials.schedule.title": {"de": "Neue Zugangsdaten zu einem Zeitpunkt",
                                   "en": "New credentials at a time"},
    "credentials.schedule.body": {
        "de": "Statt jetzt werden die neuen Zugangsdaten zu diesem Zeitpunkt generiert und "
              "gesendet (Ortszeit Berlin, JJJJ-MM-TT HH:MM oder TT.MM.JJJJ HH:MM; 15 Minuten bis "
              "30 Tage voraus). "
              "Bis dahin können Sie die geplante Neuvergabe stornieren; ändern sich "
              "E-Mail-Adresse oder Mobilfunk-Rufnummer vorher, wird sie storniert.",
        "en": "Instead of now, the new credentials are generated and sent at this time "
              "(Berlin local time, YYYY-MM-DD HH:MM; 15 minutes to 30 days ahead). Until then "
              "you can cancel it; if the e-mail address or mobile number changes before, it "
              "is cancelled.",
    },
    "credentials.schedule.confirm": {"de": "Planen", "en": "Schedule"},
    "credentials.schedule.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "credentials.scheduled_done": {
        "de": "Die Neuvergabe der Internet-Zugangsdaten ist für {at} geplant (Nr. {id}). "
              "Zustellung dann an {email} und {mobile}. Stornieren bis dahin: "
              "credentials cancel {id}.",
        "en": "New internet access credentials are scheduled for {at} (no. {id}). Delivery "
              "then to {email} and {mobile}. Cancel until then: credentials cancel {id}.",
    },
})

# command mode: the policy (R20)
MESSAGES.update({
    "cmd.help.stepup": {
        "de": "Bestätigungscode per SMS für gefährliche Aktionen: Status, ein, aus (aus "
              "braucht selbst einen Code)",
        "en": "confirmation code by SMS for dangerous actions: status, on, off (off needs a "
              "code itself)",
    },
    "cmd.arg.stepup_state": {"de": "status, on oder off", "en": "status, on or off"},
    "cmd.stepup.on": {
        "de": "Bestätigungscode ist eingeschaltet: neue Zugangsdaten, Rufnummerntausch und "
              "Zuweisung mit Löschung der Verkehrsdaten brauchen einen Code per SMS.",
        "en": "Confirmation code is on: new credentials, number swap and assignment with "
              "deletion of traffic data need a code by SMS.",
    },
    "cmd.stepup.off": {"de": "Bestätigungscode ist abgeschaltet.",
                       "en": "Confirmation code is off."},
})

# user management: the policy (R20)
MESSAGES.update({
    "users.key.stepup": {"de": "Bestätigungscode", "en": "Confirmation code"},
    "users.stepup.on": {
        "de": "Bestätigungscode per SMS ist eingeschaltet: neue Zugangsdaten, Rufnummerntausch "
              "und Zuweisung mit Löschung der Verkehrsdaten brauchen einen Code.",
        "en": "Confirmation code by SMS is on: new credentials, number swap and assignment with "
              "deletion of traffic data need a code.",
    },
    "users.stepup.off": {
        "de": "Bestätigungscode per SMS ist abgeschaltet.",
        "en": "Confirmation code by SMS is off.",
    },
    "users.stepup.turn_off": {"de": "Bestätigungscode abschalten", "en": "Turn code off"},
    "users.stepup.turn_on": {"de": "Bestätigungscode einschalten", "en": "Turn code on"},
})
