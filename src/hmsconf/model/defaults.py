"""Tables about roles that several layers read, derived from the model's marks.

Nothing here is typed by hand: the permission flags, their defaults and which
of them are moderator powers come from ``model.catalogue``, so a new flag on
``model.template.Permissions`` reaches the normaliser, the plan's risks, the
renderers and the emulator with no other edit.
"""

from __future__ import annotations

from typing import Any

from hmsconf.model import catalogue, facts

_PERMISSIONS = ("roles", catalogue.STAR, "permissions")

# §3.5: every flag with its documented default.
PERMISSION_DEFAULTS: dict[str, bool] = catalogue.defaults("Template", _PERMISSIONS)
MODERATOR_POWERS: tuple[str, ...] = catalogue.fields_marked("Template", _PERMISSIONS, facts.ModeratorPower)


def effective_permissions(role: dict[str, Any] | None) -> dict[str, bool]:
    """Every flag of a role with defaults applied: what a peer can actually do."""
    perms = dict(PERMISSION_DEFAULTS)
    perms.update({k: bool(v) for k, v in ((role or {}).get("permissions") or {}).items() if k in perms})
    return perms
