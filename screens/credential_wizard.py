"""The credential wizard (Neue Internet-Zugangsdaten), step by step as the help page says:
1 eligibility (R2), 2 warning (R3), 3 consent with the masked contact (R4), 4 generate (R5),
5 confirmation with "Zurück zur Vertragsansicht".

Nothing changes before step 4's button: cancelling at any earlier step leaves the
contract, its credentials and the outbox untouched. The contract version seen in step 1
goes back to the core, so a second admin generating at the same time gets told instead
of creating a second credential set.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, ContentSwitcher, LoadingIndicator, Static

from core.errors import Conflict, DomainError
from core.i18n import format_datetime
from core.services import credentials, impact
from core.services.approval_guard import ApprovalRequested
from core.services.credentials import CredentialPreview, CredentialResult, ScheduledResetView
from core.services.impact import LineImpact
from screens.base import PortalMixin, portal_footer
from screens.code_dialog import StepUpCancelled
from screens.reset_time_dialog import ResetTimeDialog
from tui.messages import DomainEventMessage
from tui.sanitize import clean
from tui.widgets.header import SessionHeader

STEPS = 5
KEY_LABELS: dict[str, str] = {
    "next": "credentials.key.next",
    "cancel": "credentials.key.cancel",
    "generate": "credentials.key.generate",
    "consent": "credentials.key.consent",
    "users": "credentials.key.users",
    "schedule": "credentials.key.schedule",
}


class CredentialWizardScreen(PortalMixin, Screen[CredentialResult | None]):
    """Five steps on one screen; dismissed with the result (or None when cancelled)."""

    CSS_PATH = "credential_wizard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "next", "next", id="wizard.next"),
        Binding("c", "consent", "consent", id="wizard.consent"),
        Binding("g", "generate", "generate", id="wizard.generate"),
        Binding("z", "schedule", "schedule", id="wizard.schedule"),
        Binding("u", "users", "users", id="wizard.users"),
        Binding("escape", "cancel", "cancel", id="wizard.cancel"),
    ]

    def __init__(self, contract_id: int) -> None:
        super().__init__()
        self.contract_id = contract_id
        self.step = 1
        """The step shown (1–5)."""
        self.preview: CredentialPreview | None = None
        self.impact: LineImpact | None = None
        """R18: what generating takes down (shown in the warning step)."""
        self.result: CredentialResult | None = None
        self.busy = False
        """True while the core generates: neither cancel nor a second press may interfere."""
        self.failed = False
        """Generation was refused (e.g. somebody else was faster): only the way back remains."""
        self.scheduled: ScheduledResetView | None = None
        """R19: scheduled instead of generated now (step 5 says when)."""
        self.filed: ApprovalRequested | None = None
        """R21: filed as a four-eyes request instead (step 5 says it waits for approval)."""

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        with VerticalScroll(id="wizard-body"):
            yield Static("", id="step-title", classes="title")
            yield Static("", id="contract-line")
            with ContentSwitcher(initial="step-1", id="steps"):
                with Vertical(id="step-1"):
                    yield Static("", id="eligibility")
                    yield Static("", id="intro")
                    yield Static("", id="eligible-list")
                with Vertical(id="step-2"):
                    yield Static("", id="warning", classes="warning-box")
                    yield Static("", id="line-state")
                    yield Static("", id="impact")  # R18: online since, ongoing calls
                    yield Static("", id="easy-login")
                with Vertical(id="step-3"):
                    yield Static("", id="delivery")
                    yield Static("", id="consent-text")
                    yield Checkbox("", id="consent")
                    yield Static("", id="contact-missing", classes="danger hidden")
                    yield Button("", id="btn-users", classes="hidden", compact=True)
                with Vertical(id="step-4"):
                    yield Static("", id="generate-hint")
                    yield Button("", id="btn-generate", variant="warning")
                    yield Button("", id="btn-schedule", compact=True)
                    yield LoadingIndicator(id="progress", classes="hidden")
                    yield Static("", id="generate-status")
                with Vertical(id="step-5"):
                    yield Static("", id="done")
                    yield Static("", id="done-username")
        with Horizontal(id="wizard-buttons", classes="button-row"):
            yield Button("", id="btn-cancel", compact=True)
            yield Button("", id="btn-next", variant="primary", compact=True)
            yield Button("", id="btn-back", variant="primary", compact=True, classes="hidden")
        yield portal_footer()

    def on_mount(self) -> None:
        self._apply_texts()
        self._show()
        if self.result is None:  # also after a rebuild: the core checks the actor again
            self.load()

    @work(exclusive=True, group="wizard")
    async def load(self) -> None:
        preview = await self.fetch(credentials.prepare, contract_id=self.contract_id)
        if preview is None:
            self.dismiss(None)
            return
        self.preview = preview
        self.impact = await self.fetch(impact.contract_impact, contract_id=self.contract_id)
        self._apply_texts()
        self._show()

    # ---------------------------------------------------------------- rendering

    def _apply_texts(self) -> None:
        self.query_one(SessionHeader).show(self.actor, self.t("credentials.title"))
        p = self.preview
        if p is not None:
            c = p.contract
            self._say("#contract-line", self.t(
                "credentials.contract", ref=c.contract_ref, type=self.t(f"contracts.type.{c.type}"),
                site=clean(c.site_name),
            ))
            eligibility = (
                self.t("credentials.eligible_ok") if p.eligible else
                self.t("credentials.error.not_eligible", contract=c.contract_ref,
                       type=self.t(f"contracts.type.{c.type}"))
            )
            self._say("#eligibility", eligibility)
            self.query_one("#eligibility", Static).set_class(not p.eligible, "danger")
            self._say("#line-state",
                self.t("credentials.line_online" if p.line_online else "credentials.line_offline"))
            if self.impact is not None:  # R18
                self._say("#impact", clean(impact.render_line(self.impact, self.actor.locale),
                                          keep_newlines=True))
            self._say(
                "#easy-login",
                self.t(
                    "credentials.easy_login_on" if p.easy_login else "credentials.easy_login_off"
                ),
            )
            self._say("#delivery", self.t(
                "credentials.delivery", email=p.email_masked or "–", mobile=p.mobile_masked or "–"))
        self._say("#intro", self.t("credentials.intro"))
        self._say("#eligible-list", self.t("credentials.eligible_list"))
        self._say("#warning",
            f"{self.t('credentials.warning_title')}: {self.t('credentials.warning')}")
        # the sentence wraps in a Static; a checkbox label is one line (cut at 80 columns)
        self.query_one("#consent-text", Static).update(self.t("credentials.consent"))
        self.query_one("#consent", Checkbox).label = self.t("credentials.consent_box")
        self._say("#contact-missing", self.t("credentials.contact_missing"))
        self._say("#generate-hint", self.t("credentials.generate_hint"))
        for button, label, key in (
            ("btn-users", "credentials.to_user_management", "u"),
            ("btn-generate", "credentials.generate", "g"),
            ("btn-schedule", "credentials.schedule_button", "z"),
            ("btn-cancel", "credentials.cancel", "esc"),
            ("btn-next", "credentials.next", "w"),
            ("btn-back", "credentials.back_to_contracts", "w"),
        ):
            self.query_one(f"#{button}", Button).label = f"{self.t(label)} ({key})"
        if self.result is not None:
            r = self.result
            self._say("#done",
                self.t("credentials.done", email=r.email_masked, mobile=r.mobile_masked))
            self._say("#done-username",
                self.t("credentials.done_username", username=clean(r.line_username)))
        if self.scheduled is not None:
            v = self.scheduled
            self._say("#done", self.t("credentials.scheduled_done", at=format_datetime(
                v.at, self.actor.locale), id=v.id, email=v.email_masked, mobile=v.mobile_masked))
        if self.filed is not None:
            self._say("#done", self.filed.render(self.actor.locale))
        self.label_bindings("wizard.", KEY_LABELS)

    def _say(self, selector: str, text: str) -> None:
        """Show text as is: never parsed as markup (it may carry "[R2]" or user data)."""
        self.query_one(selector, Static).update(Text(text))

    def _show(self) -> None:
        """Switch to the current step and enable exactly what it allows."""
        p = self.preview
        self._say("#step-title",
            f"{self.t('credentials.title')} – {self.t('credentials.step', step=self.step)}")
        self.query_one(ContentSwitcher).current = f"step-{self.step}"
        next_button = self.query_one("#btn-next", Button)
        next_button.set_class(self.step >= 4, "hidden")
        next_button.disabled = not self._can_advance()
        self.query_one("#btn-back", Button).set_class(self.step != 5 and not self.failed, "hidden")
        self.query_one("#btn-cancel", Button).set_class(self.step == 5 or self.failed, "hidden")
        self.query_one("#btn-cancel", Button).disabled = self.busy
        missing = p is not None and not p.contact_complete
        consent = self.query_one("#consent", Checkbox)
        consent.disabled = p is None or missing
        self.query_one("#contact-missing", Static).set_class(not missing, "hidden")
        self.query_one("#btn-users", Button).set_class(not missing, "hidden")
        self.query_one("#btn-generate", Button).disabled = self.busy or self.failed
        self.query_one("#btn-schedule", Button).disabled = self.busy or self.failed
        self.query_one("#progress", LoadingIndicator).set_class(not self.busy, "hidden")
        self.refresh_bindings()
        focus = {
            1: next_button, 2: next_button,
            3: consent if not consent.disabled else self.query_one("#btn-users", Button),
            4: self.query_one("#btn-generate", Button) if not self.failed
            else self.query_one("#btn-back", Button),
            5: self.query_one("#btn-back", Button),
        }[self.step]
        if not focus.disabled and focus.display:
            focus.focus()

    def _can_advance(self) -> bool:
        p = self.preview
        if p is None or self.step >= 4:
            return False
        if self.step == 1:
            return p.eligible
        if self.step == 3:
            return p.contact_complete and self.query_one("#consent", Checkbox).value
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Footer shows only the keys that work in the current step."""
        if action == "next":
            return self._can_advance() or (self.step == 5 or self.failed)
        if action == "consent":
            return self.step == 3 and self.preview is not None and self.preview.contact_complete
        if action in ("generate", "schedule"):
            return self.step == 4 and not self.busy and not self.failed
        if action == "users":
            return self.step == 3 and self.preview is not None and not self.preview.contact_complete
        if action == "cancel":
            return not self.busy
        return True

    # ---------------------------------------------------------------- actions

    def action_next(self) -> None:
        if self.step == 5 or self.failed:
            self.dismiss(self.result)
            return
        if not self._can_advance():
            return
        self.step += 1
        self._show()

    def action_consent(self) -> None:
        consent = self.query_one("#consent", Checkbox)
        if not consent.disabled:
            consent.toggle()

    @on(Checkbox.Changed, "#consent")
    def _consent_changed(self) -> None:
        self._show()

    def action_cancel(self) -> None:
        """Leave without any change (before generating), or go back after it."""
        if self.busy:
            return
        if self.step < 5 and not self.failed:
            self.notify(self.t("credentials.cancelled"))
        self.dismiss(self.result)

    def action_users(self) -> None:
        """Contact data missing: go to user management (nothing was changed here)."""
        self.dismiss(None)
        self.app.switch_mode("users")

    def action_generate(self) -> None:
        if self.step == 4 and not self.busy and not self.failed:
            self.generate()

    def action_schedule(self) -> None:
        """R19: "zu einem Zeitpunkt" instead of now: the time dialog schedules it."""
        if self.step != 4 or self.busy or self.failed:
            return

        def done(view: ScheduledResetView | ApprovalRequested | None) -> None:
            if view is None:
                return
            if isinstance(view, ApprovalRequested):
                self._filed(view)
                return
            self.scheduled = view
            self.step = 5
            self._apply_texts()
            self._show()

        self.app.push_screen(ResetTimeDialog(self.contract_id), done)

    @work(exclusive=True, group="wizard")
    async def generate(self) -> None:
        p = self.preview
        assert p is not None
        self.busy = True
        self._say("#generate-status", self.t("credentials.generating"))
        self._show()
        try:
            result = await self.write(
                credentials.generate, contract_id=self.contract_id, consent=True,
                expected_version=p.version,
            )
        except StepUpCancelled as error:  # no code given: nothing changed, g again works
            self.busy = False
            self._say("#generate-status", error.render(self.actor.locale))
            self._show()
            return
        except ApprovalRequested as filed:
            self.busy = False
            self._filed(filed)
            return
        except DomainError as error:
            self.busy = False
            self.failed = True
            self._say("#generate-status", error.render(self.actor.locale))
            self.query_one("#generate-status", Static).add_class("danger")
            if not isinstance(error, Conflict):
                self.show_error(error)
            self._show()
            return
        self.busy = False
        self.result = result
        self.step = 5
        self._apply_texts()
        self._show()

    def _filed(self, filed: ApprovalRequested) -> None:
        """R21: nothing generated yet, a request waits for a second admin: an information
        (not an error) and step 5, whose only way on is back to the contracts."""
        self.filed = filed
        self.show_error(filed)  # shown as an information (PortalMixin.show_error)
        self.step = 5
        self._apply_texts()
        self._show()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        handlers = {
            "btn-next": self.action_next,
            "btn-back": self.action_next,
            "btn-cancel": self.action_cancel,
            "btn-generate": self.action_generate,
            "btn-schedule": self.action_schedule,
            "btn-users": self.action_users,
        }
        handler = handlers.get(event.button.id or "")
        if handler is not None:
            handler()

    @on(DomainEventMessage)
    def _on_domain_event(self, message: DomainEventMessage) -> None:
        """Somebody else generated for this contract while this wizard is open: say so now,
        not only when this admin presses the button."""
        event = message.event
        if (
            event.name == "CredentialsGenerated"
            and event.payload.get("contract_id") == self.contract_id
            and not self.busy
            and self.result is None
        ):
            self.notify(self.t("credentials.generated_elsewhere",
                               contract=str(event.payload.get("contract_ref", ""))),
                        severity="warning", timeout=10)
