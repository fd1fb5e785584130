"""Bulk import: a folder with a sidecar, in parallel, resumable, with a summary."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.database import stored_state


def make_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "basket.jpg").write_bytes(photos.jpeg_with_rights())
    (folder / "cast.png").write_bytes(photos.png_with_alpha(120, 80))
    (folder / "nested").mkdir()
    (folder / "nested" / "mosaic.jpg").write_bytes(photos.jpeg_plain(90, 70))
    (folder / "copy-of-basket.jpg").write_bytes(photos.jpeg_with_rights())
    (folder / "notes.jpg").write_text("not a photo")
    (folder / ".DS_Store").write_bytes(b"\0\0")
    with (folder / "metadata.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["filename", "title", "object_number", "alt_text", "tags", "holder",
                         "credit_line"])  # fmt: skip
        writer.writerow(["cast.png", "Cast of a fresco", "1896,0501.1", "A painted plaster cast",
                         "MuseumWeek, casts", "Leicester Museums", "© Leicester Museums"])  # fmt: skip


def test_import_adds_each_distinct_image_once_reports_refusals_and_can_be_rerun(
    app: Flask, client: FlaskClient, runner: Any, tokens: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:  # fmt: skip
    folder = tmp_path / "week"
    make_folder(folder)
    first = runner.invoke(args=["import", str(folder), "--workers", "3", "--as", "digital-team"])
    assert first.exit_code == 1  # notes.jpg is refused
    assert "3 added, 1 duplicate(s), 1 refused" in first.output
    assert "refused: notes.jpg: unsupported-media-type" in first.output
    rows, keys = stored_state(app)
    assert (rows, len(keys)) == (3, 3)

    listed = client.get("/api/v1/assets?q=fresco", headers=tokens["viewer"]).json["items"]
    [cast] = listed
    assert (cast["object_number"], cast["tags"], cast["uploaded_by"]) == (
        "1896,0501.1", ["MuseumWeek", "casts"], "digital-team"
    )  # fmt: skip
    record = client.get(f"/api/v1/assets/{cast['id']}/rights", headers=tokens["viewer"]).json
    assert (record["holder"], record["credit_line"], record["status"], record["proposed"]) == (
        "Leicester Museums", "© Leicester Museums", "unknown", True
    )  # fmt: skip

    again = runner.invoke(args=["import", str(folder)])
    assert "0 added, 4 duplicate(s), 1 refused" in again.output
    assert stored_state(app) == (rows, keys)
