"""Who may do what. Every service calls :func:`require` first; tenant isolation lives here,
not in hidden buttons.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from core.errors import PermissionDenied
from core.models import Role


class ViewMode(enum.StrEnum):
    """Ansichtsmodus: admins can look at the portal the way an employee does."""

    ADMIN = "admin"
    USER = "user"


class Permission(enum.StrEnum):
    # own things, allowed to every signed-in account in user view
    PROFILE_READ = "profile.read"
    PROFILE_UPDATE = "profile.update"
    NUMBER_READ = "number.read"
    CALLS_READ = "calls.read"
    # the customer's portal, admin view
    CUSTOMER_READ = "customer.read"
    CONTRACT_READ = "contract.read"
    CREDENTIALS_GENERATE = "credentials.generate"
    NUMBER_MANAGE = "number.manage"
    AREA_MANAGE = "area.manage"
    PORTING_MANAGE = "porting.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    AUDIT_READ = "audit.read"
    # operator staff only
    CUSTOMER_SEARCH = "customer.search"


OWN_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.PROFILE_READ,
        Permission.PROFILE_UPDATE,
        Permission.NUMBER_READ,
        Permission.CALLS_READ,
    }
)
"""What an employee (or an admin in user view) may do, restricted to its own objects."""

WRITE_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.PROFILE_UPDATE,
        Permission.CREDENTIALS_GENERATE,
        Permission.NUMBER_MANAGE,
        Permission.AREA_MANAGE,
        Permission.PORTING_MANAGE,
        Permission.USER_MANAGE,
    }
)
"""Changes; for support staff they need a reason (ticket id)."""


@dataclass(frozen=True)
class Actor:
    """The signed-in account as seen by the core, carried explicitly into every service call."""

    account_id: int
    username: str
    role: Role
    customer_id: int | None
    """The customer acted on: own customer for admins/employees, the opened one for support."""
    view_mode: ViewMode = ViewMode.ADMIN
    reason: str | None = None
    """Support only: ticket id that justifies writes on behalf of the customer."""
    source_address: str | None = None
    key_fingerprint: str | None = None
    locale: str = "de"
    customer_name: str | None = None
    session_id: str | None = None
    """The SSH connection this actor signed in on; every audit row of it carries the id."""

    @property
    def via_support(self) -> bool:
        return self.role is Role.SUPPORT

    @property
    def is_admin_view(self) -> bool:
        """Full admin rights of the customer: an admin in admin view, or support acting for it."""
        if self.role is Role.ADMIN:
            return self.view_mode is ViewMode.ADMIN
        return self.role is Role.SUPPORT and self.customer_id is not None

    @property
    def effective_view_mode(self) -> ViewMode:
        return ViewMode.ADMIN if self.is_admin_view else ViewMode.USER

    @property
    def can_switch_view(self) -> bool:
        """Only an admin has two view modes; employees have the user view alone and support
        always sees an opened customer in the admin view."""
        return self.role is Role.ADMIN

    def role_may(self, permission: Permission) -> bool:
        """Whether the actor's role can ever use ``permission`` (in any view mode it may
        switch to; tenant, owner and reason are checked per call by :func:`require`).
        Keys and hints of actions the role can never use are not offered at all."""
        if permission is Permission.CUSTOMER_SEARCH:
            return self.role is Role.SUPPORT
        if self.role is Role.EMPLOYEE:
            return permission in OWN_PERMISSIONS
        return True

    def with_view_mode(self, mode: ViewMode) -> Actor:
        if mode is ViewMode.ADMIN and self.role is Role.EMPLOYEE:
            raise PermissionDenied("error.admin_only")
        return replace(self, view_mode=mode)

    def for_customer(
        self,
        customer_id: int | None,
        *,
        customer_name: str | None = None,
        reason: str | None = None,
    ) -> Actor:
        """Support opens a customer's portal (read-only until a reason is given)."""
        if self.role is not Role.SUPPORT:
            raise PermissionDenied()
        return replace(self, customer_id=customer_id, customer_name=customer_name, reason=reason)

    def with_reason(self, reason: str | None) -> Actor:
        return replace(self, reason=(reason or "").strip() or None)


REASON_REQUIRED = "error.support_reason_required"
"""The refusal of a support write without a reason: a question for the reason (the TUI's
reason dialog asks it and runs the write again), not a denied access, so it is not audited as
``access.denied`` (every first change of a support session put a "Zugriff verweigert" into the
customer's Archiv before the change it was made for)."""


def require(
    actor: Actor,
    permission: Permission,
    *,
    customer_id: int | None = None,
    owner_id: int | None = None,
) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may use ``permission``.

    ``customer_id`` is the tenant the object belongs to (checked whenever given);
    ``owner_id`` the account an object belongs to, checked for user-view actors.
    """
    if permission is Permission.CUSTOMER_SEARCH:
        if actor.role is not Role.SUPPORT:
            raise PermissionDenied()
        return

    if actor.role is Role.SUPPORT and actor.customer_id is None:
        raise PermissionDenied("error.support_no_customer")
    if customer_id is not None and customer_id != actor.customer_id:
        raise PermissionDenied("error.cross_tenant")

    if actor.is_admin_view:
        if actor.role is Role.SUPPORT and permission in WRITE_PERMISSIONS and not actor.reason:
            raise PermissionDenied(REASON_REQUIRED)
        return

    if permission not in OWN_PERMISSIONS:
        raise PermissionDenied("error.admin_only")
    if owner_id is not None and owner_id != actor.account_id:
        raise PermissionDenied("error.employee_own_only")


def permits(actor: Actor, permission: Permission) -> bool:
    """Whether ``actor`` as it is now (role, view mode, opened customer) may use a read
    ``permission`` on its own customer: what a screen asks before offering its keys (an
    admin in the user view: no contract keys, which would only answer with a refusal)."""
    try:
        require(actor, permission, customer_id=actor.customer_id)
    except PermissionDenied:
        return False
    return True
