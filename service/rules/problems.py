"""Errors a user can act on, each with an HTTP status and a machine-readable code (RFC 9457)."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """Base for every error Vitrine reports to a caller; the API renders it as problem+json."""

    status = 400
    code = "bad-request"
    title = "Bad request"

    headers: dict[str, str] = {}

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        """The problem+json body: type, title, status, detail, code and any extra fields."""
        return {
            "type": f"urn:vitrine:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }


class Unauthenticated(Problem):
    """No bearer token was sent, or it is unknown, revoked or expired."""

    status, code, title = 401, "unauthenticated", "Authentication required"
    headers = {"WWW-Authenticate": 'Bearer realm="vitrine"'}


class Forbidden(Problem):
    """The caller is known, but their role may not do this."""

    status, code, title = 403, "forbidden", "Not allowed for this role"


class NotFound(Problem):
    """The asset, token, user, preview or other thing asked for does not exist."""

    status, code, title = 404, "not-found", "Not found"


class InvalidInput(Problem):
    """Fields that fail validation; ``errors`` maps each field to what is wrong with it."""

    status, code, title = 422, "invalid-input", "Invalid input"

    def __init__(self, errors: dict[str, str]) -> None:
        detail = "; ".join(f"{field}: {message}" for field, message in errors.items())
        super().__init__(detail, errors=errors)


class AssetDeleted(Problem):
    """An upload's bytes are those of a deleted asset, which an admin can restore instead."""

    status, code, title = 409, "asset-deleted", "The asset was deleted"


class FileTooLarge(Problem):
    """An upload is larger than the configured byte limit."""

    status, code, title = 413, "file-too-large", "File too large"


class JsonTooLarge(Problem):
    """A JSON request body is larger than the configured byte limit."""

    status, code, title = 413, "json-too-large", "JSON body too large"


class JsonTooDeep(Problem):
    """A JSON request body is nested deeper than Vitrine parses."""

    status, code, title = 400, "json-too-deep", "JSON nested too deeply"


class TooManyPixels(Problem):
    """An image's header declares more pixels than the limit; refused before decoding."""

    status, code, title = 413, "too-many-pixels", "Image has too many pixels"


class UnsupportedMediaType(Problem):
    """The upload is not an image type this installation can read, or was not sent as a file."""

    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class UnreadableImage(Problem):
    """The file starts like a supported image but does not decode completely."""

    status, code, title = 422, "unreadable-image", "Image cannot be decoded"


class UnsafeFile(Problem):
    """The file's embedded metadata is malformed or hostile, so the file is not stored."""

    status, code, title = 422, "unsafe-metadata", "File carries unsafe metadata"


class StorageDown(Problem):
    """The blob store failed, so an original or a preview could not be stored or read."""

    status, code, title = 503, "storage-unavailable", "Blob store unavailable"


class DatabaseDown(Problem):
    """The database did not answer, or a save failed and nothing was kept."""

    status, code, title = 503, "database-unavailable", "Database unavailable"
