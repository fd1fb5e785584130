"""``vitrine people``: a person's subject access export, and their erasure."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from service.cli.common import CLI_CALLER, problems_as_errors, store
from service.http.transactions import transaction
from service.services import people, people_export
from service.services.blob_ownership import remove_unowned
from service.storage import db

people_group = AppGroup("people", help="The people register: subject access and erasure.")


@people_group.command("export")
@click.argument("person_id", type=click.IntRange(min=1))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="The JSON file to write (standard output by default).",
)
def export_command(person_id: int, out: Path | None) -> None:
    """Everything held on a person, as JSON: their record, consents, the assets depicting
    them, the campaign posts that used those assets, and the history."""
    with problems_as_errors(), transaction() as session:
        person = people.get_person(session, person_id)
        exported = people_export.export_person(session, person, now=db.utcnow())
    text = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}: person {person_id}.", err=True)


@people_group.command("erase")
@click.argument("person_id", type=click.IntRange(min=1))
@click.option("--yes", is_flag=True, help="Erase without asking.")
def erase_command(person_id: int, yes: bool) -> None:
    """Erase a person: name, reference, guardians and signed forms removed, their consents
    withdrawn and kept as an anonymised trail (the gate goes on refusing their photographs)."""
    if not yes:
        click.confirm(f"Erase person {person_id}? This cannot be undone", abort=True)
    with problems_as_errors(), transaction() as session:
        person = people.get_person(session, person_id)
        keys = people.erase_person(session, person, actor=CLI_CALLER.actor, now=db.utcnow())
        withdrawn = len(person.consents)
    with transaction() as session:
        removal = remove_unowned(session, store(), keys)
    for key, why in removal.unsure:
        click.echo(f"Kept {key}: {why}; `vitrine storage check --fix` removes it later.", err=True)
    click.echo(
        f"Erased person {person_id}: {withdrawn} consent(s) kept anonymised and withdrawn, "
        f"{len(removal.removed)} signed form(s) deleted."
    )
