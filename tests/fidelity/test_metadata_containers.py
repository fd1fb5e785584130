"""Issue 18: read_blocks finds every metadata block a file carries, header only, as ExifTool
wrote it: JPEG (EXIF, XMP, Extended XMP, the Photoshop IRB with IIM and its digest, split or
not), TIFF (IIM tag 33723, XMP tag 700, IRB tag 34377), PNG (text keywords in tEXt, zTXt and
iTXt, before and after the image data), WebP and AVIF (EXIF and XMP). The IPTC digest is
ExifTool's: md5(iim) is its CurrentIPTCDigest. Damaged structures give warnings, never raise."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFile, TiffImagePlugin

from service.media.imaging import segments
from service.media.metadata.containers import (
    MAX_IRB_RESOURCES,
    MAX_PNG_KEYWORDS,
    MAX_PNG_TEXT_BYTES,
    Blocks,
    read_blocks,
)
from service.media.metadata.xmp import MAX_XMP_BYTES
from tests.support.exiftool import mwg_view

Segments = list[tuple[int, bytes]]  # (marker, payload) of a JPEG's header segments
Chunks = list[tuple[bytes, bytes]]  # (type, data) of a PNG's chunks
EXTENSION = b"http://ns.adobe.com/xmp/extension/\0"
PHOTOSHOP = b"Photoshop 3.0\0"
LONG_DESCRIPTION = " ".join(f"word{index}" for index in range(12_000))  # ~100 KB of XMP


@pytest.fixture(autouse=True)
def _no_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded to read metadata")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def photo(tmp_path: Path, fmt: str, name: str = "photo") -> Path:
    path = tmp_path / f"{name}.{fmt.lower()}"
    Image.new("RGB", (40, 30), "red").save(path, fmt)
    return path


def exiftool_write(path: Path, *args: str) -> None:
    subprocess.run(
        ["exiftool", "-q", "-q", "-m", "-overwrite_original", *args, str(path)], check=True
    )


def exiftool_read(path: Path, *tags: str) -> dict[str, Any]:
    done = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", *tags, str(path)], capture_output=True, check=True
    )
    found: dict[str, Any] = json.loads(done.stdout)[0]
    return found


def read(path: Path) -> tuple[Blocks, list[str]]:
    warnings: list[str] = []
    return read_blocks(path, warnings.append), warnings


def exif_tag(blocks: Blocks, tag: int) -> object:
    assert blocks.exif is not None and blocks.exif[:2] in (b"II", b"MM")
    exif = Image.Exif()
    exif.load(blocks.exif)
    return exif.get(tag)


def digests(path: Path) -> tuple[str | None, str | None]:
    """ExifTool's (CurrentIPTCDigest, IPTCDigest), hex."""
    found = exiftool_read(path, "-CurrentIPTCDigest", "-IPTCDigest")
    return found.get("File:CurrentIPTCDigest"), found.get("Photoshop:IPTCDigest")


def md5(data: bytes | None) -> str:
    assert data is not None
    return hashlib.md5(data).hexdigest()


# JPEG ------------------------------------------------------------------------------------


def jpeg_parts(data: bytes) -> tuple[Segments, bytes]:
    """The header segments (marker, payload) and the rest, from the first scan on."""
    parts, at = [], 2
    while data[at + 1] != 0xDA:
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        parts.append((data[at + 1], data[at + 4 : at + 2 + length]))
        at += 2 + length
    return parts, data[at:]


def jpeg_join(parts: Segments, rest: bytes) -> bytes:
    heads = (b"\xff" + bytes([m]) + (len(p) + 2).to_bytes(2, "big") + p for m, p in parts)
    return b"\xff\xd8" + b"".join(heads) + rest


def rewrite_jpeg(path: Path, change: Callable[[Segments], Segments]) -> None:
    parts, rest = jpeg_parts(path.read_bytes())
    path.write_bytes(jpeg_join(change(parts), rest))


