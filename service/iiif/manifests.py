"""Presentation API 3.0 routes: a manifest per image, collections per campaign and per tag."""

from service.iiif import bp  # noqa: F401
