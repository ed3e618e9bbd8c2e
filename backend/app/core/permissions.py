"""Roles -> permission map. Rights are computed, never stored per user."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

DATA_MANAGEMENT = "backoffice.data_management"


class Action(StrEnum):
    view = "view"
    sync = "sync"
    edit = "edit"


class Role(StrEnum):
    superadmin = "calco2.superadmin"
    backoffice_metier = "calco2.backoffice.metier"
    backoffice_viewer = "calco2.backoffice.viewer"
    user_principal = "calco2.user.principal"
    user_standard = "calco2.user.standard"


_ALL_BACKOFFICE = frozenset(Action)

ROLE_GRANTS: dict[Role, dict[str, frozenset[Action]]] = {
    Role.superadmin: {DATA_MANAGEMENT: _ALL_BACKOFFICE},
    Role.backoffice_metier: {DATA_MANAGEMENT: _ALL_BACKOFFICE},
    Role.backoffice_viewer: {DATA_MANAGEMENT: frozenset({Action.view})},
    Role.user_principal: {},
    Role.user_standard: {},
}

PermissionMap = dict[str, dict[str, bool]]


def parse_role(value: str) -> Role:
    """A role by its name; ValueError names the valid roles."""
    try:
        return Role(value)
    except ValueError:
        valid = ", ".join(role.value for role in Role)
        raise ValueError(f"unknown role {value!r}; valid roles: {valid}") from None


def permission_map(roles: Iterable[str]) -> PermissionMap:
    """`{path: {action: bool}}` for every known path and action, from the union of the roles."""
    granted: dict[str, set[Action]] = {DATA_MANAGEMENT: set()}
    for role_name in roles:
        for path, actions in ROLE_GRANTS.get(Role(role_name), {}).items():
            granted.setdefault(path, set()).update(actions)
    return {
        path: {action.value: action in actions for action in Action}
        for path, actions in granted.items()
    }


def is_allowed(roles: Iterable[str], path: str, action: Action | str) -> bool:
    return permission_map(roles).get(path, {}).get(str(action), False)
