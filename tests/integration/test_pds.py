"""The test Bluesky PDS takes a post as a publisher sends it and refuses what Bluesky refuses.

A real PDS (scripts/pds-test-server.sh) checks each record against the lexicons it ships; the
``atproto`` package's models check the same shapes in Python, but not the grapheme count: the
PDS is the judge of a record, the models only an early check of its shape.
"""

from __future__ import annotations

from typing import Any

import pytest
from atproto import models
from atproto_client.exceptions import ModelError
from atproto_client.models.utils import get_or_create

from tests.support.pds import Session, create_record, get_record, upload_blob
from tests.support.photos import jpeg_plain

CREDIT = "© Trustees of the British Museum"


def _post(
    session: Session, text: str = f"Somali wedding basket #MuseumWeek {CREDIT}"
) -> dict[str, Any]:
    """A post with one 1200x900 photograph, its alt text and aspect ratio."""
    blob = upload_blob(session, jpeg_plain(1200, 900), "image/jpeg")
    return {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2026-03-30T09:00:00+01:00",
        "langs": ["en"],
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [
                {
                    "image": blob,
                    "alt": "A coiled basket with a lid, patterned in red and black",
                    "aspectRatio": {"width": 1200, "height": 900},
                }
            ],
        },
    }


def _as_model(record: dict[str, Any]) -> models.AppBskyFeedPost.Record:
    model = get_or_create(
        record, models.AppBskyFeedPost.Record, strict=True, strict_string_format=True
    )
    assert isinstance(model, models.AppBskyFeedPost.Record)
    return model


def test_a_post_with_a_credited_photograph_is_accepted_and_reads_back(
    pds_session: Session,
) -> None:
    record = _post(pds_session)
    assert _as_model(record).embed.images[0].aspect_ratio.width == 1200

    reply = create_record(pds_session, record)

    assert reply.status == 200, reply.message
    assert reply.json["validationStatus"] == "valid"
    assert reply.json["uri"].startswith(f"at://{pds_session.did}/app.bsky.feed.post/")
    stored = get_record(pds_session, reply.json["uri"])
    assert stored.status == 200
    assert stored.json["value"] == record


def test_a_text_of_300_graphemes_is_accepted_however_many_code_points(
    pds_session: Session,
) -> None:
    text = "e\u0301" * 300  # 300 graphemes, 600 code points, 900 bytes

    reply = create_record(pds_session, _post(pds_session, text))

    assert reply.status == 200, reply.message


def test_a_text_of_301_graphemes_is_refused_though_the_models_take_it(
    pds_session: Session,
) -> None:
    record = _post(pds_session, "é" * 301)
    _as_model(record)  # the Python models count no graphemes

    reply = create_record(pds_session, record)

    assert reply.status == 400
    assert reply.json["error"] == "InvalidRequest"
    assert reply.message == (
        "Invalid app.bsky.feed.post record: "
        "grapheme too big (maximum 300, got 301) at $.record.text"
    )


def test_an_image_without_alt_text_is_refused(pds_session: Session) -> None:
    record = _post(pds_session)
    del record["embed"]["images"][0]["alt"]
    with pytest.raises(ModelError, match="alt"):
        _as_model(record)

    reply = create_record(pds_session, record)

    assert reply.status == 400
    assert reply.message == (
        'Invalid app.bsky.feed.post record: Missing required key "alt" at $.record.embed.images[0]'
    )


@pytest.mark.parametrize(("size", "status"), [(2_000_000, 200), (2_000_001, 400)])
def test_an_image_may_weigh_2_000_000_bytes_and_no_more(
    pds_session: Session, size: int, status: int
) -> None:
    record = _post(pds_session)
    photograph = jpeg_plain(1200, 900)
    padded = photograph + b"\0" * (size - len(photograph))  # bytes after the JPEG's end
    record["embed"]["images"][0]["image"] = upload_blob(pds_session, padded, "image/jpeg")

    reply = create_record(pds_session, record)

    assert reply.status == status, reply.message
    if status == 400:
        assert reply.message == (
            "Invalid app.bsky.feed.post record: "
            f"blob too big (maximum 2000000, got {size}) at $.record.embed.images[0].image"
        )
