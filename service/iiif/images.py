"""Image API 3.0 routes: an image's info.json and its regions, sizes, rotations and qualities."""

from service.iiif import bp  # noqa: F401
