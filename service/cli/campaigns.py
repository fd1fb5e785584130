"""``vitrine campaign``: campaigns planned from a file, listed, and written back as a plan.

A plan is YAML or JSON (``services/campaign_plans.py`` says what it holds). The audit and
the export bundle add their commands to this group from their own modules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import yaml
from flask.cli import AppGroup

from service.cli.common import CLI_CALLER, presets_in_force, problems_as_errors
from service.http.transactions import transaction
from service.rules.problems import InvalidInput
from service.services import campaign_plans, campaigns

campaign_group = AppGroup(
    "campaign", help="Campaigns: a week of posts planned from a file, listed, written back."
)


class PlanLoader(yaml.SafeLoader):
    """YAML as a plan's author means it: ``time: 10:30`` is a time, not the number 630.

    YAML 1.1 reads digits separated by colons as a number in base 60; a plan has none.
    """


PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PlanLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


def read_plan(path: Path) -> Any:
    """The plan in ``path``: JSON when it is named .json, else YAML; a ClickException saying
    where the file is not one."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise click.ClickException(
                f"{path}, line {error.lineno}, column {error.colno}: not JSON ({error.msg})"
            ) from None
    try:
        return yaml.load(text, Loader=PlanLoader)  # noqa: S506  (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise click.ClickException(f"{path}{where}: not YAML ({problem})") from None


def write_plan(plan: dict[str, Any], fmt: str) -> str:
    """The plan as YAML or JSON text, in the order ``plan_of`` gives."""
    if fmt == "json":
        return json.dumps(plan, ensure_ascii=False, indent=2) + "\n"
    dumped: str = yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=100)
    return dumped


@campaign_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--name", help="Import the plan under this name instead of its own.")
def campaign_import(file: Path, name: str | None) -> None:
    """Create a campaign from the plan in FILE (YAML, or JSON when named .json).

    All or nothing: a bad value anywhere is named by where it is (days[2].posts[0].media[1])
    and nothing is created (exit 1).
    """
    plan = read_plan(file)
    if name is not None and isinstance(plan, dict):
        plan = {**plan, "name": name}
    try:
        with transaction() as session:
            campaign = campaign_plans.import_plan(
                session, plan, actor=CLI_CALLER.actor, presets=presets_in_force(session)
            )
            days, count = len(campaign.days), sum(len(day.posts) for day in campaign.days)
            summary = f"campaign {campaign.id} {campaign.name!r}: {days} day(s), {count} post(s)"
    except InvalidInput as refused:
        lines = [f"  {where}: {message}" for where, message in refused.extra["errors"].items()]
        heading = f"{file} is not a plan Vitrine takes:"
        raise click.ClickException("\n".join([heading, *lines])) from None
    click.echo(summary)


@campaign_group.command("list")
def campaign_list() -> None:
    """Every campaign, the newest first: id, name, hashtag, time zone, dates, posts."""
    with transaction() as session:
        for campaign in campaigns.list_campaigns(session):
            days = campaign.days
            dates = f"{days[0].date}..{days[-1].date}" if days else "no days"
            count = sum(len(day.posts) for day in days)
            click.echo(
                f"{campaign.id}\t{campaign.name}\t{campaign.hashtag or '-'}\t{campaign.timezone}"
                f"\t{dates}\t{count} post(s)"
            )


@campaign_group.command("plan")
@click.argument("name")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The file to write; - for standard output.",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]),
    help="Default: json for a file named .json, else yaml.",
)  # fmt: skip
def campaign_plan(name: str, out: Path, fmt: str | None) -> None:
    """Write the campaign NAME (or id) as a plan that `vitrine campaign import` takes."""
    with problems_as_errors(), transaction() as session:
        plan = campaign_plans.plan_of(campaigns.find_campaign(session, name))
    text = write_plan(plan, fmt or ("json" if out.suffix.lower() == ".json" else "yaml"))
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
