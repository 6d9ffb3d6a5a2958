"""Texts of the audit log screen (Archiv): columns, scope, action labels."""

MESSAGES: dict[str, dict[str, str]] = {
    "ui.audit.scope.all": {
        "de": "Alle Änderungen für Ihren Kunden, neueste zuerst – auch Support-Zugriffe mit Grund, "
              "Herkunftsadresse und Schlüssel.",
        "en": "Every change for your customer, newest first – including support access with "
              "reason, "
              "source address and key.",
    },
    "ui.audit.scope.own": {
        "de": "Ihre eigenen Aktionen, neueste zuerst.",
        "en": "Your own actions, newest first.",
    },
    "ui.audit.filter_placeholder": {
        "de": "Filtern (/): Aktion, Benutzer, Objekt, Grund, Adresse, Schlüssel …",
        "en": "Filter (/): action, user, object, reason, address, key …",
    },
    "ui.audit.col.at": {"de": "Zeitpunkt", "en": "Time"},
    "ui.audit.col.user": {"de": "Benutzer", "en": "User"},
    "ui.audit.col.action": {"de": "Aktion", "en": "Action"},
    "ui.audit.col.target": {"de": "Objekt", "en": "Object"},
    "ui.audit.col.support": {"de": "Support-Grund", "en": "Support reason"},
    "ui.audit.col.source": {"de": "Herkunft", "en": "Source"},
    "ui.audit.col.key": {"de": "Schlüssel", "en": "Key"},
    "ui.audit.button.filter": {"de": "Filtern (/)", "en": "Filter (/)"},
    "ui.audit.button.more": {"de": "Mehr laden (m)", "en": "Load more (m)"},
    "ui.audit.button.reload": {"de": "Neu laden (Strg+R)", "en": "Reload (Ctrl+R)"},
    "ui.audit.key.filter": {"de": "Filtern", "en": "Filter"},
    "ui.audit.key.more": {"de": "Mehr laden", "en": "Load more"},
    "ui.audit.key.reload": {"de": "Neu laden", "en": "Reload"},
    "ui.audit.key.clear": {"de": "Filter leeren", "en": "Clear filter"},
    "ui.audit.empty": {"de": "Keine Einträge.", "en": "No entries."},
    "ui.audit.role.system": {"de": "System", "en": "System"},
    "ui.audit.support_line": {"de": "Support-Zugriff, Grund: {reason}", "en": "Support access, "
                                                                              "reason: {reason}"},
}

_ACTIONS: dict[str, tuple[str, str]] = {
    "account.created": ("Konto angelegt", "Account created"),
    "account.deactivated": ("Konto deaktiviert", "Account deactivated"),
    "account.key_added": ("SSH-Schlüssel hinzugefügt", "SSH key added"),
    "account.key_removed": ("SSH-Schlüssel entfernt", "SSH key removed"),
    "account.password_reset": ("Passwort zurückgesetzt", "Password reset"),
    "account.password_set": ("Passwort gesetzt", "Password set"),
    "areas.numbers_ordered": ("Rufnummern bestellt", "Numbers ordered"),
    "areas.operator_note_set": ("Betreiber-Freigabe (über 100 Rufnummern) gesetzt",
                                "Operator approval (over 100 numbers) set"),
    "areas.pin_expired": ("PIN abgelaufen", "PIN expired"),
    "areas.pin_invalidated": ("PIN nach Fehleingaben ungültig", "PIN invalidated after wrong "
                                                                "entries"),
    "areas.pin_requested": ("PIN-Brief angefordert", "PIN letter requested"),
    "areas.pin_wrong": ("Falsche PIN eingegeben", "Wrong PIN entered"),
    "areas.verified": ("Ortsnetz-Adresse verifiziert", "Local area address verified"),
    "credentials.generated": ("Internet-Zugangsdaten neu erzeugt", "Internet credentials "
                                                                   "generated"),
    "customer.created": ("Kunde angelegt", "Customer created"),
    "demo.seeded": ("Demodaten geladen", "Demo data loaded"),
    "line.online": ("Anschluss online", "Line online"),
    "number.activated": ("Rufnummer aktiviert", "Number activated"),
    "number.assigned": ("Rufnummer zugeordnet", "Number assigned"),
    "number.deactivated": ("Rufnummer deaktiviert", "Number deactivated"),
    "number.deactivation_marked": ("Rufnummer zur Deaktivierung vorgemerkt", "Number marked for "
                                                                             "deactivation"),
    "number.deactivation_undone": ("Deaktivierung zurückgenommen", "Deactivation undone"),
    "number.fax_credentials_sent": ("Fax-Zugangsdaten versendet", "Fax credentials sent"),
    "number.forwarding_set": ("Weiterleitung eingerichtet", "Forwarding set up"),
    "number.swapped": ("Rufnummer ausgetauscht", "Number swapped"),
    "number.unassigned": ("Rufnummer frei (Mitarbeiter deaktiviert)", "Number freed (employee "
                                                                      "deactivated)"),
    "porting.submitted": ("Portierungsauftrag eingereicht", "Porting order submitted"),
    "porting.confirmed": ("Portierung bestätigt", "Porting confirmed"),
    "porting.completed": ("Portierung abgeschlossen", "Porting completed"),
    "porting.rejected": ("Portierung abgelehnt", "Porting rejected"),
    "porting.cancelled": ("Portierungsauftrag storniert", "Porting order cancelled"),
    "porting.commented": ("Kommentar zum Portierungsauftrag", "Comment on porting order"),
    "profile.contact_changed": ("Kontaktdaten geändert", "Contact details changed"),
    "profile.locale_changed": ("Sprache geändert", "Language changed"),
    "session.login": ("Anmeldung", "Sign-in"),
    "session.command": ("Zugriff per Befehl (erster des Tages)", "Command-mode access (first of "
                                                                 "the day)"),
    "support.customer_opened": ("Support hat das Kundenportal geöffnet", "Support opened the "
                                                                         "customer portal"),
}
MESSAGES.update({f"audit.action.{k}": {"de": de, "en": en} for k, (de, en) in _ACTIONS.items()})