def resource(number: int, data: bytes, size: int | None = None) -> bytes:
    """One Photoshop IRB resource, unnamed, its data padded to even."""
    head = struct.pack(">4sHHI", b"8BIM", number, 0, len(data) if size is None else size)
    return head + data + b"\0" * (len(data) % 2)


def test_jpeg_blocks_are_those_exiftool_wrote(tmp_path: Path) -> None:
    path = photo(tmp_path, "JPEG")
    exiftool_write(path, "-IPTC:By-line=X", "-XMP-dc:Creator=Y", "-EXIF:Artist=Z")
    exiftool_write(path, "-IPTCDigest=new")  # ExifTool writes no digest unless asked
    blocks, warnings = read(path)
    current, stored = digests(path)
    assert warnings == []
    assert (blocks.size, exif_tag(blocks, 0x013B)) == ((40, 30), "Z")
    assert blocks.iim is not None and b"\x1c\x02\x50\x00\x01X" in blocks.iim
    assert md5(blocks.iim) == current == stored
    assert blocks.iim_digest is not None and blocks.iim_digest.hex() == stored
    assert blocks.xmp is not None and b"<rdf:li>Y</rdf:li>" in blocks.xmp
    assert (blocks.xmp_extended, blocks.png_text) == (None, {})


STALE_DIGESTS = {
    # IIM edited after the digest was stored: ExifTool 12.57 leaves IPTCDigest as it was.
    "IIM edited after the digest": [["-IPTCDigest=new"], ["-IPTC:By-line=other"]],
    "a digest written explicitly": [["-IPTCDigest=00112233445566778899aabbccddeeff"]],
}


@pytest.mark.parametrize("case", list(STALE_DIGESTS))
def test_a_stale_iptc_digest_is_returned_as_stored(tmp_path: Path, case: str) -> None:
    path = photo(tmp_path, "JPEG")
    exiftool_write(path, "-IPTC:By-line=X", "-XMP-dc:Creator=Y")
    for args in STALE_DIGESTS[case]:
        exiftool_write(path, *args)
    blocks, warnings = read(path)
    current, stored = digests(path)
    assert warnings == []
    assert current != stored
    assert md5(blocks.iim) == current
    assert blocks.iim_digest is not None and blocks.iim_digest.hex() == stored


def test_iim_without_a_digest(tmp_path: Path) -> None:
    path = photo(tmp_path, "JPEG")
    exiftool_write(path, "-IPTC:By-line=X")
    blocks, warnings = read(path)
    assert (warnings, blocks.iim_digest) == ([], None)
    assert md5(blocks.iim) == digests(path)[0]


def test_a_photoshop_irb_split_over_app13_segments_is_joined(tmp_path: Path) -> None:
    path = photo(tmp_path, "JPEG")
    # Over 64 KB of IIM: ExifTool splits the IRB over consecutive APP13 segments.
    arguments = tmp_path / "keywords.args"
    arguments.write_text("".join(f"-IPTC:Keywords=k{i:04d}{'x' * 58}\n" for i in range(1200)))
    exiftool_write(path, "-@", str(arguments), "-IPTCDigest=new")
    parts, _ = jpeg_parts(path.read_bytes())
    assert sum(m == 0xED and p.startswith(PHOTOSHOP) for m, p in parts) >= 2
    blocks, warnings = read(path)
    assert warnings == []
    current, stored = digests(path)
    assert md5(blocks.iim) == current == stored
    assert blocks.iim is not None and b"k1199" in blocks.iim


def long_xmp_jpeg(tmp_path: Path) -> Path:
    path = photo(tmp_path, "JPEG")
    description = tmp_path / "description.txt"
    description.write_text(LONG_DESCRIPTION)
    exiftool_write(path, "-XMP-dc:Creator=Y", f"-XMP-dc:Description<={description}")
    return path


