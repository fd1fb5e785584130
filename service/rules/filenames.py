"""The name a downloaded variant is saved under, and the Content-Disposition that carries it.

``Af1935,0711.1`` downloaded as ``instagram-portrait`` saves as
``Af1935-0711-1_instagram-portrait.jpg``: a person finds it again in a downloads folder by
its object number. The stem keeps letters and digits (of any script: a title may be
Japanese), ``_`` and ``-``; anything else, dots included (the only dot is the extension's),
becomes ``-``, runs collapsed, ends trimmed. Browsers that do not read RFC 5987's
``filename*`` get an ASCII name.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/png": "png",
}
MAX_STEM = 80  # characters: names stay readable and far below file systems' 255 bytes
_UNSAFE = re.compile(r"[^\w-]+")  # \w: letters, digits and "_" of any script
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_RUNS = re.compile(r"-{2,}")


def safe_stem(text: str | None, *, ascii_only: bool = False) -> str:
    """``text`` as a file name's stem; empty when nothing usable is left."""
    text = unicodedata.normalize("NFKC", text or "")
    if ascii_only:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = (_NOT_ASCII_SAFE if ascii_only else _UNSAFE).sub("-", text)
    stem = _RUNS.sub("-", stem).strip("-_")
    return stem[:MAX_STEM].rstrip("-_")


def download_name(
    *, object_number: str | None, title: str | None, asset_id: int, preset: str, media_type: str
) -> str:
    """``<object number>_<preset>.<ext>``; the title stands in for a missing object number,
    ``asset-<id>`` for both."""
    stem = safe_stem(object_number) or safe_stem(title) or f"asset-{asset_id}"
    extension = EXTENSIONS.get(media_type, "bin")
    return f"{stem}_{safe_stem(preset) or 'variant'}.{extension}"


def ascii_name(name: str, fallback: str = "download") -> str:
    """An ASCII rendering of ``name`` (``<stem>.<ext>``) for clients without ``filename*``."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = safe_stem(stem, ascii_only=True) or fallback
    ascii_extension = safe_stem(extension, ascii_only=True)
    return f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem


def content_disposition(name: str, *, attachment: bool = True) -> str:
    """The header value: ``attachment; filename="..."``, plus ``filename*=UTF-8''...``
    (RFC 6266, RFC 5987) when ``name`` is not plain ASCII."""
    kind = "attachment" if attachment else "inline"
    fallback = ascii_name(name)
    value = f'{kind}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
