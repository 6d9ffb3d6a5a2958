"""Texts of account locks (R25) and SSH user certificates (R26)."""

_PAIRS: dict[str, tuple[str, str]] = {
    "audit.action.account.locked": ("Konto gesperrt", "Account locked"),
    "audit.action.account.unlocked": ("Konto entsperrt", "Account unlocked"),
    "audit.action.session.login_locked": ("Anmeldung eines gesperrten Kontos abgewiesen",
                                          "Sign-in of a locked account refused"),
    "audit.text.account.locked": ("Konto {target} gesperrt", "Account {target} locked"),
    "audit.text.account.unlocked": ("Konto {target} entsperrt", "Account {target} unlocked"),
    "audit.text.session.login_locked": ("Anmeldung als {target} abgewiesen: Konto gesperrt",
                                        "Sign-in as {target} refused: account locked"),
    "audit.detail.lock_reason": ("Grund der Sperre", "Reason for the lock"),
    "audit.detail.operator": ("Betreiber", "Operator"),
    "audit.detail.ended_sessions": ("Beendete Sitzungen", "Sessions ended"),
    "locks.error.reason_required": ("Bitte einen Grund für die Sperre angeben.",
                                    "Please give a reason for the lock."),
    "locks.error.reason_too_long": ("Der Grund ist zu lang (höchstens 500 Zeichen).",
                                    "The reason is too long (at most 500 characters)."),
    "locks.error.self": ("Das eigene Konto kann nicht gesperrt werden.",
                         "You cannot lock your own account."),
    "locks.error.support": ("Support kann Konten nicht sperren; das macht der Betreiber "
                            "(linedesk users lock) oder der Administrator des Kunden.",
                            "Support cannot lock accounts; the operator (linedesk users lock) "
                            "or the customer's administrator does."),
    "locks.error.already_locked": ("{user} ist bereits gesperrt.", "{user} is already locked."),
    "locks.error.not_locked": ("{user} ist nicht gesperrt.", "{user} is not locked."),
    "locks.error.unknown_user": ("Unbekanntes Konto: {user}", "Unknown account: {user}"),
    "locks.login_refused": (
        "Ihr Zugang ist gesperrt (Grund: {reason}). Bitte wenden Sie sich an Ihren "
        "Administrator.",
        "Your access is locked (reason: {reason}). Please contact your administrator.",
    ),
    "locks.session_ended": (
        "Ihr Zugang wurde gesperrt (Grund: {reason}). Die Sitzung wurde beendet.",
        "Your access has been locked (reason: {reason}). The session has been ended.",
    ),
    "locks.status.locked": ("gesperrt", "locked"),
    "locks.locked": ("{user} ist gesperrt; alle Sitzungen des Kontos werden beendet.",
                     "{user} is locked; all sessions of the account are being ended."),
    "locks.unlocked": ("{user} ist entsperrt.", "{user} is unlocked."),
    "locks.dialog.title": ("Konto {user} sperren", "Lock account {user}"),
    "locks.dialog.text": (
        "Alle Sitzungen und Befehle von {user} enden sofort; neue Anmeldungen werden "
        "abgewiesen, bis Sie das Konto entsperren.",
        "All sessions and commands of {user} end at once; new sign-ins are refused until "
        "you unlock the account.",
    ),
    "locks.dialog.reason": ("Grund (sieht der Mitarbeiter)", "Reason (the employee sees it)"),
    "locks.dialog.confirm": ("Sperren", "Lock"),
    "locks.confirm_unlock": ("Konto {user} entsperren?", "Unlock account {user}?"),
    "users.key.lock": ("Sperren/Entsperren", "Lock/unlock"),
    "users.lock": ("Sperren/Entsperren", "Lock/unlock"),
    "cmd.help.group.users": ("Konten des Kunden", "The customer's accounts"),
    "cmd.help.users_lock": (
        "Ein Mitarbeiter-Konto sperren: seine Sitzungen und Befehle enden, neue Anmeldungen "
        "werden abgewiesen (--reason TEXT ist Pflicht)",
        "Lock an employee account: its sessions and commands end, new sign-ins are refused "
        "(--reason TEXT is required)",
    ),
    "cmd.help.users_unlock": ("Ein gesperrtes Mitarbeiter-Konto entsperren",
                              "Unlock a locked employee account"),
    "cmd.users.locked": ("{user} gesperrt.", "{user} locked."),
    "cmd.users.unlocked": ("{user} entsperrt.", "{user} unlocked."),
    "cert.session_expired": (
        "Ihr SSH-Zertifikat ist abgelaufen; die Sitzung wurde beendet. Bitte mit einem neuen "
        "Zertifikat wieder anmelden.",
        "Your SSH certificate has expired; the session has been ended. Please sign in again "
        "with a new certificate.",
    ),
    "cert.expiry_warning": ("Ihr SSH-Zertifikat läuft in {seconds} s ab.",
                            "Your SSH certificate expires in {seconds} s."),
}

MESSAGES: dict[str, dict[str, str]] = {k: {"de": de, "en": en} for k, (de, en) in _PAIRS.items()}
