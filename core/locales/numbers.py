"""Texts of the number lifecycle: errors, dashboard, dialogs, fax credential e-mail
(wording of the help page ``rufnummern-verwalten.txt``)."""

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "error.numbers.invalid_number": {
        "de": "„{value}“ ist keine gültige Rufnummer (z. B. 030 123456100 oder +4930123456100).",
        "en": "'{value}' is not a valid number (e.g. 030 123456100 or +4930123456100).",
    },
    "error.numbers.not_found": {
        "de": "Rufnummer {number} nicht gefunden.",
        "en": "Number {number} not found.",
    },
    "error.numbers.invalid_status": {
        "de": "Unbekannter Status „{value}“; möglich: {allowed}.",
        "en": "Unknown status '{value}'; accepted: {allowed}.",
    },
    "error.numbers.invalid_order": {
        "de": "Unbekannte Sortierung „{value}“ (number, status, assigned, date, area, price).",
        "en": "Unknown order '{value}' (number, status, assigned, date, area, price).",
    },
    "error.numbers.refused.activate": {
        "de": "Rufnummer {number} ist {status}: aktivieren lässt sich nur eine inaktive Rufnummer.",
        "en": "Number {number} is {status}: only an inactive number can be activated.",
    },
    "error.numbers.refused.deactivate": {
        "de": "Rufnummer {number} ist {status}: deaktivieren lässt sich nur eine aktive Rufnummer.",
        "en": "Number {number} is {status}: only an active number can be deactivated.",
    },
    "error.numbers.refused.undo": {
        "de": "Rufnummer {number} ist {status}: rückgängig machen lässt sich nur eine "
        "vorgemerkte Deaktivierung.",
        "en": "Number {number} is {status}: only a pending deactivation can be undone.",
    },
    "error.numbers.refused.swap": {
        "de": "Rufnummer {number} ist {status} und kann nicht getauscht werden.",
        "en": "Number {number} is {status} and cannot be swapped.",
    },
    "error.numbers.refused.swap_old": {
        "de": "Rufnummer {number} ist {status}: austauschen lässt sich nur eine aktive Rufnummer.",
        "en": "Number {number} is {status}: only an active number can be swapped out.",
    },
    "error.numbers.refused.swap_target": {
        "de": "Das Tauschziel {number} ist {status}: an die Stelle der alten Rufnummer kann nur "
        "eine inaktive Rufnummer treten.",
        "en": "The swap target {number} is {status}: only an inactive number can take the old "
        "number's place.",
    },
    "error.numbers.refused.assign": {
        "de": "Rufnummer {number} ist {status}: zuordnen lässt sich nur eine aktive Rufnummer.",
        "en": "Number {number} is {status}: only an active number can be assigned.",
    },
    "error.numbers.refused.forwarding": {
        "de": "Rufnummer {number} ist {status}: eine Weiterleitung gibt es nur für eine aktive "
        "Rufnummer.",
        "en": "Number {number} is {status}: only an active number can be forwarded.",
    },
    "error.numbers.refused.fax": {
        "de": "Rufnummer {number} ist {status}: Fax-Zugangsdaten gibt es nur für eine aktive "
        "Faxnummer.",
        "en": "Number {number} is {status}: fax credentials exist only for an active fax number.",
    },
    "ui.numbers.status_is.inactive": {"de": "inaktiv", "en": "inactive"},
    "ui.numbers.status_is.active": {"de": "aktiv", "en": "active"},
    "ui.numbers.status_is.pending_deactivation": {
        "de": "zur Deaktivierung vorgemerkt",
        "en": "marked for deactivation",
    },
    "ui.numbers.status_is.porting": {"de": "in Portierung", "en": "being ported"},
    "error.numbers.swap_same": {
        "de": "Alte und neue Rufnummer müssen verschieden sein.",
        "en": "The old and the new number must differ.",
    },
    "error.numbers.swap_kind": {
        "de": "{old} und {new} sind verschiedener Art (Sprache/Fax) und können nicht getauscht "
        "werden.",
        "en": "{old} and {new} are of different kinds (voice/fax) and cannot be swapped.",
    },
    "error.numbers.invalid_forwarding": {
        "de": "„{value}“ ist kein gültiges Weiterleitungsziel (SIP-Adresse sip:name@host oder "
        "Rufnummer).",
        "en": "'{value}' is not a valid forwarding target (SIP address sip:name@host or a number).",
    },
    "error.numbers.unknown_employee": {
        "de": "Mitarbeiter „{username}“ nicht gefunden.",
        "en": "Employee '{username}' not found.",
    },
    "error.numbers.already_assigned": {
        "de": "Rufnummer {number} ist bereits {username} zugeordnet.",
        "en": "Number {number} is already assigned to {username}.",
    },
    "error.numbers.not_fax": {
        "de": "Rufnummer {number} ist keine Faxnummer.",
        "en": "Number {number} is not a fax number.",
    },
    "error.numbers.no_recipients": {
        "de": "Bitte mindestens einen Mitarbeiter auswählen.",
        "en": "Please choose at least one employee.",
    },
    "error.numbers.fax_personal_only": {
        "de": "{number} ist eine persönliche Faxnummer: die Zugangsdaten gehen ausschließlich an "
        "{owner}.",
        "en": "{number} is a personal fax number: the credentials go to {owner} only.",
    },
    "error.numbers.no_email": {
        "de": "Für {username} ist keine E-Mail-Adresse hinterlegt.",
        "en": "No e-mail address is stored for {username}.",
    },
    # e-mail
    "mail.numbers.fax_subject": {
        "de": "Zugangsdaten Fax-Druckertreiber für {number}",
        "en": "Fax printer driver credentials for {number}",
    },
    "mail.numbers.fax_body": {
        "de": "Hallo {name},\n\nmit diesen Zugangsdaten können Sie über den Fax-Druckertreiber "
        "Faxe "
        "von der Rufnummer {number} direkt aus einer Anwendung versenden.\n\n"
        "Benutzername: {login}\nPasswort: {password}\n\nIhr Business Service Portal",
        "en": "Hello {name},\n\nwith these credentials you can send faxes from the number {number} "
        "directly from an application through the fax printer driver.\n\n"
        "Username: {login}\nPassword: {password}\n\nYour Business Service Portal",
    },
    # dashboard
    "ui.numbers.title": {"de": "Rufnummern-Verwaltung", "en": "Number management"},
    "ui.numbers.col.marker": {"de": "!", "en": "!"},
    "ui.numbers.col.national": {"de": "Rufnummer", "en": "Number"},
    "ui.numbers.col.e164": {"de": "E.164", "en": "E.164"},
    "ui.numbers.col.area": {"de": "Ortsnetz", "en": "Area"},
    "ui.numbers.col.kind": {"de": "Art", "en": "Kind"},
    "ui.numbers.col.status": {"de": "Status", "en": "Status"},
    "ui.numbers.col.date": {"de": "Aktiv bis", "en": "Active until"},
    "ui.numbers.col.assigned": {"de": "Mitarbeiter", "en": "Employee"},
    "ui.numbers.col.price": {"de": "Monatlich", "en": "Monthly"},
    # R22/R31: a number being ported in shows its switch-over day in the date column
    "ui.numbers.porting_date.confirmed": {"de": "→{date}", "en": "→{date}"},
    "ui.numbers.porting_date.wished": {"de": "→{date}?", "en": "→{date}?"},
    "ui.numbers.status.inactive": {"de": "inaktiv", "en": "inactive"},
    "ui.numbers.status.active": {"de": "aktiv", "en": "active"},
    "ui.numbers.status.pending_deactivation": {
        "de": "Deaktivierung vorgemerkt",
        "en": "deactivation pending",
    },
    "ui.numbers.status.porting": {"de": "in Portierung", "en": "porting"},
    "ui.numbers.status_short.inactive": {"de": "inaktiv", "en": "inactive"},
    "ui.numbers.status_short.active": {"de": "aktiv", "en": "active"},
    "ui.numbers.status_short.pending_deactivation": {"de": "vorgemerkt", "en": "pending"},
    "ui.numbers.status_short.porting": {"de": "Portierung", "en": "porting"},
    "ui.numbers.price_hint": {
        "de": "(Preis) = inaktiv, kostenfrei: Monatspreis erst nach Aktivierung",
        "en": "(price) = inactive, free: monthly price only once activated",
    },
    "ui.numbers.first_page": {
        "de": "Das ist bereits die erste Seite.",
        "en": "This is the first page.",
    },
    "ui.numbers.last_page": {
        "de": "Das ist bereits die letzte Seite.",
        "en": "This is the last page.",
    },
    "ui.numbers.kind.voice": {"de": "Sprache", "en": "Voice"},
    "ui.numbers.kind.fax": {"de": "Fax", "en": "Fax"},
    "ui.numbers.kind.fax_personal": {"de": "Fax (persönlich)", "en": "Fax (personal)"},
    "ui.numbers.count": {
        "de": "Rufnummern {first}–{last} von {total} · Seite {page}/{pages}",
        "en": "Numbers {first}–{last} of {total} · page {page}/{pages}",
    },
    "ui.numbers.filtered": {"de": "Filter: „{query}“", "en": "filter: '{query}'"},
    "ui.numbers.sorted_by": {"de": "sortiert nach {column}", "en": "sorted by {column}"},
    "ui.numbers.filter_placeholder": {
        "de": "Filtern: Rufnummer, Mitarbeiter, Ortsnetz, Status … (Enter)",
        "en": "Filter: number, employee, area, status … (Enter)",
    },
    "ui.numbers.empty": {"de": "Keine Rufnummern gefunden.", "en": "No numbers found."},
    "ui.numbers.user_view_hint": {
        "de": "Anwender-Ansicht: Sie sehen die Ihnen zugeordneten Rufnummern.",
        "en": "User view: you see the numbers assigned to you.",
    },
    "ui.numbers.pending_marker": {
        "de": "! = zur Deaktivierung vorgemerkt: aktiv bis zum angezeigten Datum, danach inaktiv "
        "und kostenneutral",
        "en": "! = marked for deactivation: active until the date shown, then inactive and free of "
        "charge",
    },
    "ui.numbers.select_row": {
        "de": "Bitte zuerst eine Rufnummer auswählen.",
        "en": "Please select a number first.",
    },
    "ui.numbers.action.activate": {"de": "Aktivieren", "en": "Activate"},
    "ui.numbers.action.deactivate": {"de": "Deaktivieren", "en": "Deactivate"},
    "ui.numbers.action.undo": {"de": "Rückgängig", "en": "Undo"},
    "ui.numbers.action.swap": {"de": "Tauschen", "en": "Swap"},
    "ui.numbers.action.assign": {"de": "Zuordnen", "en": "Assign"},
    "ui.numbers.action.fax": {"de": "Fax-Zugangsdaten", "en": "Fax credentials"},
    "ui.numbers.action.forwarding": {"de": "Weiterleitung", "en": "Forwarding"},
    "ui.numbers.action.filter": {"de": "Filtern", "en": "Filter"},
    "ui.numbers.action.sort": {"de": "Sortieren", "en": "Sort"},
    "ui.numbers.action.buy": {"de": "Rufnummern kaufen", "en": "Buy numbers"},
    "ui.numbers.action.port": {"de": "Rufnummern portieren", "en": "Port numbers"},
    "ui.numbers.key.fax": {"de": "Fax", "en": "Fax"},
    "ui.numbers.key.buy": {"de": "Kaufen", "en": "Buy"},
    "ui.numbers.key.port": {"de": "Portieren", "en": "Port"},
    "ui.numbers.action.prev_page": {"de": "‹ Zurück", "en": "‹ Previous"},
    "ui.numbers.action.next_page": {"de": "Weiter ›", "en": "Next ›"},
    "ui.numbers.not_available": {
        "de": "Dieser Bereich ist noch nicht verfügbar.",
        "en": "This area is not available yet.",
    },
    # dialogs (shared)
    "ui.numbers.cancel": {"de": "Abbrechen", "en": "Cancel"},
    "ui.numbers.number_line": {"de": "Rufnummer: {number}", "en": "Number: {number}"},
    # activation
    "ui.numbers.activate.title": {"de": "Rufnummer aktivieren", "en": "Activate number"},
    "ui.numbers.activate.prices": {
        "de": "Preisinformationen zur Aktivierung:\nEinmalig: {once}\nMonatlich: {monthly}",
        "en": "Activation prices:\nOne-time: {once}\nMonthly: {monthly}",
    },
    "ui.numbers.activate.confirm": {
        "de": "Rufnummer jetzt kostenpflichtig aktivieren",
        "en": "Activate number now (chargeable)",
    },
    "ui.numbers.activate.done": {
        "de": "Rufnummer {number} wurde erfolgreich aktiviert. Status: aktiv.",
        "en": "Number {number} was activated. Status: active.",
    },
    # deactivation
    "ui.numbers.deactivate.title": {"de": "Rufnummer deaktivieren", "en": "Deactivate number"},
    "ui.numbers.deactivate.info": {
        "de": "Die Rufnummer wird zur Deaktivierung vorgemerkt. Deaktivierungstermin: Nach dem "
        "{date} "
        "ist die Rufnummer inaktiv und dann kostenneutral. Bis dahin können Sie die "
        "Deaktivierung jederzeit rückgängig machen.",
        "en": "The number will be marked for deactivation. Deactivation date: after {date} the "
        "number is "
        "inactive and free of charge. Until then you can undo the deactivation at any time.",
    },
    "ui.numbers.deactivate.confirm": {
        "de": "Rufnummer jetzt deaktivieren",
        "en": "Deactivate number now",
    },
    "ui.numbers.deactivate.done": {
        "de": "Rufnummer {number} wurde zur Deaktivierung vorgemerkt. Zum {date} wird sie inaktiv.",
        "en": "Number {number} is marked for deactivation. It becomes inactive after {date}.",
    },
    # undo
    "ui.numbers.undo.title": {"de": "Deaktivierung rückgängig machen", "en": "Undo deactivation"},
    "ui.numbers.undo.info": {
        "de": "Die Rufnummer ist zur Deaktivierung zum {date} vorgemerkt. Soll sie aktiv bleiben?",
        "en": "The number is marked for deactivation after {date}. Keep it active?",
    },
    "ui.numbers.undo.confirm": {"de": "Deaktivierung rückgängig machen", "en": "Undo deactivation"},
    "ui.numbers.undo.done": {
        "de": "Die Deaktivierung von {number} wurde rückgängig gemacht. Status: aktiv.",
        "en": "The deactivation of {number} was undone. Status: active.",
    },
    # swap
    "ui.numbers.swap.title": {"de": "Rufnummer austauschen", "en": "Swap number"},
    "ui.numbers.swap.old": {
        "de": "Welche aktive Rufnummer möchten Sie deaktivieren (austauschen)?",
        "en": "Which active number do you want to deactivate (swap out)?",
    },
    "ui.numbers.swap.new": {
        "de": "Welche inaktive Rufnummer soll an ihrer Stelle aktiviert werden?",
        "en": "Which inactive number should be activated in its place?",
    },
    "ui.numbers.swap.warning": {
        "de": "Achtung: Beim Rufnummerntausch werden alle Einstellungen der deaktivierten "
        "Rufnummer "
        "unwiderruflich gelöscht. Der Tausch ist kostenneutral.",
        "en": "Warning: swapping deletes all settings of the deactivated number irrevocably. "
        "The swap is free of charge.",
    },
    "ui.numbers.swap.confirm": {
        "de": "Rufnummerntausch jetzt abschließen",
        "en": "Complete swap now",
    },
    "ui.numbers.swap.none": {
        "de": "Für einen Tausch werden eine aktive und eine inaktive Rufnummer gleicher Art "
        "benötigt.",
        "en": "A swap needs an active and an inactive number of the same kind.",
    },
    "ui.numbers.swap.pick_old": {
        "de": "Bitte zuerst die aktive Rufnummer wählen, die ausgetauscht werden soll.",
        "en": "Please choose the active number to swap out first.",
    },
    "ui.numbers.swap.pick_new": {
        "de": "Bitte die inaktive Rufnummer wählen, die an ihre Stelle treten soll.",
        "en": "Please choose the inactive number to take its place.",
    },
    "ui.numbers.swap.filter_placeholder": {
        "de": "Zielrufnummer eingrenzen: Ziffern, Ortsnetz …",
        "en": "Narrow the target: digits, area …",
    },
    "ui.numbers.swap.more": {
        "de": "{shown} von {total} inaktiven Rufnummern – mit dem Feld darüber eingrenzen.",
        "en": "{shown} of {total} inactive numbers – narrow them with the field above.",
    },
    "ui.numbers.swap.done": {
        "de": "Rufnummer {old} wurde durch {new} ersetzt.",
        "en": "Number {old} was replaced by {new}.",
    },
    # forwarding
    "ui.numbers.forwarding.title": {"de": "Weiterleitung einrichten", "en": "Set up forwarding"},
    "ui.numbers.forwarding.info": {
        "de": "Damit Sie auf der Rufnummer über ein IP-Endgerät erreichbar sind, richten Sie bitte "
        "eine "
        "Weiterleitung auf das gewünschte Gerät ein (z. B. sip:empfang@firma.de oder eine "
        "Rufnummer). "
        "Leer lassen entfernt die Weiterleitung.",
        "en": "To be reachable on this number with an IP device, set up forwarding to that device "
        "(e.g. sip:reception@company.com or a phone number). Leave empty to remove it.",
    },
    "ui.numbers.forwarding.current": {
        "de": "Aktuelles Ziel: {target}",
        "en": "Current target: {target}",
    },
    "ui.numbers.forwarding.none": {"de": "keine Weiterleitung", "en": "no forwarding"},
    "ui.numbers.forwarding.placeholder": {
        "de": "sip:name@host oder Rufnummer",
        "en": "sip:name@host or number",
    },
    "ui.numbers.forwarding.confirm": {"de": "Weiterleitung speichern", "en": "Save forwarding"},
    "ui.numbers.forwarding.later": {"de": "Später", "en": "Later"},
    "ui.numbers.forwarding.done": {
        "de": "Weiterleitung für {number} gespeichert.",
        "en": "Forwarding of {number} saved.",
    },
    # assign
    "ui.numbers.assign.title": {"de": "Rufnummer zuordnen", "en": "Assign number"},
    "ui.numbers.assign.current": {
        "de": "Diese Rufnummer nutzt momentan: {user}",
        "en": "This number is currently used by: {user}",
    },
    "ui.numbers.assign.nobody": {"de": "niemand", "en": "nobody"},
    "ui.numbers.assign.delete_traffic": {
        "de": "Verkehrsdaten löschen",
        "en": "Delete traffic data",
    },
    "ui.numbers.assign.delete_traffic_hint": {
        "de": "Die Einzelverbindungsnachweise des bisherigen Nutzers stehen dann nicht mehr zur "
        "Verfügung.",
        "en": "The itemised call records of the previous user will then no longer be available.",
    },
    "ui.numbers.assign.employee": {
        "de": "Mitarbeiter, dem die Rufnummer zugeordnet werden soll:",
        "en": "Employee to assign the number to:",
    },
    "ui.numbers.assign.choose": {"de": "Mitarbeiter wählen", "en": "Choose employee"},
    "ui.numbers.assign.pick": {
        "de": "Bitte zuerst einen Mitarbeiter wählen.",
        "en": "Please choose an employee first.",
    },
    "ui.numbers.assign.confirm": {"de": "Speichern", "en": "Save"},
    "ui.numbers.assign.done": {
        "de": "Rufnummer {number} ist jetzt {user} zugeordnet.",
        "en": "Number {number} is now assigned to {user}.",
    },
    # fax
    "ui.numbers.fax.title": {
        "de": "Zugangsdaten Fax-Druckertreiber",
        "en": "Fax printer driver credentials",
    },
    "ui.numbers.fax.info": {
        "de": "Wählen Sie die Mitarbeiter aus, die die Zugangsdaten des Fax-Druckertreibers per "
        "E-Mail "
        "erhalten sollen.",
        "en": "Choose the employees who should receive the fax printer driver credentials by "
        "e-mail.",
    },
    "ui.numbers.fax.personal": {
        "de": "Persönliche Faxnummer von {owner}: die Zugangsdaten werden ausschließlich an diesen "
        "Mitarbeiter versendet.",
        "en": "Personal fax number of {owner}: the credentials are sent to this employee only.",
    },
    "ui.numbers.fax.sent_before": {
        "de": "Bereits versendet an: {users}",
        "en": "Already sent to: {users}",
    },
    "ui.numbers.fax.no_email": {"de": "(keine E-Mail)", "en": "(no e-mail)"},
    "ui.numbers.fax.confirm": {
        "de": "Zugangsdaten an Mitarbeiter versenden",
        "en": "Send credentials to employees",
    },
    "ui.numbers.fax.done": {
        "de": "Die Zugangsdaten des Fax-Druckertreibers wurden erfolgreich versendet an: {users}.",
        "en": "The fax printer driver credentials were sent to: {users}.",
    },
}