def test_extended_xmp_is_put_back_together(tmp_path: Path) -> None:
    path = long_xmp_jpeg(tmp_path)
    parts, _ = jpeg_parts(path.read_bytes())
    assert sum(m == 0xE1 and p.startswith(EXTENSION) for m, p in parts) >= 2
    blocks, warnings = read(path)
    guid = exiftool_read(path, "-HasExtendedXMP")["XMP-xmpNote:HasExtendedXMP"]
    assert warnings == []
    assert blocks.xmp is not None and guid.encode() in blocks.xmp
    assert blocks.xmp_extended is not None and LONG_DESCRIPTION.encode() in blocks.xmp_extended
    assert md5(blocks.xmp_extended).upper() == guid  # the GUID is the MD5 of the extension
    assert exiftool_read(path, "-XMP-dc:Description")["XMP-dc:Description"] == LONG_DESCRIPTION


def _piece(payload: bytes, *, guid: bytes = b"", total: int = -1, offset: int = -1) -> bytes:
    """An Extended XMP segment with its GUID, total length or offset replaced."""
    out, at = bytearray(payload), len(EXTENSION)
    out[at : at + 32] = guid or out[at : at + 32]
    for value, where in ((total, at + 32), (offset, at + 36)):
        out[where : where + 4] = value.to_bytes(4, "big") if value >= 0 else out[where : where + 4]
    return bytes(out)


Pieces = Callable[[list[bytes]], list[bytes]]


def rewrite_pieces(change: Pieces) -> Callable[[Segments], Segments]:
    """A JPEG rewrite: its Extended XMP segments changed, and put after the others."""

    def rewrite(parts: Segments) -> Segments:
        pieces = [p for m, p in parts if m == 0xE1 and p.startswith(EXTENSION)]
        others = [(m, p) for m, p in parts if p not in pieces]
        return others + [(0xE1, piece) for piece in change(pieces)]

    return rewrite


# (change to the pieces, Extended XMP still read, words a warning has)
BROKEN_EXTENSIONS: dict[str, tuple[Pieces, bool, str]] = {
    "a GUID the main packet does not name": (
        lambda ps: [_piece(p, guid=b"0" * 32) for p in ps], False, "not the one the main"),
    "a decoy GUID beside the named one": (
        lambda ps: [*ps, _piece(ps[0], guid=b"1" * 32)], True, "not the one the main"),
    "a piece whose offset and length pass the total": (
        lambda ps: [*ps[:-1], _piece(ps[-1], offset=1 << 30)], False, "runs past"),
    "a missing piece": (lambda ps: ps[:1] + ps[2:], False, "incomplete"),
    "a piece giving another total": (
        lambda ps: [_piece(ps[0], total=1 << 20), *ps[1:]], True, "different totals"),
    "pieces out of order": (lambda ps: ps[::-1], True, ""),
    "a total over the XMP bound": (
        lambda ps: [_piece(p, total=MAX_XMP_BYTES) for p in ps], False, "too large"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN_EXTENSIONS))
def test_damaged_extended_xmp(tmp_path: Path, case: str) -> None:
    change, kept, warned = BROKEN_EXTENSIONS[case]
    path = long_xmp_jpeg(tmp_path)
    rewrite_jpeg(path, rewrite_pieces(change))
    blocks, warnings = read(path)
    assert blocks.xmp is not None and b"<rdf:li>Y</rdf:li>" in blocks.xmp
    assert (blocks.xmp_extended is not None) is kept
    assert any(warned in warning for warning in warnings) if warned else warnings == []
    # ExifTool reads the description from the same files, and from no others.
    found = exiftool_read(path, "-XMP-dc:Description").get("XMP-dc:Description")
    assert (found == LONG_DESCRIPTION) is kept


def _irb_jpeg(tmp_path: Path, irb: bytes, *, before: Segments | None = None) -> Path:
    path = photo(tmp_path, "JPEG")
    rewrite_jpeg(path, lambda parts: [*(before or []), (0xED, PHOTOSHOP + irb), *parts])
    return path


IIM = b"\x1c\x02\x00\x00\x02\x00\x04\x1c\x02\x50\x00\x01X"
DIGEST = bytes(range(16))


def test_an_irb_resource_running_past_the_end_is_not_read(tmp_path: Path) -> None:
    path = _irb_jpeg(tmp_path, resource(0x0425, DIGEST) + resource(0x0404, IIM, size=1000))
    blocks, warnings = read(path)
    assert (blocks.iim, blocks.iim_digest) == (None, DIGEST)
    assert len(warnings) == 1 and "runs past the end" in warnings[0]


