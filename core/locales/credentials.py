"""Texts of the credential wizard (Neue Internet-Zugangsdaten) and its e-mail and SMS."""

MESSAGES: dict[str, dict[str, str]] = {
    "credentials.title": {"de": "Neue Internet-Zugangsdaten", "en": "New internet access "
                                                                    "credentials"},
    "credentials.step": {"de": "Schritt {step} von 5", "en": "Step {step} of 5"},
    "credentials.contract": {
        "de": "Vertrag {ref} – {type} – {site}", "en": "Contract {ref} – {type} – {site}",
    },
    "credentials.intro": {
        "de": "Wenn Sie ein neues Passwort benötigen oder Ihre Zugangsdaten nicht mehr kennen, "
              "können Sie neue Internet-Zugangsdaten für Ihren Router generieren. Die neuen "
              "Zugangsdaten werden Ihnen per E-Mail mit verschlüsseltem Dateianhang gesendet. Den "
              "Code zur Entschlüsselung des Dateianhangs erhalten Sie per SMS an die hinterlegte "
              "Mobilfunk-Rufnummer. Ihre aktuell hinterlegte E-Mail-Adresse und "
              "Mobilfunk-Rufnummer können Sie einsehen und bei Bedarf ändern unter "
              "Verwaltung & Archiv → Benutzerverwaltung (Taste 3).",
        "en": "If you need a new password or no longer know your credentials, you can generate new "
              "internet access credentials for your router. They are sent to you by e-mail as an "
              "encrypted attachment. The code to decrypt the attachment is sent by SMS to the "
              "stored mobile number. You can see and, if needed, change your stored e-mail "
              "address and mobile number under Administration & archive → User management "
              "(key 3).",
    },
    "credentials.eligible_list": {
        "de": "Neue Internet-Zugangsdaten können Sie nur für Verträge mit Anschluss generieren. "
              "Dazu zählen die folgenden Verträge:\n"
              "  • CompanyFlex mit Standortvertrag CompanyFlex Complete\n"
              "  • CompanyFlex mit Standortvertrag CompanyFlex MSN Complete\n"
              "  • CompanyFlex Access Plus\n"
              "  • Cloud PBX Hauptstandortvertrag\n"
              "  • Cloud PBX Filialvertrag",
        "en": "New internet access credentials can be generated only for contracts with a line. "
              "They are the following contracts:\n"
              "  • CompanyFlex with site contract CompanyFlex Complete\n"
              "  • CompanyFlex with site contract CompanyFlex MSN Complete\n"
              "  • CompanyFlex Access Plus\n"
              "  • Cloud PBX main-site contract\n"
              "  • Cloud PBX branch contract",
    },
    "credentials.eligible_ok": {
        "de": "Dieser Vertrag hat einen Anschluss – neue Zugangsdaten sind möglich.",
        "en": "This contract has a line – new credentials are possible.",
    },
    "credentials.error.not_eligible": {
        "de": "Für Vertrag {contract} ({type}) können keine Internet-Zugangsdaten generiert "
              "werden: "
              "nur Verträge mit Anschluss (CompanyFlex mit Standortvertrag CompanyFlex Complete, "
              "CompanyFlex mit Standortvertrag CompanyFlex MSN Complete, CompanyFlex Access Plus, "
              "Cloud PBX Hauptstandortvertrag, Cloud PBX Filialvertrag).",
        "en": "No internet access credentials can be generated for contract {contract} ({type}): "
              "only contracts with a line (CompanyFlex with site contract CompanyFlex Complete, "
              "CompanyFlex with site contract CompanyFlex MSN Complete, CompanyFlex Access Plus, "
              "Cloud PBX main-site contract, Cloud PBX branch contract).",
    },
    "credentials.warning_title": {"de": "Hinweis", "en": "Note"},
    "credentials.warning": {
        "de": "Wenn Sie neue Internet-Zugangsdaten generieren, werden Ihre bisherigen Zugangsdaten "
              "sofort ungültig und die aktive Internetverbindung einschließlich aktiver "
              "Telefongespräche unterbrochen. Stellen Sie daher sicher, dass Sie Zugang zum Router "
              "haben, um die neuen Zugangsdaten zu konfigurieren. Erst nach Eingabe der neuen "
              "Zugangsdaten kann die Internetverbindung wieder aufgebaut werden. Das gilt auch, "
              "wenn Easy Login aktiviert ist.",
        "en": "When you generate new internet access credentials, your current credentials become "
              "invalid at once and the active internet connection, including active phone calls, "
              "is interrupted. Make sure you have access to the router to configure the new "
              "credentials. The internet connection can be re-established only after the new "
              "credentials have been entered. This also applies when Easy Login is active.",
    },
    "credentials.line_online": {
        "de": "Der Anschluss ist gerade ONLINE – die Verbindung wird getrennt.",
        "en": "The line is ONLINE right now – the connection will drop.",
    },
    "credentials.line_offline": {
        "de": "Der Anschluss ist gerade offline.", "en": "The line is offline right now.",
    },
    "credentials.easy_login_on": {
        "de": "Easy Login ist aktiviert – auch dann ist die Eingabe der neuen Zugangsdaten nötig.",
        "en": "Easy Login is active – the new credentials must be entered nevertheless.",
    },
    "credentials.easy_login_off": {
        "de": "Easy Login ist nicht aktiviert.", "en": "Easy Login is not active.",
    },
    "credentials.delivery": {
        "de": "E-Mail-Adresse: {email}\nMobilfunk-Rufnummer: {mobile}",
        "en": "E-mail address: {email}\nMobile number: {mobile}",
    },
    "credentials.consent_box": {
        "de": "Ja, ich stimme zu (c)", "en": "Yes, I agree (c)",
    },
    "credentials.consent": {
        "de": "Ich bestätige, dass die angegebene E-Mail-Adresse und Mobilfunk-Rufnummer zur "
              "Verifizierung der Internet-Zugangsdaten verwendet werden dürfen.",
        "en": "I confirm that the e-mail address and mobile number shown may be used to verify "
              "the internet access credentials.",
    },
    "credentials.contact_missing": {
        "de": "Es ist keine E-Mail-Adresse oder Mobilfunk-Rufnummer hinterlegt. Bitte ergänzen Sie "
              "sie unter Verwaltung & Archiv → Benutzerverwaltung (Taste 3).",
        "en": "No e-mail address or mobile number is stored. Please add them under "
              "Administration & archive → User management (key 3).",
    },
    "credentials.to_user_management": {
        "de": "Benutzerverwaltung öffnen", "en": "Open user management",
    },
    "credentials.generate_hint": {
        "de": "Klicken Sie auf „Neue Internet-Zugangsdaten generieren“ (Taste g).",
        "en": "Press 'Generate new internet access credentials' (key g).",
    },
    "credentials.generate": {
        "de": "Neue Internet-Zugangsdaten generieren",
        "en": "Generate new internet access credentials",
    },
    "credentials.generating": {
        "de": "Neue Internet-Zugangsdaten werden generiert …",
        "en": "Generating new internet access credentials …",
    },
    "credentials.done": {
        "de": "Es wurden neue Internet-Zugangsdaten generiert. Die Zugangsdaten werden an {email} "
              "mit verschlüsseltem Dateianhang gesendet. Der Code zur Entschlüsselung wird per SMS "
              "an {mobile} gesendet.",
        "en": "New internet access credentials have been generated. They are sent to {email} as an "
              "encrypted attachment. The decryption code is sent by SMS to {mobile}.",
    },
    "credentials.done_username": {
        "de": "Neuer Benutzername des Anschlusses: {username}",
        "en": "New line username: {username}",
    },
    "credentials.back_to_contracts": {
        "de": "Zurück zur Vertragsansicht", "en": "Back to contract view",
    },
    "credentials.next": {"de": "weiter", "en": "next"},
    "credentials.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "credentials.cancelled": {
        "de": "Abgebrochen – es wurde nichts geändert.", "en": "Cancelled – nothing was changed.",
    },
    "credentials.error.consent_required": {
        "de": "Ohne Ihre Zustimmung zur Verwendung von E-Mail-Adresse und Mobilfunk-Rufnummer "
              "können keine Zugangsdaten generiert werden.",
        "en": "Without your consent to use the e-mail address and mobile number no credentials "
              "can be generated.",
    },
    "credentials.error.contact_missing": {
        "de": "Für {user} ist keine {what} hinterlegt. Bitte unter Benutzerverwaltung ergänzen.",
        "en": "No {what} is stored for {user}. Please add it under user management.",
    },
    "credentials.what.email": {"de": "E-Mail-Adresse", "en": "e-mail address"},
    "credentials.what.mobile": {"de": "Mobilfunk-Rufnummer", "en": "mobile number"},
    "credentials.error.stale": {
        "de": "Für Vertrag {contract} wurden inzwischen von jemand anderem neue Zugangsdaten "
              "generiert oder der Vertrag wurde geändert. Es gelten die zuletzt generierten "
              "Zugangsdaten; bitte prüfen Sie Ihre E-Mails, bevor Sie es erneut versuchen.",
        "en": "Somebody else generated new credentials for contract {contract} or changed it in "
              "the meantime. The most recently generated credentials apply; check your e-mail "
              "before you try again.",
    },
    "credentials.generated_elsewhere": {
        "de": "Achtung: für Vertrag {contract} wurden soeben in einer anderen Sitzung neue "
              "Zugangsdaten generiert.",
        "en": "Note: new credentials for contract {contract} were just generated in another "
              "session.",
    },
    "credentials.mail.subject": {
        "de": "Ihre neuen Internet-Zugangsdaten für Vertrag {contract}",
        "en": "Your new internet access credentials for contract {contract}",
    },
    "credentials.mail.body": {
        "de": "Guten Tag {name},\n\nfür Ihren Vertrag {contract} ({site}) wurden am {date} neue "
              "Internet-Zugangsdaten generiert. Sie finden sie in der verschlüsselten Datei im "
              "Anhang ({filename}). Den Code zum Öffnen erhalten Sie per SMS an {mobile}.\n\n"
              "Ihre bisherigen Zugangsdaten sind nicht mehr gültig. Bitte tragen Sie die neuen "
              "Zugangsdaten in Ihrem Router ein, damit die Internetverbindung wieder aufgebaut "
              "werden kann.\n\nIhr Business Service Portal",
        "en": "Hello {name},\n\nnew internet access credentials were generated on {date} for your "
              "contract {contract} ({site}). They are in the encrypted file attached "
              "({filename}). The code to open it is sent by SMS to {mobile}.\n\n"
              "Your previous credentials are no longer valid. Please enter the new credentials "
              "in your router so that the internet connection can be re-established.\n\n"
              "Your Business Service Portal",
    },
    "credentials.zip.filename": {"de": "zugangsdaten.txt", "en": "credentials.txt"},
    "credentials.zip.content": {
        "de": "Internet-Zugangsdaten\n\nVertrag: {contract}\nStandort: {site}\nAnschluss: {line}\n"
              "Benutzername: {username}\nPasswort: {password}\nGeneriert am: {date}\n",
        "en": "Internet access credentials\n\nContract: {contract}\nSite: {site}\nLine: {line}\n"
              "Username: {username}\nPassword: {password}\nGenerated on: {date}\n",
    },
    "credentials.sms": {
        "de": "Business Service Portal: Code zum Öffnen der Zugangsdaten für Vertrag {contract}: "
              "{code}",
        "en": "Business Service Portal: code to open the credentials for contract {contract}: "
              "{code}",
    },
    "credentials.key.next": {"de": "weiter", "en": "next"},
    "credentials.key.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "credentials.key.generate": {"de": "Generieren", "en": "Generate"},
    "credentials.key.consent": {"de": "Zustimmen", "en": "Consent"},
    "credentials.key.users": {"de": "Benutzerverwaltung", "en": "User management"},
}