MESSAGES["audit.action.other"] = {"de": "Änderung", "en": "Change"}

_TEXTS: dict[str, tuple[str, str]] = {
    "account.created": ("Konto {target} angelegt ({role})", "Account {target} created ({role})"),
    "account.deactivated": ("Konto {target} deaktiviert", "Account {target} deactivated"),
    "account.password_reset": ("Neues Passwort für {target} per E-Mail an {email} gesendet",
                               "New password for {target} e-mailed to {email}"),
    "areas.numbers_ordered": ("{count} Rufnummer(n) im Ortsnetz {target} bestellt: {numbers}",
                              "{count} number(s) ordered in local area {target}: {numbers}"),
    "areas.operator_note_set": ("Betreiber-Freigabe für das Ortsnetz {target}: {note}",
                                "Operator approval for local area {target}: {note}"),
    "areas.pin_expired": ("PIN für das Ortsnetz {target} abgelaufen",
                          "PIN for local area {target} expired"),
    "areas.pin_invalidated": ("PIN für das Ortsnetz {target} nach {attempts} Fehleingaben ungültig",
                              "PIN for local area {target} invalid after {attempts} wrong entries"),
    "areas.pin_requested": ("PIN-Brief für das Ortsnetz {target} an {address} angefordert",
                            "PIN letter for local area {target} requested to {address}"),
    "areas.pin_wrong": ("Falsche PIN für das Ortsnetz {target} eingegeben (Fehlversuch {attempts})",
                        "Wrong PIN entered for local area {target} (failed attempt {attempts})"),
    "areas.verified": ("Adresse {address} im Ortsnetz {target} verifiziert",
                       "Address {address} in local area {target} verified"),
    "credentials.generated": (
        "Internet-Zugangsdaten für Vertrag {target} neu erzeugt, zugestellt an {recipient} "
        "(E-Mail {email}, SMS {mobile})",
        "Internet credentials for contract {target} generated, delivered to {recipient} "
        "(e-mail {email}, SMS {mobile})"),
    "line.online": ("Anschluss {target} mit neuen Zugangsdaten online",
                    "Line {target} online with the new credentials"),
    "number.activated": (
        "Rufnummer {target} kostenpflichtig aktiviert ({activation_fee_cents} einmalig, "
        "{monthly_price_cents} monatlich)",
        "Number {target} activated, chargeable ({activation_fee_cents} once, "
        "{monthly_price_cents} per month)"),
    "number.assigned": ("Rufnummer {target} an {assigned} zugewiesen",
                        "Number {target} assigned to {assigned}"),
    "number.deactivated": ("Rufnummer {target} deaktiviert", "Number {target} deactivated"),
    "number.deactivation_marked": (
        "Rufnummer {target} zur Deaktivierung zum {deactivation_date} vorgemerkt",
        "Number {target} marked for deactivation on {deactivation_date}"),
    "number.deactivation_undone": ("Deaktivierung der Rufnummer {target} zurückgenommen",
                                   "Deactivation of number {target} undone"),
    "number.fax_credentials_sent": ("Fax-Zugangsdaten für {target} an {recipients} gesendet",
                                    "Fax credentials for {target} sent to {recipients}"),
    "number.forwarding_set": ("Weiterleitung der Rufnummer {target} auf {forwarding_target}",
                              "Forwarding of number {target} to {forwarding_target}"),
    "number.swapped": ("Rufnummer {old} gegen {new} ausgetauscht (kostenneutral)",
                       "Number {old} swapped for {new} (cost-neutral)"),
    "number.unassigned": ("Rufnummer {target} von {previous} freigegeben",
                          "Number {target} released from {previous}"),
    "porting.submitted": (
        "Portierungsauftrag {target} eingereicht: {numbers} von {old_provider}, Wunschtermin "
        "{wished_date}",
        "Porting order {target} submitted: {numbers} from {old_provider}, wished date "
        "{wished_date}"),
    "profile.contact_changed": ("Kontaktdaten von {target} geändert ({changed})",
                                "Contact details of {target} changed ({changed})"),
    "profile.locale_changed": ("Sprache von {target}: {locale}", "Language of {target}: {locale}"),
    "session.login": ("Anmeldung von {target} ({method})", "Sign-in of {target} ({method})"),
    "session.command": ("Zugriff per Befehl von {target} ({method})",
                        "Command-mode access of {target} ({method})"),
}
"""Sentences of the Archiv's detail pane, filled with the entry's details in words."""
MESSAGES.update({f"audit.text.{k}": {"de": de, "en": en} for k, (de, en) in _TEXTS.items()})

