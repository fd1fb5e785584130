"""The ICC profile's description and identity, as text."""

from __future__ import annotations

import io

from PIL import ImageCms

from service.media.metadata.text import Warn, _clip

ICC_FIELDS = {
    "color_space": "xcolor_space", "device_class": "device_class", "version": "version",
    "manufacturer": "manufacturer", "model": "model", "copyright": "copyright",
}  # fmt: skip


def read_icc(icc: bytes, warn: Warn) -> dict[str, str]:
    """The ICC profile's description and identity, as text."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(profile).strip()
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError) as exc:
        warn(f"ICC: profile could not be read ({exc}); profile ignored")
        return {}
    core = profile.profile
    fields = {"description": description, "size": str(len(icc))} | {
        key: str(getattr(core, attribute) or "").strip() for key, attribute in ICC_FIELDS.items()
    }
    return {key: _clip(value) for key, value in fields.items() if value}
