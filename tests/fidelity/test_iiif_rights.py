"""IIIF answers carry the rights: written into every format's metadata (read back by
ExifTool), burned into the pixels where the policy asks and the answer is large enough for
the credit to be read, and keyed into the answer's name, so that a rights change never serves
the bytes made under the old rights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageStat

from service.services import context, iiif_pyramids
from tests.fidelity.test_iiif_pixels import FLOOR_DB, png, psnr, reference, sample_image
from tests.support import photos
from tests.support.exiftool import exiftool
from tests.support.iiif_images import (
    answer_etag,
    asked,
    asset_id_of,
    cleared_image,
    info,
    pixels,
    serve,
    sha_of,
)
from tests.support.rights import BM, CC_BY

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
pytestmark = SQLITE_LOCAL
Tokens = dict[str, dict[str, str]]


def burn_in_for_every_holder(client: FlaskClient, tokens: Tokens) -> None:
    policy = client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    rules = [{**rule, "burn_in": True} for rule in policy["rules"]]
    put = client.put("/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"])
    assert put.status_code == 200, put.json


def corner_and_rest(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """The bottom-right corner where the credit goes, and the top three quarters."""
    width, height = image.size
    corner = image.crop((width // 3, height * 7 // 8, width, height))
    return corner, image.crop((0, 0, width, height * 3 // 4))


def credited(answer: Image.Image, want: Image.Image) -> bool:
    """Whether the answer differs from the reference by a credit box in its bottom-right
    corner (a dark box with light text) and nowhere else."""
    corner, rest = corner_and_rest(answer.convert("RGB"))
    want_corner, want_rest = corner_and_rest(want)
    assert psnr(rest, want_rest) >= FLOOR_DB  # the rest is the picture, either way
    changed = max(ImageStat.Stat(ImageChops.difference(corner, want_corner)).mean)
    return changed > 15


@pytest.mark.parametrize(
    ("image_format", "quality"),
    [("jpg", "default"), ("png", "default"), ("webp", "default"), ("jpg", "gray"),
     ("png", "bitonal")],
)  # fmt: skip
def test_every_format_carries_the_rights_exiftool_reads_and_nothing_of_the_original(
    app: Flask, client: FlaskClient, tokens: Tokens, tmp_path: Path, image_format: str,
    quality: str,
) -> None:  # fmt: skip
    # A camera original: GPS, IPTC, the photo desk's XMP, an Adobe RGB profile.
    data = photos.jpeg_with_rights(width=1200, height=900, orientation=1)
    public_id = cleared_image(client, tokens, data, "basket.jpg", creator="Jane Photographer")
    answer = serve(app, public_id, asked((0, 0, 1200, 900), (600, 450), quality=quality,
                                         format=image_format))  # fmt: skip
    path = tmp_path / f"answer.{image_format}"
    path.write_bytes(answer.data)
    (tags,) = exiftool(path)
    assert tags["IFD0:Copyright"] == BM
    assert tags["IFD0:Artist"] == "Jane Photographer"
    assert tags["XMP-dc:Rights"] == BM
    assert tags["XMP-photoshop:Credit"] == BM
    assert tags["XMP-xmpRights:WebStatement"] == CC_BY
    assert tags["XMP-dc:Title"] == "Somali wedding basket"
    assert tags["XMP-dc:Identifier"] == "Af1935,0711.1"
    groups = {key.split(":")[0] for key in tags}
    assert not groups & {"GPS", "IPTC", "ExifIFD", "IFD1", "Photoshop"}, groups
    colour = quality == "default" or image_format == "webp"
    assert (tags.get("ICC_Profile:ProfileDescription") == "sRGB built-in") == colour, tags


def test_the_credit_is_burned_in_from_the_threshold_up_and_reads_upright_when_turned(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    burn_in_for_every_holder(client, tokens)
    original = sample_image()
    public_id = cleared_image(client, tokens, png(original))
    threshold = context.of(app).iiif_credit_min_edge
    assert threshold == 400
    cases = [
        (asked((0, 0, 512, 512), (512, 512), format="png"), True),  # a tile at full size
        (asked((0, 0, 1500, 1000), (600, 400), format="png"), True),  # short edge 400
        (asked((0, 0, 1500, 1000), (598, 399), format="png"), False),  # short edge 399
        (asked((0, 0, 1500, 1000), (375, 250), format="png"), False),  # a thumbnail
        (asked((0, 0, 1000, 500), (800, 400), rotation=90, format="png"), True),
    ]
    for request, burned in cases:
        answer = pixels(serve(app, public_id, request))
        assert credited(answer, reference(original, request)) == burned, request


def test_the_legibility_threshold_is_configured_and_changes_the_answers_names(
    app: Flask, make_app: Any, client: FlaskClient, tokens: Tokens
) -> None:
    burn_in_for_every_holder(client, tokens)
    original = sample_image()
    public_id = cleared_image(client, tokens, png(original))
    thumbnail = asked((0, 0, 1500, 1000), (375, 250), format="png")
    plain = serve(app, public_id, thumbnail)
    lower = make_app(IIIF_CREDIT_MIN_EDGE=200)
    with_credit = serve(lower, public_id, thumbnail)
    assert with_credit.etag != plain.etag
    assert credited(pixels(with_credit), reference(original, thumbnail))
    assert not credited(pixels(plain), reference(original, thumbnail))


def test_a_kept_answer_is_served_again_from_its_blob_without_touching_the_pyramid(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    public_id = cleared_image(client, tokens, png(sample_image()))
    store = context.of(app).store
    tile = asked((512, 0, 512, 512), (512, 512))
    first = serve(app, public_id, tile)
    sha = sha_of(app, public_id)
    pyramid = list(store.keys(iiif_pyramids.spec_prefix(sha)))
    assert iiif_pyramids.index_key(sha) in pyramid
    assert len(list(store.keys(iiif_pyramids.answers_prefix(sha)))) == 1
    for key in pyramid:  # the pyramid gone, in the store and in this process's memory
        store.delete(key)
    iiif_pyramids.forget(sha)
    again = serve(app, public_id, tile)
    assert (again.data, again.etag, again.media_type) == (first.data, first.etag, "image/jpeg")
    assert list(store.keys(iiif_pyramids.spec_prefix(sha))) == []  # not read, not rebuilt
    # A region off the tile grid is drawn afresh each time, from a pyramid built again.
    odd = serve(app, public_id, asked((100, 100, 300, 300), (150, 150)))
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))
    assert len(list(store.keys(iiif_pyramids.answers_prefix(sha)))) == 1
    assert serve(app, public_id, asked((100, 100, 300, 300), (150, 150))).etag == odd.etag


def test_a_rights_change_gives_new_bytes_and_new_etags_even_when_the_stamp_is_the_same(
    app: Flask, client: FlaskClient, tokens: Tokens, tmp_path: Path
) -> None:
    public_id = cleared_image(client, tokens, png(sample_image()), creator="Jane Photographer")
    tile = asked((0, 0, 512, 512), (512, 512))
    before, info_before = serve(app, public_id, tile), info(app, public_id)
    asset_id = asset_id_of(app, public_id)
    changed = client.put(f"/api/v1/assets/{asset_id}/rights", headers=tokens["rights"],
                         json={"creator": "Ahmed Photographer"})  # fmt: skip
    assert changed.status_code == 200, changed.json
    after, info_after = serve(app, public_id, tile), info(app, public_id)
    assert after.etag != before.etag and after.data != before.data
    assert answer_etag(app, public_id, tile) == after.etag
    assert info_after.etag != info_before.etag
    path = tmp_path / "after.jpg"
    path.write_bytes(after.data)
    assert exiftool(path)[0]["IFD0:Artist"] == "Ahmed Photographer"
    # A note changes no pixel and no metadata, but a new revision is new rights all the same.
    noted = client.put(f"/api/v1/assets/{asset_id}/rights", headers=tokens["rights"],
                       json={"notes": "Checked against the loan agreement."})  # fmt: skip
    assert noted.status_code == 200, noted.json
    assert serve(app, public_id, tile).etag not in (before.etag, after.etag)
    assert info(app, public_id).etag != info_after.etag