def test_resources_before_a_damaged_one_are_read(tmp_path: Path) -> None:
    irb = resource(0x0404, IIM) + resource(0x0425, DIGEST) + b"8BIX" + bytes(20)
    blocks, warnings = read(_irb_jpeg(tmp_path, irb))
    assert (blocks.iim, blocks.iim_digest) == (IIM, DIGEST)
    assert len(warnings) == 1 and "bad Photoshop resource type" in warnings[0]
    assert md5(blocks.iim) == digests(tmp_path / "photo.jpeg")[0]


def test_an_empty_app13_segment_is_no_harm(tmp_path: Path) -> None:
    path = _irb_jpeg(tmp_path, resource(0x0404, IIM), before=[(0xED, b""), (0xED, b"Photo")])
    blocks, warnings = read(path)
    assert (blocks.iim, warnings) == (IIM, [])


def test_a_segment_of_impossible_length_ends_the_walk(tmp_path: Path) -> None:
    path = _irb_jpeg(tmp_path, resource(0x0404, IIM))
    data = path.read_bytes()
    at = data.index(b"\xff\xed")
    # An APP13 whose length (0) cannot hold its own length field, after the Photoshop one.
    at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    path.write_bytes(data[:at] + b"\xff\xed\x00\x00" + data[at:])
    blocks, warnings = read(path)
    assert blocks.iim == IIM
    assert any("impossible length 0" in warning for warning in warnings)


def test_irb_resources_are_counted(tmp_path: Path) -> None:
    irb = resource(0x03ED, b"") * MAX_IRB_RESOURCES + resource(0x0404, IIM)
    blocks, warnings = read(_irb_jpeg(tmp_path, irb))
    assert blocks.iim is None
    assert len(warnings) == 1 and "more than 1,000 Photoshop resources" in warnings[0]


def test_jpeg_segments_are_counted(tmp_path: Path) -> None:
    comments = [(0xFE, b"")] * segments.MAX_JPEG_SEGMENTS
    blocks, warnings = read(_irb_jpeg(tmp_path, resource(0x0404, IIM), before=comments))
    assert blocks.iim is None and blocks.size == (40, 30)
    assert len(warnings) == 1 and "more than 2,048 segments" in warnings[0]


# TIFF ------------------------------------------------------------------------------------


def test_tiff_blocks_are_those_exiftool_wrote(tmp_path: Path) -> None:
    path = photo(tmp_path, "TIFF")
    exiftool_write(path, "-IPTC:By-line=X", "-XMP-dc:Creator=Y", "-EXIF:Artist=Z")
    exiftool_write(path, "-IPTCDigest=new")
    blocks, warnings = read(path)
    current, stored = digests(path)
    assert warnings == []
    # Tag 33723 is written as LONGs: the IIM is padded to 4 bytes, and ExifTool digests it so.
    assert blocks.iim is not None and len(blocks.iim) % 4 == 0 and blocks.iim.endswith(b"\0")
    assert md5(blocks.iim) == current == stored
    assert blocks.iim_digest is not None and blocks.iim_digest.hex() == stored
    assert blocks.xmp is not None and b"<rdf:li>Y</rdf:li>" in blocks.xmp
    assert blocks.size == (40, 30)


def test_tiff_iim_only_in_the_photoshop_irb_is_ignored_as_mwg_asks(tmp_path: Path) -> None:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[34377] = resource(0x0404, IIM) + resource(0x0425, DIGEST)
    info.tagtype[34377] = 7  # UNDEFINED
    path = tmp_path / "irb.tiff"
    Image.new("RGB", (40, 30), "red").save(path, tiffinfo=info)
    blocks, warnings = read(path)
    assert (blocks.iim, blocks.iim_digest) == (None, DIGEST) and len(warnings) == 1
    assert warnings[0].startswith("IPTC: IIM only inside the Photoshop resources (tag 34377)")
    assert exiftool_read(path, "-IPTC:By-line")["IPTC2:By-line"] == "X"  # "non-standard"
    assert "Creator" not in mwg_view(path)  # the MWG reading ignores it


