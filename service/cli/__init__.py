"""The ``vitrine`` command line: one module per command group over the same services as the API.

May import services, storage, rules, operations and config; never the app (``service.main``
hands the app factory to ``command_group``) nor the API or the web pages.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, ScriptInfo

from service import config
from service.cli.audits import audit_command
from service.cli.backups import backup_command, restore_command
from service.cli.campaign_audit import campaign_audit_command
from service.cli.campaign_bundle import export_command
from service.cli.campaigns import campaign_group
from service.cli.database import database, upgrade_database
from service.cli.iiif import iiif_group
from service.cli.importing import import_command
from service.cli.metadata import metadata_group
from service.cli.people import people_group
from service.cli.purge import purge_command
from service.cli.rights import rights_group
from service.cli.storage import storage
from service.cli.tokens import tokens
from service.cli.users import users
from service.cli.variants import render_command
from service.cli.worker import worker_command

campaign_group.add_command(campaign_audit_command)  # vitrine campaign audit NAME
campaign_group.add_command(export_command)  # vitrine campaign export NAME --out FILE

__all__ = ["CannotStart", "command_group", "register_commands", "upgrade_database"]


class CannotStart(click.ClickException):
    """A setting keeps the app from starting: one message saying what to do, no traceback."""


class VitrineGroup(FlaskGroup):
    """Flask's group, saying why the app cannot start instead of printing a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands, or when the app cannot start, why not and those that need no app."""
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except CannotStart as error:
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
            return sorted(AppGroup.list_commands(self, ctx))  # the commands that need no app
        return super().list_commands(ctx)


def command_group(create_app: Callable[[], Flask]) -> VitrineGroup:
    """The ``vitrine`` command, loading its app with ``create_app``.

    The factory is passed in by ``service.main`` so that this package never imports the app
    (which registers these commands on itself).
    """

    def load_app() -> Flask:
        try:
            return create_app()
        except config.ConfigError as error:
            raise CannotStart(str(error)) from None

    return VitrineGroup(
        name="vitrine",
        help="Vitrine: rights, credit lines and captioned social variants for museum photographs.",
        create_app=load_app,
    )


def register_commands(app: Flask) -> None:
    """Add every ``vitrine`` command to the app's own CLI (``create_app`` calls this)."""
    commands: list[click.Command] = [database, tokens, users, storage, rights_group]
    commands += [audit_command, render_command, purge_command, backup_command, restore_command]
    commands += [
        import_command,
        worker_command,
        campaign_group,
        people_group,
        iiif_group,
        metadata_group,
    ]
    for command_or_group in commands:
        app.cli.add_command(command_or_group)
