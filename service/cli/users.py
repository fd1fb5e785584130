"""``vitrine users``: the people who sign in to the web UI."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from service.cli.common import problems_as_errors
from service.http.transactions import transaction
from service.services import accounts as auth

PASSWORD_STDIN_HELP = (
    "Read the password from one line of standard input (scripts; without it the password is "
    f"asked for at the terminal). At least {auth.MIN_PASSWORD_LENGTH} characters."
)

users = AppGroup("users", help="People who sign in to the web UI.")


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password is asked for (twice) unless given on standard input."""
    password = _read_password(password_stdin)
    with transaction() as session, problems_as_errors():
        user = auth.create_user(session, username=username, password=password, role=role)
    click.echo(f"user {user.username} ({user.role}) created")


def _read_password(password_stdin: bool) -> str:
    """The password from one line of standard input, or asked for twice at the terminal.

    Without a terminal there is nobody to ask: rather than read an echoed line or stop at
    "Aborted!", say how a script gives the password.
    """
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise click.UsageError(
            "standard input is not a terminal, so the password cannot be asked for: "
            "give it on one line of standard input with --password-stdin, e.g. "
            "printf '%s\\n' \"$PASSWORD\" | vitrine users create ... --password-stdin"
        )
    return str(
        click.prompt(
            f"Password (at least {auth.MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt="Same password again",
            value_proc=_long_enough,
        )
    )


def _long_enough(password: str) -> str:
    """Ask again at once for a password the account would refuse (the service checks too)."""
    if problem := auth.password_problem(password):
        raise click.UsageError(f"the password {problem}")
    return password


@users.command("list")
def users_list() -> None:
    """List users: id, username, role, state, created."""
    with transaction() as session:
        for user in auth.list_users(session):
            state = "disabled" if user.disabled else "active"
            click.echo(
                f"{user.id}\t{user.username}\t{user.role}\t{state}\t{user.created_at:%Y-%m-%d}"
            )


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help=PASSWORD_STDIN_HELP)
def users_passwd(username: str, password_stdin: bool) -> None:
    """Set a user's password; every session they have open ends."""
    with transaction() as session, problems_as_errors():
        auth.find_user(session, username)
        user = auth.set_password(session, username, _read_password(password_stdin))
    click.echo(f"password of {user.username} changed; their sessions have ended")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(auth.ROLES))
def users_role(username: str, role: str) -> None:
    """Give a user another role; their sessions end, so it applies at once."""
    with transaction() as session, problems_as_errors():
        user = auth.set_role(session, username, role)
    click.echo(f"{user.username} is now {user.role}; their sessions have ended")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Stop a user signing in; every session they have open ends at once."""
    with transaction() as session, problems_as_errors():
        user = auth.set_disabled(session, username, True)
    click.echo(f"{user.username} is disabled; their sessions have ended")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Let a disabled user sign in again."""
    with transaction() as session, problems_as_errors():
        user = auth.set_disabled(session, username, False)
    click.echo(f"{user.username} may sign in again")
