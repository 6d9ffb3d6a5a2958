"""Texts of the support role: customer search, opening a customer, reasons."""

MESSAGES: dict[str, dict[str, str]] = {
    "support.error.query_too_short": {
        "de": "Bitte mindestens {min} Zeichen eingeben.",
        "en": "Please enter at least {min} characters.",
    },
    "support.error.reason_too_long": {
        "de": "Der Grund darf höchstens {max} Zeichen lang sein.",
        "en": "The reason may be at most {max} characters long.",
    },
    "support.error.customer_required": {
        "de": "Bitte einen Kunden (Kundennummer) angeben.",
        "en": "Please name a customer (customer number).",
    },
    "support.error.customer_not_found": {
        "de": "Kunde „{value}“ nicht gefunden.",
        "en": "Customer '{value}' not found.",
    },
    "support.search.title": {"de": "Kundensuche", "en": "Customer search"},
    "support.search.intro": {
        "de": "Suchen Sie einen Kunden nach Name, Kundennummer oder Rufnummer "
              "(z. B. 030 123456100 oder +4930123456100).",
        "en": "Find a customer by name, customer number or phone number "
              "(e.g. 030 123456100 or +4930123456100).",
    },
    "support.search.placeholder": {
        "de": "Name, Kundennummer oder Rufnummer",
        "en": "Name, customer number or phone number",
    },
    "support.search.button": {"de": "Suchen", "en": "Search"},
    "support.search.open": {"de": "Öffnen", "en": "Open"},
    "support.search.close": {"de": "Kunde schließen", "en": "Close customer"},
    "support.search.none": {"de": "Keine Kunden gefunden.", "en": "No customers found."},
    "support.search.count": {"de": "{count} Kunden gefunden.", "en": "{count} customers found."},
    "support.search.one": {"de": "1 Kunde gefunden.", "en": "1 customer found."},
    "support.search.opened": {
        "de": "Kunde {customer} geöffnet (nur lesend). Der Zugriff steht im Archiv des Kunden.",
        "en": "Customer {customer} opened (read-only). The access is recorded in the customer's "
              "audit log.",
    },
    "support.search.current": {
        "de": "Geöffnet: {customer} – Änderungen nur mit Grund (Ticket-Nr.).",
        "en": "Open: {customer} – changes only with a reason (ticket id).",
    },
    "support.col.name": {"de": "Kunde", "en": "Customer"},
    "support.col.city": {"de": "Ort", "en": "City"},
    "support.col.customer_numbers": {"de": "Kundennummern", "en": "Customer numbers"},
    "support.col.matched": {"de": "Treffer", "en": "Match"},
    "support.matched.name": {"de": "Name", "en": "Name"},
    "support.matched.customer_number": {"de": "Kundennummer {value}", "en": "Customer number "
                                                                            "{value}"},
    "support.matched.phone": {"de": "Rufnummer {value}", "en": "Phone number {value}"},
    "support.reason.title": {"de": "Grund für die Änderung", "en": "Reason for the change"},
    "support.reason.body": {
        "de": "Sie handeln im Namen von {customer}. Bitte geben Sie einen Grund an "
              "(z. B. Ticket-Nr.); er wird mit der Änderung im Archiv des Kunden gespeichert.",
        "en": "You are acting on behalf of {customer}. Please give a reason "
              "(e.g. ticket id); it is stored with the change in the customer's audit log.",
    },
    "support.reason.placeholder": {"de": "Ticket-Nr. oder Grund", "en": "Ticket id or reason"},
    "support.reason.confirm": {"de": "Weiter", "en": "Continue"},
    "support.reason.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "support.reason.empty": {
        "de": "Ohne Grund ist keine Änderung möglich.",
        "en": "No change is possible without a reason.",
    },
    "support.view.switched": {
        "de": "Ansichtsmodus: {mode}",
        "en": "View mode: {mode}",
    },
    "support.view.employee_only": {
        "de": "Mitarbeiter-Konten haben nur die Anwender-Ansicht.",
        "en": "Employee accounts have the user view only.",
    },
    "support.view.support_fixed": {
        "de": "Support sieht geöffnete Kunden immer in der Admin-Ansicht (nur lesend ohne Grund).",
        "en": "Support always sees an opened customer in the admin view (read-only without a "
              "reason).",
    },
    "support.search.select": {
        "de": "Bitte zuerst einen Kunden in der Liste auswählen.",
        "en": "Please select a customer in the list first.",
    },
    # footer labels of the App's bindings ``nav.view`` / ``nav.customers`` (tui/app.py)
    "ui.nav.view": {"de": "Ansicht wechseln", "en": "Switch view"},
    "ui.nav.customers": {"de": "Kundensuche", "en": "Customer search"},
}

