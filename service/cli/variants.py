"""``vitrine render``: an asset's variants written to a folder, behind the publish gate."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import with_appcontext

from service.cli.common import presets_in_force, publish, store
from service.http.transactions import transaction
from service.rules.problems import Problem
from service.services import assets


@click.command("render")
@click.argument("asset_id", type=int)
@click.argument("preset_names", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--channel", default=None, help="Audit for this one of the preset's channels (default: all)."
)
@click.option(
    "--override", "override_reason", help="Publish despite a failing audit; the reason is kept."
)
@with_appcontext
def render_command(
    asset_id: int, preset_names: tuple[str, ...], out_dir: Path, channel: str | None,
    override_reason: str | None,
) -> None:  # fmt: skip
    """Write an asset's variants for the given presets into a folder, behind the same audit."""
    refused = 0
    failure: Problem | None = None
    # One transaction for the command. A problem other than a refusal stops it after the
    # block, so that the override history of each file already written is still committed.
    with transaction() as session:
        known = presets_in_force(session)
        unknown = [name for name in preset_names if name not in known]
        if unknown:
            raise click.BadParameter(
                f"unknown preset(s): {', '.join(unknown)}", param_hint="PRESET"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in preset_names:
            preset = known[name]
            try:
                asset = assets.get_asset(session, asset_id)
                published = publish(
                    session, asset, preset, channel=channel, override_reason=override_reason
                )
            except Problem as problem:
                if problem.status != 409:
                    failure = problem
                    break
                click.echo(f"{name}: refused: {problem.detail}", err=True)
                refused += 1
                continue
            variant = published.variant
            extension = variant.blob_key.rsplit(".", 1)[1]
            target = out_dir / f"asset-{asset_id}-{name}.{extension}"
            with store().open(variant.blob_key) as stream, target.open("wb") as out:
                shutil.copyfileobj(stream, out)
            (target.with_suffix(".txt")).write_text(published.caption.caption.text + "\n")
            click.echo(
                f"{name}: {target} ({variant.width}x{variant.height}, {variant.byte_size:,} bytes)"
            )
    if failure is not None:
        raise click.ClickException(failure.detail)
    if refused:
        raise SystemExit(1)
