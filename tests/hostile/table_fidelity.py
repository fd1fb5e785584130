"""The corpus table, issue 11's part: incomplete data, sample formats, orientation, EXIF."""

from __future__ import annotations

from tests.hostile.blocks import TURNS, shows
from tests.hostile.entry import JPEG, PNG, TIFF, WEBP, Entry
from tests.hostile.jpeg_files import exif_broken, jpeg_eoi_padded
from tests.hostile.other_files import oriented
from tests.hostile.png_files import (
    _fdat_out_of_sequence,
    _fdat_rows_short,
    _frame_missing,
    _short_fctl,
    apng,
    apng_changed,
    png_144_megapixels,
    png_bad_filter,
    png_exif_chunk,
    png_idat_bad_crc,
    png_idat_split,
    png_no_iend,
    png_plte_bad_crc,
    png_raw_profile,
    png_rows_short,
    png_text_after_idat_bad_crc,
    png_transparent_key,
    png_zlib_bad_checksum,
    png_zlib_cut,
    png_zlib_garbage,
)
from tests.hostile.tiff_files import (
    tiff,
    tiff_foreign_compression,
    tiff_ifd_first,
    tiff_signed,
    tiff_strip_short,
    tiff_tile_past_end,
)
from tests.hostile.webp_gif_files import gif_later_frame_cut, webp_vp8_short

