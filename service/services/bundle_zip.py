"""A campaign bundle's ZIP: its files in order (the manifest, the schedulers' CSVs, then each
post's folder of captions, alt text, credits, payloads and images), and the ZIP streamed.

``stream`` writes the ZIP as the client reads it, copying each image from the blob store a
chunk at a time and writing each text when its turn comes: memory stays that of one chunk and
the bundle's plan, however many images there are. What it streams holds values only (no
session), so it runs after the request's transaction.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from service.rules import bundle_contents as contents
from service.rules import bundle_manifest, post_payloads, scheduler_csv
from service.rules.bundle_contents import BundleCampaign, BundlePost
from service.rules.filenames import safe_stem
from service.services import publishing
from service.storage.blobs import BlobStore

CHUNK = 64 * 1024  # bytes of an image copied at a time
# The platforms whose API calls the bundle writes out, and how.
PAYLOADS: dict[str, Callable[[BundlePost], object]] = {
    "mastodon": post_payloads.mastodon_payload,
    "bluesky": post_payloads.bluesky_payload,
}


@dataclass(frozen=True)
class Entry:
    """One file of the ZIP: its text, made in pieces when it is written, or a blob copied
    from the store."""

    path: str
    text: Callable[[], Iterable[str]] | None = None
    blob_key: str | None = None


@dataclass(frozen=True)
class Bundle:
    """A campaign's bundle, decided: what each file is, ready to stream with ``stream``."""

    campaign: BundleCampaign
    entries: tuple[Entry, ...] = field(repr=False)

    @property
    def download_name(self) -> str:
        """``MuseumWeek-2026_bundle.zip``."""
        stem = safe_stem(self.campaign.name, ascii_only=True) or f"campaign-{self.campaign.id}"
        return f"{stem}_bundle.zip"


def entries(
    exported: BundleCampaign, published: Mapping[tuple[int, int, str], publishing.Publication]
) -> Iterator[Entry]:
    """The ZIP's files in order: the manifest and CSVs, then each post's folder; ``published``
    holds each image's publication by (post id, position from 0, platform)."""
    yield Entry(contents.MANIFEST_FILE, text=lambda: bundle_manifest.manifest_json(exported))
    yield Entry(
        contents.POSTS_CSV_FILE,
        text=lambda: [scheduler_csv.generic_csv(scheduler_csv.messages(exported.posts))],
    )
    for platform in exported.platforms:
        yield Entry(
            contents.sprout_social_file(platform),
            text=_sprout_social(exported, platform),
        )
    for post in exported.posts:
        folder = post.folder
        for platform in post.platforms:
            caption = post.captions[platform] + "\n"
            yield Entry(contents.caption_file(folder, platform), text=_fixed(caption))
        alt_text, credits = contents.alt_text_document(post), contents.credits_document(post)
        yield Entry(f"{folder}/{contents.ALT_TEXT_FILE}", text=_fixed(alt_text))
        yield Entry(f"{folder}/{contents.CREDITS_FILE}", text=_fixed(credits))
        for platform, make in PAYLOADS.items():
            if platform in post.platforms:
                yield Entry(contents.payload_file(folder, platform), text=_payload(make, post))
        for item in post.media:
            for platform, rendition in item.renditions.items():
                publication = published[(post.id, item.position - 1, platform)]
                yield Entry(rendition.file, blob_key=publication.variant.blob_key)


def _json(value: object) -> Iterable[str]:
    return [json.dumps(value, ensure_ascii=False, indent=2) + "\n"]


def _fixed(text: str) -> Callable[[], Iterable[str]]:
    return lambda: [text]


def _sprout_social(exported: BundleCampaign, platform: str) -> Callable[[], Iterable[str]]:
    rows = scheduler_csv.messages(exported.posts, platform)
    return lambda: [scheduler_csv.sprout_social_csv(rows, exported.date_format)]


def _payload(make: Callable[[BundlePost], object], post: BundlePost) -> Callable[[], Iterable[str]]:
    return lambda: _json(make(post))


class _Pipe(io.RawIOBase):
    """Where the ZIP is written: a stream that cannot seek (so ``zipfile`` writes each entry's
    sizes after its data), whose bytes the generator takes away as they come."""

    def __init__(self) -> None:
        super().__init__()
        self._written: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._written.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        """What was written since the last take."""
        data = b"".join(self._written)
        self._written.clear()
        return data


def stream(bundle: Bundle, store: BlobStore) -> Iterator[bytes]:
    """The bundle's ZIP, a piece at a time: texts are compressed, images stored as they are
    (already compressed), each copied from the blob store ``CHUNK`` bytes at a time."""
    pipe = _Pipe()
    stamp = bundle.campaign.exported_at.timetuple()[:6]
    with zipfile.ZipFile(pipe, mode="w") as archive:
        for entry in bundle.entries:
            info = zipfile.ZipInfo(entry.path, date_time=stamp)
            info.external_attr = 0o644 << 16  # rw-r--r-- once unpacked
            if entry.text is not None:
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as target:
                    for piece in entry.text():
                        target.write(piece.encode())
            elif entry.blob_key is not None:
                info.compress_type = zipfile.ZIP_STORED
                with store.open(entry.blob_key) as source, archive.open(info, "w") as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
