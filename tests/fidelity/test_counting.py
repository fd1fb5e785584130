"""The saved count agrees with the table, and so with the live counter (issue 11).

The browser side of the same table is tests/browser/test_counter_browser.py. On main the
pure counts already agreed; what disagreed was the *saved* caption: storing dropped every
zero-width joiner, variation selector, emoji tag and direction mark, so a family emoji the
counter showed as 2 on X came back as three emoji counting 6.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.rules.captions import PLATFORMS, count_length
from tests.fidelity.table import counting_rows
from tests.support import photos
from tests.support.openapi import Api

ROWS = counting_rows()
COUNTED = ("x", "bluesky", "mastodon", "threads", "instagram")


def test_the_table_covers_the_kinds_of_text_the_issue_names() -> None:
    assert len(ROWS) >= 40
    texts = "".join(row["text"] for row in ROWS)
    for needed in ("\u200d", "\u200c", "\ufe0f", "\U000e007f", "\U0001f3fd", "\u20e3", "\u200e",
                   "\u0301", "https://", "\u535a", "\u0915\u094d\u200d\u0937"):  # fmt: skip
        assert needed in texts, f"no row has {needed!r}"
    assert {platform: PLATFORMS[platform].counting for platform in COUNTED} == {
        "x": "twitter",
        "bluesky": "graphemes",
        "mastodon": "characters_urls_23",
        "threads": "characters_emoji_bytes",
        "instagram": "characters",
    }
    assert all(set(row["counts"]) == set(COUNTED) for row in ROWS)


@pytest.mark.parametrize(
    ("text", "platform", "expected"),
    [
        pytest.param(row["text"], platform, row["counts"][platform], id=f"{row['id']}-{platform}")
        for row in ROWS
        for platform in COUNTED
    ],
)
def test_each_string_counts_as_the_table_says(text: str, platform: str, expected: int) -> None:
    assert count_length(platform, text) == expected


def test_a_saved_caption_comes_back_as_written_with_the_tables_count(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    created = api.upload(tokens["contributor"], photos.jpeg_with_rights(), title="Basket")
    assert created.status_code == 201, created.json
    asset_id = created.json["id"]
    mismatches: list[tuple[str, str, Any, Any]] = []
    for index, row in enumerate(ROWS):
        platform = COUNTED[index % len(COUNTED)]  # every platform gets a fifth of the rows
        path = f"/api/v1/assets/{asset_id}/captions/{platform}"
        saved = api.call("PUT", path, json={"text": row["text"]}, headers=tokens["contributor"])
        assert saved.status_code == 200, saved.json
        read = api.call("GET", path, headers=tokens["viewer"]).json
        for answer in (saved.json, read):
            got = (answer["text"], answer["length"])
            if got != (row["text"], row["counts"][platform]):
                mismatches.append((row["id"], platform, got, row["counts"][platform]))
    assert mismatches == []
