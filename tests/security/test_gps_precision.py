"""Issue 11: viewers and contributors see a photograph's recorded position rounded to about
1 km (2 decimal places of a degree) everywhere it is shown, raw tags included; the rights
role and admins see it as recorded."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from service.rules import location
from tests.support import photos
from tests.support.api import upload
from tests.support.web import add_user, browser_like, signed_in

Tokens = dict[str, dict[str, str]]

# 51.5194 N, 0.1270 W (photos.LATITUDE/LONGITUDE), as each place spells it exactly.
EXACT = ("51.5194", "51.51940", "-0.127", "-0.12700", "[51, 31, 246/25]", "[0, 7, 186/5]",
         "51,31.164N", "0,7.62W", "[51, 30, 0]", "[0, 30, 0]", "[65, 83, 67, 73")  # fmt: skip
ROUNDED = ("51.52", "-0.13")
XMP_GPS = (
    '<exif:GPSLatitude xmlns:exif="http://ns.adobe.com/exif/1.0/">51,31.164N</exif:GPSLatitude>'
    '<exif:GPSLongitude xmlns:exif="http://ns.adobe.com/exif/1.0/">0,7.62W</exif:GPSLongitude>'
)


def located_photo() -> bytes:
    """A photo with a position in EXIF (plus a destination and an area name) and in XMP."""
    exif = photos.make_exif(orientation=1)
    gps = exif.get_ifd(0x8825)
    gps[0x0013] = "N"  # GPSDestLatitudeRef
    gps[0x0014] = (51.0, 30.0, 0.0)  # GPSDestLatitude
    gps[0x0015] = "W"
    gps[0x0016] = (0.0, 30.0, 0.0)  # GPSDestLongitude
    gps[0x001C] = b"ASCII\0\0\0" + b"2.5 km north of the store"  # GPSAreaInformation
    return photos.jpeg_with_rights(
        800, 600, exif=exif, xmp=photos.rights_xmp(extra=XMP_GPS), with_iptc=False
    )


@pytest.fixture
def asset_id(client: FlaskClient, tokens: Tokens) -> int:
    response = upload(client, tokens["contributor"], located_photo())
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def api_views(client: FlaskClient, tokens: Tokens, role: str, asset_id: int) -> dict[str, str]:
    headers = tokens[role]
    return {
        name: json.dumps(client.get(path, headers=headers).json)
        for name, path in (
            ("asset", f"/api/v1/assets/{asset_id}"),
            ("list", "/api/v1/assets"),
            ("metadata", f"/api/v1/assets/{asset_id}/metadata"),
        )
    }


@pytest.mark.parametrize(
    ("role", "exact"),
    [("viewer", False), ("contributor", False), ("rights", True), ("admin", True)],
)
def test_the_api_shows_a_position_exactly_only_to_the_rights_role(
    client: FlaskClient, tokens: Tokens, asset_id: int, role: str, exact: bool
) -> None:
    views = api_views(client, tokens, role, asset_id)
    gps = client.get(f"/api/v1/assets/{asset_id}", headers=tokens[role]).json["metadata"]["gps"]
    if exact:
        assert (gps["latitude"], gps["longitude"]) == (photos.LATITUDE, photos.LONGITUDE)
        assert "rounded" not in gps
        assert all("51.5194" in text for text in views.values())
        assert "51,31.164N" in views["metadata"] and "[65, 83, 67, 73" in views["metadata"]
        return
    assert gps == {"latitude": 51.52, "longitude": -0.13, "altitude": 20.0, "rounded": True}
    for name, text in views.items():
        assert not [spelling for spelling in EXACT if spelling in text], name
    raw = client.get(f"/api/v1/assets/{asset_id}/metadata", headers=tokens[role]).json["raw"]
    assert (raw["exif"]["GPSLatitude"], raw["exif"]["GPSLongitude"]) == ("51.52", "0.13")
    assert (raw["exif"]["GPSLatitudeRef"], raw["exif"]["GPSLongitudeRef"]) == ("N", "W")
    assert raw["exif"]["GPSDestLatitude"] == "51.50"
    assert raw["exif"]["GPSAreaInformation"] == location.WITHHELD
    assert (raw["xmp"]["exif:GPSLatitude"], raw["xmp"]["exif:GPSLongitude"]) == ("51.52N", "0.13W")


@pytest.mark.parametrize(
    ("role", "exact"),
    [("viewer", False), ("contributor", False), ("rights", True), ("admin", True)],
)
def test_the_asset_page_shows_a_position_exactly_only_to_the_rights_role(
    app: Flask, asset_id: int, role: str, exact: bool
) -> None:
    add_user(app, f"{role}-person", role)
    web = browser_like(app.test_client())
    signed_in(web, f"{role}-person")
    html = web.get(f"/assets/{asset_id}").get_data(as_text=True)
    if exact:
        assert "51.51940, -0.12700" in html
        assert "[51, 31, 246/25]" in html and "51,31.164N" in html
        return
    assert "51.52, -0.13" in html and "rounded to about 1 km" in html
    assert not [spelling for spelling in EXACT if spelling in html]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("[51, 31, 246/25]", "51.52"),
        ("[51, 31, 9.84]", "51.52"),
        ("[51/1, 31/1, 0/0]", None),  # a zero denominator: cannot be read
        ("51,31.164N", "51.52N"),
        ("51,31,9.84N", "51.52N"),
        ("33,52.5S", "33.88S"),
        ("somewhere", None),
        ("", None),
        ("[1, 2, 3, 4]", None),
    ],
)
def test_a_raw_coordinate_is_rounded_or_withheld_when_it_cannot_be_read(
    raw: str, shown: str | None
) -> None:
    rounded = location.coarse_raw({"exif": {"GPSLatitude": raw}})["exif"]["GPSLatitude"]
    assert rounded == (shown or location.WITHHELD)


def test_gps_tags_that_cannot_place_the_camera_are_kept_and_others_withheld() -> None:
    raw = {
        "exif": {"GPSVersionID": "[2, 3, 0, 0]", "GPSDateStamp": "2024:03:27", "Make": "Canon",
                 "GPSDestBearing": "93", "GPSDestDistance": "12", "GPSFutureTag": "x"},
        "xmp": {"Iptc4xmpExt:LocationShown[1]/exif:GPSLongitude": "0,7.62W",
                "photoshop:City": "London"},
    }  # fmt: skip
    shown = location.coarse_raw(raw)
    assert shown["exif"]["GPSVersionID"] == "[2, 3, 0, 0]"
    assert shown["exif"]["GPSDateStamp"] == "2024:03:27"
    assert shown["exif"]["Make"] == "Canon"
    for name in ("GPSDestBearing", "GPSDestDistance", "GPSFutureTag"):
        assert shown["exif"][name] == location.WITHHELD
    assert shown["xmp"]["Iptc4xmpExt:LocationShown[1]/exif:GPSLongitude"] == "0.13W"
    assert shown["xmp"]["photoshop:City"] == "London"


def test_the_test_photo_really_carries_the_extra_gps_tags() -> None:
    with Image.open(io.BytesIO(located_photo())) as image:
        gps = image.getexif().get_ifd(0x8825)
    assert {0x0014, 0x0016, 0x001C} <= set(gps)
