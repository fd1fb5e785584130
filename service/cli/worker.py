"""``vitrine worker``: the Celery task worker, with its own metrics port."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.cli.common import flask_app
from service.ops import jobs, metrics


@click.command("worker")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Tasks at once [default: one per CPU]."
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "threads", "solo"]),
    default="prefork",
    show_default=True,
    help="Processes, threads, or one task at a time in this process.",
)
@click.option(
    "--loglevel",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve Prometheus metrics (renders, queue depth) on this port "
    "[default: VITRINE_WORKER_METRICS_PORT, else none].",
)
@click.option(
    "--metrics-host",
    help="Address the metrics port listens on, 0.0.0.0 in a container "
    "[default: VITRINE_WORKER_METRICS_HOST, else 127.0.0.1].",
)
@with_appcontext
def worker_command(
    concurrency: int | None,
    pool: str,
    loglevel: str,
    metrics_port: int | None,
    metrics_host: str | None,
) -> None:
    """Run a task worker: renders variants ahead for the web tier, via VITRINE_BROKER_URL."""
    app = flask_app()
    if metrics_port is None:
        metrics_port = app.config["WORKER_METRICS_PORT"]
        if metrics_port is not None and not 1 <= metrics_port <= 65535:
            raise click.ClickException("VITRINE_WORKER_METRICS_PORT must be a port, 1 to 65535.")
    metrics_host = metrics_host or app.config["WORKER_METRICS_HOST"]
    if metrics_port is not None:
        if pool == "prefork" and not app.config["PROMETHEUS_MULTIPROC_DIR"]:
            raise click.ClickException(
                "--metrics-port with the prefork pool needs PROMETHEUS_MULTIPROC_DIR (an empty "
                "directory) so that the processes' counts add up; or use --pool threads."
            )
        metrics.serve(app, metrics_host, metrics_port)
    # Mingle and gossip sync state between workers at start; the tasks need neither.
    argv = [f"--pool={pool}", f"--loglevel={loglevel}", "--hostname=vitrine@%h"]
    argv += ["--without-mingle", "--without-gossip"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    try:
        jobs.run_worker(app, argv)
    except jobs.NoBroker as error:
        raise click.ClickException(str(error)) from None
