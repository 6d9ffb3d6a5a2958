"""User management (Verwaltung & Archiv → Benutzerverwaltung, key ``3``).

Everybody: the own e-mail address and mobile number (R6, validated by the core, the
current password confirms the change) and the UI language, applied to the running
session at once. Admins (admin view): the customer's accounts, creating employees with
initial numbers (R14), deactivating them and resetting their password by e-mail.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Select, SelectionList, Static

from core.errors import DomainError, ValidationError
from core.i18n import LOCALES, format_datetime, format_money
from core.services import approvals, locks, stepup, users
from core.services.approvals import ApprovalPolicy
from core.services.locks import LockView
from core.services.number_views import national_form
from core.services.users import EmployeeView, OwnCallView, OwnFaxCredentialView, ProfileView
from screens.base import PortalMixin, PortalScreen, portal_footer
from tui.messages import DomainEventMessage
from tui.sanitize import clean, safe_markup, safe_text
from tui.widgets.dialog import Dialog
from tui.widgets.header import SessionHeader

KEY_LABELS: dict[str, str] = {
    "save": "users.key.save",
    "language": "users.key.language",
    "new": "users.key.new",
    "deactivate": "users.key.deactivate",
    "reset": "users.key.reset",
    "lock": "users.key.lock",
    "stepup": "users.key.stepup",
    "approval": "users.key.approval",
}
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("username", "users.col.username", 14),
    ("status", "users.col.status", 12),
    ("name", "users.col.name", 22),
    ("role", "users.col.role", 14),
    ("email", "users.col.email", 32),
    ("mobile", "users.col.mobile", 15),
    ("numbers", "users.col.numbers", 34),
)
"""The state comes second: a deactivated account must be seen as such on a narrow terminal."""
CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("at", "users.calls.col.at"),
    ("number", "users.calls.col.number"),
    ("remote", "users.calls.col.remote"),
    ("duration", "users.calls.col.duration"),
    ("cost", "users.calls.col.cost"),
)
FAX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "users.fax.col.number"),
    ("kind", "users.fax.col.kind"),
    ("login", "users.fax.col.login"),
    ("sent", "users.fax.col.sent"),
)
LIVE_EVENTS = frozenset({"AccountCreated", "AccountChanged", "NumberAssigned", "AccountLocked",
                         "AccountUnlocked", "StepUpPolicyChanged", "ApprovalPolicyChanged",
                         "ApprovalRequested", "ApprovalDecided",
                         "FaxCredentialsSent", "NumbersUnassigned"})


def national(e164: str) -> str:
    """``+4930123456100`` → ``030 123456100`` (the area is the longest known prefix)."""
    from core.reference import area_of

    prefix = area_of(e164)
    return national_form(e164, prefix) if prefix else e164


def duration_text(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes}:{rest:02d}"


class ConfirmDialog(PortalMixin, Dialog[bool]):
    """Yes/no before a change that affects another person's account (the kit's dialog:
    Enter and ctrl+s confirm, Esc cancels, the focus starts on "Bestätigen")."""

    CSS_PATH = "users.tcss"
    CONFIRM_VARIANT = "warning"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def confirm_text(self) -> str:
        return self.t("users.confirm")

    def cancel_text(self) -> str:
        return self.t("users.cancel")

    def body(self) -> ComposeResult:
        yield Static(Text(self.question), classes="dialog-text")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    async def confirm(self) -> bool | None:
        return True


class NewEmployeeDialog(PortalMixin, Dialog[EmployeeView]):
    """Create an employee account; the core validates and e-mails the initial password.
    Enter in a field or ctrl+s creates, Esc cancels; a mistake is said on the dialog."""

    CSS_PATH = "users.tcss"

    def title_text(self) -> str:
        return self.t("users.new_employee")

    def confirm_text(self) -> str:
        return self.t("users.create")

    def cancel_text(self) -> str:
        return self.t("users.cancel")

    FIELDS: ClassVar[dict[str, str]] = {"username": "username", "email": "new-email",
                                        "mobile": "new-mobile", "locale": "new-locale"}
    """The core's field name (``EmployeeFormInvalid.fields``) -> the widget's id."""

    def body(self) -> ComposeResult:
        with VerticalScroll(classes="fields"):
            for field, label in (("username", "users.username"), ("full-name", "users.full_name"),
                                 ("new-email", "users.email"), ("new-mobile", "users.mobile")):
                yield Label(self.t(label))
                yield Input(id=field, max_length={"username": 64, "new-email": 254,
                                                  "new-mobile": 30}.get(field, 100))
                yield self._error_line(field)
            yield Label(self.t("users.language"))
            yield Select[str]([(self.t(f"users.language.{loc}"), loc) for loc in LOCALES],
                              value=self.actor.locale, allow_blank=False, id="new-locale")
            yield self._error_line("new-locale")
            yield Label(self.t("users.initial_numbers"))
            yield SelectionList[str](id="new-numbers")
            yield Static("", id="no-numbers", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()
        self.load_numbers()

    @work(exclusive=True)
    async def load_numbers(self) -> None:
        numbers = await self.fetch(users.assignable_numbers)
        choices = self.query_one("#new-numbers", SelectionList)
        for number in numbers or []:
            choices.add_option((national(number), number))
        if not numbers:
            self.query_one("#no-numbers", Static).update(self.t("users.no_assignable_numbers"))

    async def confirm(self) -> EmployeeView | None:
        try:
            return await self.write(
                users.create_employee,
                username=self.query_one("#username", Input).value,
                full_name=self.query_one("#full-name", Input).value,
                email=self.query_one("#new-email", Input).value,
                mobile=self.query_one("#new-mobile", Input).value,
                locale=str(self.query_one("#new-locale", Select).value),
                numbers=list(self.query_one("#new-numbers", SelectionList).selected),
            )
        except users.EmployeeFormInvalid as invalid:
            self._show_field_errors(invalid.fields)
        except ValidationError as error:
            if error.key == "error.username_taken":
                self._show_field_errors({"username": error})
            else:
                self.show_inline(error.render(self.actor.locale))
        except DomainError as error:  # said once, on the dialog (no toast on top of it)
            self.show_inline(error.render(self.actor.locale))
        return None

    @staticmethod
    def _error_line(widget_id: str) -> Static:
        line = Static("", id=f"{widget_id}-error", classes="field-error")
        line.display = False
        return line

    def _set_field_error(self, widget_id: str, text: str) -> None:
        line = self.query_one(f"#{widget_id}-error", Static)
        line.update(clean(text))
        line.display = bool(text)

    def _show_field_errors(self, errors: dict[str, ValidationError]) -> None:
        """Each wrong field's message under it, all at once; the first wrong field has focus."""
        for field, widget_id in self.FIELDS.items():
            error = errors.get(field)
            self._set_field_error(widget_id, error.render(self.actor.locale) if error else "")
        first = next((self.FIELDS[f] for f in errors if f in self.FIELDS), None)
        if first is not None:
            self.query_one(f"#{first}").focus()

    @on(Input.Changed)
    def _field_edited(self, event: Input.Changed) -> None:
        """A field being corrected no longer shows its old error."""
        widget_id = event.input.id
        if widget_id is not None and widget_id in self.FIELDS.values():
            self._set_field_error(widget_id, "")


