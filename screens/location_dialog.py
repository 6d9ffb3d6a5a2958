"""R29: the dialog that changes a voice number's emergency location (Notrufstandort).

Opened from the number dashboard with ``n``. It starts with the stored location, or with
the default the core suggests (the site's address; said so, not saved until confirmed),
or empty. Four fields with the core's limits; Enter or ``ctrl+s`` saves, Esc cancels.
What the core refuses in a field (an empty street, a four-digit postcode, a postcode
outside the number's area) is shown under that field and the dialog stays open.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

from core.errors import DomainError
from core.locations import FIELDS, MAX_CITY, MAX_HOUSE_NUMBER, MAX_STREET, POSTCODE_LENGTH
from core.locations import FieldErrors as LocationFieldErrors
from core.services import emergency
from core.services.numbers import NumberView
from screens.number_dialogs import NumberDialog
from tui.sanitize import clean

MAX_LENGTHS: dict[str, int] = {
    "street": MAX_STREET,
    "house_number": MAX_HOUSE_NUMBER,
    "postcode": POSTCODE_LENGTH,
    "city": MAX_CITY,
}
"""What each field takes (the core's limits: one more character would be refused)."""
ROWS: tuple[tuple[str, ...], ...] = (("street", "house_number"), ("postcode", "city"))
"""The fields as an address is written: two rows, so the dialog fits 80×24."""


class LocationDialog(NumberDialog[NumberView]):
    """Street, house number, postcode and city of the number's emergency calls."""

    TITLE_KEY = "ui.numbers.location.title"
    CONFIRM_KEY = "ui.numbers.location.confirm"

    def body(self) -> ComposeResult:
        yield Static(self.t("ui.numbers.location.loading"), id="location-info")
        state = Static("", id="location-state", classes="hint")
        state.display = False
        yield state
        for row in ROWS:  # Straße + Hausnummer, PLZ + Ort: each named in its border
            with Horizontal(classes="location-row"):
                for name in row:
                    box = Input(id=f"location-{name}", max_length=MAX_LENGTHS[name])
                    box.border_title = self.t(f"ui.numbers.location.{name}")
                    yield box
            for name in row:
                error = Static("", id=f"location-{name}-error", classes="field-error")
                error.display = False
                yield error

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        assert self.view is not None
        found = await self.fetch(emergency.suggestion, number=self.view.e164)
        if found is None:
            return
        self.query_one("#location-info", Static).update(clean(self.t(
            "ui.numbers.location.info", area=found.area, name=found.area_name)))
        state = ("ui.numbers.location.default" if found.is_default
                 else "" if found.location is not None else "ui.numbers.location.none")
        line = self.query_one("#location-state", Static)
        line.update(self.t(state) if state else "")
        line.display = bool(state)  # 80×24: no empty line when there is nothing to say
        if found.location is not None:
            for name in FIELDS:
                box = self.query_one(f"#location-{name}", Input)
                if not box.value:  # keys typed before it was ready stay (SPEC §8)
                    box.value = getattr(found.location, name)
        self.ready(True)

    def _show_field_errors(self, messages: dict[str, str]) -> None:
        for name in FIELDS:
            line = self.query_one(f"#location-{name}-error", Static)
            text = messages.get(name, "")
            line.update(clean(text))
            line.display = bool(text)
        first = next((n for n in FIELDS if n in messages), None)
        if first is not None:
            self.query_one(f"#location-{first}", Input).focus()

    async def confirm(self) -> NumberView | None:
        assert self.view is not None
        values = {name: self.query_one(f"#location-{name}", Input).value for name in FIELDS}
        self._show_field_errors({})
        try:
            return await self.write(emergency.set_location, number=self.view.e164,
                                    expected_version=self.view.version, **values)
        except LocationFieldErrors as error:  # at the field; the dialog stays open
            self._show_field_errors(error.messages(self.actor.locale))
            return None
        except DomainError as error:
            self.refused(error)
            return None
