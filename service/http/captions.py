"""A caption as JSON: the API's answers and the caption templates page's script read the same."""

from __future__ import annotations

from typing import Any

from service.rules import captions


def caption_json(caption: captions.Caption) -> dict[str, Any]:
    """A caption as JSON: its text, its length against the limit, and its problems."""
    return {
        "text": caption.text,
        "length": caption.length,
        "limit": caption.limit,
        "fits": caption.fits,
        "shortened": caption.shortened,
        "problems": caption.problems,
    }
