"""The asyncssh server: authentication, one Textual App per session, command mode, limits."""
