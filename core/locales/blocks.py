"""Texts of number blocks (R30): ordering a block for a SIP-Trunk contract, the block row
of the dashboard, block changes in command mode and in the Archiv."""

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "error.blocks.size": {
        "de": "„{value}“ ist keine Blockgröße: ein Rufnummernblock hat {sizes} Rufnummern.",
        "en": "'{value}' is not a block size: a number block has {sizes} numbers.",
    },
    "error.blocks.no_sip_trunk": {
        "de": "Rufnummernblöcke gibt es nur für SIP-Trunk-Verträge; Sie haben keinen.",
        "en": "Number blocks are only for SIP-Trunk contracts; you have none.",
    },
    "error.blocks.not_sip_trunk": {
        "de": "Vertrag {contract} ist kein SIP-Trunk-Vertrag: Rufnummernblöcke gibt es nur für "
              "SIP-Trunk-Verträge.",
        "en": "Contract {contract} is not a SIP-Trunk contract: number blocks are only for "
              "SIP-Trunk contracts.",
    },
    "error.blocks.unknown_contract": {
        "de": "Vertrag {contract} nicht gefunden.",
        "en": "Contract {contract} not found.",
    },
    "error.blocks.contract_required": {
        "de": "Sie haben mehrere SIP-Trunk-Verträge: bitte wählen Sie einen ({contracts}).",
        "en": "You have several SIP-Trunk contracts: please choose one ({contracts}).",
    },
    "error.blocks.pool_exhausted": {
        "de": "Im Ortsnetz {area} ist kein zusammenhängender Block von {size} Rufnummern mehr "
              "frei.",
        "en": "No consecutive block of {size} numbers is left in local area {area}.",
    },
    "error.blocks.not_a_block": {
        "de": "Rufnummer {number} gehört zu keinem Rufnummernblock.",
        "en": "Number {number} belongs to no number block.",
    },
    "error.numbers.block_swap": {
        "de": "Rufnummer {number} gehört zu einem Rufnummernblock: Blocknummern lassen sich "
              "nicht austauschen.",
        "en": "Number {number} belongs to a number block: block numbers cannot be swapped.",
    },
    "error.numbers.block_row": {
        "de": "Das gilt für eine einzelne Rufnummer: klappen Sie den Block auf (+) und wählen "
              "Sie eine seiner Rufnummern.",
        "en": "That is for a single number: expand the block (+) and choose one of its "
              "numbers.",
    },
    "error.bulk.block_refused": {
        "de": "{number} gehört zum Block {block}, der nur als Ganzes geändert wird: {reason}",
        "en": "{number} belongs to block {block}, which changes only as a whole: {reason}",
    },
    # dashboard
    "ui.blocks.kind": {"de": "Block ({size})", "en": "Block ({size})"},
    "ui.blocks.kind_short": {"de": "Block", "en": "Block"},
    "ui.blocks.count": {"de": "{size} Nummern", "en": "{size} numbers"},
    "ui.blocks.key.toggle": {"de": "Block auf/zu", "en": "Block open/close"},
    "ui.blocks.expanded": {"de": "Block {block} aufgeklappt", "en": "Block {block} expanded"},
    "ui.blocks.activate.done": {
        "de": "Block {block} aktiviert ({count} Rufnummern).",
        "en": "Block {block} activated ({count} numbers).",
    },
    "ui.blocks.deactivate.done": {
        "de": "Block {block} ({count} Rufnummern) zur Deaktivierung zum {date} vorgemerkt.",
        "en": "Block {block} ({count} numbers) marked for deactivation on {date}.",
    },
    "ui.blocks.undo.done": {
        "de": "Deaktivierung des Blocks {block} ({count} Rufnummern) zurückgenommen.",
        "en": "Deactivation of block {block} ({count} numbers) undone.",
    },
    "ui.blocks.dialog_note": {
        "de": "Rufnummer {number} gehört zum Block {block}: alle {count} Rufnummern des Blocks "
              "werden gemeinsam geändert.",
        "en": "Number {number} belongs to block {block}: all {count} numbers of the block "
              "change together.",
    },
    "ui.blocks.activate_prices": {
        "de": "Kosten für den Block: {count} × {fee} = {total} einmalig, {count} × {monthly} = "
              "{total_monthly} monatlich.",
        "en": "Cost of the block: {count} × {fee} = {total} one-time, {count} × {monthly} = "
              "{total_monthly} monthly.",
    },
    # ordering
    "ui.blocks.order.kind": {"de": "Bestellung", "en": "Order"},
    "ui.blocks.order.single": {"de": "Einzelne Rufnummern", "en": "Single numbers"},
    "ui.blocks.order.block": {"de": "Block {size}", "en": "Block {size}"},
    "ui.blocks.order.quote": {
        "de": "Block {block} ({size} Rufnummern) für Vertrag {contract}: je Rufnummer {fee} "
              "bei Aktivierung und {monthly} monatlich, zusammen {total} einmalig und "
              "{total_monthly} monatlich. Die Rufnummern kommen inaktiv und werden gemeinsam "
              "aktiviert.",
        "en": "Block {block} ({size} numbers) for contract {contract}: per number {fee} on "
              "activation and {monthly} monthly, together {total} one-time and {total_monthly} "
              "monthly. The numbers arrive inactive and are activated together.",
    },
    "ui.blocks.order.done": {
        "de": "Block {block} ({size} Rufnummern) bestellt (inaktiv).",
        "en": "Block {block} ({size} numbers) ordered (inactive).",
    },
    # command mode
    "cmd.arg.block": {
        "de": "Einen Rufnummernblock bestellen (10 oder 100, nur SIP-Trunk)",
        "en": "Order a number block (10 or 100, SIP-Trunk only)",
    },
    "cmd.arg.block_contract": {
        "de": "SIP-Trunk-Vertrag des Blocks (bei mehreren)",
        "en": "SIP-Trunk contract of the block (when there are several)",
    },
    "cmd.blocks.count_or_block": {
        "de": "Bitte genau eines angeben: --count N oder --block 10|100.",
        "en": "Please give exactly one of --count N or --block 10|100.",
    },
    "cmd.blocks.order.preview": {
        "de": "Block {block} ({size} Rufnummern) im Ortsnetz {area} für Vertrag {contract}: je "
              "Rufnummer {fee} bei Aktivierung und {monthly} monatlich (zusammen {total} "
              "einmalig, {total_monthly} monatlich). Mit --yes bestellen.",
        "en": "Block {block} ({size} numbers) in local area {area} for contract {contract}: per "
              "number {fee} on activation and {monthly} monthly (together {total} one-time, "
              "{total_monthly} monthly). Order with --yes.",
    },
    "cmd.blocks.order.done": {
        "de": "Block {block} ({size} Rufnummern) im Ortsnetz {area} bestellt (inaktiv):",
        "en": "Block {block} ({size} numbers) ordered in local area {area} (inactive):",
    },
    "cmd.blocks.activate.preview": {
        "de": "Rufnummer {number} gehört zum Block {block}: aktiviert werden alle {count} "
              "Rufnummern, je {fee} einmalig und {monthly} monatlich (zusammen {total} einmalig, "
              "{total_monthly} monatlich). Mit --yes aktivieren.",
        "en": "Number {number} belongs to block {block}: all {count} numbers are activated, "
              "{fee} one-time and {monthly} monthly each (together {total} one-time, "
              "{total_monthly} monthly). Activate with --yes.",
    },
    "cmd.blocks.deactivate.preview": {
        "de": "Rufnummer {number} gehört zum Block {block}: alle {count} Rufnummern werden zum "
              "{date} deaktiviert. Mit --yes vormerken.",
        "en": "Number {number} belongs to block {block}: all {count} numbers are deactivated "
              "on {date}. Mark with --yes.",
    },
    "cmd.blocks.activate.done": {
        "de": "Block {block} aktiviert: alle {count} Rufnummern.",
        "en": "Block {block} activated: all {count} numbers.",
    },
    "cmd.blocks.deactivate.done": {
        "de": "Block {block} zur Deaktivierung zum {date} vorgemerkt: alle {count} Rufnummern.",
        "en": "Block {block} marked for deactivation on {date}: all {count} numbers.",
    },
    "cmd.blocks.undo.done": {
        "de": "Deaktivierung des Blocks {block} zurückgenommen: alle {count} Rufnummern.",
        "en": "Deactivation of block {block} undone: all {count} numbers.",
    },
    "cmd.blocks.list_row": {
        "de": "Block {block} ({size} Rufnummern)",
        "en": "Block {block} ({size} numbers)",
    },
    # Archiv
    "audit.detail.first": {"de": "Erste Rufnummer", "en": "First number"},
    "audit.detail.last": {"de": "Letzte Rufnummer", "en": "Last number"},
    "audit.detail.contract": {"de": "Vertrag", "en": "Contract"},
    "audit.action.areas.block_ordered": {
        "de": "Rufnummernblock bestellt", "en": "Number block ordered",
    },
    "audit.action.number.block_activated": {
        "de": "Rufnummernblock aktiviert", "en": "Number block activated",
    },
    "audit.action.number.block_deactivation_marked": {
        "de": "Rufnummernblock zur Deaktivierung vorgemerkt",
        "en": "Number block marked for deactivation",
    },
    "audit.action.number.block_deactivated": {
        "de": "Rufnummernblock deaktiviert", "en": "Number block deactivated",
    },
    "audit.action.number.block_deactivation_undone": {
        "de": "Deaktivierung des Rufnummernblocks zurückgenommen",
        "en": "Deactivation of number block undone",
    },
    "audit.text.areas.block_ordered": {
        "de": "Rufnummernblock {target} ({count} Rufnummern) für Vertrag {contract} bestellt",
        "en": "Number block {target} ({count} numbers) ordered for contract {contract}",
    },
    "audit.text.number.block_activated": {
        "de": "Rufnummernblock {target} ({count} Rufnummern) kostenpflichtig aktiviert "
              "({activation_fee_cents} einmalig, {monthly_price_cents} monatlich)",
        "en": "Number block {target} ({count} numbers) activated, chargeable "
              "({activation_fee_cents} one-time, {monthly_price_cents} monthly)",
    },
    "audit.text.number.block_deactivation_marked": {
        "de": "Rufnummernblock {target} ({count} Rufnummern) zur Deaktivierung zum "
              "{deactivation_date} vorgemerkt",
        "en": "Number block {target} ({count} numbers) marked for deactivation on "
              "{deactivation_date}",
    },
    "audit.text.number.block_deactivated": {
        "de": "Rufnummernblock {target} ({count} Rufnummern) deaktiviert",
        "en": "Number block {target} ({count} numbers) deactivated",
    },
    "audit.text.number.block_deactivation_undone": {
        "de": "Deaktivierung des Rufnummernblocks {target} ({count} Rufnummern) zurückgenommen",
        "en": "Deactivation of number block {target} ({count} numbers) undone",
    },
}
