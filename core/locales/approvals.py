"""Texts of the four-eyes approval (R21)."""

MESSAGES: dict[str, dict[str, str]] = {
    "approvals.filed": {
        "de": "Freigabe beantragt (Antrag {id}: {what}), wartet auf Freigabe durch einen "
              "zweiten Administrator (24 Stunden).",
        "en": "Approval requested (request {id}: {what}), waiting for approval by a second "
              "administrator (24 hours).",
    },
    "approvals.what.approvals.policy_off": {
        "de": "Vier-Augen-Prinzip für {customer} abschalten",
        "en": "Turn four eyes off for {customer}",
    },
    "approvals.delivery": {
        "de": "Zustellung wie zugestimmt: {user} ({email}, {mobile})",
        "en": "Delivery as consented: {user} ({email}, {mobile})",
    },
    "approvals.error.contact_changed": {
        "de": "Die E-Mail-Adresse oder Mobilnummer von {user} hat sich seit dem Antrag geändert. "
              "Neue Zugangsdaten gehen nur dorthin, wo zugestimmt wurde; bitte neu beantragen.",
        "en": "The e-mail address or mobile number of {user} has changed since the request. "
              "New credentials only go where consent was given; please file a new request.",
    },
    "approvals.error.recipient_gone": {
        "de": "Das Konto {user}, an das die Zugangsdaten gehen sollten, ist nicht mehr aktiv.",
        "en": "The account {user} the credentials were to go to is no longer active.",
    },
    "approvals.error.no_consent": {
        "de": "Antrag {id} enthält keine Zustimmung zur Zustellung; bitte neu beantragen.",
        "en": "Request {id} holds no consent to a delivery; please file a new request.",
    },
    "approvals.error.policy_support": {
        "de": "Das Vier-Augen-Prinzip schaltet nur ein Administrator des Kunden ein oder ab.",
        "en": "Only an administrator of the customer turns four eyes on or off.",
    },
    "approvals.error.policy_off_pending": {
        "de": "Das Abschalten ist bereits beantragt (Antrag {id}) und wartet auf einen zweiten "
              "Administrator.",
        "en": "Turning it off is already requested (request {id}) and waits for a second "
              "administrator.",
    },
    "approvals.mail.failed.subject": {
        "de": "Antrag {id} fehlgeschlagen",
        "en": "Request {id} failed",
    },
    "approvals.mail.failed.body": {
        "de": "Hallo {name},\n\nIhr Antrag {id} ({what}) wurde bei der Freigabe nicht "
              "ausgeführt: {reason}\n\nEs wurden keine Zugangsdaten erzeugt.",
        "en": "Hello {name},\n\nyour request {id} ({what}) was not carried out on approval: "
              "{reason}\n\nNo credentials were generated.",
    },
    "approvals.error.policy_turned_off": {
        "de": "{user} hat das Vier-Augen-Prinzip ausgeschaltet; die Aktion braucht keine "
              "Freigabe mehr.",
        "en": "{user} turned the four-eyes policy off; the action needs no approval any more.",
    },
    "approvals.mail.policy_off.body": {
        "de": "Hallo {name},\n\nIhr Antrag {id} ({what}) wurde zurückgezogen: {reason}\n\n"
              "Es wurde nichts ausgeführt. Sie können die Aktion jetzt selbst ausführen.",
        "en": "Hello {name},\n\nyour request {id} ({what}) was withdrawn: {reason}\n\n"
              "Nothing was done. You can now run the action yourself.",
    },
    "approvals.mail.cancelled.subject": {
        "de": "Antrag {id} zurückgezogen",
        "en": "Request {id} withdrawn",
    },
    "approvals.mail.cancelled.body": {
        "de": "Hallo {name},\n\nIhr Antrag {id} ({what}) wurde zurückgezogen: {reason}\n\n"
              "Es werden keine Zugangsdaten erzeugt.",
        "en": "Hello {name},\n\nyour request {id} ({what}) was withdrawn: {reason}\n\n"
              "No credentials will be generated.",
    },
    "approvals.policy.on": {
        "de": "Vier-Augen-Prinzip ist eingeschaltet: neue Zugangsdaten, Rufnummerntausch und "
              "Zuweisung mit Löschung der Verkehrsdaten gibt ein zweiter Administrator frei.",
        "en": "Four eyes is on: new credentials, number swap and assignment with deletion of "
              "traffic data are approved by a second administrator.",
    },
    "approvals.policy.off": {
        "de": "Vier-Augen-Prinzip ist abgeschaltet.",
        "en": "Four eyes is off.",
    },
    "approvals.policy.pending_off": {
        "de": "Abschalten beantragt (Antrag {id}), wartet auf einen zweiten Administrator.",
        "en": "Turning off requested (request {id}), waiting for a second administrator.",
    },
    "users.key.approval": {"de": "Vier-Augen-Prinzip", "en": "Four eyes"},
    "users.approval.turn_off": {"de": "Vier-Augen-Prinzip abschalten",
                                "en": "Turn four eyes off"},
    "users.approval.turn_on": {"de": "Vier-Augen-Prinzip einschalten",
                               "en": "Turn four eyes on"},
    "audit.action.approval.policy_on": {"de": "Vier-Augen-Prinzip eingeschaltet",
                                        "en": "Four eyes turned on"},
    "audit.action.approval.policy_off": {"de": "Vier-Augen-Prinzip abgeschaltet",
                                         "en": "Four eyes turned off"},
    "audit.value.for_action.approvals.policy_off": {
        "de": "Vier-Augen-Prinzip abschalten", "en": "turn four eyes off",
    },
    "cmd.help.approvals.policy": {
        "de": "Vier-Augen-Prinzip anzeigen, ein- oder abschalten (Abschalten braucht die "
              "Freigabe eines zweiten Administrators)",
        "en": "Show four eyes, turn it on or off (off needs a second administrator's approval)",
    },
    "cmd.arg.approvals_policy_state": {"de": "status, on oder off", "en": "status, on or off"},
    "approvals.what.credentials.generate": {
        "de": "Neue Internet-Zugangsdaten für Vertrag {contract}",
        "en": "New internet access credentials for contract {contract}",
    },
    "approvals.what.credentials.schedule": {
        "de": "Geplante Neuvergabe der Zugangsdaten für Vertrag {contract} am {at}",
        "en": "Scheduled credential reset for contract {contract} at {at}",
    },
    "approvals.what.numbers.swap": {
        "de": "Rufnummerntausch {old} gegen {new}",
        "en": "Number swap {old} for {new}",
    },
    "approvals.what.numbers.assign_delete_traffic": {
        "de": "Zuweisung von {number} an {username}, Verkehrsdaten von {previous} löschen",
        "en": "Assign {number} to {username}, delete the traffic data of {previous}",
    },
    "approvals.status.pending": {"de": "offen", "en": "open"},
    "approvals.status.approved": {"de": "freigegeben", "en": "approved"},
    "approvals.status.rejected": {"de": "abgelehnt", "en": "rejected"},
    "approvals.status.failed": {"de": "fehlgeschlagen", "en": "failed"},
    "approvals.status.expired": {"de": "abgelaufen", "en": "expired"},
    "approvals.status.cancelled": {"de": "zurückgezogen", "en": "withdrawn"},
    "approvals.error.not_found": {
        "de": "Antrag {id} nicht gefunden.",
        "en": "Request {id} not found.",
    },
    "approvals.error.support": {
        "de": "Der Support zählt nicht als zweiter Administrator.",
        "en": "Support never counts as the second administrator.",
    },
    "approvals.error.too_many_pending": {
        "de": "Sie haben schon {max} offene Anträge. Bitte warten Sie, bis ein anderer "
              "Administrator sie entschieden hat (oder sie ablaufen).",
        "en": "You already have {max} open requests. Please wait until another administrator "
              "has decided them (or they expire).",
    },
    "approvals.error.own": {
        "de": "Eigene Anträge kann nur ein anderer Administrator freigeben oder ablehnen.",
        "en": "Only another administrator can approve or reject your own request.",
    },
    "approvals.error.expired": {
        "de": "Antrag {id} ist abgelaufen (nach 24 Stunden).",
        "en": "Request {id} has expired (after 24 hours).",
    },
    "approvals.error.decided": {
        "de": "Antrag {id} ist nicht mehr offen ({status}).",
        "en": "Request {id} is no longer open ({status}).",
    },
    "approvals.error.comment_required": {
        "de": "Eine Ablehnung braucht einen Kommentar.",
        "en": "A rejection needs a comment.",
    },
    "approvals.error.comment_too_long": {
        "de": "Der Kommentar ist zu lang (höchstens {max} Zeichen).",
        "en": "The comment is too long (at most {max} characters).",
    },
    "approvals.error.failed": {
        "de": "Antrag {id} kann nicht mehr ausgeführt werden und ist fehlgeschlagen: {reason}",
        "en": "Request {id} can no longer be carried out and has failed: {reason}",
    },
    "approvals.approved": {
        "de": "Antrag {id} freigegeben und ausgeführt: {what}",
        "en": "Request {id} approved and carried out: {what}",
    },
    "approvals.rejected": {
        "de": "Antrag {id} abgelehnt.",
        "en": "Request {id} rejected.",
    },
    "approvals.none": {"de": "Keine offenen Anträge.", "en": "No open requests."},
    "approvals.none_at_all": {"de": "Keine Anträge.", "en": "No requests."},
    "approvals.decided_by": {"de": "von {user}", "en": "by {user}"},
    "approvals.col.id": {"de": "Nr.", "en": "No."},
    "approvals.col.what": {"de": "Aktion", "en": "Action"},
    "approvals.col.requested_by": {"de": "Beantragt von", "en": "Requested by"},
    "approvals.col.expires": {"de": "Läuft ab", "en": "Expires"},
    "approvals.col.status": {"de": "Status", "en": "Status"},
    "approvals.col.note": {"de": "Hinweis", "en": "Note"},
    "ui.approvals.title": {"de": "Freigaben (Vier-Augen-Prinzip)",
                           "en": "Approvals (four eyes)"},
    "ui.approvals.key.approve": {"de": "Freigeben", "en": "Approve"},
    "ui.approvals.key.reject": {"de": "Ablehnen", "en": "Reject"},
    "ui.approvals.key.back": {"de": "Zurück", "en": "Back"},
    "ui.approvals.key.open": {"de": "Freigaben", "en": "Approvals"},
    "ui.approvals.approve.title": {"de": "Antrag {id} freigeben", "en": "Approve request {id}"},
    "ui.approvals.reject.title": {"de": "Antrag {id} ablehnen", "en": "Reject request {id}"},
    "ui.approvals.approve.confirm": {"de": "Freigeben und ausführen",
                                     "en": "Approve and carry out"},
    "ui.approvals.reject.confirm": {"de": "Ablehnen", "en": "Reject"},
    "ui.approvals.back": {"de": "Zurück", "en": "Back"},
    "ui.approvals.question": {"de": "{what}\nbeantragt von {user}",
                              "en": "{what}\nrequested by {user}"},
    "ui.approvals.comment": {"de": "Kommentar (Pflicht)", "en": "Comment (required)"},
    "deadlines.kind.approval": {"de": "Freigabe-Antrag", "en": "Approval request"},
    "deadlines.object.approval": {
        "de": "Antrag {id}: {what}",
        "en": "Request {id}: {what}",
    },
    "deadlines.detail.approval": {
        "de": "beantragt von {user}, läuft ab {until}",
        "en": "requested by {user}, expires {until}",
    },
    "deadlines.refusal.approval": {
        "de": "Freigeben oder ablehnen mit a (Freigaben) oder „approvals“ im Befehlsmodus.",
        "en": "Approve or reject with a (Approvals) or 'approvals' in command mode.",
    },
    "audit.detail.approval_id": {"de": "Antrag", "en": "Request"},
    "audit.detail.params": {"de": "Angaben", "en": "Parameters"},
    "audit.detail.requested_by": {"de": "Beantragt von", "en": "Requested by"},
    "audit.detail.approved_by": {"de": "Freigegeben von", "en": "Approved by"},
    "audit.detail.comment": {"de": "Kommentar", "en": "Comment"},
    "audit.detail.failure": {"de": "Grund", "en": "Reason"},
    "audit.action.approval.requested": {"de": "Freigabe beantragt", "en": "Approval requested"},
    "audit.action.approval.approved": {"de": "Antrag freigegeben", "en": "Request approved"},
    "audit.action.approval.rejected": {"de": "Antrag abgelehnt", "en": "Request rejected"},
    "audit.action.approval.failed": {"de": "Antrag fehlgeschlagen", "en": "Request failed"},
    "audit.action.approval.cancelled": {"de": "Antrag zurückgezogen", "en": "Request withdrawn"},
    "audit.value.for_action.credentials.schedule": {
        "de": "geplante Neuvergabe der Zugangsdaten",
        "en": "scheduled credential reset",
    },
    "cmd.arg.approval_id": {"de": "Nummer des Antrags", "en": "request number"},
    "cmd.arg.comment": {"de": "Kommentar (Pflicht beim Ablehnen)", "en": "comment (required)"},
    "cmd.arg.approvals_all": {"de": "auch entschiedene und abgelaufene Anträge",
                              "en": "also decided and expired requests"},
    "cmd.help.approvals.list": {
        "de": "Offene Freigabe-Anträge (R21) auflisten",
        "en": "List open approval requests (R21)",
    },
    "cmd.help.approvals.approve": {
        "de": "Einen Antrag eines anderen Administrators freigeben und ausführen",
        "en": "Approve and carry out another administrator's request",
    },
    "cmd.help.approvals.reject": {
        "de": "Einen Antrag mit Kommentar ablehnen",
        "en": "Reject a request with a comment",
    },
}
