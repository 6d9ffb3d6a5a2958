"""Texts of the SSH front end: login, limits, session notices."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ssh.refused.open_url": {
        "de": "Links können in der SSH-Sitzung nicht geöffnet werden.",
        "en": "Links cannot be opened in an SSH session.",
    },
    "ssh.refused.download": {
        "de": "Dateien können in der SSH-Sitzung nicht gespeichert werden.",
        "en": "Files cannot be saved in an SSH session.",
    },
    "ssh.paste_truncated": {
        "de": "Eingefügter Text war zu lang und wurde nach {kib} KiB abgeschnitten.",
        "en": "Pasted text was too long and was cut after {kib} KiB.",
    },
    "ssh.paste_cut": {
        "de": "Eingefügter Text war zu lang: nur die ersten {chars} Zeichen wurden übernommen.",
        "en": "Pasted text was too long: only its first {chars} characters were taken.",
    },
    "ssh.input_dropped": {
        "de": "Eingabe kam schneller, als sie verarbeitet werden kann: Tasten wurden verworfen.",
        "en": "Input arrived faster than it can be handled: keys were dropped.",
    },
    "ssh.no_pty": {
        "de": "linedesk ist ein Vollbild-Portal: bitte mit Terminal verbinden (ssh -t) "
              "oder einen Befehl angeben, z. B. \"ssh ... help\".",
        "en": "linedesk is a full-screen portal: connect with a terminal (ssh -t) "
              "or give a command, e.g. \"ssh ... help\".",
    },
    "ssh.too_many_sessions": {
        "de": "Zu viele gleichzeitige Sitzungen für {user} (höchstens {limit}).",
        "en": "Too many concurrent sessions for {user} (at most {limit}).",
    },
    "ssh.commands_unavailable": {
        "de": "Der Befehlsmodus ist auf diesem Server nicht verfügbar.",
        "en": "Command mode is not available on this server.",
    },
    "ssh.session_failed": {
        "de": "Die Sitzung wurde wegen eines internen Fehlers beendet.",
        "en": "The session ended because of an internal error.",
    },
    "ssh.idle_closed": {
        "de": "Sitzung wegen Inaktivität beendet.",
        "en": "Session closed due to inactivity.",
    },
    "ssh.shutdown_closed": {
        "de": "Der Server wurde angehalten. Sitzung beendet.",
        "en": "The server has been stopped. Session closed.",
    },
    "ssh.restart_closed": {
        "de": "Der Server wird neu gestartet. Bitte gleich erneut verbinden.",
        "en": "The server is restarting. Please reconnect in a moment.",
    },
    "ssh.kbdint.prompt": {
        "de": "Passwort (Password): ",
        "en": "Password: ",
    },
    "ssh.kbdint.instructions": {
        "de": "Anmeldung am linedesk-Portal",
        "en": "Sign in to the linedesk portal",
    },
    "ssh.login.title": {"de": "linedesk – Anmeldung", "en": "linedesk – sign in"},
    "ssh.login.username": {"de": "Benutzername", "en": "Username"},
    "ssh.login.password": {"de": "Passwort", "en": "Password"},
    "ssh.login.submit": {"de": "Anmelden", "en": "Sign in"},
    "ssh.login.quit": {"de": "Beenden", "en": "Quit"},
    "ssh.login.missing": {
        "de": "Bitte Benutzername und Passwort eingeben.",
        "en": "Please enter username and password.",
    },
}
