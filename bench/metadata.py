"""How long reading a file's embedded metadata takes (service.media.metadata.read_metadata),
per kind of file a museum uploads: a camera JPEG with EXIF, IIM and XMP; one whose XMP spills
into Extended XMP; a 16-bit TIFF with its tags; a PNG with text keywords; WebP; AVIF; and a
24-megapixel JPEG (header only: the pixels must not cost anything).

    PYTHONPATH=. .venv/bin/python bench/metadata.py [--runs 200]

Prints p50 and p95 in milliseconds per file. ExifTool writes the Extended XMP and PNG text.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from service.media.metadata import read_metadata
from tests.support import photos


def files(workdir: Path) -> dict[str, Path]:
    """The files to read, written once."""
    made = {
        "camera JPEG (EXIF, IIM, XMP, ICC)": ("camera.jpg", photos.jpeg_with_rights()),
        "16-bit TIFF (EXIF, IIM, XMP, ICC)": ("tiff16.tif", photos.tiff_16bit()),
        "WebP (EXIF, XMP, ICC)": ("photo.webp", photos.webp(rights=True)),
        "AVIF (EXIF, XMP, ICC)": ("photo.avif", photos.avif(rights=True)),
        "24 MP JPEG (EXIF, IIM, XMP)": ("big.jpg", photos.jpeg_with_rights(6000, 4000)),
    }
    paths = {}
    for label, (name, data) in made.items():
        paths[label] = workdir / name
        paths[label].write_bytes(data)
    extended = workdir / "extended.jpg"
    extended.write_bytes(photos.jpeg_with_rights())
    long_text = workdir / "long.txt"
    long_text.write_text("A long catalogue note. " * 4500)  # ~100 KB: three extension segments
    exiftool(extended, f"-XMP-dc:Description<={long_text}")
    paths["JPEG with ~100 KB Extended XMP"] = extended
    png = workdir / "text.png"
    Image.new("RGB", (800, 600), (90, 60, 30)).save(png)
    description = "-PNG:Description=" + "A basket. " * 200
    exiftool(png, "-z", "-PNG:Author=Ann Photographer", "-PNG:Copyright=© Museum", description,
             "-PNG:CreationTime=2024:03:27 10:15:00")  # fmt: skip
    paths["PNG with text keywords"] = png
    return paths


def exiftool(path: Path, *arguments: str) -> None:
    subprocess.run(
        ["exiftool", "-q", "-q", "-m", "-overwrite_original", *arguments, str(path)], check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as workdir:
        for label, path in files(Path(workdir)).items():
            read_metadata(path)  # warm: imports, Pillow's plugins
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                read_metadata(path)
                timings.append((time.perf_counter() - started) * 1000)
            p95 = statistics.quantiles(timings, n=20)[18]
            size = path.stat().st_size / 1024
            print(f"{label:<38} {size:>9,.0f} KiB  p50 {statistics.median(timings):6.2f} ms"
                  f"  p95 {p95:6.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