def test_a_tiff_value_past_the_end_of_the_file_is_skipped(tmp_path: Path) -> None:
    path = photo(tmp_path, "TIFF")
    exiftool_write(path, "-IPTC:By-line=X", "-XMP-dc:Creator=Y")
    data = bytearray(path.read_bytes())
    at = data.index((33723).to_bytes(2, "little") + (4).to_bytes(2, "little"))
    data[at + 4 : at + 8] = (1 << 28).to_bytes(4, "little")  # the count of LONGs
    path.write_bytes(bytes(data))
    blocks, warnings = read(path)
    assert blocks.iim is None and blocks.xmp is not None
    assert any("tag 33723's value runs past the end" in warning for warning in warnings)


def test_bigtiff_xmp_is_found(tmp_path: Path) -> None:
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[700], info.tagtype[700] = packet, 1
    path = tmp_path / "big.tiff"
    Image.new("RGB", (40, 30), "red").save(path, big_tiff=True, tiffinfo=info)
    assert path.read_bytes()[:4] == b"II+\0"
    with path.open("rb") as fp:  # the walker's find, not Pillow's
        assert segments.read_segment(fp, segments.tiff_ifd0(fp, {700}, print)[700]) == packet
    assert read(path)[0].xmp == packet


# PNG -------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> Chunks:
    chunks, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def chunk(kind: bytes, data: bytes, crc: int | None = None, length: int | None = None) -> bytes:
    crc = zlib.crc32(kind + data) if crc is None else crc
    size = len(data) if length is None else length
    return size.to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")


def png_join(chunks: Chunks) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunk(kind, data) for kind, data in chunks)


def after_image_data(path: Path, *extra: bytes) -> None:
    """Move the text, XMP and eXIf chunks after IDAT, then add ``extra`` chunks there."""
    chunks = png_chunks(path.read_bytes())
    moved = [c for c in chunks if c[0] in (b"tEXt", b"zTXt", b"iTXt", b"eXIf")]
    kept = [c for c in chunks if c not in moved]
    body = png_join(kept[:-1] + moved)
    path.write_bytes(body + b"".join(extra) + chunk(b"IEND", b""))


DESCRIPTION = "A long description. " * 20
TITLE = "Ωmega title " * 20
PNG_TEXT = {"Author": "Ann", "Description": DESCRIPTION.strip(), "Title": TITLE.strip(),
            "Copyright": "© Museum", "CreationTime": "2024:03:27 10:15:00"}  # fmt: skip


def text_png(tmp_path: Path) -> Path:
    """A PNG ExifTool wrote text to in all three kinds of chunk, and XMP and IPTC."""
    path = photo(tmp_path, "PNG")
    values = [f"-PNG:{key}={value}" for key, value in PNG_TEXT.items()]
    exiftool_write(path, "-z", *values, "-XMP-dc:Creator=Y", "-IPTC:By-line=X", "-EXIF:Artist=Z")
    kinds = {kind for kind, _ in png_chunks(path.read_bytes())}
    assert {b"tEXt", b"zTXt", b"iTXt"} <= kinds
    return path


def expected_text(path: Path) -> dict[str, str]:
    """The PNG keywords ExifTool reads, under the names the chunks store."""
    found = exiftool_read(path, "-PNG:all")
    return {k.replace("nT", "n T"): found[f"PNG:{k}"] for k in PNG_TEXT}


@pytest.mark.parametrize("where", ["before the image data", "after the image data"])
def test_png_text_in_every_kind_of_chunk(tmp_path: Path, where: str) -> None:
    path = text_png(tmp_path)
    if where == "after the image data":
        after_image_data(path)
        assert png_chunks(path.read_bytes())[1][0] == b"IDAT"
    blocks, warnings = read(path)
    assert warnings == []
    assert blocks.png_text == expected_text(path)
    # XMP and ImageMagick's raw profiles (ExifTool's IPTC) are blocks of their own, not text.
    assert blocks.xmp is not None and b"<rdf:li>Y</rdf:li>" in blocks.xmp
    assert exif_tag(blocks, 0x013B) == "Z"
    assert (blocks.iim, blocks.size) == (None, (40, 30))


