"""Issue 16: what a file says of the people it shows, from upload to variant, read back with
ExifTool. Ingest proposes the people status from the embedded IPTC/PLUS fields and keeps the
names for the rights role only; a variant states the model release (plus:ModelReleaseStatus,
plus:ModelReleaseID) and never names anyone the original named."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.media import render
from service.rules.embedded_people import WITHHELD
from service.rules.presets import DEFAULT_PRESETS, Preset
from service.services import context, variants
from service.storage.models import Asset
from tests.hostile.png_files import png_xmp
from tests.support import people_xmp as P
from tests.support import photos
from tests.support.exiftool import exiftool
from tests.support.openapi import Api, clear
from tests.support.render import STAMP
from tests.support.web import add_user, browser_like, signed_in

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
BOTH_DATABASES = pytest.mark.parametrize(
    ("database_url", "blob_settings"),
    [("sqlite", "local"), ("postgresql", "s3")],
    indirect=True,
)
NAMES = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Mary Anning", "Rosalind Franklin")
PLUS_URI = "http://ns.useplus.org/ldf/vocab/"
# Where ExifTool puts a name the original carried: none of these may reach a variant.
PEOPLE_TAGS = ("PersonInImage", "ImageRegion", "RegionInfo", "RegionList", "PersonName")


def people_packet(status: str = "MR-UMR") -> bytes:
    """An XMP packet naming people every way a photo desk can, with a model release."""
    return P.packet(
        P.persons(NAMES[0], NAMES[1])
        + P.persons_with_details((NAMES[2], "https://example.org/people/7"))
        + P.iptc_regions(
            P.iptc_region((0.1, 0.2, 0.3, 0.4), name=NAMES[0]),
            P.iptc_region((0.5, 0.1, 0.2, 0.2), inside=P.persons(NAMES[3])),
        )
        + P.mwg_faces((NAMES[4], (0.5, 0.5, 0.2, 0.2)), size=(1200, 900))
        + P.release(PLUS_URI + status, "MR-2026-001", "MR-2026-002")
    )


def names_in(tags: dict[str, Any]) -> list[str]:
    """Every tag ExifTool read whose key or value names a person or a region of one."""
    text = json.dumps(tags, ensure_ascii=False)
    found = [name for name in NAMES if name in text]
    return found + [key for key in tags if any(tag in key for tag in PEOPLE_TAGS)]


def test_the_original_carries_the_names_exiftool_reads(tmp_path: Path) -> None:
    path = tmp_path / "people.jpg"
    path.write_bytes(photos.jpeg_with_xmp(people_packet(), 1200, 900))
    (tags,) = exiftool(path)
    assert set(NAMES) <= set(names_in(tags))
    assert tags["XMP-plus:ModelReleaseStatus"] == "Unlimited Model Releases"


@pytest.mark.parametrize("preset", [DEFAULT_PRESETS["x"], Preset("a", 600, 600, "within", format="avif"),
                                    Preset("w", 600, 600, "within", format="webp")], ids=lambda p: p.format)  # fmt: skip
def test_a_variant_states_the_release_and_names_nobody(tmp_path: Path, preset: Preset) -> None:
    source = tmp_path / "people.jpg"
    source.write_bytes(photos.jpeg_with_xmp(people_packet(), 1200, 900))
    stamp = replace(STAMP, release_status="MR-UMR", release_ids=("MR-2026-001",))
    [rendered] = render.render_variants(
        source, [preset], focal=(0.5, 0.5), stamp=stamp, max_pixels=50_000_000
    ).values()
    path = tmp_path / f"variant.{preset.format}"
    path.write_bytes(rendered.data)
    (tags,) = exiftool(path)
    assert tags["XMP-plus:ModelReleaseStatus"] == "Unlimited Model Releases"
    assert tags["XMP-plus:ModelReleaseID"] == "MR-2026-001"
    assert names_in(tags) == []
    assert not [key for key in tags if key.endswith("Warning")], tags


def test_a_name_is_written_only_when_the_stamp_carries_it(tmp_path: Path) -> None:
    """The hook for a consent that allows the name in metadata (Consent.name_in_metadata)."""
    source = tmp_path / "plain.jpg"
    source.write_bytes(photos.jpeg_plain(800, 600))
    stamp = replace(STAMP, person_names=("Ṣāḥib ʿAlī",))
    [rendered] = render.render_variants(
        source, [DEFAULT_PRESETS["x"]], focal=(0.5, 0.5), stamp=stamp, max_pixels=50_000_000
    ).values()
    path = tmp_path / "named.jpg"
    path.write_bytes(rendered.data)
    (tags,) = exiftool(path)
    assert tags["XMP-iptcExt:PersonInImage"] == "Ṣāḥib ʿAlī"
    assert "XMP-plus:ModelReleaseStatus" not in tags


def _asset(app: Flask, asset_id: int) -> tuple[str, bool]:
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        return asset.people_status, asset.people_proposed


def _render(app: Flask, asset_id: int, preset: str, tmp_path: Path) -> dict[str, Any]:
    """The asset's variant as the render service makes it (the stamp from the asset's own
    state), read back by ExifTool."""
    services = context.of(app)
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        variant = variants.get_or_render(
            session, services.store, asset, services.presets[preset], services.rendering
        )
        with services.store.open(variant.blob_key) as blob:
            data = blob.read()
    path = tmp_path / f"{asset_id}-{preset}.jpg"
    path.write_bytes(data)
    (tags,) = exiftool(path)
    return tags


@BOTH_DATABASES
def test_upload_proposes_people_and_only_the_rights_role_reads_their_names(
    app: Flask, api: Api, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    created = api.upload(
        tokens["contributor"], photos.jpeg_with_xmp(people_packet(), 1200, 900), "people.jpg"
    )
    assert created.status_code == 201, created.json
    asset_id = created.json["id"]
    assert _asset(app, asset_id) == ("depicted", True)

    seen = created.json["metadata"]["people"]  # the contributor's answer
    assert seen["withheld"] is True and seen["names"] == [] and seen["person_ids"] == []
    assert seen["named"] == len(NAMES)
    assert [r["name"] for r in seen["regions"]] == [None, None, None]
    assert seen["release_status"] == "MR-UMR"
    for role in ("viewer", "contributor"):
        for path in (f"/api/v1/assets/{asset_id}", f"/api/v1/assets/{asset_id}/metadata"):
            answer = api.call("GET", path, headers=tokens[role])
            assert answer.status_code == 200
            text = answer.get_data(as_text=True)
            assert not [name for name in NAMES if name in text], (role, path)
        raw = api.call("GET", f"/api/v1/assets/{asset_id}/metadata", headers=tokens[role])
        assert raw.json["raw"]["xmp"]["Iptc4xmpExt:PersonInImage"] == WITHHELD
        assert raw.json["raw"]["xmp"]["plus:ModelReleaseID"] == "MR-2026-001; MR-2026-002"

    for role in ("rights", "admin"):
        full = api.call("GET", f"/api/v1/assets/{asset_id}/metadata", headers=tokens[role])
        people = full.json["summary"]["people"]
        assert people["names"] == [NAMES[0], NAMES[1], NAMES[2], NAMES[3], NAMES[4]]
        assert "withheld" not in people
        assert people["regions"][0] == {"name": NAMES[0], "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}
        assert full.json["raw"]["xmp"]["Iptc4xmpExt:PersonInImage"] == f"{NAMES[0]}; {NAMES[1]}"

    tags = _render(app, asset_id, "x", tmp_path)
    assert tags["XMP-plus:ModelReleaseStatus"] == "Unlimited Model Releases"
    assert tags["XMP-plus:ModelReleaseID"] == ["MR-2026-001", "MR-2026-002"]
    assert names_in(tags) == []


@SQLITE_LOCAL
def test_not_applicable_proposes_no_people_and_a_published_variant_says_so(
    app: Flask, api: Api, client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    packet = P.packet(P.release("MR-NAP"))
    created = api.upload(
        tokens["contributor"],
        photos.jpeg_with_xmp(packet, 1200, 900),
        "empty-gallery.jpg",
        title="The empty gallery",
        alt_text="An empty gallery at dawn.",
    )
    assert created.status_code == 201, created.json
    asset_id = created.json["id"]
    assert _asset(app, asset_id) == ("none", True)
    assert created.json["metadata"]["people"]["release_status"] == "MR-NAP"
    clear(api, tokens, asset_id, holder="Vitrine Museum", credit_line="© Vitrine Museum")
    variant = api.call("GET", f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert variant.status_code == 200, variant.json
    data = client.get(variant.json["url"].removeprefix("http://localhost"), buffered=True).data
    path = tmp_path / "published.jpg"
    path.write_bytes(data)
    (tags,) = exiftool(path)
    assert tags["XMP-plus:ModelReleaseStatus"] == "Not Applicable"
    assert "XMP-plus:ModelReleaseID" not in tags


@SQLITE_LOCAL
def test_a_file_silent_on_people_leaves_the_status_unknown_and_variants_silent(
    app: Flask, api: Api, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    created = api.upload(tokens["contributor"], photos.jpeg_with_rights(1200, 900), "plain.jpg")
    assert created.status_code == 201, created.json
    assert created.json["metadata"]["people"] is None
    assert _asset(app, created.json["id"]) == ("unknown", False)
    tags = _render(app, created.json["id"], "x", tmp_path)
    assert not [key for key in tags if key.startswith("XMP-plus")]


@SQLITE_LOCAL
def test_the_asset_page_shows_the_raw_names_to_the_rights_role_only(
    app: Flask, api: Api, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    created = api.upload(
        tokens["contributor"], photos.jpeg_with_xmp(people_packet(), 1200, 900), "people.jpg"
    )
    assert created.status_code == 201, created.json
    for role in ("viewer", "contributor", "rights"):
        add_user(app, role, role)
    for role, sees in (("viewer", False), ("contributor", False), ("rights", True)):
        web = browser_like(app.test_client())
        signed_in(web, role)
        html = web.get(f"/assets/{created.json['id']}").get_data(as_text=True)
        assert (NAMES[0] in html) is sees, role
        assert (WITHHELD.replace("(", "") in html) is not sees, role
        assert "MR-2026-001" in html  # the release is not personal


@SQLITE_LOCAL
def test_a_hostile_people_packet_uploads_within_the_spec(
    app: Flask, api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    """Thousands of names, regions outside the image, NaN and a bad release: 201, the answer
    valid against openapi.yaml (at most 100 names, boxes within 0..1)."""
    packet = P.packet(
        P.persons(*[f"Person {i}" for i in range(3000)])
        + P.iptc_regions(
            P.iptc_region((-0.5, -0.5, 0.75, 0.75)),
            P.iptc_region((float("nan"), 0.1, 0.1, 0.1)),
            *[P.iptc_region((0.9, 0.9, 0.5, 0.5))] * 300,
        )
        + P.release("MR-MAYBE", *[f"id {i}" for i in range(500)])
    )
    created = api.upload(tokens["rights"], png_xmp(packet, 300, compressed=True)(), "crowd.png")
    assert created.status_code == 201, created.json
    people = created.json["metadata"]["people"]
    assert len(people["names"]) == 100 and len(people["regions"]) == 100
    assert people["release_status"] is None and len(people["release_ids"]) == 50
    assert _asset(app, created.json["id"]) == ("depicted", True)
    warnings = api.call(
        "GET", f"/api/v1/assets/{created.json['id']}/metadata", headers=tokens["viewer"]
    ).json["warnings"]
    assert any("not a PLUS code" in warning for warning in warnings)