# fmt: off
ENTRIES: tuple[Entry, ...] = (
    # --- issue 11: data that does not decode completely, whatever the format
    Entry("png-idat-bad-crc.png", "corrupt", "the image data chunk's CRC is wrong (Pillow never "
          "checks it)", png_idat_bad_crc, 422, "unreadable-image", subset=True),
    Entry("png-text-after-idat-bad-crc.png", "corrupt", "an ancillary tEXt chunk after the "
          "image data with a wrong CRC", png_text_after_idat_bad_crc, 422, "unreadable-image"),
    Entry("png-plte-bad-crc.png", "corrupt", "a palette PNG whose PLTE CRC is wrong",
          png_plte_bad_crc, 422, "unreadable-image"),
    Entry("png-zlib-garbage.png", "corrupt", "24 random bytes over the middle of the deflate "
          "stream, every CRC right (Pillow's error was swallowed by an EXIF lookup)",
          png_zlib_garbage, 422, "unreadable-image", subset=True),
    Entry("png-zlib-bad-checksum.png", "corrupt", "every row there, the zlib Adler-32 wrong",
          png_zlib_bad_checksum, 422, "unreadable-image"),
    Entry("png-rows-short.png", "truncated", "a whole zlib stream of half the rows (Pillow "
          "fills the rest with black)", png_rows_short, 422, "unreadable-image", subset=True),
    Entry("png-zlib-cut.png", "truncated", "the zlib stream cut in half, chunks and IEND whole",
          png_zlib_cut, 422, "unreadable-image"),
    Entry("png-bad-filter.png", "corrupt", "a row with filter type 7", png_bad_filter, 422,
          "unreadable-image"),
    Entry("png-no-iend.png", "truncated", "every pixel, no IEND chunk", png_no_iend, 422,
          "unreadable-image"),
    Entry("png-idat-split.png", "corrupt", "a tEXt chunk between two IDAT chunks",
          png_idat_split, 422, "unreadable-image"),
    Entry("apng-fctl-short.png", "animated", "an APNG whose first fcTL is 20 bytes, not 26",
          apng_changed(_short_fctl), 422, "unreadable-image"),
    Entry("apng-fdat-out-of-sequence.png", "animated", "an APNG whose first fdAT sequence "
          "number skips 5", apng_changed(_fdat_out_of_sequence), 422, "unreadable-image",
          subset=True),
    Entry("apng-frame-missing.png", "animated", "acTL declares 3 frames; the last fcTL and "
          "fdAT are gone", apng_changed(_frame_missing), 422, "unreadable-image"),
    Entry("apng-fdat-rows-short.png", "animated", "the last frame's fdAT holds a third of its "
          "rows", apng_changed(_fdat_rows_short), 422, "unreadable-image"),
    Entry("apng-3-frames.png", "animated", "a whole APNG of 3 frames (control)", apng,
          size=(40, 30), media_type=PNG, pixels=shows(40, 30)),
    Entry("jpeg-eoi-padded.jpg", "truncated", "a JPEG cut halfway through its scan, EOI "
          "appended (libjpeg pads with grey and only warns)", jpeg_eoi_padded(), 422,
          "unreadable-image", subset=True),
    Entry("jpeg-progressive-eoi-padded.jpg", "truncated", "a progressive JPEG cut halfway, "
          "EOI appended", jpeg_eoi_padded(progressive=True), 422, "unreadable-image"),
    Entry("tiff-lzw-strip-short.tif", "truncated", "an LZW TIFF (IFD first) whose last strip "
          "lost 300 bytes, its byte count agreeing", tiff_strip_short("tiff_lzw"), 422,
          "unreadable-image"),
    Entry("tiff-deflate-strip-short.tif", "truncated", "the same in Deflate",
          tiff_strip_short("tiff_adobe_deflate"), 422, "unreadable-image"),
    Entry("tiff-packbits-strip-short.tif", "truncated", "the same in PackBits",
          tiff_strip_short("packbits"), 422, "unreadable-image"),
    Entry("tiff-raw-strip-short.tif", "truncated", "the same uncompressed",
          tiff_strip_short("raw"), 422, "unreadable-image"),
    Entry("tiff-jpeg-strip-short.tif", "truncated", "the same in JPEG (libtiff pads the strip "
          "with a warning)", tiff_strip_short("jpeg"), 422, "unreadable-image", subset=True),
    Entry("tiff-lzw-whole.tif", "truncated", "the LZW TIFF laid out IFD first, whole (control)",
          lambda: tiff_ifd_first(tiff(70, 48, compression="tiff_lzw")), size=(70, 48),
          media_type=TIFF, pixels=shows(70, 48)),
    Entry("tiff-tile-past-end.tif", "truncated", "four 16x16 tiles, the last running past the "
          "end", tiff_tile_past_end, 422, "unreadable-image"),
    Entry("webp-vp8-short.webp", "truncated", "a lossy WebP whose VP8 data lost a third, the "
          "RIFF sizes agreeing", webp_vp8_short, 422, "unreadable-image"),
    Entry("gif-later-frame-cut.gif", "truncated", "a 3-frame GIF whose last frame is cut, a "
          "block end and trailer added", gif_later_frame_cut, 422, "unreadable-image",
          subset=True),
    # --- issue 11: honest refusals and sample formats
    Entry("tiff-signed-16bit.tif", "bit depth", "16-bit signed grey (SampleFormat 2), the "
          "picture as value * 257 - 32768", lambda: tiff_signed(16), size=(46, 32),
          media_type=TIFF, subset=True, pixels=shows(46, 32, "L")),
    Entry("tiff-signed-8bit.tif", "bit depth", "8-bit signed grey (SampleFormat 2), the picture "
          "as value - 128", lambda: tiff_signed(8), size=(45, 32), media_type=TIFF,
          pixels=shows(45, 32, "L")),
    Entry("tiff-jpeg2000.tif", "compression", "compression 34712 (JPEG 2000)",
          tiff_foreign_compression(34712), 415, "unsupported-media-type", subset=True),
    Entry("tiff-jbig.tif", "compression", "compression 34661 (JBIG)",
          tiff_foreign_compression(34661), 415, "unsupported-media-type"),
    Entry("tiff-lerc.tif", "compression", "compression 34887 (LERC)",
          tiff_foreign_compression(34887), 415, "unsupported-media-type"),
    Entry("tiff-webp.tif", "compression", "compression 50001 (WebP; Pillow's libtiff is built "
          "without it)", tiff_foreign_compression(50001), 415, "unsupported-media-type"),
    # --- issue 11: colour-key transparency (tRNS without alpha)
    Entry("png-trns-rgb.png", "transparency", "RGB with a tRNS colour key (green)",
          lambda: png_transparent_key("RGB", (0, 255, 0), 71), size=(71, 40), media_type=PNG,
          subset=True),
    Entry("png-trns-grey.png", "transparency", "8-bit grey with a tRNS key (0)",
          lambda: png_transparent_key("L", 0, 72), size=(72, 40), media_type=PNG),
    Entry("png-trns-grey16.png", "transparency", "16-bit grey with a tRNS key (0)",
          lambda: png_transparent_key("I;16", 0, 73), size=(73, 40), media_type=PNG),
    Entry("png-12000x12000.png", "bomb", "144 Mpx of RGB rows really stored, deflated to "
          "~420 KB: under the 150 Mpx limit, accepted at ingest",
          png_144_megapixels, size=(12000, 12000), media_type=PNG),
    # --- issue 11: EXIF orientation in every format
    Entry("jpeg-orientation-3.jpg", "orientation", "a JPEG with EXIF orientation 3",
          oriented("JPEG", 3, 74), size=(74, 40), media_type=JPEG,
          pixels=shows(74, 40, turn=TURNS[3])),
    Entry("jpeg-orientation-8.jpg", "orientation", "a JPEG with EXIF orientation 8",
          oriented("JPEG", 8, 75), size=(40, 75), media_type=JPEG,
          pixels=shows(75, 40, turn=TURNS[8])),
    Entry("png-exif-orientation-6.png", "orientation", "camera EXIF (rights, GPS, orientation "
          "6) in an eXIf chunk before the image data", png_exif_chunk(6, 76, after_idat=False),
          size=(40, 76), media_type=PNG, subset=True, pixels=shows(76, 40, turn=TURNS[6])),
    Entry("png-exif-after-idat-orientation-8.png", "orientation", "camera EXIF (orientation 8) "
          "in an eXIf chunk after the image data", png_exif_chunk(8, 77, after_idat=True),
          size=(40, 77), media_type=PNG, pixels=shows(77, 40, turn=TURNS[8])),
    Entry("png-raw-profile-orientation-6.png", "orientation", "camera EXIF (orientation 6) as "
          "ImageMagick writes it: hex in a zTXt \"Raw profile type exif\" chunk",
          png_raw_profile(6, 78, b"zTXt"), size=(40, 78), media_type=PNG, subset=True,
          pixels=shows(78, 40, turn=TURNS[6])),
    Entry("png-raw-profile-text-orientation-3.png", "orientation", "the same in a tEXt chunk, "
          "orientation 3", png_raw_profile(3, 79, b"tEXt"), size=(79, 40), media_type=PNG,
          pixels=shows(79, 40, turn=TURNS[3])),
    Entry("webp-orientation-5.webp", "orientation", "a WebP with EXIF orientation 5",
          oriented("WEBP", 5, 80), size=(40, 80), media_type=WEBP,
          pixels=shows(80, 40, turn=TURNS[5])),
    Entry("avif-orientation-6.avif", "orientation", "an AVIF saved with EXIF orientation 6 "
          "(Pillow writes it as irot/imir)", oriented("AVIF", 6, 81), size=(40, 81),
          media_type="image/avif", pixels=shows(81, 40, turn=TURNS[6])),
    Entry("tiff-orientation-6.tif", "orientation", "an LZW TIFF with orientation 6 (Pillow "
          "turns TIFF pixels itself on load)", oriented("TIFF", 6, 82), size=(40, 82),
          media_type=TIFF, subset=True, pixels=shows(82, 40, turn=TURNS[6])),
    # --- issue 11: hostile EXIF structures (each a warning, never a crash)
    Entry("exif-ascii-pointer.jpg", "exif", "the Exif IFD pointer typed ASCII (a string where "
          "an offset should be)", exif_broken("ascii-pointer", 130), size=(60, 130),
          media_type=JPEG),
    Entry("exif-empty-orientation.jpg", "exif", "Orientation with a count of 0",
          exif_broken("empty-orientation", 131), size=(131, 60), media_type=JPEG),
    Entry("exif-gps-wrong-types.jpg", "exif", "GPSLatitude typed ASCII, GPSLatitudeRef SHORT",
          exif_broken("gps-wrong-types", 132), size=(60, 132), media_type=JPEG, subset=True),
    Entry("exif-self-pointer.jpg", "exif", "the Exif IFD pointer names IFD0 itself",
          exif_broken("self-pointer", 133), size=(60, 133), media_type=JPEG),
    Entry("exif-wrong-byte-order.jpg", "exif", "the TIFF header's byte order mark is \"IM\"",
          exif_broken("wrong-byte-order", 134), size=(134, 60), media_type=JPEG),
    Entry("exif-zero-length-maker-note.jpg", "exif", "a MakerNote with a count of 0",
          exif_broken("zero-length-maker-note", 135), size=(60, 135), media_type=JPEG),
)
# fmt: on