_DETAILS: dict[str, tuple[str, str]] = {
    "activation_fee_cents": ("Einmalpreis", "One-time price"),
    "address": ("Adresse", "Address"),
    "area": ("Ortsnetz", "Local area"),
    "assigned": ("Zugewiesen an", "Assigned to"),
    "attempts": ("Fehlversuche", "Failed attempts"),
    "carrier_ref": ("Vorgang beim Netzbetreiber", "Carrier reference"),
    "changed": ("Geändert", "Changed"),
    "confirmed_date": ("Bestätigter Termin", "Confirmed date"),
    "count": ("Anzahl", "Count"),
    "customer_number": ("Kundennummer", "Customer number"),
    "deactivation_date": ("Deaktivierung zum", "Deactivation on"),
    "email": ("E-Mail", "E-mail"),
    "expires_at": ("PIN gültig bis", "PIN valid until"),
    "fax_shared": ("Persönliches Fax wird gemeinsam genutzt", "Personal fax becomes shared"),
    "fingerprint": ("Schlüssel", "Key"),
    "forwarding_target": ("Weiterleitung", "Forwarding"),
    "last_active_day": ("Letzter aktiver Tag", "Last active day"),
    "left": ("Verbleibende Versuche", "Attempts left"),
    "line_username": ("Anschluss-Benutzername", "Line username"),
    "locale": ("Sprache", "Language"),
    "method": ("Anmeldung mit", "Signed in with"),
    "mobile": ("Mobilfunk", "Mobile"),
    "monthly_price_cents": ("Monatlich", "Monthly"),
    "new": ("Neue Rufnummer", "New number"),
    "note": ("Hinweis", "Note"),
    "number": ("Rufnummer", "Number"),
    "numbers": ("Rufnummern", "Numbers"),
    "old": ("Bisherige Rufnummer", "Previous number"),
    "old_provider": ("Bisheriger Anbieter", "Previous provider"),
    "previous": ("Bisher zugewiesen an", "Previously assigned to"),
    "recipient": ("Empfänger", "Recipient"),
    "recipients": ("Empfänger", "Recipients"),
    "reject_code": ("Ablehnungsgrund", "Reason code"),
    "scenario": ("Test-Szenario", "Test scenario"),
    "role": ("Rolle", "Role"),
    "traffic_data_deleted": ("Verkehrsdaten gelöscht", "Traffic data deleted"),
    "username": ("Benutzer", "User"),
    "wished_date": ("Wunschtermin", "Wished date"),
}
"""Labels of the details an entry records (ids and version counters are not shown)."""
MESSAGES.update({f"audit.detail.{k}": {"de": de, "en": en} for k, (de, en) in _DETAILS.items()})

MESSAGES.update({
    "audit.value.yes": {"de": "ja", "en": "yes"},
    "audit.value.no": {"de": "nein", "en": "no"},
    "audit.value.none": {"de": "keine", "en": "none"},
    "audit.value.entries": {"de": "{count} Einträge", "en": "{count} entries"},
    "audit.value.entry": {"de": "1 Eintrag", "en": "1 entry"},
    "audit.value.method.password": {"de": "Passwort", "en": "password"},
    "audit.value.method.publickey": {"de": "SSH-Schlüssel", "en": "SSH key"},
    "audit.value.locale.de": {"de": "Deutsch", "en": "German"},
    "audit.value.locale.en": {"de": "Englisch", "en": "English"},
    "audit.value.role.admin": {"de": "Administrator", "en": "Administrator"},
    "audit.value.role.employee": {"de": "Mitarbeiter", "en": "Employee"},
    "audit.value.role.support": {"de": "Support", "en": "Support"},
    "audit.value.changed.email": {"de": "E-Mail-Adresse", "en": "e-mail address"},
    "audit.value.changed.mobile": {"de": "Mobilfunk-Rufnummer", "en": "mobile number"},
})

# issue 12 (audit of refusals): refused sign-ins and refused actions
MESSAGES.update({
    "audit.action.session.login_failed": {"de": "Anmeldung abgelehnt", "en": "Sign-in refused"},
    "audit.text.session.login_failed": {"de": "Anmeldung als {target} abgelehnt ({method})",
                                        "en": "Sign-in as {target} refused ({method})"},
    "audit.action.access.denied": {"de": "Zugriff verweigert", "en": "Access denied"},
    "audit.value.method.keyboard-interactive": {"de": "Passwort (Dialog)",
                                                "en": "password (prompt)"},
})
