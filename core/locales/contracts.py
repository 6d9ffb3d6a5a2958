"""Texts of the contract overview (Vertragsübersicht) and its site/branch overview."""

MESSAGES: dict[str, dict[str, str]] = {
    "contracts.product.companyflex": {"de": "CompanyFlex", "en": "CompanyFlex"},
    "contracts.product.cloud_pbx": {"de": "Cloud PBX", "en": "Cloud PBX"},
    "contracts.product.sip_trunk": {"de": "SIP-Trunk", "en": "SIP trunk"},
    "contracts.product.ip_voice_data": {"de": "IP Voice / Data", "en": "IP Voice / Data"},
    "contracts.type.companyflex": {
        "de": "CompanyFlex Rahmenvertrag", "en": "CompanyFlex framework contract",
    },
    "contracts.type.companyflex_complete": {
        "de": "CompanyFlex mit Standortvertrag CompanyFlex Complete",
        "en": "CompanyFlex with site contract CompanyFlex Complete",
    },
    "contracts.type.companyflex_msn_complete": {
        "de": "CompanyFlex mit Standortvertrag CompanyFlex MSN Complete",
        "en": "CompanyFlex with site contract CompanyFlex MSN Complete",
    },
    "contracts.type.companyflex_access_plus": {
        "de": "CompanyFlex Access Plus", "en": "CompanyFlex Access Plus",
    },
    "contracts.type.companyflex_voice": {
        "de": "CompanyFlex Standortvertrag Voice (ohne Anschluss)",
        "en": "CompanyFlex site contract Voice (no line)",
    },
    "contracts.type.cloud_pbx_main": {
        "de": "Cloud PBX Hauptstandortvertrag", "en": "Cloud PBX main-site contract",
    },
    "contracts.type.cloud_pbx_branch": {
        "de": "Cloud PBX Filialvertrag", "en": "Cloud PBX branch contract",
    },
    "contracts.type.sip_trunk": {"de": "SIP-Trunk", "en": "SIP trunk"},
    "contracts.type.ip_voice_data": {"de": "IP Voice / Data", "en": "IP Voice / Data"},
    "contracts.title": {"de": "Vertragsübersicht", "en": "Contract overview"},
    "contracts.customer_number": {"de": "Kundennummer", "en": "Customer number"},
    "contracts.product": {"de": "Produkt", "en": "Product"},
    "contracts.all_customer_numbers": {"de": "Alle Kundennummern", "en": "All customer numbers"},
    "contracts.all_products": {"de": "Alle Produkte", "en": "All products"},
    "contracts.col.ref": {"de": "Vertrag", "en": "Contract"},
    "contracts.col.customer_number": {"de": "Kundennr.", "en": "Cust. no."},
    "contracts.col.type": {"de": "Vertragsart", "en": "Type"},
    "contracts.col.site": {"de": "Standort / Adresse", "en": "Site / address"},
    "contracts.col.line": {"de": "Anschluss", "en": "Line"},
    "contracts.col.easy_login": {"de": "Easy Login", "en": "Easy Login"},
    "contracts.col.generated": {"de": "Zugangsdaten vom", "en": "Credentials of"},
    "contracts.col.sites": {"de": "Standorte/Filialen", "en": "Sites/branches"},
    "contracts.yes": {"de": "ja", "en": "yes"},
    "contracts.no": {"de": "nein", "en": "no"},
    "contracts.online": {"de": "online", "en": "online"},
    "contracts.offline": {"de": "offline", "en": "offline"},
    "contracts.filter_placeholder": {
        "de": "Filtern nach Vertrag, Standort, Adresse … (Enter übernimmt, Esc leert)",
        "en": "Filter by contract, site, address … (Enter applies, Esc clears)",
    },
    "contracts.count": {
        "de": "{shown} von {total} Verträgen", "en": "{shown} of {total} contracts",
    },
    "contracts.sites_of": {
        "de": "Standorte-/Filialübersicht von {ref} ({site})",
        "en": "Site/branch overview of {ref} ({site})",
    },
    "contracts.no_sites": {
        "de": "Vertrag {ref} hat keine Standorte oder Filialen.",
        "en": "Contract {ref} has no sites or branches.",
    },
    "contracts.action": {"de": "Aktion", "en": "Action"},
    "contracts.action.new_credentials": {
        "de": "Neue Internet-Zugangsdaten", "en": "New internet access credentials",
    },
    "contracts.action.sites": {
        "de": "Standorte-/Filialübersicht", "en": "Site/branch overview",
    },
    "contracts.next": {"de": "weiter", "en": "next"},
    "contracts.back_to_all": {"de": "Zurück zur Übersicht", "en": "Back to overview"},
    "contracts.key.filter": {"de": "Filtern", "en": "Filter"},
    "contracts.key.sites": {"de": "Standorte/Filialen", "en": "Sites/branches"},
    "contracts.key.new_credentials": {"de": "Neue Zugangsdaten", "en": "New credentials"},
    "contracts.key.next": {"de": "weiter", "en": "next"},
    "contracts.key.back": {"de": "Zurück", "en": "Back"},
    "contracts.none_marked": {
        "de": "Bitte zuerst einen Vertrag markieren.", "en": "Please mark a contract first.",
    },
    "contracts.admin_only": {
        "de": "Die Vertragsübersicht steht nur dem Administrator-Konto in der Admin-Ansicht zur "
              "Verfügung.",
        "en": "The contract overview is available to the administrator account in admin view only.",
    },
    "contracts.empty": {
        "de": "Keine Verträge für diese Auswahl.", "en": "No contracts for this selection.",
    },
    "contracts.error.unknown_customer_number": {
        "de": "Kundennummer {number} gehört nicht zu Ihrem Kundenkonto.",
        "en": "Customer number {number} does not belong to your customer account.",
    },
    "contracts.error.unknown_product": {
        "de": "Unbekanntes Produkt „{product}“.", "en": "Unknown product '{product}'.",
    },
    "contracts.error.not_found": {
        "de": "Vertrag {contract} nicht gefunden.", "en": "Contract {contract} not found.",
    },
}