def test_the_first_of_each_png_keyword_wins(tmp_path: Path) -> None:
    path = photo(tmp_path, "PNG")
    after_image_data(path, chunk(b"tEXt", b"Author\0first"), chunk(b"iTXt", b"Author\0\0\0\0\0x"))
    assert read(path) == (Blocks(png_text={"Author": "first"}, size=(40, 30)), [])


def test_png_keywords_are_counted(tmp_path: Path) -> None:
    path = photo(tmp_path, "PNG")
    keywords = [chunk(b"tEXt", b"k%d\0v" % i) for i in range(MAX_PNG_KEYWORDS + 2)]
    after_image_data(path, *keywords)
    blocks, warnings = read(path)
    assert len(blocks.png_text) == MAX_PNG_KEYWORDS
    assert len(warnings) == 1 and "more than 64 text keywords" in warnings[0]


def _bomb() -> bytes:
    return b"Description\0\0" + zlib.compress(b"a" * (4 * MAX_PNG_TEXT_BYTES), 9)


# (extra chunks after IDAT, words of the one warning)
BROKEN_TEXT: dict[str, tuple[list[bytes], str]] = {
    "a bad CRC": ([chunk(b"tEXt", b"Title\0t", crc=1)], "bad CRC"),
    "a zTXt inflating past the bound": ([chunk(b"zTXt", _bomb())], "inflates past"),
    "damaged compressed text": ([chunk(b"zTXt", b"Title\0\0not zlib")], "damaged compressed"),
    "an unknown compression method": ([chunk(b"zTXt", b"Title\0\x07x")], "compression method"),
    "no keyword": ([chunk(b"tEXt", b"\0text")], "without a valid keyword"),
    "an absurd length": ([chunk(b"tEXt", b"Title\0t", length=0x7FFFFFF0)], "impossible length"),
}


@pytest.mark.parametrize("case", list(BROKEN_TEXT))
def test_damaged_png_text_is_skipped_and_the_rest_read(tmp_path: Path, case: str) -> None:
    extra, warned = BROKEN_TEXT[case]
    path = photo(tmp_path, "PNG")
    after_image_data(path, chunk(b"tEXt", b"Author\0Ann"), *extra)
    blocks, warnings = read(path)
    assert blocks.png_text == {"Author": "Ann"}
    assert len(warnings) == 1 and warned in warnings[0]


def test_a_bad_crc_before_the_image_data_loses_pillow_not_the_text(tmp_path: Path) -> None:
    path = photo(tmp_path, "PNG")
    ihdr, *rest = png_chunks(path.read_bytes())
    text = chunk(b"tEXt", b"Author\0Ann") + chunk(b"tEXt", b"Title\0t", crc=1)
    path.write_bytes(png_join([ihdr]) + text + png_join(rest)[8:])
    blocks, warnings = read(path)
    assert (blocks.png_text, blocks.size) == ({"Author": "Ann"}, None)
    assert [warning.split(" ", 2)[1] for warning in warnings] == ["Pillow", "a"]


# WebP, AVIF -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["WEBP", "AVIF"])
def test_webp_and_avif_exif_and_xmp(tmp_path: Path, fmt: str) -> None:
    path = photo(tmp_path, fmt)
    exiftool_write(path, "-XMP-dc:Creator=Y", "-EXIF:Artist=Z")
    blocks, warnings = read(path)
    assert warnings == []
    assert exif_tag(blocks, 0x013B) == "Z"
    assert blocks.xmp is not None and b"<rdf:li>Y</rdf:li>" in blocks.xmp
    assert (blocks.iim, blocks.size) == (None, (40, 30))


def test_a_file_that_is_no_image_gives_a_warning(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    assert read(tmp_path / "empty")[0] == Blocks() and len(read(tmp_path / "empty")[1]) == 1
