"""Alt-text warnings: missing, just the file name, a filler opening, over the platform's limit."""

from __future__ import annotations

import unicodedata

# `regex` ships no type information; it is here for Unicode properties (\p{...}) and \X
# (extended grapheme clusters), which the standard `re` module lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

from service.rules.captions.platforms import PLATFORMS, _key

_FILLER_OPENING = regex.compile(r"(?:an?\s+)?(?:image|picture|photo|photograph)\s+of\b", regex.I)


def alt_text_warnings(alt_text: str, *, filename: str = "", platform: str = "default") -> list[str]:
    """Problems with alt text, each a sentence; an empty list means none found."""
    p = PLATFORMS[_key(platform)]
    alt = unicodedata.normalize("NFC", alt_text).strip()
    if not alt:
        return ["Alt text is missing: describe what the image shows for people who cannot see it."]
    warnings: list[str] = []
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    if name and alt.casefold() in {name.casefold(), stem.casefold()}:
        warnings.append(f"The alt text is just the file name ({name}); describe what it shows.")
    opening = _FILLER_OPENING.match(alt)
    if opening:
        warnings.append(
            f'The alt text starts with "{opening.group(0)}"; screen readers already announce an '
            "image, so start with what it shows."
        )
    limit = p.alt_text_limit
    if limit is not None and len(alt) > limit:
        warnings.append(
            f"The alt text is {len(alt):,} characters; {p.name} allows {limit:,}, "
            f"so cut {len(alt) - limit:,}."
        )
    return warnings
