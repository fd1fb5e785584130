"""The ``vitrine`` console script: the app factory joined to the command group, at the top.

An entry point and nothing else imports it, so neither the app nor the CLI imports the other's
way up: the app registers the CLI's commands on itself, and this module hands the CLI the
factory that builds the app.
"""

from __future__ import annotations

from service.app import create_app
from service.cli import command_group

cli = command_group(create_app)


def main() -> None:
    """Run the ``vitrine`` command (exits with the command's status)."""
    cli()


if __name__ == "__main__":
    main()
