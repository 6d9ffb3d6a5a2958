"""The wizard's German texts say what the operator's help page (the seed) says."""

from __future__ import annotations

from core.i18n import t

# sentences of the help page "Neue Internet-Zugangsdaten", verbatim (its "->" is the
# portal's "→", followed by the key)
INTRO = (
    "Wenn Sie ein neues Passwort benötigen oder Ihre Zugangsdaten nicht mehr kennen, können Sie "
    "neue Internet-Zugangsdaten für Ihren Router generieren. Die neuen Zugangsdaten werden Ihnen "
    "per E-Mail mit verschlüsseltem Dateianhang gesendet. Den Code zur Entschlüsselung des "
    "Dateianhangs erhalten Sie per SMS an die hinterlegte Mobilfunk-Rufnummer. Ihre aktuell "
    "hinterlegte E-Mail-Adresse und Mobilfunk-Rufnummer können Sie einsehen und bei Bedarf "
    "ändern unter Verwaltung & Archiv → Benutzerverwaltung"
)
ELIGIBLE = ("Neue Internet-Zugangsdaten können Sie nur für Verträge mit Anschluss generieren. "
            "Dazu zählen die folgenden Verträge:")


def test_step_one_says_what_the_help_page_says() -> None:
    """Step 1 left out where the stored e-mail and mobile are seen and changed, and
    "Dazu zählen die folgenden Verträge"."""
    assert t("de", "credentials.intro").startswith(INTRO)
    assert t("de", "credentials.eligible_list").startswith(ELIGIBLE + "\n")
    assert "User management (key 3)" in t("en", "credentials.intro")
