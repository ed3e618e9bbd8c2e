"""`co2calc users ...`: create accounts and list them. The demo's admin account lives here too.

The CLI is the caller that commits: the service only flushes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.cli._runner import console, run_async, session_factory, with_engine
from app.cli._secret import require_secret_key
from app.core import security
from app.core.permissions import Role
from app.core.settings import get_settings
from app.services.auth_service import AuthService, UserInfo

app = typer.Typer(help="Manage user accounts (who may log in, with which roles).")

T = TypeVar("T")

ROLE_HELP = "Role to grant; repeat for several. One of: " + ", ".join(role.value for role in Role)
ADMIN_USERNAME = "admin"


@app.callback()
def _check_configuration(context: typer.Context) -> None:
    # Before `create` prompts for a password: production without a secret key stops here.
    if context.invoked_subcommand == "create":
        require_secret_key(get_settings())


async def _in_session(work: Callable[[AuthService], Awaitable[T]]) -> T:
    """Run `work` in one session on the configured database and commit it."""

    async def in_session(engine: AsyncEngine) -> T:
        async with session_factory(engine)() as session:
            result = await work(AuthService(session, settings=get_settings()))
            await session.commit()
            return result

    return await with_engine(in_session)


def _as_json(user: UserInfo) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "roles": list(user.roles),
        "is_active": user.is_active,
        "created_at": user.created_at.isoformat(),
    }


@app.command("create")
def create(
    username: Annotated[str, typer.Option("--username", help="Login name (unique).")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Password (at least 8 characters); asked for when omitted.",
        ),
    ],
    roles: Annotated[list[str], typer.Option("--role", help=ROLE_HELP)],
) -> None:
    """Create a user with a password and one or more roles."""
    user = run_async(_in_session(lambda service: service.create_user(username, password, roles)))
    console.print(
        f"[green]User created:[/] {user.username} (id {user.id}), roles: {', '.join(user.roles)}"
    )


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, and nothing else.")] = False,
) -> None:
    """List the users and their roles."""
    users = run_async(_in_session(lambda service: service.list_users()))
    if as_json:
        print(json.dumps([_as_json(user) for user in users]))
        return
    table = Table(title="Users")
    for column in ("id", "username", "roles", "active", "created (UTC)"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for user in users:
        table.add_row(
            str(user.id),
            user.username,
            ", ".join(user.roles) or "-",
            "yes" if user.is_active else "no",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
    if not users:
        console.print("No users yet: `co2calc users create --username U --role R` makes one.")


@dataclass(frozen=True)
class AdminAccount:
    username: str
    password: str | None  # set when created or changed by this run
    created: bool


async def ensure_admin(
    session_factory: async_sessionmaker[AsyncSession], password: str | None
) -> AdminAccount:
    """The demo's `admin` (superadmin): created with `password` or a generated one; an
    existing admin keeps its password unless `password` is given."""
    async with session_factory() as session:
        service = AuthService(session, settings=get_settings())
        existing = await service.users.get_by_username(ADMIN_USERNAME)
        if existing is None and password is None:
            password = security.new_password()
        ensured = await service.ensure_user(ADMIN_USERNAME, [Role.superadmin], password=password)
        await session.commit()
    return AdminAccount(
        username=ADMIN_USERNAME,
        password=password if ensured.password_changed else None,
        created=ensured.created,
    )
