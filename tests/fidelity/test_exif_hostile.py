"""Issue 11: the EXIF reader never raises on hostile structure. Each named case is a table test;
then a structure-aware fuzz (hypothesis) takes real camera EXIF apart into IFD entries, mutates
them (type, count, value or offset, next-IFD pointer, order), puts it back together, wraps it in
a JPEG, a PNG (eXIf and ImageMagick's raw profile) and a WebP, and reads it: metadata reading
returns (warnings allowed), and an upload answers 201 or a 4xx, never a 500.

The fuzz runs derandomized (the same examples every run) with a moderate count; raise
VITRINE_EXIF_FUZZ_EXAMPLES to search harder.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.media import imaging
from service.media.metadata import EmbeddedMetadata, read_metadata
from service.rules.problems import Problem
from tests.fidelity import exif_ifd as X
from tests.support.api import upload

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
EXAMPLES = int(os.environ.get("VITRINE_EXIF_FUZZ_EXAMPLES", "120"))
CONTAINERS: dict[str, Callable[[bytes], bytes]] = {
    "jpeg": X.in_jpeg,
    "png-exif": X.in_png,
    "png-exif-after-idat": lambda tiff: X.in_png(tiff, after_idat=True),
    "png-raw-profile": X.in_png_raw_profile,
    "webp": X.in_webp,
}
SUFFIX = {"jpeg": ".jpg", "webp": ".webp"}


def read(tmp_path: Path, container: str, tiff: bytes) -> EmbeddedMetadata:
    path = tmp_path / f"photo{SUFFIX.get(container, '.png')}"
    path.write_bytes(CONTAINERS[container](tiff))
    result = read_metadata(path)
    json.dumps([result.summary, result.raw, result.warnings])  # stored as JSON as it is
    try:
        imaging.identify(path, 150_000_000)
    except Problem as problem:
        assert problem.status < 500
    return result


def changed(change: Callable[[X.Block], None], order: str = ">") -> bytes:
    block = X.parse(X.camera_exif(order=order))
    change(block)
    return X.serialise(block)


def entry(block: X.Block, tag: int) -> X.Entry:
    return next(e for ifd in X.ifds(block) for e in ifd.entries if e.tag == tag)


def ifd_of(block: X.Block, pointer: int) -> X.Ifd:
    child = entry(block, pointer).child
    assert child is not None
    return child


def _string_where_an_offset_should_be(block: X.Block) -> None:
    found = entry(block, 0x8769)
    found.type, found.count, found.data, found.child = 2, 8, b"Exif IFD", None


def _empty_value_list(block: X.Block) -> None:
    for tag in (0x0112, 0x011A, 0x9003):
        found = entry(block, tag)
        found.count, found.data = 0, b""


def _offsets_past_the_end(block: X.Block) -> None:
    for tag in (0x010F, 0x8298, 0x011A, 0x927C):
        entry(block, tag).raw_offset = 0xFFFFFF00


def _loop_between_ifds(block: X.Block) -> None:
    ifd_of(block, 0x8769).raw_next = 8  # the Exif IFD's "next" is IFD0
    assert block.ifd0.next is not None
    block.ifd0.next.raw_next = 8  # so is IFD1's


def _huge_counts(block: X.Block) -> None:
    for tag, count in ((0x010F, 0xFFFFFFFF), (0x011A, 0x20000000), (0x927C, 0x7FFFFFFF)):
        entry(block, tag).count = count


def _wrong_byte_order_mark(block: X.Block) -> None:
    block.magic = b"IM*\0"


def _swapped_byte_order_mark(block: X.Block) -> None:
    block.magic = b"II*\0"  # the data stays big-endian


def _ifd_pointing_into_itself(block: X.Block) -> None:
    entry(block, 0x8769).raw_offset = 8  # the Exif IFD is IFD0
    entry(block, 0x8825).raw_offset = 10  # the GPS IFD starts inside IFD0's entries


def _zero_length_maker_note(block: X.Block) -> None:
    found = entry(block, X.MAKER_NOTE)
    found.count, found.data = 0, b""


def _gps_wrong_types(block: X.Block) -> None:
    gps = ifd_of(block, 0x8825)
    for found in gps.entries:
        if found.tag in (0x0002, 0x0004):  # latitude and longitude as text
            found.type, found.data = 2, b"51 deg 31' N\0"
            found.count = len(found.data)
        elif found.tag in (0x0001, 0x0003):  # the N/S and E/W references as numbers
            found.type, found.data, found.count = 3, struct.pack(">H", 78), 1
        elif found.tag == 0x0006:  # altitude as a signed byte list
            found.type = 6


def _orientation_as_text(block: X.Block) -> None:
    found = entry(block, 0x0112)
    found.type, found.count, found.data = 2, 2, b"6\0"


def _unknown_types(block: X.Block) -> None:
    for ifd in X.ifds(block):
        for found in ifd.entries[::3]:
            found.type = 19


def _thumbnail_nowhere(block: X.Block) -> None:
    assert block.ifd0.next is not None
    entry(block, 0x0201).data = struct.pack(">I", 0xFFFFFFF0)


NAMED: list[tuple[str, Callable[[X.Block], None]]] = [
    ("a string where an offset should be", _string_where_an_offset_should_be),
    ("an empty value list", _empty_value_list),
    ("offsets past the end", _offsets_past_the_end),
    ("a loop between IFDs", _loop_between_ifds),
    ("huge counts", _huge_counts),
    ("a wrong byte order mark", _wrong_byte_order_mark),
    ("the other byte order's mark", _swapped_byte_order_mark),
    ("IFD pointers into themselves", _ifd_pointing_into_itself),
    ("a zero-length maker note", _zero_length_maker_note),
    ("a GPS IFD with wrong types", _gps_wrong_types),
    ("the orientation as text", _orientation_as_text),
    ("unknown field types", _unknown_types),
    ("a thumbnail offset past the end", _thumbnail_nowhere),
]


@pytest.mark.parametrize("container", list(CONTAINERS))
@pytest.mark.parametrize(("case", "change"), NAMED, ids=[name for name, _ in NAMED])
def test_each_named_hostile_structure_is_read_without_an_exception(
    tmp_path: Path, case: str, change: Callable[[X.Block], None], container: str
) -> None:
    result = read(tmp_path, container, changed(change))
    assert set(result.raw) == {"exif", "iptc", "xmp", "icc"}


@pytest.mark.parametrize("container", list(CONTAINERS))
def test_an_untouched_camera_block_reads_fully_in_every_container(
    tmp_path: Path, container: str
) -> None:
    for order in (">", "<"):
        result = read(tmp_path, container, X.camera_exif(order=order))
        assert result.warnings == []
        assert result.summary["camera_make"] == "Canon"
        assert result.summary["copyright_notice"]["value"] == "© Trustees of the British Museum"
        assert result.summary["orientation"] == 6
        assert result.summary["gps"]["latitude"] == pytest.approx(51.5194, abs=1e-3)


def test_what_each_named_case_warns_about(tmp_path: Path) -> None:
    """The cases whose damage the reader can see say so in the warnings, and keep the rest."""
    pointer = read(tmp_path, "jpeg", changed(_string_where_an_offset_should_be))
    assert any("ExifOffset" in w and "not an offset" in w for w in pointer.warnings)
    assert pointer.summary["camera_make"] == "Canon"  # IFD0 is still read

    past = read(tmp_path, "jpeg", changed(_offsets_past_the_end))
    assert any("bad offset or length for Make" in w for w in past.warnings)
    assert past.summary["camera_make"] is None

    gps = read(tmp_path, "jpeg", changed(_gps_wrong_types))
    assert gps.summary["gps"] is None and gps.summary["has_gps"] is True
    assert any(w.startswith("GPS:") for w in gps.warnings)

    empty = read(tmp_path, "jpeg", changed(_empty_value_list))
    assert empty.summary["orientation"] is None

    loop = read(tmp_path, "jpeg", changed(_loop_between_ifds))
    assert loop.summary["camera_make"] == "Canon"


# ---------------------------------------------------------------- the fuzz

MUTATION = st.tuples(
    st.integers(0, 3),  # which IFD: 0, Exif, GPS, IFD1 (taken modulo what there is)
    st.integers(0, 40),  # which entry (modulo)
    st.sampled_from(X.MUTATIONS),
    st.integers(0, 2**32 - 1),  # the number the mutation uses
)
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def mutated(order: str, mutations: list[tuple[int, int, str, int]]) -> bytes:
    block = X.parse(X.camera_exif(order=order))
    for where, index, kind, value in mutations:
        X.mutate(block, where, index, kind, value)
    return X.serialise(block)


@FUZZ
@given(
    order=st.sampled_from([">", "<"]),
    container=st.sampled_from(list(CONTAINERS)),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
)
def test_mutated_camera_exif_never_makes_the_reader_raise(
    tmp_path: Path, order: str, container: str, mutations: list[tuple[int, int, str, int]]
) -> None:
    read(tmp_path, container, mutated(order, mutations))


@SQLITE_LOCAL
@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(
    order=st.sampled_from([">", "<"]),
    container=st.sampled_from(list(CONTAINERS)),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
)
def test_an_upload_with_mutated_exif_answers_201_or_a_4xx_never_a_500(
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    order: str,
    container: str,
    mutations: list[tuple[int, int, str, int]],
) -> None:
    data = CONTAINERS[container](mutated(order, mutations))
    response = upload(client, tokens["contributor"], data, filename="camera")
    assert response.status_code in (200, 201) or 400 <= response.status_code < 500, (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    if response.status_code == 201:
        asset = response.json["id"]
        answer = client.get(f"/api/v1/assets/{asset}/metadata", headers=tokens["viewer"])
        assert answer.status_code == 200