# R23 shadowing (ssh_server/shadow.py, screens/shadow_dialog.py)
_SHADOW: dict[str, tuple[str, str]] = {
    "support.shadow.key": ("Zuschauen", "Watch"),
    "support.shadow.pick_title": ("Live-Sitzung zum Zuschauen wählen",
                                  "Choose a live session to watch"),
    "support.shadow.pick_intro": (
        "Sitzungen der Benutzer von {customer}. Der Benutzer wird um Zustimmung gefragt.",
        "Sessions of {customer}'s users. The user is asked for consent."),
    "support.shadow.pick_confirm": ("Anfragen", "Ask"),
    "support.shadow.cancel": ("Abbrechen", "Cancel"),
    "support.shadow.none": ("Kein Benutzer dieses Kunden ist gerade angemeldet.",
                            "No user of this customer is signed in right now."),
    "support.shadow.unavailable": ("Zuschauen ist hier nicht möglich.",
                                   "Watching is not available here."),
    "support.shadow.row": ("{user} – {cols}×{rows} – seit {since}",
                           "{user} – {cols}×{rows} – since {since}"),
    "support.shadow.waiting": ("Warte auf die Zustimmung von {user} …",
                               "Waiting for {user}'s consent …"),
    "support.shadow.declined": ("{user} hat das Zuschauen abgelehnt.",
                                "{user} declined the request to watch."),
    "support.shadow.timeout": ("{user} hat nicht geantwortet (gilt als Nein).",
                               "{user} did not answer (counts as no)."),
    "support.shadow.gone": ("Die Sitzung gibt es nicht mehr.", "The session is gone."),
    "support.shadow.busy": ("Dieser Sitzung schaut schon jemand zu oder sie wird gerade gefragt.",
                            "Someone is already watching or asking for this session."),
    "support.shadow.ended": ("Zuschauen beendet.", "Watching ended."),
    "support.shadow.lost": (
        "Die beobachtete Sitzung ist beendet: von ihr kommt keine Antwort mehr.",
        "The watched session has ended: it no longer answers."),
    "support.shadow.status": (
        " Sie schauen {user} zu (nur lesend) – q oder Strg+X beendet ",
        " Watching {user} (read-only) – q or Ctrl+X ends "),
    "support.shadow.error.no_session": ("Sitzung nicht gefunden.", "Session not found."),
    "support.shadow.ask_title": ("Support möchte zuschauen", "Support would like to watch"),
    "support.shadow.ask_body": (
        "{agent} (Support) möchte Ihre Sitzung live sehen, nur lesend: Support kann nichts "
        "eingeben. Sie können es jederzeit mit Strg+X beenden. Ohne Antwort in {seconds} s "
        "gilt es als abgelehnt.",
        "{agent} (support) would like to see your session live, read-only: support cannot "
        "type anything. You can end it at any time with Ctrl+X. Without an answer within "
        "{seconds} s it counts as declined."),
    "support.shadow.ask_accept": ("Zulassen", "Allow"),
    "support.shadow.ask_decline": ("Ablehnen", "Decline"),
    "support.shadow.header": ("Support schaut zu: {agent} (Strg+X beendet)",
                              "Support is watching: {agent} (Ctrl+X ends)"),
    "support.shadow.user_ended": ("Support schaut nicht mehr zu.", "Support stopped watching."),
    "audit.action.support.shadow_requested": ("Support bat um Zuschauen",
                                              "Support asked to watch"),
    "audit.text.support.shadow_requested": ("Support bat, {target} zuzuschauen",
                                            "Support asked to watch {target}"),
    "audit.action.support.shadow_started": ("Support schaut zu", "Support watching"),
    "audit.text.support.shadow_started": ("Support schaut {target} zu (zugestimmt)",
                                          "Support watching {target} (consented)"),
    "audit.action.support.shadow_declined": ("Zuschauen abgelehnt", "Watching declined"),
    "audit.text.support.shadow_declined": ("{target} hat das Zuschauen abgelehnt",
                                           "{target} declined to be watched"),
    "audit.action.support.shadow_timeout": ("Zuschauen nicht beantwortet",
                                            "Watching not answered"),
    "audit.text.support.shadow_timeout": ("{target} hat nicht geantwortet (abgelehnt)",
                                          "{target} did not answer (declined)"),
    "audit.action.support.shadow_ended": ("Zuschauen beendet", "Watching ended"),
    "audit.text.support.shadow_ended": ("Zuschauen bei {target} beendet",
                                        "Watching {target} ended"),
    "audit.detail.watched_session": ("Beobachtete Sitzung", "Watched session"),
    "audit.detail.ended_by": ("Beendet durch", "Ended by"),
    "audit.detail.shadow": ("Beobachtungs-ID", "Shadowing id"),
}
MESSAGES.update({k: {"de": de, "en": en} for k, (de, en) in _SHADOW.items()})
