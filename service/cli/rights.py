"""``vitrine rights``: rights records, and the deadlines in them."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.http.transactions import transaction
from service.services import consents, rights
from service.storage import db

rights_group = AppGroup("rights", help="Rights records.")


@rights_group.command("expiring")
@click.option("--within-days", type=click.IntRange(0, 3650), default=14, show_default=True)
def rights_expiring(within_days: int) -> None:
    """Licences that expire and embargoes that lift soon, soonest first; then the consents
    that end."""
    today = db.utcnow().date()
    with transaction() as session:
        deadlines = rights.expiring(session, today=today, within_days=within_days)
        for deadline in deadlines:
            what = "licence expires" if deadline.event == "licence_expires" else "embargo lifts"
            days = (deadline.on - today).days
            click.echo(
                f"{deadline.on.isoformat()}\t{what}\tin {days} day(s)\tasset {deadline.asset_id}"
                f"\t{deadline.object_number}\t{deadline.title}"
            )
        # The console operator may read the register: people by number, role and name.
        ending = consents.expiring(session, today=today, within_days=within_days)
        for found in ending:
            days = (found.on - today).days
            covers = ",".join(found.channels) + (f" ({','.join(found.platforms)})"
                                                 if found.platforms else "")  # fmt: skip
            click.echo(
                f"{found.on.isoformat()}\tconsent expires\tin {days} day(s)"
                f"\tperson {found.person_id} ({found.person_role})\tconsent {found.consent_id}"
                f"\t{covers}\t{found.person_name}"
            )
        total = len(deadlines) + len(ending)
        click.echo(f"{total} deadline(s) within {within_days} day(s)")
