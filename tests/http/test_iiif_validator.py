"""Conformance: the IIIF consortium's own Image API validator (``iiif-validator`` 1.0.5 from
PyPI, command ``iiif-validate.py``, installed by scripts/iiif-validator.sh) run against the
app on a real port, at level 2 of Image API 3.0, on its own test image (tests/data/iiif/),
cleared for the web. Every test it runs must pass.

What it runs at ``--version=3.0 --level=2`` (its iiif_validator/tests/, 33 tests; each image
request is ``/iiif/3/{id}/{region}/{size}/{rotation}/{quality}.{format}`` with full, max, 0,
default and jpg where the test sets nothing else; "squares" means the colours of the image's
10x10 grid of 100 px squares, each within 5 of the truth in R, G and B, read as the most
frequent colour of a crop):

level 0
  info_json     info.json: JSON; width, height ints; ``id`` starts with http and equals the URL
                asked without /info.json; @context (or the last of a list) the 3.0 context;
                protocol http://iiif.io/api/image; profile level0/1/2; sizes and tiles lists
                of objects with int width/height, tiles with scaleFactors; type ImageService3;
                no license, attribution or logo; rights, if any, starts with http;
                extraQualities/extraFormats/extraFeatures, if any, are lists. If anything
                fails: status 200 and Content-Type application/json or application/ld+json.
  id_basic      full/max/0/default.jpg is 200 and an image
  id_squares    that image: 4 of 5 random squares right
  format_jpg    ...default.jpg decodes as JPEG
  size_nofull   size ``full`` (2.x's name) is not a 200
level 1
  baseurl_redirect  /iiif/3/{id} redirects (to info.json)
  cors          info.json has Access-Control-Allow-Origin: *
  jsonld        info.json with Accept: application/ld+json has a Content-Type starting so
  format_error_random / quality_error_random / region_error_random / rot_error_random /
  size_error_random  a random 3-6 character value (from '0'..'z') is a 400 (format: 400,
                415 or 503)
  id_error_random     a random UUID as identifier is a 404
  id_error_escapedslash  identifier ``a/b`` (an extra path segment) is a 404
  id_error_unescaped  identifier ``[frob]`` is a 400 or a 404
  id_escaped    the identifier with ``-`` sent as %2D is a 200 and an image
  region_pixels  x*100+13,y*100+13,74,74: 4 of 5 squares right
  region_square  ``square`` is a 200, its width equal to its height
  size_wc / size_ch  ``s,`` / ``,s`` (s from 450 to 750): exactly s x s, 4 of 5 squares
  size_wh       ``w,h`` (350-750 each): exactly w x h, 4 of 5 squares
  size_region   x*100,y*100,100,100 at ``s,s`` (35-90): exactly s x s, its square's colour
  size_noup     without ^, ``s,s``, ``,s``, ``s,`` (s 1100-2000), ``pct:200`` and
                ``!2000,3000`` are each a 400 (a non-image body) and never a 200
level 2
  format_png    ...default.png decodes as PNG
  quality_color ``color``: mode RGB or P
  quality_grey  ``gray``: mode L, or >650,000 pixels with R, G, B within 5 of each other
  quality_bitonal  ``bitonal``: mode 1 or L, or >650,000 pixels black or white
  region_percent  pct:x*10+1,y*10+1,9,9: 4 of 5 squares right
  rot_full_basic  rotations 180, 90, 270 of the full image: 999-1001 wide, the corner
                squares where each turn puts them
  rot_region_basic  x*100+13,y*100+13,76,76 turned 180: 75-77 wide, its square's colour
  size_bwh      ``!w,h`` (350-750 each): exactly min x min, 3 of 5 squares
  size_percent  ``pct:n`` (45-75): exactly 10n x 10n, 4 of 5 squares
(Level 3, not run: gif, jp2, pdf, tif, webp, canonical and profile Link headers, arbitrary
rotation, mirroring and size_up, whose ``^max`` expects the image's own size against §4.2.)

Where the validator and the spec's text disagree, the validator is followed: ``!2000,3000``
of a 1000x1000 image is refused (service/rules/iiif/image_requests.py says why).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.http import database as db
from service.services import iiif_gate
from service.services.context import EXTENSION
from tests.support.api import upload
from tests.support.live_server import serving
from tests.support.people import no_recognisable_people
from tests.support.rights import BM, CC_BY

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / "tests" / "data" / "iiif" / "67352ccc-d1b0-11e1-89ae-279075081939.png"
DEFAULT_VALIDATOR = ROOT / ".venv-iiif" / "bin" / "iiif-validate.py"

# The tests iiif-validate.py 1.0.5 runs for --version=3.0 --level=2: a different list means
# another validator, whose tests the comment above no longer describes.
LEVEL_2 = frozenset(
    {
        "info_json",
        "id_basic",
        "id_squares",
        "format_jpg",
        "size_nofull",
        "baseurl_redirect",
        "cors",
        "jsonld",
        "format_error_random",
        "quality_error_random",
        "region_error_random",
        "rot_error_random",
        "size_error_random",
        "id_error_random",
        "id_error_escapedslash",
        "id_error_unescaped",
        "id_escaped",
        "region_pixels",
        "region_square",
        "size_wc",
        "size_ch",
        "size_wh",
        "size_region",
        "size_noup",
        "format_png",
        "quality_color",
        "quality_grey",
        "quality_bitonal",
        "region_percent",
        "rot_full_basic",
        "rot_region_basic",
        "size_bwh",
        "size_percent",
    }
)
RESULT = re.compile(r"^\[(\d+)\] test (\w+) (PASS|FAIL)$")

pytestmark = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
Tokens = dict[str, dict[str, str]]


def validator() -> Path:
    """iiif-validate.py: VITRINE_TEST_IIIF_VALIDATOR, else the one scripts/iiif-validator.sh
    puts in .venv-iiif; skipped when missing, failed when ``CI`` is set."""
    path = Path(os.environ.get("VITRINE_TEST_IIIF_VALIDATOR") or DEFAULT_VALIDATOR)
    if not path.is_file():
        message = f"{path} is missing: run `bash scripts/iiif-validator.sh`"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: the IIIF validator must run)")
        pytest.skip(message)
    return path


def cleared_test_image(app: Flask, tokens: Tokens) -> str:
    """The validator's image uploaded, described and cleared for the web: its public id."""
    client = app.test_client()
    created = upload(
        client,
        tokens["contributor"],
        IMAGE.read_bytes(),
        IMAGE.name,
        title="IIIF validator test image",
        object_number="IIIF-67352ccc",
        alt_text="A ten by ten grid of squares, each a different colour.",
    )
    assert created.status_code == 201, created.json
    asset: dict[str, Any] = created.json
    rights = {
        "status": "cleared",
        "holder": "Trustees of the British Museum",  # the policy's rule for them burns nothing in
        "credit_line": BM,
        "licence_uri": CC_BY,
        "channels": ["web"],
    }
    answer = client.put(
        f"/api/v1/assets/{asset['id']}/rights", json=rights, headers=tokens["rights"]
    )
    assert answer.status_code == 200, answer.json
    no_recognisable_people(app, int(asset["id"]))
    public_id = str(asset["public_id"])
    with app.app_context(), db.new_session() as session:  # the web gate opens for it
        cleared = iiif_gate.cleared_for_web(session, app.extensions[EXTENSION], public_id)
        assert not cleared.stamp.burn_in, "a burned-in credit would hide the squares"
    return public_id


