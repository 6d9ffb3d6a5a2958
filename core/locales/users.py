"""Texts of user management (Verwaltung & Archiv → Benutzerverwaltung) and its e-mails."""

MESSAGES: dict[str, dict[str, str]] = {
    "users.title": {"de": "Benutzerverwaltung", "en": "User management"},
    "users.profile": {"de": "Mein Profil", "en": "My profile"},
    "users.profile_line": {
        "de": "Benutzer: {user} ({role}) · Name: {name}",
        "en": "User: {user} ({role}) · Name: {name}",
    },
    "users.email": {"de": "E-Mail-Adresse", "en": "E-mail address"},
    "users.mobile": {"de": "Mobilfunk-Rufnummer", "en": "Mobile number"},
    "users.current_password": {"de": "Aktuelles Passwort", "en": "Current password"},
    "users.save_contact": {"de": "Kontaktdaten speichern", "en": "Save contact details"},
    "users.contact_saved": {
        "de": "Kontaktdaten gespeichert. Eine Benachrichtigung ging an die bisherige "
              "E-Mail-Adresse.",
        "en": "Contact details saved. A notice went to the previous e-mail address.",
    },
    "users.contact_unchanged": {
        "de": "Keine Änderung – E-Mail-Adresse und Mobilfunk-Rufnummer sind gleich geblieben.",
        "en": "No change – e-mail address and mobile number are the same.",
    },
    "users.language": {"de": "Sprache", "en": "Language"},
    "users.language.de": {"de": "Deutsch", "en": "German"},
    "users.language.en": {"de": "Englisch", "en": "English"},
    "users.language_saved": {"de": "Sprache geändert.", "en": "Language changed."},
    "users.employees": {"de": "Benutzerkonten", "en": "User accounts"},
    "users.col.username": {"de": "Benutzer", "en": "User"},
    "users.col.name": {"de": "Name", "en": "Name"},
    "users.col.role": {"de": "Rolle", "en": "Role"},
    "users.col.email": {"de": "E-Mail", "en": "E-mail"},
    "users.col.mobile": {"de": "Mobilfunk", "en": "Mobile"},
    "users.col.numbers": {"de": "Rufnummern", "en": "Numbers"},
    "users.col.status": {"de": "Status", "en": "Status"},
    "users.status.active": {"de": "aktiv", "en": "active"},
    "users.status.inactive": {"de": "deaktiviert", "en": "deactivated"},
    "users.new_employee": {"de": "Neuer Mitarbeiter", "en": "New employee"},
    "users.deactivate": {"de": "Deaktivieren", "en": "Deactivate"},
    "users.reset_password": {"de": "Passwort zurücksetzen", "en": "Reset password"},
    "users.create": {"de": "Anlegen", "en": "Create"},
    "users.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "users.confirm": {"de": "Bestätigen", "en": "Confirm"},
    "users.username": {"de": "Benutzername", "en": "Username"},
    "users.full_name": {"de": "Vollständiger Name", "en": "Full name"},
    "users.initial_numbers": {
        "de": "Rufnummern zuweisen (Leertaste markiert)", "en": "Assign numbers (space marks)",
    },
    "users.no_assignable_numbers": {
        "de": "Keine freien aktiven Rufnummern.", "en": "No free active numbers.",
    },
    "users.created": {
        "de": "Mitarbeiter {user} angelegt; das Start-Passwort ging per E-Mail an {email}.",
        "en": "Employee {user} created; the initial password was e-mailed to {email}.",
    },
    "users.confirm_deactivate": {
        "de": "Mitarbeiter-Konto {user} deaktivieren? Eine Anmeldung ist danach nicht mehr "
              "möglich, "
              "seine Rufnummern werden frei und ein persönliches Fax wird gemeinsam genutzt.",
        "en": "Deactivate employee account {user}? It can no longer sign in afterwards, its "
              "numbers "
              "become free and a personal fax becomes shared.",
    },
    "users.confirm_reset": {
        "de": "Neues Passwort für {user} erzeugen und per E-Mail an {email} senden?",
        "en": "Create a new password for {user} and e-mail it to {email}?",
    },
    "users.deactivated": {"de": "Konto {user} deaktiviert.", "en": "Account {user} deactivated."},
    "users.password_sent": {
        "de": "Neues Passwort für {user} per E-Mail an {email} gesendet.",
        "en": "New password for {user} e-mailed to {email}.",
    },
    "users.none_marked": {
        "de": "Bitte zuerst ein Benutzerkonto markieren.", "en": "Please mark a user account "
                                                                 "first.",
    },
    "users.admin_only_hint": {
        "de": "Mitarbeiter-Konten verwalten kann nur das Administrator-Konto in der Admin-Ansicht.",
        "en": "Only the administrator account in admin view can manage employee accounts.",
    },
    "users.key.save": {"de": "Speichern", "en": "Save"},
    "users.key.language": {"de": "Sprache", "en": "Language"},
    "users.key.new": {"de": "Neuer Mitarbeiter", "en": "New employee"},
    "users.key.deactivate": {"de": "Deaktivieren", "en": "Deactivate"},
    "users.key.reset": {"de": "Passwort zurücksetzen", "en": "Reset password"},
    "users.key.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "error.not_mobile": {
        "de": "„{value}“ ist keine Mobilfunk-Rufnummer (Festnetz?). Bitte eine Mobilfunk-Rufnummer "
              "angeben: in Deutschland 015x, 016x oder 017x, international mit Ländervorwahl "
              "(z. B. +491701234567).",
        "en": "'{value}' is not a mobile number (a landline?). Please enter a mobile number: in "
              "Germany 015x, 016x or 017x, international with the country code "
              "(e.g. +491701234567).",
    },
    "users.calls.title": {"de": "Meine Anrufe", "en": "My calls"},
    "users.calls.col.at": {"de": "Zeitpunkt", "en": "Time"},
    "users.calls.col.number": {"de": "Meine Rufnummer", "en": "My number"},
    "users.calls.col.remote": {"de": "Gegenstelle", "en": "Other party"},
    "users.calls.col.duration": {"de": "Dauer", "en": "Duration"},
    "users.calls.col.cost": {"de": "Kosten", "en": "Cost"},
    "users.calls.none": {"de": "keine", "en": "none"},
    "users.fax.title": {
        "de": "Fax-Zugangsdaten (Faxdruckertreiber, per E-Mail erhalten)",
        "en": "Fax credentials (fax printer driver, received by e-mail)",
    },
    "users.fax.col.number": {"de": "Faxnummer", "en": "Fax number"},
    "users.fax.col.kind": {"de": "Art", "en": "Kind"},
    "users.fax.col.login": {"de": "Anmeldename", "en": "Login name"},
    "users.fax.col.sent": {"de": "Gesendet am", "en": "Sent on"},
    "users.fax.personal": {"de": "persönlich", "en": "personal"},
    "users.fax.shared": {"de": "gemeinsam", "en": "shared"},
    "users.fax.none": {"de": "noch keine erhalten", "en": "none received yet"},
    "users.error.password_required": {
        "de": "Bitte aktuelles Passwort eingeben.", "en": "Please enter your current password.",
    },
    "users.error.wrong_password": {
        "de": "Das aktuelle Passwort ist falsch.", "en": "The current password is wrong.",
    },
    "users.error.locked": {
        "de": "Zu viele Fehlversuche mit dem Passwort, bitte später erneut versuchen.",
        "en": "Too many failed password attempts, please try again later.",
    },
    "users.error.email_required": {
        "de": "Eine E-Mail-Adresse ist nötig (für Zugangsdaten und Benachrichtigungen).",
        "en": "An e-mail address is required (for credentials and notices).",
    },
    "users.error.not_employee": {
        "de": "{user} ist kein Mitarbeiter-Konto dieses Kunden.",
        "en": "{user} is not an employee account of this customer.",
    },
    "users.error.already_inactive": {
        "de": "Das Konto {user} ist bereits deaktiviert.",
        "en": "The account {user} is already deactivated.",
    },
    "users.error.inactive": {
        "de": "Das Konto {user} ist deaktiviert.", "en": "The account {user} is deactivated.",
    },
    "users.mail.contact_changed.subject": {
        "de": "Ihre Kontaktdaten im Business Service Portal wurden geändert",
        "en": "Your contact details in the Business Service Portal were changed",
    },
    "users.mail.contact_changed.body": {
        "de": "Guten Tag {name},\n\nam {date} wurden die Kontaktdaten Ihres Benutzerkontos {user} "
              "geändert.\nE-Mail-Adresse: {email}\nMobilfunk-Rufnummer: {mobile}\n\nWaren Sie das "
              "nicht? Dann wenden Sie sich bitte umgehend an Ihren Administrator.\n\n"
              "Ihr Business Service Portal",
        "en": "Hello {name},\n\nthe contact details of your user account {user} were changed on "
              "{date}.\nE-mail address: {email}\nMobile number: {mobile}\n\nIf this was not you, "
              "please contact your administrator at once.\n\nYour Business Service Portal",
    },
    "users.mail.welcome.subject": {
        "de": "Ihr Zugang zum Business Service Portal",
        "en": "Your access to the Business Service Portal",
    },
    "users.mail.welcome.body": {
        "de": "Guten Tag {name},\n\nfür Sie wurde das Mitarbeiter-Konto {user} bei {customer} "
              "angelegt.\nIhr Start-Passwort: {password}\n\nAnmeldung: {login}"
              "\n\nIhr Business Service Portal",
        "en": "Hello {name},\n\nthe employee account {user} at {customer} was created for you.\n"
              "Your initial password: {password}\n\nSign in: {login}\n\n"
              "Your Business Service Portal",
    },
    "users.mail.reset.subject": {
        "de": "Ihr neues Passwort für das Business Service Portal",
        "en": "Your new password for the Business Service Portal",
    },
    "users.mail.reset.body": {
        "de": "Guten Tag {name},\n\nIhr Administrator hat für Ihr Benutzerkonto {user} ein neues "
              "Passwort erzeugt: {password}\n\nDas bisherige Passwort gilt nicht mehr.\n\n"
              "Ihr Business Service Portal",
        "en": "Hello {name},\n\nyour administrator created a new password for your user account "
              "{user}: {password}\n\nThe previous password is no longer valid.\n\n"
              "Your Business Service Portal",
    },
}
