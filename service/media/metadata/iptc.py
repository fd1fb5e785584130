"""IPTC-IIM: the datasets of a block, decoded per their declared character set (1:90)."""

from __future__ import annotations

from service.media.metadata.text import Warn

# {(record, dataset): its values, in the order stored}: IIM datasets may repeat.
Datasets = dict[tuple[int, int], list[bytes]]

IIM_NAMES = {
    (1, 90): "Coded Character Set", (2, 0): "Record Version", (2, 5): "Object Name",
    (2, 15): "Category", (2, 20): "Supplemental Category", (2, 25): "Keywords",
    (2, 40): "Special Instructions", (2, 55): "Date Created", (2, 60): "Time Created",
    (2, 65): "Originating Program", (2, 80): "By-line", (2, 85): "By-line Title",
    (2, 90): "City", (2, 92): "Sub-location", (2, 95): "Province/State",
    (2, 100): "Country Code", (2, 101): "Country", (2, 103): "Job Identifier",
    (2, 105): "Headline", (2, 110): "Credit", (2, 115): "Source",
    (2, 116): "Copyright Notice", (2, 118): "Contact", (2, 120): "Caption/Abstract",
    (2, 122): "Writer/Editor",
}  # fmt: skip
IIM_BINARY = {(1, 0), (1, 20), (1, 22), (2, 0)}
UTF8_ESCAPE = b"\x1b%G"


def _iim_text(value: bytes, utf8: bool) -> str:
    """One dataset's text. Without the 1:90 UTF-8 marker IIM is Latin text, which ExifTool
    reads as Windows-1252; valid UTF-8 is taken as UTF-8 all the same (tools that write UTF-8
    without saying so are common, and Latin text is almost never valid UTF-8 by chance)."""
    if utf8:
        return value.decode("utf-8", "replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return value.decode(encoding)
        except UnicodeDecodeError:
            continue
    return value.decode("latin-1")  # the five bytes Windows-1252 leaves undefined


# A real IIM block holds a few hundred datasets at most; a hostile one could hold millions.
MAX_DATASETS = 2000


def parse_iim(block: bytes, warn: Warn) -> Datasets:
    """The datasets of an IIM block as stored in the file: {(record, dataset): [values]}."""
    datasets: Datasets = {}
    at, count = 0, 0
    while at + 5 <= len(block) and block[at] == 0x1C:
        record, number, size = block[at + 1], block[at + 2], int.from_bytes(block[at + 3 : at + 5])
        at += 5
        if size & 0x8000:  # an extended dataset: the next (size & 0x7FFF) bytes hold the length
            width = size & 0x7FFF
            if width > 4:
                warn("IPTC: a dataset declares an impossible length; the rest is not read")
                break
            size, at = int.from_bytes(block[at : at + width]), at + width
        if at + size > len(block):
            warn(f"IPTC: dataset {record}:{number:02d} runs past the block; the rest is not read")
            break
        count += 1
        if count > MAX_DATASETS:
            warn(f"IPTC: more than {MAX_DATASETS} datasets; the rest are not read")
            break
        datasets.setdefault((record, number), []).append(block[at : at + size])
        at += size
    if at < len(block) and block[at:].strip(b"\0"):
        warn("IPTC: the block holds bytes that are not datasets; they are not read")
    return datasets


def iim_values(datasets: Datasets) -> dict[str, list[str]]:
    """Each dataset's values as text, decoded per the 1:90 character set, keyed
    "2:116 Copyright Notice"."""
    utf8 = b"".join(datasets.get((1, 90), [])) == UTF8_ESCAPE
    values: dict[str, list[str]] = {}
    for (record, dataset), stored in sorted(datasets.items()):
        name = IIM_NAMES.get((record, dataset), "")
        key = f"{record}:{dataset:02d} {name}".strip()
        if (record, dataset) == (1, 90):
            values[key] = ["UTF-8" if utf8 else " ".join(v.hex() for v in stored if v)]
        elif (record, dataset) in IIM_BINARY:
            values[key] = [str(int.from_bytes(v or b"", "big")) for v in stored]
        else:
            values[key] = [_iim_text(v, utf8).strip() for v in stored]  # cut where kept
    return values