class LockDialog(PortalMixin, Dialog[LockView]):
    """R25: lock an employee; the reason is required and shown to the employee."""

    CSS_PATH = "users.tcss"
    CONFIRM_VARIANT = "error"

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def title_text(self) -> str:
        return self.t("locks.dialog.title", user=clean(self.username))

    def confirm_text(self) -> str:
        return self.t("locks.dialog.confirm")

    def cancel_text(self) -> str:
        return self.t("users.cancel")

    def body(self) -> ComposeResult:
        yield Static(Text(self.t("locks.dialog.text", user=clean(self.username))),
                     classes="dialog-text")
        yield Label(self.t("locks.dialog.reason"))
        yield Input(id="lock-reason", max_length=locks.MAX_REASON)

    def on_mount(self) -> None:
        self.query_one("#lock-reason", Input).focus()

    async def confirm(self) -> LockView | None:
        try:
            return await self.write(locks.lock_employee, username=self.username,
                                    reason=self.query_one("#lock-reason", Input).value)
        except DomainError as error:
            self.show_inline(error.render(self.actor.locale))
            self.show_error(error)
            return None


class UsersScreen(PortalScreen):
    """Benutzerverwaltung: own profile and language; the customer's accounts for admins."""

    CSS_PATH = "users.tcss"
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save", id="users-key.save"),
        Binding("ctrl+l", "toggle_language", "language", id="users-key.language"),
        Binding("n", "new", "new", id="users-key.new", show=False),
        Binding("d", "deactivate", "deactivate", id="users-key.deactivate", show=False),
        Binding("r", "reset", "reset", id="users-key.reset", show=False),
        Binding("l", "lock", "lock", id="users-key.lock", show=False),
        Binding("b", "stepup", "stepup", id="users-key.stepup", show=False),
        Binding("f", "approval", "approval", id="users-key.approval", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.profile: ProfileView | None = None
        self.accounts: dict[str, EmployeeView] = {}
        """Username → account as last fetched (admins only)."""
        self.locks: dict[str, LockView] = {}
        """Username → lock of the customer's locked accounts (R25, admins only)."""
        self.stepup_required: bool | None = None
        """R20: the customer's step-up policy as last fetched (admins only)."""
        self.approval_policy: ApprovalPolicy | None = None
        """R21: the customer's four-eyes policy as last fetched (admins only)."""

    def compose(self) -> ComposeResult:
        yield SessionHeader()
        with VerticalScroll(id="users-body"):
            yield Static("", id="profile-title", classes="title")
            yield Static("", id="profile-line")
            with Horizontal(classes="field"):
                yield Label("", id="email-label")
                yield Input(id="email", max_length=254)
            with Horizontal(classes="field"):
                yield Label("", id="mobile-label")
                yield Input(id="mobile", max_length=30)
            with Horizontal(classes="field"):
                yield Label("", id="password-label")
                yield Input(id="current-password", password=True, max_length=1024)
            with Horizontal(classes="button-row"):
                yield Button("", id="btn-save", variant="primary", compact=True)
            with Horizontal(classes="field"):
                yield Label("", id="language-label")
                yield Select[str]([("Deutsch", "de"), ("English", "en")], value=self.actor.locale,
                                  allow_blank=False, id="language", compact=True)
            yield Static("", id="accounts-title", classes="title admin-only")
            yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True,
                            classes="admin-only")
            with Horizontal(classes="button-row admin-only", id="account-actions"):
                yield Button("", id="btn-new", variant="success", compact=True)
                yield Button("", id="btn-deactivate", compact=True)
                yield Button("", id="btn-reset", compact=True)
                yield Button("", id="btn-lock", compact=True)
            yield Static("", id="stepup-state", classes="admin-only")
            yield Static("", id="approval-state", classes="admin-only")
            with Horizontal(classes="button-row admin-only", id="stepup-row"):
                yield Button("", id="btn-stepup", compact=True)
                yield Button("", id="btn-approval", compact=True)
            yield Static("", id="admin-hint", classes="hint")
            yield Static("", id="calls-title", classes="title own-only")
            yield DataTable(id="calls", cursor_type="row", zebra_stripes=True, classes="own-only")
            yield Static("", id="faxes-title", classes="title own-only")
            yield DataTable(id="faxes", cursor_type="row", zebra_stripes=True, classes="own-only")
        yield portal_footer()

    def on_mount(self) -> None:
        self._apply_texts()
        # Admins start on the accounts table (its keys n/d/r). Nothing else takes focus, so the
        # global keys 1–4 keep working until the user tabs into a field.
        if self.actor.is_admin_view:
            self.query_one("#accounts").focus()
        self.reload()

    def _apply_texts(self) -> None:
        self.query_one(SessionHeader).show(self.actor, self.t("users.title"))
        self.query_one("#profile-title", Static).update(self.t("users.profile"))
        for label, key in (("email-label", "users.email"), ("mobile-label", "users.mobile"),
                           ("password-label", "users.current_password"),
                           ("language-label", "users.language"),
                           ("accounts-title", "users.employees")):
            self.query_one(f"#{label}").update(self.t(key))  # type: ignore[attr-defined]
        for button, label, key in (("btn-save", "users.save_contact", "ctrl+s"),
                                   ("btn-new", "users.new_employee", "n"),
                                   ("btn-deactivate", "users.deactivate", "d"),
                                   ("btn-reset", "users.reset_password", "r"),
                                   ("btn-lock", "users.lock", "l")):
            self.query_one(f"#{button}", Button).label = f"{self.t(label)} ({key})"
        self._show_stepup()
        self._show_approval()
        with self.prevent(Select.Changed):
            language = self.query_one("#language", Select)
            language.set_options([(self.t(f"users.language.{loc}"), loc) for loc in LOCALES])
            language.value = self.actor.locale
        admin = self.actor.is_admin_view
        for widget in self.query(".admin-only"):
            widget.display = admin
        self.query_one("#btn-lock", Button).display = admin and locks.may_ever_lock(self.actor)
        for widget in self.query(".own-only"):
            widget.display = self.shows_own_records
        self.query_one("#calls-title", Static).update(self.t("users.calls.title"))
        self.query_one("#faxes-title", Static).update(self.t("users.fax.title"))
        for table_id, columns in (("calls", CALL_COLUMNS), ("faxes", FAX_COLUMNS)):
            own = self.query_one(f"#{table_id}", DataTable)
            own.clear(columns=True)
            for key, label in columns:
                own.add_column(self.t(label), key=key)
        self.query_one("#admin-hint", Static).update(
            "" if admin else self.t("users.admin_only_hint")
        )
        table = self.query_one("#accounts", DataTable)
        table.clear(columns=True)
        for key, label, width in COLUMNS:
            table.add_column(self.t(label), key=key, width=width)
        self.label_bindings("users-key.", KEY_LABELS)
        self.refresh_bindings()

    @property
    def shows_own_records(self) -> bool:
        """Employees (and an admin in user view) see their own calls and fax credentials."""
        return not self.actor.is_admin_view and not self.actor.via_support

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new", "deactivate", "reset", "lock", "stepup", "approval"):
            return self.actor.is_admin_view
        return True

    # ---------------------------------------------------------------- loading

    @work(exclusive=True, group="load")
    async def reload(self) -> None:
        profile = await self.fetch(users.get_profile)
        if profile is not None:
            self._show_profile(profile)
        if self.actor.is_admin_view:
            accounts = await self.fetch(users.list_employees)
            self.locks = await self.fetch(locks.employee_locks) or {}
            policy = await self.fetch(stepup.get_policy)
            self.stepup_required = policy.required if policy is not None else None
            self._show_stepup()
            self.approval_policy = await self.fetch(approvals.get_policy)
            self._show_approval()
            if accounts is not None:
                self._fill(accounts)
        if self.shows_own_records:
            calls = await self.fetch(users.own_call_records)
            faxes = await self.fetch(users.own_fax_credentials)
            self._fill_own(calls or [], faxes or [])

    def _fill_own(self, calls: list[OwnCallView], faxes: list[OwnFaxCredentialView]) -> None:
        loc = self.actor.locale
        table = self.query_one("#calls", DataTable)
        table.clear()
        for c in calls:
            table.add_row(format_datetime(c.started_at, loc), national(c.number),
                          safe_text(c.remote_number), duration_text(c.duration_seconds),
                          format_money(c.cost_cents, loc), key=str(c.id))
        table.display = bool(calls)
        self.query_one("#calls-title", Static).update(
            self.t("users.calls.title") if calls else
            f"{self.t('users.calls.title')} – {self.t('users.calls.none')}")
        faxes_table = self.query_one("#faxes", DataTable)
        faxes_table.clear()
        for f in faxes:
            faxes_table.add_row(
                national(f.number),
                self.t("users.fax.personal" if f.personal else "users.fax.shared"),
                safe_text(f.login), format_datetime(f.sent_at, loc), key=f.number)
        faxes_table.display = bool(faxes)
        self.query_one("#faxes-title", Static).update(
            self.t("users.fax.title") if faxes else
            f"{self.t('users.fax.title')} – {self.t('users.fax.none')}")

    def _show_profile(self, profile: ProfileView) -> None:
        self.profile = profile
        self.query_one("#profile-line", Static).update(Text(self.t(
            "users.profile_line", user=clean(profile.username), role=self.t(f"role.{profile.role}"),
            name=clean(profile.full_name or "–"),
        )))
        with self.prevent(Input.Changed):
            self.query_one("#email", Input).value = profile.email or ""
            self.query_one("#mobile", Input).value = profile.mobile or ""

    def _fill(self, accounts: list[EmployeeView]) -> None:
        table = self.query_one("#accounts", DataTable)
        keep = self.marked
        table.clear()
        self.accounts = {a.username: a for a in accounts}
        for a in accounts:
            # A deactivated account reads differently at a glance: its state in bold red
            # right after the name, and the rest of the row dimmed and struck through.
            rest = "" if a.active else "dim strike"
            status = Text(self.t("users.status.active" if a.active else "users.status.inactive"),
                          style="green" if a.active else "bold red")
            if a.username in self.locks:
                status = Text(self.t("locks.status.locked"), style="bold red reverse")
            table.add_row(
                safe_text(a.username, style="bold" if a.active else "dim strike"),
                status,
                safe_text(a.full_name, style=rest),
                Text(self.t(f"role.{a.role}"), style=rest),
                safe_text(a.email or "–", style=rest),
                safe_text(a.mobile or "–", style=rest),
                Text(", ".join(national(n) for n in a.numbers) or "–", style=rest),
                key=a.username,
            )
        if keep is not None and keep.username in self.accounts:
            table.move_cursor(row=table.get_row_index(keep.username), animate=False)

    @property
    def marked(self) -> EmployeeView | None:
        table = self.query_one("#accounts", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.accounts.get(key) if key is not None else None

    # ---------------------------------------------------------------- own profile

    @on(Input.Submitted, "#email, #mobile, #current-password")
    async def action_save(self) -> None:
        """Save e-mail and mobile. A mistake in the form (an invalid address, a landline, an
        empty password field) keeps the typed password and puts the cursor where the mistake
        is; only a really wrong password is cleared (it counted as a failed login)."""
        password = self.query_one("#current-password", Input)
        try:
            profile = await self.write(
                users.update_contact,
                email=self.query_one("#email", Input).value,
                mobile=self.query_one("#mobile", Input).value,
                current_password=password.value,
            )
        except DomainError as error:
            self.show_error(error)
            if isinstance(error, ValidationError):
                self.query_one(f"#{self._field_at_fault(error)}", Input).focus()
            else:
                password.value = ""
                password.focus()
            return
        password.value = ""
        unchanged = self.profile is not None and (profile.email, profile.mobile) == (
            self.profile.email, self.profile.mobile)
        self._show_profile(profile)
        self.notify(self.t("users.contact_unchanged" if unchanged else "users.contact_saved"))

    @staticmethod
    def _field_at_fault(error: ValidationError) -> str:
        if "mobile" in error.key:
            return "mobile"
        if "password" in error.key:
            return "current-password"
        return "email"

    @on(Select.Changed, "#language")
    async def _language_chosen(self, event: Select.Changed) -> None:
        await self.set_language(str(event.value))

    async def action_toggle_language(self) -> None:
        others = [loc for loc in LOCALES if loc != self.actor.locale]
        await self.set_language(others[0])

    async def set_language(self, locale: str) -> None:
        """Store the language and switch this session to it at once."""
        if locale == self.actor.locale:
            return
        profile = await self.call(users.set_locale, locale=locale)
        if profile is None:
            return
        self.portal.set_actor(replace(self.actor, locale=profile.locale))
        self.notify(self.t("users.language_saved"))

    # ---------------------------------------------------------------- employee accounts

    def action_new(self) -> None:
        def created(view: EmployeeView | None) -> None:
            if view is not None:
                self.notify(self.t("users.created", user=safe_markup(view.username),
                                   email=safe_markup(view.email_masked)))
                self.reload()

        self.app.push_screen(NewEmployeeDialog(), created)

    def _marked_employee(self) -> EmployeeView | None:
        marked = self.marked
        if marked is None:
            self.notify(self.t("users.none_marked"), severity="warning")
        return marked

    def action_deactivate(self) -> None:
        marked = self._marked_employee()
        if marked is None:
            return

        async def confirmed(ok: bool | None) -> None:
            if (
                ok
                and await self.call(users.deactivate_employee, username=marked.username) is not None
            ):
                self.notify(self.t("users.deactivated", user=safe_markup(marked.username)))
                self.reload()

        self.app.push_screen(
            ConfirmDialog(self.t("users.confirm_deactivate", user=clean(marked.username))),
            confirmed,
        )

    def action_reset(self) -> None:
        marked = self._marked_employee()
        if marked is None:
            return

        async def confirmed(ok: bool | None) -> None:
            if ok and await self.call(users.reset_password, username=marked.username) is not None:
                self.notify(self.t("users.password_sent", user=safe_markup(marked.username),
                                   email=safe_markup(marked.email_masked)))

        self.app.push_screen(
            ConfirmDialog(self.t("users.confirm_reset", user=clean(marked.username),
                                 email=clean(marked.email_masked))),
            confirmed,
        )

    def action_lock(self) -> None:
        """R25: lock the marked employee (a reason dialog), or unlock it if it is locked."""
        marked = self._marked_employee()
        if marked is None:
            return
        if (refusal := locks.lock_refusal(self.actor, account_id=marked.id, role=marked.role,
                                          username=marked.username)) is not None:
            self.show_error(refusal)
            return
        if marked.username in self.locks:
            async def unlock(ok: bool | None) -> None:
                if ok and await self.call(locks.unlock_employee,
                                          username=marked.username) is not None:
                    self.notify(self.t("locks.unlocked", user=safe_markup(marked.username)))
                    self.reload()

            self.app.push_screen(
                ConfirmDialog(self.t("locks.confirm_unlock", user=clean(marked.username))), unlock)
            return

        def locked(view: LockView | None) -> None:
            if view is not None:
                self.notify(self.t("locks.locked", user=safe_markup(view.username)))
                self.reload()

        self.app.push_screen(LockDialog(marked.username), locked)

    def _show_stepup(self) -> None:
        """R20: the policy line and its toggle (turning it off asks for a code)."""
        required = self.stepup_required
        self.query_one("#stepup-state", Static).update("" if required is None else self.t(
            "users.stepup.on" if required else "users.stepup.off"))
        label = "users.stepup.turn_off" if required else "users.stepup.turn_on"
        self.query_one("#btn-stepup", Button).label = f"{self.t(label)} (b)"

    def action_stepup(self) -> None:
        """R20: turn the step-up policy on, or off (the write asks for the SMS code)."""
        if self.stepup_required is not None:
            self.toggle_stepup(not self.stepup_required)

    @work(exclusive=True, group="stepup")
    async def toggle_stepup(self, required: bool) -> None:
        """In a worker: the code dialog is waited for without blocking the screen."""
        policy = await self.call(stepup.set_policy, required=required)
        if policy is not None:
            self.stepup_required = policy.required
            self._show_stepup()
            self.notify(self.t("users.stepup.on" if policy.required else "users.stepup.off"))

    def _show_approval(self) -> None:
        """R21: the four-eyes line and its toggle (off, while on, files a request)."""
        policy = self.approval_policy
        text = "" if policy is None else self.t(
            "approvals.policy.on" if policy.required else "approvals.policy.off")
        if policy is not None and policy.pending_off is not None:
            text += "\n" + self.t("approvals.policy.pending_off", id=policy.pending_off)
        self.query_one("#approval-state", Static).update(Text(text))
        on = policy is not None and policy.required
        label = "users.approval.turn_off" if on else "users.approval.turn_on"
        self.query_one("#btn-approval", Button).label = f"{self.t(label)} (f)"

    def action_approval(self) -> None:
        """R21: turn four eyes on, or request turning it off (a second admin approves)."""
        if self.approval_policy is not None:
            self.toggle_approval(not self.approval_policy.required)

    @work(exclusive=True, group="approval")
    async def toggle_approval(self, required: bool) -> None:
        policy = await self.call(approvals.set_policy, required=required)
        if policy is None:  # refused, or filed as a request (shown as an information)
            self.reload()
            return
        self.approval_policy = policy
        self._show_approval()
        self.notify(self.t("approvals.policy.on" if policy.required else "approvals.policy.off"))

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        handlers: dict[str, Any] = {
            "btn-save": self.action_save,
            "btn-new": self.action_new,
            "btn-deactivate": self.action_deactivate,
            "btn-reset": self.action_reset,
            "btn-lock": self.action_lock,
            "btn-stepup": self.action_stepup,
            "btn-approval": self.action_approval,
        }
        handler = handlers.get(event.button.id or "")
        if handler is not None:
            result = handler()
            if result is not None:
                await result

    # ---------------------------------------------------------------- live updates

    @on(DomainEventMessage)
    def _on_domain_event(self, message: DomainEventMessage) -> None:
        if message.event.name in LIVE_EVENTS:
            self.reload()
