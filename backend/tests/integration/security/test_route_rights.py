"""The right each route needs, written out: every (method, path) of `app.routes` must have an
entry here, and each route must declare exactly the right written beside it. A new route
without an entry fails, and so does a write that asks only for `view`. Which role gets
through where, on both databases, is the permission matrix test's job (the roles are run
against what the routes declare, which this pins)."""

from __future__ import annotations

from app.api.security import route_security
from app.core.permissions import DATA_MANAGEMENT, Action
from app.core.settings import Settings
from app.main import create_app

PUBLIC = "public"  # no user needed
ANY_USER = "any logged-in user"
VIEW, SYNC, EDIT = Action.view, Action.sync, Action.edit

EXPECTED: dict[tuple[str, str], str | Action] = {
    ("GET", "/api/v1/health"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): ANY_USER,
    ("GET", "/api/v1/auth/me"): ANY_USER,
    ("GET", "/api/v1/sync/jobs"): VIEW,
    ("GET", "/api/v1/sync/jobs/{job_id}"): VIEW,
    ("GET", "/api/v1/sync/jobs/{job_id}/stream"): VIEW,
    ("POST", "/api/v1/sync/jobs/{job_id}/cancel"): SYNC,
    ("GET", "/api/v1/sync/recalculation-status"): VIEW,
    ("POST", "/api/v1/sync/recalculate-emissions/{module_type_id}/{data_entry_type_id}"): SYNC,
    ("POST", "/api/v1/sync/recalculate-emissions/{module_type_id}"): SYNC,
    ("POST", "/api/v1/sync/recalculation-preview/{module_type_id}/{data_entry_type_id}"): SYNC,
    ("POST", "/api/v1/sync/recalculation-preview/{module_type_id}"): SYNC,
    ("POST", "/api/v1/sync/factors/{module_type_id}"): SYNC,
    ("POST", "/api/v1/sync/data-entries/{module_type_id}"): SYNC,
    ("GET", "/api/v1/units"): VIEW,
    ("POST", "/api/v1/units"): EDIT,
    ("GET", "/api/v1/carbon-reports"): VIEW,
    ("GET", "/api/v1/data-entries"): VIEW,
    ("POST", "/api/v1/data-entries"): EDIT,
    ("PATCH", "/api/v1/data-entries/{entry_id}"): EDIT,
    ("DELETE", "/api/v1/data-entries/{entry_id}"): EDIT,
    ("GET", "/api/v1/factors"): VIEW,
    ("GET", "/api/v1/modules"): VIEW,
    ("GET", "/api/v1/reports/emissions"): VIEW,
    ("GET", "/api/v1/years"): VIEW,
}


def _declared() -> dict[tuple[str, str], str | Action]:
    app = create_app(Settings(secret_key="route-rights-test-key-0123456789abcdef"))
    declared: dict[tuple[str, str], str | Action] = {}
    for route in route_security(app.routes):
        for method in route.methods:
            if not route.requires_user:
                declared[(method, route.path)] = PUBLIC
            elif not route.permissions:
                declared[(method, route.path)] = ANY_USER
            else:
                paths = {path for path, _ in route.permissions}
                assert paths == {DATA_MANAGEMENT}, f"{method} {route.path}: {route.permissions}"
                (action,) = {action for _, action in route.permissions}
                declared[(method, route.path)] = action
    return declared


def test_every_route_has_an_entry_and_declares_exactly_that_right() -> None:
    declared = _declared()

    unlisted = sorted(set(declared) - set(EXPECTED))
    gone = sorted(set(EXPECTED) - set(declared))
    assert not unlisted, f"routes without an entry in EXPECTED: {unlisted}"
    assert not gone, f"entries in EXPECTED whose route is gone: {gone}"
    wrong = {key: (declared[key], want) for key, want in EXPECTED.items() if declared[key] != want}
    assert not wrong, f"declared right differs (declared, expected): {wrong}"
