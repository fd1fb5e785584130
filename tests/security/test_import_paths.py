"""`vitrine import` reads only regular files inside the folder it is given.

Links are never followed, whether they lead outside (to a file, a folder, up through ``..``)
or stay inside (a link to a file in the folder, a folder linked into a loop); special files
(a FIFO, a socket, a device) are never opened. Each is skipped and reported. A file swapped
for a link after the folder was listed is not read either.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.http import database as db
from service.services import importer
from service.storage.models import Asset
from tests.support import photos
from tests.support.database import stored_state

SECRET = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the imported folder that a link may point at: a passwd-like file, and
    a photograph that would be imported if a link to it were followed."""
    place = tmp_path / "outside"
    (place / "dir").mkdir(parents=True)
    (place / "passwd").write_bytes(SECRET)
    (place / "secret.jpg").write_bytes(photos.jpeg_plain(123, 45))
    (place / "dir" / "also-secret.jpg").write_bytes(photos.jpeg_plain(124, 45))
    return place


@contextmanager
def unix_socket(path: Path) -> Iterator[None]:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    try:
        yield
    finally:
        server.close()


def invoke_guarded(runner: Any, args: list[str], fifos: list[Path]) -> Any:
    """Run the CLI in a thread; if it is still running after a minute, it hangs on a FIFO:
    open the FIFOs for writing (which ends its wait) and fail."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(runner.invoke(args=args)), daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():
        for fifo in fifos:
            with suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("the import hangs: it opened a FIFO")
    return result[0]


def test_import_reads_only_regular_files_inside_the_folder_and_reports_what_it_skips(
    app: Flask, runner: Any, tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "week"
    (folder / "nested").mkdir(parents=True)
    (folder / "basket.jpg").write_bytes(photos.jpeg_plain(200, 100))
    (folder / "nested" / "mosaic.jpg").write_bytes(photos.jpeg_plain(201, 100))
    links = {
        "passwd.jpg": outside / "passwd",  # a file outside
        "secret.jpg": outside / "secret.jpg",  # a photograph outside
        "outside-dir": outside / "dir",  # a folder outside
        "nested/up": Path("../.."),  # `..` out of the folder
        "nested/escape.jpg": Path("../../outside/secret.jpg"),  # `..` to a file outside
        "loop": Path("."),  # a folder linked into a loop
        "nested/back": Path(".."),  # another loop, inside
        "same-basket.jpg": Path("basket.jpg"),  # a file inside
        "gone.jpg": Path("nowhere.jpg"),  # a link to nothing
    }
    for name, target in links.items():
        (folder / name).symlink_to(target)
    fifo = folder / "pipe.jpg"
    os.mkfifo(fifo)
    device = folder / "zero.jpg"
    try:
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: endless bytes
    except PermissionError:
        device = fifo  # not allowed to make devices here: the FIFO stands in
    with unix_socket(folder / "socket.jpg"):
        result = invoke_guarded(runner, ["import", str(folder)], [fifo])

    assert "2 added, 0 duplicate(s), 0 refused" in result.output, result.output
    expected = {
        "passwd.jpg": importer.LINK_OUTSIDE,
        "secret.jpg": importer.LINK_OUTSIDE,
        "outside-dir": importer.LINK_OUTSIDE,
        "nested/up": importer.LINK_OUTSIDE,
        "nested/escape.jpg": importer.LINK_OUTSIDE,
        "loop": importer.LINK_INSIDE,
        "nested/back": importer.LINK_INSIDE,
        "same-basket.jpg": importer.LINK_INSIDE,
        "gone.jpg": importer.LINK_BROKEN,
        "pipe.jpg": importer.NOT_REGULAR,
        "socket.jpg": importer.NOT_REGULAR,
        device.name: importer.NOT_REGULAR,
    }
    for name, reason in expected.items():
        assert f"skipped: {name}: {reason}" in result.output, result.output
    assert f"{len(expected)} skipped" in result.output
    assert "refused" not in result.output.replace("0 refused", "")  # nothing was even read
    assert result.exit_code == 1  # not everything in the folder was imported
    rows, _ = stored_state(app)
    assert rows == 2


def test_a_sidecar_that_is_a_link_outside_is_skipped_and_not_read(
    app: Flask, runner: Any, tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "week"
    folder.mkdir()
    (folder / "basket.jpg").write_bytes(photos.jpeg_plain(210, 100))
    (outside / "metadata.csv").write_text("filename,title\nbasket.jpg,Read from outside\n")
    (folder / "metadata.csv").symlink_to(outside / "metadata.csv")
    result = runner.invoke(args=["import", str(folder)])
    assert f"skipped: metadata.csv: {importer.LINK_OUTSIDE}" in result.output, result.output
    assert "1 added" in result.output
    with app.app_context(), db.new_session() as session:
        [asset] = session.query(Asset).all()
        assert asset.title != "Read from outside"


def test_a_file_swapped_for_a_link_after_the_listing_is_not_read(
    app: Flask, tmp_path: Path, outside: Path
) -> None:
    folder = tmp_path / "week"
    (folder / "nested").mkdir(parents=True)
    for name in ("a.jpg", "b.jpg", "nested/c.jpg"):
        (folder / name).write_bytes(photos.jpeg_plain(150 + len(name), 90))

    def swap(summary: importer.ImportSummary, total: int) -> None:
        if summary.added == ["a.jpg"] and summary.done == 1:  # b.jpg and nested/ become links
            (folder / "b.jpg").unlink()
            (folder / "b.jpg").symlink_to(outside / "secret.jpg")
            (folder / "nested").rename(folder / "moved")
            (folder / "nested").symlink_to(outside / "dir")
            (outside / "dir" / "c.jpg").write_bytes(photos.jpeg_plain(999, 90))

    summary = importer.import_folder(app, folder, uploaded_by="test", workers=1, on_progress=swap)
    assert summary.added == ["a.jpg"]
    assert sorted(summary.skipped) == [
        ("b.jpg", importer.BECAME_LINK),
        ("nested/c.jpg", importer.BECAME_LINK),
    ]
    assert stored_state(app)[0] == 1
