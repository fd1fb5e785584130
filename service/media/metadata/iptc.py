"""IPTC-IIM datasets decoded per their declared character set."""

from __future__ import annotations

from service.media.metadata.text import _clip

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
    if utf8:
        return value.decode("utf-8", "replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def read_iptc(datasets: dict[tuple[int, int], bytes | list[bytes]]) -> dict[str, str]:
    """IIM datasets as {"2:116 Copyright Notice": text}, decoded per the 1:90 character set."""
    charset = datasets.get((1, 90), b"")
    utf8 = (charset if isinstance(charset, bytes) else b"".join(charset)) == UTF8_ESCAPE
    raw: dict[str, str] = {}
    for (record, dataset), value in sorted(datasets.items()):
        values = value if isinstance(value, list) else [value]
        name = IIM_NAMES.get((record, dataset), "")
        key = f"{record}:{dataset:02d} {name}".strip()
        if (record, dataset) == (1, 90):
            text = "UTF-8" if utf8 else " ".join(v.hex() for v in values if v)
        elif (record, dataset) in IIM_BINARY:
            text = "; ".join(str(int.from_bytes(v or b"", "big")) for v in values)
        else:
            text = "; ".join(_iim_text(v or b"", utf8).strip() for v in values)
        raw[key] = _clip(text)
    return raw