def failures(output: str) -> list[str]:
    """Each failed test with the lines the validator printed under it."""
    failed: list[str] = []
    for line in output.splitlines():
        result = RESULT.match(line)
        if result is not None:
            if result[3] == "FAIL":
                failed.append(line)
        elif failed and line.startswith("  "):
            failed[-1] += "\n" + line
    return failed


def test_the_iiif_validator_passes_every_level_2_test(app: Flask, tokens: Tokens) -> None:
    script = validator()
    public_id = cleared_test_image(app, tokens)
    with serving(app) as base_url:
        host = base_url.removeprefix("http://")
        ran = subprocess.run(
            [str(script), "-s", host, "-p", "iiif/3", "-i", public_id, "--version=3.0",
             "--level=2"],
            capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
        )  # fmt: skip
    output = ran.stdout + ran.stderr  # it logs its results to stderr
    results = {m[2]: m[3] for m in map(RESULT.match, output.splitlines()) if m is not None}
    failed = failures(output)
    assert not failed, f"{len(failed)} of {len(results)} IIIF validator tests fail:\n" + "\n".join(
        failed
    )
    assert set(results) == LEVEL_2, output
    assert ran.returncode == 0, output
    assert f"Done ({len(LEVEL_2)} tests, 0 failures)" in output
